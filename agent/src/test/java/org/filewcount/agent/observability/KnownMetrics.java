package org.filewcount.agent.observability;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.filewcount.agent.telemetry.MetricCatalog;

/**
 * Every metric name a panel or rule may use, by who emits it: the agent (its own catalogue, not a
 * second list), Envoy, Consul and Prometheus (checked-in lists with a doc source per name), and the
 * recording rules of this repository.
 */
final class KnownMetrics {

  /** Series names a histogram or counter adds to its base name in Prometheus' text format. */
  private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_total", "_created");
  private static final Pattern LIST_ENTRY = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s+(https://\\S+).*");

  private final Map<String, Set<String>> namesBySource = new LinkedHashMap<>();

  private KnownMetrics() {
  }

  static KnownMetrics load() {
    KnownMetrics known = new KnownMetrics();
    known.namesBySource.put("agent (MetricCatalog)", new TreeSet<>(MetricCatalog.prometheusNames()));
    Path lists = StackFiles.observability().resolve("metric-names");
    known.namesBySource.put("Envoy (metric-names/envoy.txt)", readList(lists.resolve("envoy.txt")));
    known.namesBySource.put("Consul (metric-names/consul.txt)", readList(lists.resolve("consul.txt")));
    known.namesBySource.put("Prometheus (metric-names/prometheus.txt)", readList(lists.resolve("prometheus.txt")));
    known.namesBySource.put("recording rules", recordedNames());
    return known;
  }

  /** Entries are "name https://doc-source ...": a name without its source is refused. */
  static Set<String> readList(Path file) {
    Set<String> names = new TreeSet<>();
    List<String> lines = StackFiles.text(file).lines().map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    for (String line : lines) {
      var entry = LIST_ENTRY.matcher(line);
      if (!entry.matches()) {
        throw new AssertionError(file + ": '" + line + "' must be '<metric name> <https:// doc source>'");
      }
      names.add(entry.group(1));
    }
    return names;
  }

  static Set<String> recordedNames() {
    Set<String> names = new TreeSet<>();
    for (Path file : StackFiles.ruleFiles()) {
      for (JsonNode group : StackFiles.yaml(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          if (rule.hasNonNull("record")) {
            names.add(rule.get("record").asText());
          }
        }
      }
    }
    return names;
  }

  Map<String, Set<String>> bySource() {
    return namesBySource;
  }

  /** Who emits {@code name} (as written in a query: maybe with _bucket/_count/_sum), or null. */
  String sourceOf(String name) {
    for (var entry : namesBySource.entrySet()) {
      if (matches(name, entry.getValue())) {
        return entry.getKey();
      }
    }
    return null;
  }

  private static boolean matches(String used, Set<String> names) {
    if (names.contains(used)) {
      return true;
    }
    for (String suffix : SUFFIXES) {
      if (used.endsWith(suffix) && names.contains(used.substring(0, used.length() - suffix.length()))) {
        return true;
      }
    }
    return false;
  }
}
