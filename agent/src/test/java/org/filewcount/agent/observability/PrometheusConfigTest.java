package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrape configuration, checked by the real promtool. The original discovers targets in Consul;
 * the checked copy differs from it only in discovery, and {@code promtool check service-discovery}
 * runs the real relabelling on targets shaped like the ones Consul's catalog yields.
 */
class PrometheusConfigTest {

  private static final List<String> CONSUL_JOBS = List.of("filewcount-agent", "filewcount-consul-health", "envoy");

  @TempDir
  Path dir;

  private final JsonNode original = StackFiles.yaml(StackFiles.prometheusConfig());

  @Test
  void agentsAndEnvoyAreDiscoveredInConsul() {
    Map<String, JsonNode> jobs = jobs(original);
    for (String job : CONSUL_JOBS) {
      assertThat(jobs).containsKey(job);
      JsonNode consul = jobs.get(job).path("consul_sd_configs");
      assertThat(consul.size()).as("consul_sd_configs of %s", job).isEqualTo(1);
      assertThat(consul.get(0).path("server").asText()).isEqualTo("127.0.0.1:8500");
    }
    assertThat(jobs.get("filewcount-agent").path("consul_sd_configs").get(0).path("services").get(0).asText())
        .isEqualTo("filewcount");
    // Rules in their own files, loaded by glob.
    assertThat(original.path("rule_files").get(0).asText()).isEqualTo("rules/*.rules.yml");
  }

  @Test
  void checkableCopyDiffersOnlyInDiscovery() {
    ObjectNode checkable = CheckablePrometheusConfig.from(original);

    assertThat(checkable.toString()).doesNotContain("consul_sd_configs");
    for (String job : CONSUL_JOBS) {
      assertThat(jobs(checkable).get(job).path("file_sd_configs").get(0).path("files").get(0).asText())
          .isEqualTo(job + ".sd.json");
    }
    assertThat(withoutDiscovery(checkable)).isEqualTo(withoutDiscovery(original));
  }

  @Test
  void promtoolAcceptsTheCheckableConfigAndItsRules() throws IOException {
    writeDiscoveredTargets();
    Path config = CheckablePrometheusConfig.writeTo(dir);

    Promtool.Result result = Promtool.locate().run(dir, "check", "config", config.toString());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS: " + StackFiles.ruleFiles().size() + " rule files found");
  }

  @Test
  void promtoolWouldRefuseTheOriginalHere() {
    // Why the checkable copy exists. If this starts failing, Debian's promtool learned Consul
    // discovery: check the original directly and drop the copy.
    Promtool.Result result = Promtool.locate().run(dir, "check", "config", StackFiles.prometheusConfig().toString());

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("consul_sd_configs");
  }

  @Test
  void agentTargetIsTheMetricsPortAndNamedByServiceId() throws IOException {
    writeDiscoveredTargets();
    Path config = CheckablePrometheusConfig.writeTo(dir);

    JsonNode targets = discover(config, "filewcount-agent");

    // The instance without metrics_port is dropped: its registered port is the proxy, whose
    // /metrics would be the app's 404 (and a request in the agent's own metrics).
    assertThat(targets).hasSize(2);
    JsonNode inNomad = target(targets, "filewcount-6f1c2a");
    assertThat(inNomad.path("__address__").asText()).isEqualTo("10.0.0.5:25123");
    assertThat(inNomad.path("node").asText()).isEqualTo("node-1");
    assertThat(inNomad.path("__metrics_path__").asText()).isEqualTo("/metrics");
    // No service address registered: the node's address is used, and a custom path is honoured.
    JsonNode onVm = target(targets, "filewcount-vm1-8081");
    assertThat(onVm.path("__address__").asText()).isEqualTo("10.0.0.7:9464");
    assertThat(onVm.path("__metrics_path__").asText()).isEqualTo("/custom-metrics");
  }

  @Test
  void consulHealthTargetsCarryConsulsVerdictAndTheVersion() throws IOException {
    writeDiscoveredTargets();
    Path config = CheckablePrometheusConfig.writeTo(dir);

    JsonNode targets = discover(config, "filewcount-consul-health");

    assertThat(targets).hasSize(2);
    JsonNode passing = target(targets, "filewcount-6f1c2a");
    assertThat(passing.path("consul_health").asText()).isEqualTo("passing");
    assertThat(passing.path("service_version").asText()).isEqualTo("1.0");
    assertThat(passing.path("consul_service").asText()).isEqualTo("filewcount");
    assertThat(target(targets, "filewcount-vm1-8081").path("consul_health").asText()).isEqualTo("critical");
  }

  @Test
  void envoyTargetsAreTheProxiesThatPublishTheirStatsPort() throws IOException {
    writeDiscoveredTargets();
    Path config = CheckablePrometheusConfig.writeTo(dir);

    JsonNode targets = discover(config, "envoy");

    assertThat(targets).hasSize(2);
    JsonNode sidecar = target(targets, "filewcount-6f1c2a-sidecar-proxy");
    assertThat(sidecar.path("__address__").asText()).isEqualTo("10.0.0.5:29102");
    assertThat(sidecar.path("__metrics_path__").asText()).isEqualTo("/metrics");
    assertThat(sidecar.path("consul_service").asText()).isEqualTo("filewcount-sidecar-proxy");
    JsonNode gateway = target(targets, "filewcount-gateway-1");
    assertThat(gateway.path("__address__").asText()).isEqualTo("10.0.0.5:9102");
    assertThat(gateway.path("__metrics_path__").asText()).isEqualTo("/stats/prometheus");
  }

  /** What Consul's catalog would yield, in file_sd form with the same __meta_consul_* labels. */
  private void writeDiscoveredTargets() throws IOException {
    String agentTargets = """
        [
         {"targets": ["10.0.0.5:24001"], "labels": {
          "__meta_consul_address": "10.0.0.5", "__meta_consul_service_address": "10.0.0.5",
          "__meta_consul_service": "filewcount", "__meta_consul_service_id": "filewcount-6f1c2a",
          "__meta_consul_node": "node-1", "__meta_consul_health": "passing",
          "__meta_consul_service_metadata_version": "1.0", "__meta_consul_service_metadata_metrics_port": "25123"}},
         {"targets": ["10.0.0.7:8081"], "labels": {
          "__meta_consul_address": "10.0.0.7", "__meta_consul_service_address": "",
          "__meta_consul_service": "filewcount", "__meta_consul_service_id": "filewcount-vm1-8081",
          "__meta_consul_node": "vm1", "__meta_consul_health": "critical",
          "__meta_consul_service_metadata_version": "2.0", "__meta_consul_service_metadata_metrics_port": "9464",
          "__meta_consul_service_metadata_metrics_path": "/custom-metrics"}},
         {"targets": ["10.0.0.6:24002"], "labels": {
          "__meta_consul_address": "10.0.0.6", "__meta_consul_service_address": "10.0.0.6",
          "__meta_consul_service": "filewcount", "__meta_consul_service_id": "filewcount-no-metrics",
          "__meta_consul_node": "node-2", "__meta_consul_health": "passing"}}
        ]
        """;
    Files.writeString(dir.resolve(CheckablePrometheusConfig.sdFileName("filewcount-agent")), agentTargets);
    Files.writeString(dir.resolve(CheckablePrometheusConfig.sdFileName("filewcount-consul-health")), agentTargets);
    Files.writeString(dir.resolve(CheckablePrometheusConfig.sdFileName("envoy")), """
        [
         {"targets": ["10.0.0.5:24500"], "labels": {
          "__meta_consul_address": "10.0.0.5", "__meta_consul_service_address": "10.0.0.5",
          "__meta_consul_service": "filewcount-sidecar-proxy", "__meta_consul_service_id": "filewcount-6f1c2a-sidecar-proxy",
          "__meta_consul_node": "node-1", "__meta_consul_health": "passing",
          "__meta_consul_service_metadata_envoy_metrics_port": "29102"}},
         {"targets": ["10.0.0.5:8080"], "labels": {
          "__meta_consul_address": "10.0.0.5", "__meta_consul_service_address": "10.0.0.5",
          "__meta_consul_service": "filewcount-gateway", "__meta_consul_service_id": "filewcount-gateway-1",
          "__meta_consul_node": "node-1", "__meta_consul_health": "passing",
          "__meta_consul_service_metadata_envoy_metrics_port": "9102",
          "__meta_consul_service_metadata_envoy_metrics_path": "/stats/prometheus"}},
         {"targets": ["10.0.0.5:8500"], "labels": {
          "__meta_consul_address": "10.0.0.5", "__meta_consul_service_address": "",
          "__meta_consul_service": "consul", "__meta_consul_service_id": "consul",
          "__meta_consul_node": "node-1", "__meta_consul_health": "passing"}}
        ]
        """);
  }

  /** Relabelled label sets of the targets promtool keeps for {@code job}. */
  private JsonNode discover(Path config, String job) throws IOException {
    // File discovery answers at once; the default 30 s is the wait for slow mechanisms.
    Promtool.Result result = Promtool.locate().run(dir, "check", "service-discovery", "--timeout=2s", config.toString(), job);
    assertThat(result.exitCode()).as(result.output()).isZero();
    JsonNode all = StackFiles.JSON.readTree(result.stdout());
    assertThat(all.isArray()).as(result.output()).isTrue();
    var kept = StackFiles.JSON.createArrayNode();
    for (JsonNode target : all) {
      if (!target.path("labels").isEmpty()) {
        kept.add(target.path("labels"));
      }
    }
    return kept;
  }

  private static JsonNode target(JsonNode targets, String instance) {
    for (JsonNode target : targets) {
      if (instance.equals(target.path("instance").asText())) {
        return target;
      }
    }
    throw new AssertionError("no target with instance=" + instance + " in " + targets);
  }

  private static Map<String, JsonNode> jobs(JsonNode config) {
    Map<String, JsonNode> jobs = new TreeMap<>();
    config.path("scrape_configs").forEach(job -> jobs.put(job.path("job_name").asText(), job));
    return jobs;
  }

  private static JsonNode withoutDiscovery(JsonNode config) {
    ObjectNode copy = config.deepCopy();
    copy.path("scrape_configs").forEach(job -> ((ObjectNode) job).remove(List.of("consul_sd_configs", "file_sd_configs")));
    return copy;
  }
}
