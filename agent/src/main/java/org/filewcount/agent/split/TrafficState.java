package org.filewcount.agent.split;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service's routing as Consul has it now: the splitter's weights (translated from subsets back to
 * versions), the resolver's default version, and how many instances of each version exist and pass.
 * This is what {@code status} shows and what {@code shift}/{@code rollout} start from.
 *
 * @param split the splitter's weights, or empty when there is no splitter (then every passing instance
 *     of every version shares the traffic)
 * @param defaultVersion the version of the resolver's DefaultSubset, when it is an agent-owned subset
 * @param instances per version, in the order Consul listed them
 */
public record TrafficState(
    String service, Optional<Split> split, Optional<String> defaultVersion, Map<String, VersionInstances> instances) {

  public TrafficState {
    instances = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(instances));
  }

  public boolean serviceKnown() {
    return !instances.isEmpty();
  }

  public Optional<VersionInstances> instances(String version) {
    return Optional.ofNullable(instances.get(version));
  }

  /**
   * The version that carries traffic when {@code canary} is not counted: the heaviest other version of
   * the splitter, else the resolver's default, else the one other version that has passing instances.
   */
  public Optional<String> stableExcluding(String canary) {
    if (split.isPresent()) {
      Split s = split.get();
      String best = null;
      for (String v : s.versions()) {
        if (!v.equals(canary) && s.weight(v).signum() > 0
            && (best == null || s.weight(v).compareTo(s.weight(best)) > 0)) {
          best = v;
        }
      }
      if (best != null) {
        return Optional.of(best);
      }
    }
    if (defaultVersion.isPresent() && !defaultVersion.get().equals(canary)) {
      return defaultVersion;
    }
    List<String> others = new ArrayList<>();
    instances.values().forEach(i -> {
      if (!i.version().equals(canary) && i.anyPassing()) {
        others.add(i.version());
      }
    });
    return others.size() == 1 ? Optional.of(others.get(0)) : Optional.empty();
  }

  /**
   * The version an operator means: the exact {@code Service.Meta.version}, or the tag form {@code v2.0}
   * for version {@code 2.0} (the agent also tags instances {@code v<version>}).
   */
  public Optional<String> resolveVersion(String requested) {
    if (instances.containsKey(requested)) {
      return Optional.of(requested);
    }
    if (requested.length() > 1 && (requested.charAt(0) == 'v' || requested.charAt(0) == 'V')
        && instances.containsKey(requested.substring(1))) {
      return Optional.of(requested.substring(1));
    }
    return Optional.empty();
  }

  /**
   * Checks a requested split against the instances Consul knows and returns it with versions resolved.
   * A version without any instance is unknown (a typo, or not deployed yet): refused even with force.
   * A version whose instances all fail their checks would get its share of requests answered 503 by Envoy
   * (an OnlyPassing subset with no endpoint): refused unless {@code force}.
   */
  public Split validate(Split requested, boolean force) {
    Map<String, java.math.BigDecimal> resolved = new java.util.LinkedHashMap<>();
    for (String v : requested.versions()) {
      String actual = known(v);
      if (resolved.put(actual, requested.weight(v)) != null) {
        throw new SplitRefusedException("versions '" + v + "' and '" + actual + "' are the same version: name it once");
      }
      if (requested.weight(v).signum() > 0 && !force) {
        requirePassing(actual);
      }
    }
    return new Split(resolved);
  }

  /**
   * The two versions of a canary split, as {@code shift --to} and {@code rollout --to} both name them:
   * the canary resolved (see {@link #resolveVersion}), and the version the rest of the traffic stays on.
   * Refused when the service or the version is unknown; {@link Canary#stable()} is refused when no
   * version can be told to be stable. One place, so both commands say the same thing for the same case.
   */
  public Canary canary(String requested) {
    String canary = known(requested);
    return new Canary(requested, canary, stableExcluding(canary), describeInstances());
  }

  /** @see #canary */
  public record Canary(String requested, String version, Optional<String> stableIfKnown, String instances) {

    /** The version the traffic not sent to the canary stays on. */
    public String stable() {
      return stableIfKnown.orElseThrow(() -> new SplitRefusedException("cannot tell which version is stable for --to "
          + requested + " (instances: " + instances + "): set it first with shift --weight STABLE=100, or give every"
          + " version's weight with shift --weight"));
    }
  }

  /**
   * Refuses a version none of whose instances passes: Envoy would answer its share of requests 503 (an
   * OnlyPassing subset with no endpoint). {@code shift --force} routes to it anyway; a rollout never does.
   */
  public void requirePassing(String version) {
    VersionInstances vi = instances(version).orElse(new VersionInstances(version, 0, 0));
    if (!vi.anyPassing()) {
      throw new SplitRefusedException("version " + version + " of " + service + " has " + vi.total()
          + " instance(s) but none passing its health checks: its share of requests would fail. Fix or wait for"
          + " it (filewcount-agent status), or route to it anyway with shift --force");
    }
  }

  /** The version {@code requested} resolved; refused when the service or the version is unknown. */
  private String known(String requested) {
    if (!serviceKnown()) {
      throw new SplitRefusedException("unknown service '" + service + "': Consul has no instance of it. Check --service and"
          + " that --consul/CONSUL_HTTP_ADDR points at the right Consul");
    }
    return resolveVersion(requested).orElseThrow(() -> new SplitRefusedException("unknown version '" + requested
        + "' of " + service + ": no instance has Service.Meta.version '" + requested + "' (known: "
        + describeInstances() + "). Deploy it first (nomad job run ...); --force does not override this"));
  }

  /** {@code 1.0 (3/3 passing), 2.0 (0/1 passing)} for error messages. */
  public String describeInstances() {
    if (instances.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    instances.values().stream().sorted(java.util.Comparator.comparing(VersionInstances::version))
        .forEach(i -> parts.add(i.version() + " (" + i.passing() + "/" + i.total() + " passing)"));
    return String.join(", ", parts);
  }

  /** Weight per version for display: the splitter's, or nothing when there is no splitter. */
  public Map<String, Double> weights() {
    return split.map(Split::asDoubles).orElse(Map.of());
  }
}
