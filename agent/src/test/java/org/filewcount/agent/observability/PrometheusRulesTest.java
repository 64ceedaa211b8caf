package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The recording and alert rules, checked and unit-tested by the real promtool. promtool's unit tests
 * (observability/prometheus/tests) hold the scenarios; this class runs them and makes sure every alert
 * has at least one scenario where it fires and one where it must stay quiet.
 */
class PrometheusRulesTest {

  private static final String RUNBOOK_PREFIX = "docs/operations.md#";

  @Test
  void promtoolChecksEveryRuleFile() {
    List<String> args = new ArrayList<>(List.of("check", "rules"));
    StackFiles.ruleFiles().forEach(f -> args.add(f.toString()));

    Promtool.Result result = Promtool.locate().run(StackFiles.root(), args.toArray(String[]::new));

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).doesNotContain("FAILED");
  }

  @Test
  void promtoolUnitTestsPass() {
    List<String> args = new ArrayList<>(List.of("test", "rules"));
    StackFiles.ruleTestFiles().forEach(f -> args.add(f.toString()));

    Promtool.Result result = Promtool.locate().run(StackFiles.root(), args.toArray(String[]::new));

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  @Test
  void everyRuleFileIsUnderTest() {
    Set<String> tested = new TreeSet<>();
    for (Path test : StackFiles.ruleTestFiles()) {
      StackFiles.yaml(test).path("rule_files").forEach(f -> tested.add(Path.of(f.asText()).getFileName().toString()));
    }
    Set<String> files = new TreeSet<>();
    StackFiles.ruleFiles().forEach(f -> files.add(f.getFileName().toString()));
    assertThat(tested).containsAll(files);
  }

  @Test
  void everyAlertHasAFiringAndAQuietScenario() {
    Map<String, int[]> scenarios = new TreeMap<>();
    alerts().keySet().forEach(name -> scenarios.put(name, new int[2]));
    for (Path test : StackFiles.ruleTestFiles()) {
      for (JsonNode group : StackFiles.yaml(test).path("tests")) {
        for (JsonNode check : group.path("alert_rule_test")) {
          int[] counts = scenarios.get(check.path("alertname").asText());
          assertThat(counts).as("test of an unknown alert %s in %s", check.path("alertname"), test).isNotNull();
          counts[check.path("exp_alerts").isEmpty() ? 1 : 0]++;
        }
      }
    }
    List<String> missing = new ArrayList<>();
    scenarios.forEach((alert, counts) -> {
      if (counts[0] == 0) {
        missing.add(alert + ": no scenario where it fires");
      }
      if (counts[1] == 0) {
        missing.add(alert + ": no scenario where it stays quiet");
      }
    });
    assertThat(missing).isEmpty();
    assertThat(scenarios).containsKeys("FilewcountErrorBudgetBurnFast", "FilewcountErrorBudgetBurnSlow",
        "FilewcountLatencyP99High", "FilewcountNoPassingInstance", "FilewcountRegistrationFlapping",
        "FilewcountAgentDown");
  }

  @Test
  void everyAlertHasSeveritySummaryAndARunbookThatExists() {
    Set<String> anchors = MarkdownAnchors.of(StackFiles.root().resolve("docs/operations.md"));
    List<String> problems = new ArrayList<>();
    alerts().forEach((name, rule) -> {
      String severity = rule.path("labels").path("severity").asText();
      if (!Set.of("page", "ticket").contains(severity)) {
        problems.add(name + ": severity must be page or ticket, is '" + severity + "'");
      }
      if (rule.path("annotations").path("summary").asText().isBlank()) {
        problems.add(name + ": no summary");
      }
      String runbook = rule.path("annotations").path("runbook_url").asText();
      if (!runbook.startsWith(RUNBOOK_PREFIX)) {
        problems.add(name + ": runbook_url must start with " + RUNBOOK_PREFIX + ", is '" + runbook + "'");
      } else if (!anchors.contains(runbook.substring(RUNBOOK_PREFIX.length()))) {
        problems.add(name + ": docs/operations.md has no heading for " + runbook);
      }
    });
    assertThat(problems).isEmpty();
  }

  private static Map<String, JsonNode> alerts() {
    Map<String, JsonNode> alerts = new TreeMap<>();
    for (Path file : StackFiles.ruleFiles()) {
      for (JsonNode group : StackFiles.yaml(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          if (rule.hasNonNull("alert")) {
            alerts.put(rule.get("alert").asText(), rule);
          }
        }
      }
    }
    return alerts;
  }
}
