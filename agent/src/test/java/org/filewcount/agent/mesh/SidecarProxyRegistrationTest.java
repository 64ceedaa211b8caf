package org.filewcount.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.junit.jupiter.api.Test;

class SidecarProxyRegistrationTest {

  private static final String ALLOC = "5f1e2d3c-aaaa-bbbb-cccc-000000000001";

  private static InstanceIdentity identity() {
    return InstanceIdentity.derive("filewcount", "2.0", new HostPort("10.0.0.5", 8081),
        Map.of("NOMAD_ALLOC_ID", ALLOC, "NOMAD_JOB_NAME", "filewcount", "NODE_NAME", "node-1"), "0.1.0");
  }

  @Test
  void registersAConnectProxyForTheInstanceWithTheIdEnvoyUsesAsNodeId() {
    var reg = new SidecarProxyRegistration(identity(), "filewcount", "10.0.0.5", new MeshSettings(24567, 24567),
        new HostPort("127.0.0.1", 8081), Optional.of(31002), Duration.ofSeconds(10));

    JsonNode body = reg.toConsulJson(new ObjectMapper());

    assertThat(body.path("Kind").asText()).isEqualTo("connect-proxy");
    assertThat(body.path("ID").asText()).isEqualTo("filewcount-" + ALLOC + "-sidecar-proxy").isEqualTo(identity().sidecarServiceId());
    assertThat(body.path("Name").asText()).isEqualTo("filewcount-sidecar-proxy");
    assertThat(body.path("Address").asText()).isEqualTo("10.0.0.5");
    assertThat(body.path("Port").asInt()).isEqualTo(24567);
    assertThat(body.path("Tags").get(0).asText()).isEqualTo("v2.0");
    assertThat(body.path("Meta").path("version").asText()).isEqualTo("2.0");
    assertThat(body.path("Meta").path("envoy_metrics_port").asText()).isEqualTo("31002");
    assertThat(body.path("Meta").path("envoy_metrics_path").asText()).isEqualTo("/metrics");

    JsonNode proxy = body.path("Proxy");
    assertThat(proxy.path("DestinationServiceName").asText()).isEqualTo("filewcount");
    assertThat(proxy.path("DestinationServiceID").asText()).isEqualTo("filewcount-" + ALLOC);
    assertThat(proxy.path("LocalServiceAddress").asText()).isEqualTo("127.0.0.1");
    assertThat(proxy.path("LocalServicePort").asInt()).isEqualTo(8081);
    assertThat(proxy.path("Config").path("bind_address").asText()).isEqualTo("0.0.0.0");
    assertThat(proxy.path("Config").path("bind_port").asInt()).isEqualTo(24567);

    JsonNode checks = body.path("Checks");
    assertThat(checks).hasSize(2);
    assertThat(checks.get(0).path("TCP").asText()).isEqualTo("10.0.0.5:24567");
    assertThat(checks.get(0).path("Interval").asText()).isEqualTo("10s");
    assertThat(checks.get(1).path("AliasService").asText()).isEqualTo("filewcount-" + ALLOC);
  }

  @Test
  void envoyBindsItsOwnPortWhenNomadMapsAnotherOneAndMetricsMetaIsOptional() {
    var reg = new SidecarProxyRegistration(identity(), "filewcount", "10.0.0.5", new MeshSettings(24567, 21000),
        new HostPort("127.0.0.1", 8081), Optional.empty(), Duration.ofSeconds(10));
    JsonNode body = reg.toConsulJson(new ObjectMapper());
    assertThat(body.path("Port").asInt()).isEqualTo(24567);
    assertThat(body.path("Proxy").path("Config").path("bind_port").asInt()).isEqualTo(21000);
    assertThat(body.path("Meta").has("envoy_metrics_port")).isFalse();
  }
}
