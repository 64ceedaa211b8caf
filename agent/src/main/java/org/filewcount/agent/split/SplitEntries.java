package org.filewcount.agent.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pure side of a split: config entries in, config entries (or the {@link TrafficState} they describe)
 * out, with no I/O, so every merge is tested on plain JSON. {@link ConsulTrafficControl} does the reading,
 * the check-and-set writes and the retries around these.
 *
 * <p>Only the fields the agent owns are changed (the resolver's agent-owned subsets and DefaultSubset, the
 * splitter's Splits, service-defaults' Protocol); everything else another tool wrote is kept. Each merge
 * answers empty when it would change nothing.
 */
final class SplitEntries {

  public static final String SERVICE_DEFAULTS = "service-defaults";
  public static final String SERVICE_RESOLVER = "service-resolver";
  public static final String SERVICE_SPLITTER = "service-splitter";

  private static final Logger LOG = LoggerFactory.getLogger(SplitEntries.class);
  private static final List<String> SERVER_FIELDS = List.of("CreateIndex", "ModifyIndex", "Hash");

  private SplitEntries() {}

  static TrafficState state(String service, Map<String, VersionInstances> instances, Optional<ObjectNode> resolver,
      Optional<ObjectNode> splitter) {
    Map<String, String> subsetVersions = new LinkedHashMap<>();
    // Subsets named the agent's way but missing from the resolver still map back to their version.
    instances.keySet().forEach(v -> subsetVersions.put(Subsets.name(v), v));
    resolver.map(SplitEntries::ownedSubsets).ifPresent(subsetVersions::putAll);
    Optional<String> defaultVersion = resolver
        .map(r -> r.path("DefaultSubset").asText(""))
        .filter(s -> !s.isEmpty())
        .map(s -> subsetVersions.getOrDefault(s, s));
    Optional<Split> split = splitter.flatMap(s -> toSplit(service, s, subsetVersions));
    return new TrafficState(service, split, defaultVersion, instances);
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
          throw new SplitRefusedException("the resolver of " + service + " already has a subset '" + name
              + "' with filter '" + existing.path("Filter").asText("") + "', which the agent did not write:"
              + " rename or remove that subset (consul config read -kind service-resolver -name " + service + ")");
        }
        if (!owner.get().equals(version)) {
          throw new SplitRefusedException("versions '" + owner.get() + "' and '" + version + "' both map to the resolver"
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
    ObjectNode next = current.map(SplitEntries::stripped).orElseGet(Json.MAPPER::createObjectNode);
    next.put("Kind", kind);
    next.put("Name", name);
    return next;
  }

  static ObjectNode stripped(ObjectNode entry) {
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
    } catch (SplitRefusedException e) {
      LOG.warn("the service-splitter of {} does not add up to 100: {}", service, e.getMessage());
      return Optional.empty();
    }
  }
}
