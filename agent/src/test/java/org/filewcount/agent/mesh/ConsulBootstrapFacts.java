package org.filewcount.agent.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.filewcount.agent.testing.FactPath;
import org.filewcount.agent.testing.HashiCorpFacts;

/**
 * What {@code consul connect envoy -bootstrap} writes, as facts (src/test/resources/hashicorp/
 * consul-envoy-bootstrap.json, whose {@code _source} cites the Consul files and commits), and the check of one of
 * our bootstraps against one golden case. Numbers compare by value, so 19000 and 19000.0 are the same fact.
 */
final class ConsulBootstrapFacts {

  static final String RESOURCE = "consul-envoy-bootstrap.json";

  private final JsonNode facts;

  private ConsulBootstrapFacts(JsonNode facts) {
    this.facts = facts;
  }

  static ConsulBootstrapFacts load() {
    return new ConsulBootstrapFacts(HashiCorpFacts.load(RESOURCE));
  }

  JsonNode cases() {
    return facts.path("cases");
  }

  /** Every difference between our bootstrap and the facts of one case, one line each; empty when it agrees. */
  List<String> check(JsonNode ours, JsonNode testCase) {
    List<String> problems = new ArrayList<>();
    String golden = testCase.path("golden").asText();
    for (JsonNode fact : testCase.path("expect")) {
      String path = fact.path("path").asText();
      JsonNode actual = FactPath.find(ours, path);
      if (!same(actual, fact.path("value"))) {
        problems.add(golden + ": " + path + " is " + (actual.isMissingNode() ? "absent" : actual.toString())
            + ", Consul writes " + fact.path("value") + note(fact));
      }
    }
    checkStatsTags(ours, testCase, golden, problems);
    return problems;
  }

  /** Consul's regex tags in Consul's order, then the fixed source tags, and nothing of Consul's left out. */
  private void checkStatsTags(JsonNode ours, JsonNode testCase, String golden, List<String> problems) {
    List<String> expected = new ArrayList<>();
    for (JsonNode t : facts.path("stats_regex_tags")) {
      expected.add(t.path("tag_name").asText() + " regex " + t.path("regex").asText());
    }
    for (JsonNode t : testCase.path("fixed_tags")) {
      expected.add(t.get(0).asText() + " fixed " + t.get(1).asText());
    }
    List<String> actual = new ArrayList<>();
    for (JsonNode t : ours.path("stats_config").path("stats_tags")) {
      actual.add(t.path("tag_name").asText() + (t.has("regex") ? " regex " + t.path("regex").asText()
          : " fixed " + t.path("fixed_value").asText()));
    }
    for (String tag : expected) {
      if (!actual.contains(tag)) {
        problems.add(golden + ": stats tag missing or different: " + tag);
      }
    }
    List<String> ordered = actual.stream().filter(expected::contains).toList();
    if (problems.stream().noneMatch(p -> p.contains("stats tag")) && !ordered.equals(expected)) {
      problems.add(golden + ": stats tags out of Consul's order (Envoy applies them in order, each cutting what it matched from the name)");
    }
  }

  private static boolean same(JsonNode actual, JsonNode expected) {
    if (actual.isMissingNode() && isProto3Default(expected)) {
      // Protobuf's JSON leaves out fields at their default ("" for x-consul-token without a token); Envoy reads
      // an absent field as that default, so it is the value Consul writes out.
      return true;
    }
    if (actual.isNumber() && expected.isNumber()) {
      return actual.decimalValue().compareTo(expected.decimalValue()) == 0;
    }
    return actual.equals(expected);
  }

  private static boolean isProto3Default(JsonNode v) {
    return v.isTextual() && v.asText().isEmpty() || v.isNumber() && v.asDouble() == 0 || v.isBoolean() && !v.asBoolean();
  }

  private static String note(JsonNode fact) {
    return fact.has("consul") ? " (Consul's spelling: " + fact.path("consul").asText() + ")" : "";
  }
}
