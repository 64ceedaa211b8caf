package org.filewcount.agent.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.consul.ConsulHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets a service's split through Consul's config entries: {@code service-defaults} (protocol http, which
 * splitters require), {@code service-resolver} (one OnlyPassing subset per version, DefaultSubset = the
 * stable version) and {@code service-splitter} (the weights).
 *
 * <p>Every write is a read-modify-write with check-and-set ({@code PUT /v1/config?cas=<ModifyIndex>},
 * {@code cas=0} to create): Consul answers {@code false} when someone else wrote in between, and the
 * change is computed again from the fresh entry. Only the fields the agent owns are changed (the
 * resolver's agent-owned subsets and DefaultSubset, the splitter's Splits, service-defaults' Protocol);
 * everything else another tool wrote (timeouts, load balancer, outlier detection, meta) is kept. A write
 * that would change nothing is skipped, so repeating a shift is harmless.
 *
 * <p>Order keeps the chain valid at every moment: subsets are added to the resolver before the router and
 * the splitter point at them, and removed only after neither does. While two or more versions get traffic,
 * the router holds one cookie route per version and each split sets that cookie ({@link VersionStickiness}).
 */
public final class ConsulTrafficControl implements TrafficControl {

  private static final Logger LOG = LoggerFactory.getLogger(ConsulTrafficControl.class);

  /** A config entry and the index check-and-set needs. */
  record Entry(ObjectNode body, long modifyIndex) {}

  /** One step of a shift: which entry, and how to change it given the entries as they are. */
  private record Change(String kind, String name, Function<Lookup, Optional<ObjectNode>> compute) {}

  @FunctionalInterface
  private interface Lookup {
    Optional<ObjectNode> entry(String kind, String name);
  }

  private final ConsulHttp http;
  private final Sleeper sleeper;
  private final int maxAttempts;

  /** @param sleeper how the check-and-set retries wait (real time in the CLI, no time in tests) */
  public ConsulTrafficControl(ConsulHttp http, Sleeper sleeper) {
    this(http, sleeper, 8);
  }

  ConsulTrafficControl(ConsulHttp http, Sleeper sleeper, int maxAttempts) {
    this.http = http;
    this.sleeper = sleeper;
    this.maxAttempts = maxAttempts;
  }

  @Override
  public TrafficState read(String service) {
    Map<String, VersionInstances> instances = instances(service);
    Optional<ObjectNode> resolver = readEntry(SplitEntries.SERVICE_RESOLVER, service).map(Entry::body);
    Optional<ObjectNode> splitter = readEntry(SplitEntries.SERVICE_SPLITTER, service).map(Entry::body);
    return SplitEntries.state(service, instances, resolver, splitter);
  }

  @Override
  public Split apply(String service, Split requested, boolean force) {
    TrafficState state = read(service);
    Split split = state.validate(requested, force);
    for (Change c : changes(service, split, state.instances().keySet())) {
      writeWithCas(c);
    }
    LOG.debug("split of {} is now {}", service, split.describe());
    return split;
  }

  /**
   * What {@code apply} would write now (--dry-run): the entries in write order, each exactly as it would be
   * PUT to /v1/config; entries that would not change are left out, and the resolver can appear twice
   * (subsets added before the splitter, unused ones removed after it).
   */
  public ArrayNode plan(String service, Split requested, boolean force) {
    TrafficState state = read(service);
    Split split = state.validate(requested, force);
    Map<String, Optional<ObjectNode>> simulated = new HashMap<>();
    Lookup lookup = (kind, name) -> simulated.computeIfAbsent(kind + "/" + name,
        k -> readEntry(kind, name).map(e -> SplitEntries.stripped(e.body())));
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Change c : changes(service, split, state.instances().keySet())) {
      Optional<ObjectNode> next = c.compute().apply(lookup);
      if (next.isPresent()) {
        simulated.put(c.kind() + "/" + c.name(), next);
        out.add(next.get());
      }
    }
    return out;
  }

  private List<Change> changes(String service, Split split, Set<String> instanceVersions) {
    Set<String> wanted = new LinkedHashSet<>(instanceVersions);
    wanted.addAll(split.versions());
    String stable = split.stable();
    return List.of(
        new Change(SplitEntries.SERVICE_DEFAULTS, service, l -> SplitEntries.serviceDefaults(service, l.entry(SplitEntries.SERVICE_DEFAULTS, service))),
        new Change(SplitEntries.SERVICE_RESOLVER, service,
            l -> SplitEntries.resolverWithSubsets(service, l.entry(SplitEntries.SERVICE_RESOLVER, service), wanted, stable)),
        // After the subsets exist and before they are pruned: the sticky routes name them (ADR 0018).
        new Change(VersionStickiness.SERVICE_ROUTER, service,
            l -> VersionStickiness.router(service, l.entry(VersionStickiness.SERVICE_ROUTER, service), split)),
        new Change(SplitEntries.SERVICE_SPLITTER, service, l -> SplitEntries.splitter(service, l.entry(SplitEntries.SERVICE_SPLITTER, service), split)),
        new Change(SplitEntries.SERVICE_RESOLVER, service, l -> SplitEntries.resolverPruned(service, l.entry(SplitEntries.SERVICE_RESOLVER, service),
            l.entry(SplitEntries.SERVICE_SPLITTER, service), l.entry(VersionStickiness.SERVICE_ROUTER, service),
            instanceVersions)));
  }

  Map<String, VersionInstances> instances(String service) {
    ConsulHttp.Response r = http.get("/v1/health/service/" + encode(service));
    if (!r.ok()) {
      throw ConsulHttp.failure("reading the instances of " + service, r);
    }
    Map<String, int[]> counts = new LinkedHashMap<>();
    for (JsonNode entry : Json.parse(r.body())) {
      String version = entry.path("Service").path("Meta").path("version").asText("");
      if (version.isEmpty()) {
        continue; // not registered by our agent; cannot be routed to by version
      }
      boolean passing = true;
      for (JsonNode check : entry.path("Checks")) {
        passing &= "passing".equals(check.path("Status").asText());
      }
      int[] c = counts.computeIfAbsent(version, k -> new int[2]);
      c[0]++;
      if (passing) {
        c[1]++;
      }
    }
    Map<String, VersionInstances> out = new LinkedHashMap<>();
    counts.forEach((v, c) -> out.put(v, new VersionInstances(v, c[0], c[1])));
    return out;
  }

  Optional<Entry> readEntry(String kind, String name) {
    ConsulHttp.Response r = http.get("/v1/config/" + kind + "/" + encode(name));
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (!r.ok()) {
      throw ConsulHttp.failure("reading " + kind + "/" + name, r);
    }
    JsonNode body = Json.parse(r.body());
    if (!body.isObject()) {
      throw new ConsulException("reading " + kind + "/" + name + ": Consul answered something other than an entry");
    }
    return Optional.of(new Entry((ObjectNode) body, body.path("ModifyIndex").asLong(0)));
  }

  private void writeWithCas(Change c) {
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Optional<Entry> current = readEntry(c.kind(), c.name());
      Map<String, Optional<ObjectNode>> seen = new HashMap<>();
      seen.put(c.kind() + "/" + c.name(), current.map(Entry::body));
      Lookup live = (kind, name) -> seen.computeIfAbsent(kind + "/" + name,
          k -> readEntry(kind, name).map(Entry::body));
      Optional<ObjectNode> next = c.compute().apply(live);
      if (next.isEmpty()) {
        LOG.debug("{}/{} already as wanted", c.kind(), c.name());
        return;
      }
      long cas = current.map(Entry::modifyIndex).orElse(0L);
      ConsulHttp.Response r = http.put("/v1/config?cas=" + cas, Json.write(next.get()));
      if (!r.ok()) {
        throw ConsulHttp.failure("writing " + c.kind() + "/" + c.name(), r);
      }
      if ("true".equals(r.body().strip())) {
        LOG.debug("wrote {}/{} (cas {})", c.kind(), c.name(), cas);
        return;
      }
      LOG.info("{}/{} changed while we wrote it (cas {} lost, attempt {}/{}): reading it again", c.kind(), c.name(),
          cas, attempt, maxAttempts);
      pause(attempt);
    }
    throw new ConsulException("gave up writing " + c.kind() + "/" + c.name() + " after " + maxAttempts
        + " check-and-set conflicts: another writer keeps changing it; find it and run again");
  }

  private void pause(int attempt) {
    sleeper.pause(Duration.ofMillis(Math.min(1000L, 50L * (1L << Math.min(attempt, 5))) + (long) (Math.random() * 50)));
    if (Thread.currentThread().isInterrupted()) {
      throw new ConsulException("interrupted while retrying a config entry write");
    }
  }

  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
