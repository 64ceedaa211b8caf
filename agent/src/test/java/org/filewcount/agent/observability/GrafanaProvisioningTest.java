package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The provisioned data sources and dashboards: they parse, they point at each other, nothing dangles. */
class GrafanaProvisioningTest {

  private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?}|([A-Za-z_][A-Za-z0-9_]*))");

  private final Map<String, JsonNode> dashboards = loadDashboards();
  private final Map<String, JsonNode> datasources = loadDatasources();

  @Test
  void theFourDashboardsExistAndParse() {
    assertThat(dashboards).containsOnlyKeys("filewcount-overview", "filewcount-rollout", "filewcount-instances", "filewcount-edge");
    Set<String> titles = new HashSet<>();
    dashboards.forEach((uid, dashboard) -> {
      assertThat(dashboard.path("uid").asText()).as("uid of %s.json is its file name", uid).isEqualTo(uid);
      assertThat(titles.add(dashboard.path("title").asText())).as("unique title %s", dashboard.path("title")).isTrue();
      assertThat(PromQueries.panels(dashboard)).as("panels of %s", uid).isNotEmpty();
    });
  }

  @Test
  void panelsUseProvisionedDataSourcesAndFitTheGrid() {
    List<String> problems = new ArrayList<>();
    dashboards.forEach((uid, dashboard) -> {
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : PromQueries.panels(dashboard)) {
        String title = uid + " / " + panel.path("title").asText();
        if (!ids.add(panel.path("id").asInt())) {
          problems.add(title + ": duplicate panel id " + panel.path("id"));
        }
        JsonNode grid = panel.path("gridPos");
        if (grid.path("x").asInt() + grid.path("w").asInt() > 24 || grid.path("w").asInt() <= 0) {
          problems.add(title + ": gridPos outside the 24 columns " + grid);
        }
        if ("row".equals(panel.path("type").asText())) {
          continue;
        }
        List<JsonNode> sources = new ArrayList<>();
        sources.add(panel.path("datasource"));
        panel.path("targets").forEach(t -> sources.add(t.path("datasource")));
        for (JsonNode source : sources) {
          JsonNode provisioned = datasources.get(source.path("uid").asText());
          if (provisioned == null || !provisioned.path("type").asText().equals(source.path("type").asText())) {
            problems.add(title + ": data source " + source + " is not a provisioned one " + datasources.keySet());
          }
        }
        if (panel.path("targets").isEmpty()) {
          problems.add(title + ": no query");
        }
      }
    });
    assertThat(problems).isEmpty();
  }

  @Test
  void everyVariableUsedIsDefined() {
    List<String> problems = new ArrayList<>();
    dashboards.forEach((uid, dashboard) -> {
      Set<String> defined = new TreeSet<>();
      dashboard.path("templating").path("list").forEach(v -> defined.add(v.path("name").asText()));
      Matcher used = VARIABLE.matcher(dashboard.path("panels").toString() + dashboard.path("annotations"));
      while (used.find()) {
        String name = used.group(1) != null ? used.group(1) : used.group(2);
        if (!name.startsWith("__") && !defined.contains(name)) {
          problems.add(uid + ": $" + name + " is not a variable of the dashboard " + defined);
        }
      }
    });
    assertThat(problems).isEmpty();
  }

  @Test
  void latencyExemplarsLeadToTempoTraces() {
    JsonNode prometheus = datasources.get("prometheus");
    JsonNode destination = prometheus.path("jsonData").path("exemplarTraceIdDestinations").get(0);
    assertThat(destination.path("name").asText()).isEqualTo("trace_id");
    assertThat(datasources.get(destination.path("datasourceUid").asText()).path("type").asText()).isEqualTo("tempo");

    List<String> exemplarQueries = new ArrayList<>();
    for (JsonNode panel : PromQueries.panels(dashboards.get("filewcount-overview"))) {
      panel.path("targets").forEach(t -> {
        if (t.path("exemplar").asBoolean()) {
          exemplarQueries.add(t.path("expr").asText());
        }
      });
    }
    // Exemplars live on the raw histogram the agent exports, not on recorded series.
    assertThat(exemplarQueries).isNotEmpty()
        .allSatisfy(expr -> assertThat(expr).contains("http_server_request_duration_seconds_bucket"));
  }

  @Test
  void tempoLinksBackToPrometheus() {
    JsonNode tempo = datasources.get("tempo").path("jsonData");
    assertThat(datasources.get(tempo.path("tracesToMetrics").path("datasourceUid").asText()).path("type").asText())
        .isEqualTo("prometheus");
    assertThat(tempo.path("tracesToMetrics").path("queries")).isNotEmpty();
    assertThat(tempo.path("serviceMap").path("datasourceUid").asText()).isEqualTo("prometheus");
    assertThat(tempo.path("nodeGraph").path("enabled").asBoolean()).isTrue();
    // $__tags must reach Grafana as written: provisioning expands single-$ variables.
    tempo.path("tracesToMetrics").path("queries").forEach(q -> assertThat(q.path("query").asText()).contains("$$__tags"));
  }

  @Test
  void rolloutDashboardDrawsStepsPromotionsAndRollbacks() {
    JsonNode rollout = dashboards.get("filewcount-rollout");
    Set<String> annotationMetrics = new TreeSet<>();
    rollout.path("annotations").path("list").forEach(a -> {
      if (a.hasNonNull("expr")) {
        annotationMetrics.addAll(PromQlMetricNames.of(a.get("expr").asText()));
      }
    });
    // Recording rules unit-tested in filewcount-recording.test.yml.
    assertThat(annotationMetrics).containsExactlyInAnyOrder(
        "filewcount:traffic_weight:changed", "filewcount:rollout_promoted:event", "filewcount:rollout_rolled_back:event");
    assertThat(KnownMetrics.recordedNames()).containsAll(annotationMetrics);
  }

  @Test
  void overviewComparesVersionsSideBySide() {
    JsonNode overview = dashboards.get("filewcount-overview");
    List<JsonNode> repeated = PromQueries.panels(overview).stream().filter(p -> "version".equals(p.path("repeat").asText())).toList();
    assertThat(repeated).as("a row repeated per version").hasSize(1);
    String queries = overview.path("panels").toString();
    assertThat(queries).contains("filewcount_outcome", "service_version", "histogram_quantile(0.50", "histogram_quantile(0.99");
  }

  @Test
  void dashboardsProviderReadsWhereComposeAndNomadPutTheFiles() {
    Path providerFile = StackFiles.observability().resolve("grafana/provisioning/dashboards/dashboards.yaml");
    String path = StackFiles.yaml(providerFile).path("providers").get(0).path("options").path("path").asText();
    assertThat(StackFiles.text(StackFiles.observability().resolve("docker-compose.yml")))
        .contains("./grafana/dashboards:" + path);
    assertThat(StackFiles.text(StackFiles.root().resolve("nomad/observability.nomad.hcl")))
        .contains("local/grafana/dashboards:" + path);
  }

  private static Map<String, JsonNode> loadDashboards() {
    Map<String, JsonNode> byName = new TreeMap<>();
    for (Path file : StackFiles.dashboards()) {
      String name = file.getFileName().toString();
      byName.put(name.substring(0, name.length() - ".json".length()), StackFiles.json(file));
    }
    return byName;
  }

  private static Map<String, JsonNode> loadDatasources() {
    Map<String, JsonNode> byUid = new TreeMap<>();
    StackFiles.yaml(StackFiles.datasources()).path("datasources").forEach(d -> byUid.put(d.path("uid").asText(), d));
    return byUid;
  }
}
