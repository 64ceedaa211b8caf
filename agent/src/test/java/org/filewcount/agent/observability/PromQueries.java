package org.filewcount.agent.observability;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Every PromQL expression of the stack, with where it was found: rules, dashboards, data sources. */
final class PromQueries {

  record Query(String location, String expr) {
  }

  private PromQueries() {
  }

  static List<Query> all() {
    List<Query> queries = new ArrayList<>();
    queries.addAll(fromRules());
    queries.addAll(fromDashboards());
    queries.addAll(fromDatasources());
    return queries;
  }

  static List<Query> fromRules() {
    List<Query> queries = new ArrayList<>();
    for (Path file : StackFiles.ruleFiles()) {
      for (JsonNode group : StackFiles.yaml(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          String name = rule.has("alert") ? "alert " + rule.get("alert").asText() : "record " + rule.path("record").asText();
          queries.add(new Query(file.getFileName() + ": " + name, rule.path("expr").asText()));
        }
      }
    }
    return queries;
  }

  static List<Query> fromDashboards() {
    List<Query> queries = new ArrayList<>();
    for (Path file : StackFiles.dashboards()) {
      JsonNode dashboard = StackFiles.json(file);
      String name = file.getFileName().toString();
      for (JsonNode panel : panels(dashboard)) {
        for (JsonNode target : panel.path("targets")) {
          // LogQL (Loki targets) is checked by LogPipelineConfigTest, not as PromQL.
          if (target.hasNonNull("expr") && !"loki".equals(target.path("datasource").path("type").asText())) {
            queries.add(new Query(name + ": panel '" + panel.path("title").asText() + "'", target.get("expr").asText()));
          }
        }
      }
      for (JsonNode annotation : dashboard.path("annotations").path("list")) {
        if (annotation.hasNonNull("expr")) {
          queries.add(new Query(name + ": annotation '" + annotation.path("name").asText() + "'", annotation.get("expr").asText()));
        }
      }
      for (JsonNode variable : dashboard.path("templating").path("list")) {
        if ("prometheus".equals(variable.path("datasource").path("type").asText())) {
          JsonNode query = variable.path("query");
          String expr = query.isObject() ? query.path("query").asText() : query.asText();
          queries.add(new Query(name + ": variable $" + variable.path("name").asText(), expr));
        }
      }
    }
    return queries;
  }

  static List<Query> fromDatasources() {
    List<Query> queries = new ArrayList<>();
    for (JsonNode datasource : StackFiles.yaml(StackFiles.datasources()).path("datasources")) {
      for (JsonNode query : datasource.path("jsonData").path("tracesToMetrics").path("queries")) {
        queries.add(new Query("datasources.yaml: " + datasource.path("name").asText() + " trace-to-metrics '"
            + query.path("name").asText() + "'", query.path("query").asText()));
      }
    }
    return queries;
  }

  /** All panels, including those nested in collapsed rows. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }
}
