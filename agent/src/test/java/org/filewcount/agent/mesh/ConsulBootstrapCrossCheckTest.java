package org.filewcount.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.filewcount.agent.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Our {@code envoy-bootstrap} against Consul's own {@code consul connect envoy -bootstrap}, input by input: for each
 * golden case of Consul's tests (facts in src/test/resources/hashicorp/consul-envoy-bootstrap.json, with their
 * sources), the same inputs given to our command must produce every field Consul writes. Deliberate differences
 * are listed in that file and in envoy/README.md.
 */
class ConsulBootstrapCrossCheckTest {

  private static final ConsulBootstrapFacts FACTS = ConsulBootstrapFacts.load();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  static Stream<JsonNode> cases() {
    List<JsonNode> all = new ArrayList<>();
    FACTS.cases().forEach(all::add);
    return all.stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void ourBootstrapHoldsEverythingConsulWritesForTheSameInputs(JsonNode testCase) throws Exception {
    JsonNode ours = ourBootstrap(testCase);
    assertThat(FACTS.check(ours, testCase)).as(testCase.path("golden").asText()).isEmpty();
  }

  @Test
  void theFactsCoverEveryPartOfConsulsBootstrap() {
    // The sections of Consul's template (bootstrap_tpl.go, see the facts' _source) that a case must pin.
    List<String> paths = new ArrayList<>();
    FACTS.cases().forEach(c -> c.path("expect").forEach(f -> paths.add(f.path("path").asText())));
    for (String section : List.of("/admin/", "/node/id", "/node/cluster", "/node/metadata/", "/layered_runtime/",
        "/static_resources/clusters[name=local_agent]/", "/dynamic_resources/lds_config/",
        "/dynamic_resources/cds_config/", "/dynamic_resources/ads_config/", "initial_metadata[key=x-consul-token]",
        "/static_resources/listeners[name=envoy_prometheus_metrics_listener]/", "/transport_socket/")) {
      assertThat(paths).as(section).anyMatch(p -> p.contains(section));
    }
  }

  /** The checker itself: each kind of planted error in a copy of a good bootstrap is reported. */
  @Test
  void aMutatedBootstrapIsReportedFieldByField() throws Exception {
    JsonNode testCase = FACTS.cases().get(0);
    JsonNode good = ourBootstrap(testCase);
    assertThat(FACTS.check(good, testCase)).isEmpty();

    Map<String, String> plantedErrors = new HashMap<>();
    ObjectNode noPartition = good.deepCopy();
    ((ObjectNode) noPartition.path("node").path("metadata")).remove("partition");
    plantedErrors.put("/node/metadata/partition is absent", check(noPartition, testCase));

    ObjectNode plainGrpc = good.deepCopy();
    ((ObjectNode) plainGrpc.path("dynamic_resources").path("ads_config")).put("api_type", "GRPC");
    plantedErrors.put("/dynamic_resources/ads_config/api_type is \"GRPC\"", check(plainGrpc, testCase));

    ObjectNode timeout = good.deepCopy();
    ((ObjectNode) timeout.path("dynamic_resources").path("cds_config")).remove("initial_fetch_timeout");
    plantedErrors.put("/dynamic_resources/cds_config/initial_fetch_timeout is absent", check(timeout, testCase));

    ObjectNode oneTagLess = good.deepCopy();
    ((ArrayNode) oneTagLess.path("stats_config").path("stats_tags")).remove(6);
    plantedErrors.put("stats tag missing or different: consul.destination.peer", check(oneTagLess, testCase));

    ObjectNode swapped = good.deepCopy();
    ArrayNode tags = (ArrayNode) swapped.path("stats_config").path("stats_tags");
    JsonNode first = tags.remove(0);
    tags.insert(3, first);
    plantedErrors.put("out of Consul's order", check(swapped, testCase));

    ObjectNode wrongDc = good.deepCopy();
    ArrayNode dcTags = (ArrayNode) wrongDc.path("stats_config").path("stats_tags");
    ((ObjectNode) dcTags.get(dcTags.size() - 1)).put("fixed_value", "dc2");
    plantedErrors.put("consul.source.datacenter fixed dc1", check(wrongDc, testCase));

    ObjectNode noRuntime = good.deepCopy();
    noRuntime.remove("layered_runtime");
    plantedErrors.put("re2.max_program_size.error_level is absent", check(noRuntime, testCase));

    plantedErrors.forEach((expected, report) -> assertThat(report).as(expected).contains(expected));
  }

  private String check(JsonNode mutated, JsonNode testCase) {
    return String.join("\n", FACTS.check(mutated, testCase));
  }

  private JsonNode ourBootstrap(JsonNode testCase) throws Exception {
    Map<String, String> env = new HashMap<>();
    testCase.path("our_env").fields().forEachRemaining(e -> env.put(e.getKey(), placeholders(e.getValue().asText(), testCase)));
    List<String> args = new ArrayList<>(List.of("envoy-bootstrap"));
    testCase.path("our_args").forEach(a -> args.add(placeholders(a.asText(), testCase)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(env);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args.toArray(String[]::new));
    assertThat(exit).as(err.toString()).isZero();
    BootstrapJson.parse(out.toString());
    return JSON.readTree(out.toString());
  }

  private String placeholders(String value, JsonNode testCase) {
    try {
      return switch (value) {
        case "@TOKEN_FILE@" -> Files.writeString(dir.resolve("token.txt"), testCase.path("token_file").asText()).toString();
        case "@CA_FILE@" -> Files.writeString(dir.resolve("ca.pem"), testCase.path("ca_pem").asText()).toString();
        case "@TUNABLES@" -> Files.writeString(dir.resolve("t.properties"), testCase.path("tunables").asText()).toString();
        default -> value;
      };
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
