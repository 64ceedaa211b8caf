package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grafana would only say so when a panel is opened: every dashboard, annotation and trace-to-metrics
 * query must be valid PromQL. With Grafana's variables replaced by sample values, each becomes a
 * recording rule of a scratch file that the real promtool parses.
 */
class DashboardQueriesAreValidPromQlTest {

  private static final Pattern TAGS = Pattern.compile("\\$\\$?__tags");
  private static final Pattern INTERVAL = Pattern.compile("\\$__(?:rate_interval|interval|range)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?[A-Za-z_][A-Za-z0-9_]*(?::[a-z]+)?}?");

  @TempDir
  Path dir;

  @Test
  void promtoolParsesEveryPanelAndAnnotationQuery() throws IOException {
    List<PromQueries.Query> queries = new ArrayList<>();
    PromQueries.fromDashboards().stream().filter(q -> !q.location().contains(": variable $")).forEach(queries::add);
    queries.addAll(PromQueries.fromDatasources());
    assertThat(queries).hasSizeGreaterThan(30);

    ObjectNode file = StackFiles.YAML.createObjectNode();
    ArrayNode rules = file.putArray("groups").addObject().put("name", "dashboard-queries").putArray("rules");
    List<String> locations = new ArrayList<>();
    for (PromQueries.Query query : queries) {
      rules.addObject().put("record", "dashboard:query_" + locations.size()).put("expr", sample(query.expr()));
      locations.add(query.location());
    }
    Path rulesFile = dir.resolve("dashboard-queries.rules.yml");
    StackFiles.YAML.writeValue(rulesFile.toFile(), file);

    Promtool.Result result = Promtool.locate().run(dir, "check", "rules", rulesFile.toString());

    assertThat(result.exitCode())
        .as("promtool refused a query (rule dashboard:query_N is the N-th of %s):%n%s", locations, result.output())
        .isZero();
    assertThat(result.output()).contains("SUCCESS: " + queries.size() + " rules found");
  }

  /** Grafana's variables replaced the way Grafana would at query time, with sample values. */
  static String sample(String expr) {
    String sampled = TAGS.matcher(expr).replaceAll("service_name=\"filewcount\"");
    sampled = INTERVAL.matcher(sampled).replaceAll("5m");
    return VARIABLE.matcher(sampled).replaceAll("sample");
  }
}
