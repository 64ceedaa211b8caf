package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.filewcount.agent.telemetry.MetricCatalog;
import org.junit.jupiter.api.Test;

/**
 * No dead panel, no rule on a series nobody writes: every metric a dashboard, an annotation, a Grafana
 * variable, a data source link or a rule reads is emitted by the agent, Envoy, Consul or Prometheus,
 * or recorded by one of our rules.
 */
class MetricNamesTest {

  private final KnownMetrics known = KnownMetrics.load();

  @Test
  void everyMetricUsedIsOneSomebodyEmits() {
    List<String> unknown = new ArrayList<>();
    for (PromQueries.Query query : PromQueries.all()) {
      for (String name : PromQlMetricNames.of(query.expr())) {
        if (known.sourceOf(name) == null) {
          unknown.add(name + "  (" + query.location() + ")");
        }
      }
    }
    assertThat(unknown)
        .as("metric names no component emits; known: %s", known.bySource())
        .isEmpty();
  }

  @Test
  void theQueriesReallyReadTheAgentAndEnvoy() {
    Set<String> sources = new TreeSet<>();
    for (PromQueries.Query query : PromQueries.all()) {
      PromQlMetricNames.of(query.expr()).stream().map(known::sourceOf).filter(Objects::nonNull).forEach(sources::add);
    }
    // Guards the test above against passing on an empty or misread set of queries.
    assertThat(PromQueries.fromDashboards()).hasSizeGreaterThan(30);
    assertThat(sources).contains("agent (MetricCatalog)", "Envoy (metric-names/envoy.txt)",
        "Prometheus (metric-names/prometheus.txt)", "recording rules");
  }

  @Test
  void everyListedEnvoyMetricIsUsed() {
    Set<String> used = new TreeSet<>();
    PromQueries.all().forEach(q -> used.addAll(PromQlMetricNames.of(q.expr())));
    Set<String> unused = new TreeSet<>();
    for (String envoy : known.bySource().get("Envoy (metric-names/envoy.txt)")) {
      boolean isUsed = used.stream().anyMatch(u -> u.equals(envoy) || u.startsWith(envoy + "_"));
      if (!isUsed) {
        unused.add(envoy);
      }
    }
    assertThat(unused).as("entries of metric-names/envoy.txt no panel or rule reads (remove them)").isEmpty();
  }

  @Test
  void anUnknownNameIsCaught() {
    assertThat(known.sourceOf("http_server_request_duration_seconds_bucket")).isEqualTo("agent (MetricCatalog)");
    assertThat(known.sourceOf("envoy_cluster_upstream_rq_time_bucket")).isEqualTo("Envoy (metric-names/envoy.txt)");
    assertThat(known.sourceOf("filewcount:request_error_ratio:rate5m")).isEqualTo("recording rules");
    assertThat(known.sourceOf("http_requests_total")).isNull();
    assertThat(known.sourceOf("envoy_cluster_upstream_rq_5xx")).isNull();
  }

  /**
   * Labels an agent metric is filtered or grouped by must be labels it has (from the catalogue, which
   * writes one point with every attribute) or labels Prometheus adds to the target: a misspelt label
   * selects nothing and the panel stays empty without an error.
   */
  @Test
  void agentMetricsAreFilteredAndGroupedByLabelsTheyHave() {
    Set<String> targetLabels = Set.of("job", "instance", "node", "__name__");
    Map<String, Set<String>> labelsBySeries = new TreeMap<>();
    for (MetricCatalog.Metric metric : MetricCatalog.metrics()) {
      metric.series().forEach(series -> labelsBySeries.put(series, new TreeSet<>(metric.labels())));
    }
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (PromQueries.Query query : PromQueries.all()) {
      Set<String> agentMetrics = new TreeSet<>();
      for (var selector : PromQlMetricNames.matcherLabels(query.expr()).entrySet()) {
        Set<String> known = labelsBySeries.get(selector.getKey());
        if (known == null) {
          continue;
        }
        agentMetrics.add(selector.getKey());
        for (String label : selector.getValue()) {
          checked++;
          if (!known.contains(label) && !targetLabels.contains(label)) {
            problems.add(selector.getKey() + " has no label " + label + "  (" + query.location() + ")");
          }
        }
      }
      // Grouping labels are checkable when the expression reads a single agent metric.
      boolean onlyAgentMetric = agentMetrics.size() == 1
          && PromQlMetricNames.of(query.expr()).equals(agentMetrics);
      if (onlyAgentMetric) {
        Set<String> known = labelsBySeries.get(agentMetrics.iterator().next());
        for (String label : PromQlMetricNames.groupingLabels(query.expr())) {
          checked++;
          if (!known.contains(label) && !targetLabels.contains(label)) {
            problems.add(agentMetrics + " has no label " + label + " to group by  (" + query.location() + ")");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(checked).as("labels checked").isGreaterThan(50);
  }
}
