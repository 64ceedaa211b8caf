package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * Settings the observability stack needs on a host network whatever its interfaces are called, and the Consul
 * metrics that consul/agent-dev.hcl keeps for Prometheus actually being scraped.
 */
class HostNetworkAddressesTest {

  /**
   * Every ring of Tempo's single binary, by the key that holds its advertised address. Without one, a ring
   * looks for an address on eth0/en0 (the instance_interface_names defaults in grafana/tempo v2.10.8
   * docs/sources/tempo/configuration/manifest.md, where these keys are listed) and Tempo does not start on
   * hosts whose interfaces are ens3 or enp0s31f6.
   */
  private static final List<List<String>> TEMPO_RING_ADDRESSES = List.of(
      List.of("distributor", "ring", "instance_addr"),
      List.of("ingester", "lifecycler", "address"),
      List.of("compactor", "ring", "instance_addr"),
      List.of("metrics_generator", "ring", "instance_addr"),
      List.of("backend_worker", "ring", "instance_addr"),
      List.of("memberlist", "advertise_addr"));

  @Test
  void everyTempoRingAdvertisesLoopbackInsteadOfLookingForEth0() {
    JsonNode tempo = StackFiles.yaml(StackFiles.observability().resolve("tempo/tempo.yaml"));
    for (List<String> key : TEMPO_RING_ADDRESSES) {
      JsonNode node = tempo;
      for (String part : key) {
        node = node.path(part);
      }
      assertThat(node.asText()).as(String.join(".", key)).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void prometheusScrapesConsulsOwnMetrics() {
    JsonNode prometheus = StackFiles.yaml(StackFiles.prometheusConfig());
    Map<String, JsonNode> jobs = new TreeMap<>();
    prometheus.path("scrape_configs").forEach(job -> jobs.put(job.path("job_name").asText(), job));

    JsonNode consul = jobs.get("consul");
    assertThat(consul).as("a scrape job named consul").isNotNull();
    assertThat(consul.path("metrics_path").asText()).isEqualTo("/v1/agent/metrics");
    assertThat(consul.path("params").path("format").get(0).asText()).isEqualTo("prometheus");
    assertThat(consul.path("static_configs").get(0).path("targets").get(0).asText()).isEqualTo("127.0.0.1:8500");
    // Consul serves the Prometheus format only while it keeps metrics for it.
    String agentConfig = RepoFiles.read("consul/agent-dev.hcl");
    assertThat(agentConfig).containsPattern("prometheus_retention_time\\s*=\\s*\"[1-9]\\d*[smh]\"");
  }
}
