package org.filewcount.agent.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.filewcount.agent.config.ConfigException;
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

  public static final String SERVICE_DEFAULTS = "service-defaults";
  public static final String SERVICE_RESOLVER = "service-resolver";
  public static final String SERVICE_SPLITTER = "service-splitter";

  private static final Logger LOG = LoggerFactory.getLogger(ConsulTrafficControl.class);
  private static final List<String> SERVER_FIELDS = List.of("CreateIndex", "ModifyIndex", "Hash");

  /** A config entry and the index check-and-set needs. */
  record Entry(ObjectNode body, long modifyIndex) {}

  /** One step of a shift: which entry, and how to change it given the entries as they are. */
  private record Change(String kind, String name, Function<Lookup, Optional<ObjectNode>> compute) {}

  @FunctionalInterface
  private interface Lookup {
    Optional<ObjectNode> entry(String kind, String name);
  }

  private final ConsulHttp http;
  private final int maxAttempts;

  public ConsulTrafficControl(ConsulHttp http) {
    this(http, 8);
  }

  ConsulTrafficControl(ConsulHttp http, int maxAttempts) {
    this.http = http;
    this.maxAttempts = maxAttempts;
  }

  @Override
  public TrafficState read(String service) {
    Map<String, VersionInstances> instances = instances(service);
    Optional<ObjectNode> resolver = readEntry(SERVICE_RESOLVER, service).map(Entry::body);
    Optional<ObjectNode> splitter = readEntry(SERVICE_SPLITTER, service).map(Entry::body);
    return state(service, instances, resolver, splitter);
  }

  static TrafficState state(String service, Map<String, VersionInstances> instances, Optional<ObjectNode> resolver,
      Optional<ObjectNode> splitter) {
    Map<String, String> subsetVersions = new LinkedHashMap<>();
    // Subsets named the agent's way but missing from the resolver still map back to their version.
    instances.keySet().forEach(v -> subsetVersions.put(Subsets.name(v), v));
    resolver.map(ConsulTrafficControl::ownedSubsets).ifPresent(subsetVersions::putAll);
    Optional<String> defaultVersion = resolver
        .map(r -> r.path("DefaultSubset").asText(""))
        .filter(s -> !s.isEmpty())
        .map(s -> subsetVersions.getOrDefault(s, s));
    Optional<Split> split = splitter.flatMap(s -> toSplit(service, s, subsetVersions));
    return new TrafficState(service, split, defaultVersion, instances);
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

  /** What {@code apply} would write now, in order (entries that would not change are left out). */
  public List<EntryWrite> plan(String service, Split requested, boolean force) {
    TrafficState state = read(service);
    Split split = state.validate(requested, force);
    Map<String, Optional<ObjectNode>> simulated = new HashMap<>();
    Lookup lookup = (kind, name) -> simulated.computeIfAbsent(kind + "/" + name,
        k -> readEntry(kind, name).map(e -> stripped(e.body())));
    List<EntryWrite> out = new ArrayList<>();
    for (Change c : changes(service, split, state.instances().keySet())) {
      Optional<ObjectNode> next = c.compute().apply(lookup);
      if (next.isPresent()) {
        simulated.put(c.kind() + "/" + c.name(), next);
        out.add(new EntryWrite(c.kind(), c.name(), next.get()));
      }
    }
    return out;
  }

  private List<Change> changes(String service, Split split, Set<String> instanceVersions) {
    Set<String> wanted = new LinkedHashSet<>(instanceVersions);
    wanted.addAll(split.versions());
    String stable = split.stable();
    return List.of(
        new Change(SERVICE_DEFAULTS, service, l -> serviceDefaults(service, l.entry(SERVICE_DEFAULTS, service))),
        new Change(SERVICE_RESOLVER, service,
            l -> resolverWithSubsets(service, l.entry(SERVICE_RESOLVER, service), wanted, stable)),
        // After the subsets exist and before they are pruned: the sticky routes name them (ADR 0018).
        new Change(VersionStickiness.SERVICE_ROUTER, service,
            l -> VersionStickiness.router(service, l.entry(VersionStickiness.SERVICE_ROUTER, service), split)),
        new Change(SERVICE_SPLITTER, service, l -> splitter(service, l.entry(SERVICE_SPLITTER, service), split)),
        new Change(SERVICE_RESOLVER, service, l -> resolverPruned(service, l.entry(SERVICE_RESOLVER, service),
            l.entry(SERVICE_SPLITTER, service), l.entry(VersionStickiness.SERVICE_ROUTER, service),
            instanceVersions)));
  }

  // --- The merges: pure functions from the current entry to the next one (empty = nothing to write) ---

  static Optional<ObjectNode> serviceDefaults(String service, Optional<ObjectNode> current) {
    ObjectNode next = base(current, SERVICE_DEFAULTS, service);
    next.put("Protocol", "http");
    return changed(current, next);
  }

  static Optional<ObjectNode> resolverWithSubsets(
      String service, Optional<ObjectNode> current, Set<String> versions, String stable) {
    ObjectNode next = base(current, SERVICE_RESOLVER, service);
    ObjectNode subsets = next.has("Subsets") && next.get("Subsets").isObject()
        ? (ObjectNode) next.get("Subsets") : next.putObject("Subsets");
    for (String version : versions) {
      String name = Subsets.name(version);
      JsonNode existing = subsets.get(name);
      if (existing != null) {
        Optional<String> owner = Subsets.versionOf(existing.path("Filter").asText(null));
        if (owner.isEmpty()) {
          throw new ConfigException("the resolver of " + service + " already has a subset '" + name
              + "' with filter '" + existing.path("Filter").asText("") + "', which the agent did not write:"
              + " rename or remove that subset (consul config read -kind service-resolver -name " + service + ")");
        }
        if (!owner.get().equals(version)) {
          throw new ConfigException("versions '" + owner.get() + "' and '" + version + "' both map to the resolver"
              + " subset '" + name + "': Consul subset names allow only a-z, 0-9 and '-'; use versions that differ"
              + " in letters or digits");
        }
      }
      ObjectNode subset = existing != null ? ((ObjectNode) existing) : subsets.putObject(name);
      subset.put("Filter", Subsets.filter(version));
      subset.put("OnlyPassing", true);
    }
    next.put("DefaultSubset", Subsets.name(stable));
    return changed(current, next);
  }

  static Optional<ObjectNode> splitter(String service, Optional<ObjectNode> current, Split split) {
    ObjectNode next = base(current, SERVICE_SPLITTER, service);
    // Header modifiers someone put on a split survive, matched by subset.
    Map<String, ObjectNode> previous = new HashMap<>();
    current.map(c -> c.path("Splits")).filter(JsonNode::isArray).ifPresent(arr -> arr.forEach(s -> {
      if (s.isObject() && (s.path("Service").asText("").isEmpty() || s.path("Service").asText().equals(service))) {
        previous.put(s.path("ServiceSubset").asText(""), (ObjectNode) s);
      }
    }));
    ArrayNode splits = next.putArray("Splits");
    boolean sticky = !VersionStickiness.stickyVersions(split).isEmpty();
    split.weights().forEach((version, weight) -> {
      String subset = Subsets.name(version);
      ObjectNode s = splits.addObject();
      s.put("Weight", weight);
      s.put("ServiceSubset", subset);
      ObjectNode old = previous.get(subset);
      if (old != null) {
        for (String keep : List.of("RequestHeaders", "ResponseHeaders")) {
          if (old.has(keep)) {
            s.set(keep, old.get(keep).deepCopy());
          }
        }
      }
      VersionStickiness.cookieHeader(s, subset, sticky);
    });
    return changed(current, next);
  }

  static Optional<ObjectNode> resolverPruned(String service, Optional<ObjectNode> current,
      Optional<ObjectNode> splitter, Optional<ObjectNode> router, Set<String> instanceVersions) {
    if (current.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode next = base(current, SERVICE_RESOLVER, service);
    JsonNode subsets = next.get("Subsets");
    if (subsets == null || !subsets.isObject()) {
      return Optional.empty();
    }
    Set<String> referenced = new HashSet<>();
    splitter.map(s -> s.path("Splits")).filter(JsonNode::isArray)
        .ifPresent(arr -> arr.forEach(s -> referenced.add(s.path("ServiceSubset").asText(""))));
    referenced.add(next.path("DefaultSubset").asText(""));
    referenced.addAll(VersionStickiness.routedSubsets(router));
    List<String> unused = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : subsets.properties()) {
      Optional<String> version = Subsets.versionOf(e.getValue().path("Filter").asText(null));
      if (version.isPresent() && !instanceVersions.contains(version.get()) && !referenced.contains(e.getKey())) {
        unused.add(e.getKey());
      }
    }
    ((ObjectNode) subsets).remove(unused);
    return changed(current, next);
  }

  static ObjectNode base(Optional<ObjectNode> current, String kind, String name) {
    ObjectNode next = current.map(ConsulTrafficControl::stripped).orElseGet(Json.MAPPER::createObjectNode);
    next.put("Kind", kind);
    next.put("Name", name);
    return next;
  }

  private static ObjectNode stripped(ObjectNode entry) {
    ObjectNode copy = entry.deepCopy();
    copy.remove(SERVER_FIELDS);
    return copy;
  }

  static Optional<ObjectNode> changed(Optional<ObjectNode> current, ObjectNode next) {
    if (current.isPresent() && Json.sameContent(stripped(current.get()), next)) {
      return Optional.empty();
    }
    return Optional.of(next);
  }

  // --- Reading ---

  /** Agent-owned subsets of a resolver: subset name to version. */
  static Map<String, String> ownedSubsets(ObjectNode resolver) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode subsets = resolver.path("Subsets");
    if (subsets.isObject()) {
      subsets.properties().forEach(e ->
          Subsets.versionOf(e.getValue().path("Filter").asText(null)).ifPresent(v -> out.put(e.getKey(), v)));
    }
    return out;
  }

  private static Optional<Split> toSplit(String service, ObjectNode splitter, Map<String, String> subsetVersions) {
    JsonNode splits = splitter.path("Splits");
    if (!splits.isArray() || splits.isEmpty()) {
      return Optional.empty();
    }
    Map<String, BigDecimal> weights = new LinkedHashMap<>();
    for (JsonNode s : splits) {
      String subset = s.path("ServiceSubset").asText("");
      String target = s.path("Service").asText("");
      String label = subsetVersions.getOrDefault(subset, subset.isEmpty() ? "(default subset)" : subset);
      if (!target.isEmpty() && !target.equals(service)) {
        label = target + (subset.isEmpty() ? "" : "/" + subset);
      }
      // Consul keeps weights as float32: 33.33 can come back as 33.330002.
      BigDecimal w = s.path("Weight").decimalValue().setScale(2, RoundingMode.HALF_UP);
      weights.merge(label, w, BigDecimal::add);
    }
    try {
      return Optional.of(new Split(weights));
    } catch (ConfigException e) {
      LOG.warn("the service-splitter of {} does not add up to 100: {}", service, e.getMessage());
      return Optional.empty();
    }
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

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(1000L, 50L * (1L << Math.min(attempt, 5))) + (long) (Math.random() * 50));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConsulException("interrupted while retrying a config entry write", e);
    }
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
