package org.filewcount.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.junit.jupiter.api.Test;

class RegistrationPayloadTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NOMAD_ENV = Map.of(
      "NOMAD_ALLOC_ID", "5b3a1c2d-0000-4000-8000-00000000abcd",
      "NOMAD_JOB_NAME", "filewcount",
      "NOMAD_GROUP_NAME", "app",
      "NOMAD_DC", "dc1",
      "NODE_NAME", "node-1");

  private static AgentConfig.Builder nomadConfig() {
    HostPort advertised = new HostPort("10.0.0.5", 25123);
    return AgentConfig.builder()
        .service("filewcount")
        .serviceVersion("2.0")
        .listen(new HostPort("127.0.0.1", 8081))
        .advertised(advertised)
        .admin(new HostPort("127.0.0.1", 9464))
        .checkAddress(new HostPort("10.0.0.5", 25124))
        .checkInterval(Duration.ofSeconds(10))
        .identity(InstanceIdentity.derive("filewcount", "2.0", advertised, NOMAD_ENV, "0.1.0"));
  }

  @Test
  void serviceDefinitionIsExactlyWhatConsulExpects() throws Exception {
    RegistrationPayload payload = RegistrationPayload.of(nomadConfig().build());

    JsonNode expected = JSON.readTree("""
        {
          "ID": "filewcount-5b3a1c2d-0000-4000-8000-00000000abcd",
          "Name": "filewcount",
          "Address": "10.0.0.5",
          "Port": 25123,
          "Tags": ["v2.0"],
          "Meta": {
            "agent_version": "0.1.0",
            "metrics_path": "/metrics",
            "metrics_port": "25124",
            "node": "node-1",
            "nomad_alloc_id": "5b3a1c2d-0000-4000-8000-00000000abcd",
            "nomad_dc": "dc1",
            "nomad_group": "app",
            "nomad_job": "filewcount",
            "version": "2.0"
          },
          "Weights": {"Passing": 10, "Warning": 1},
          "Checks": [
            {
              "CheckID": "service:filewcount-5b3a1c2d-0000-4000-8000-00000000abcd:ready",
              "Name": "filewcount functional probe",
              "Notes": "200 only while the agent's last upload of a fixed text to /file_upload returned the expected counts and the agent is not draining",
              "HTTP": "http://10.0.0.5:25124/health/ready",
              "Method": "GET",
              "Interval": "10s",
              "Timeout": "2s",
              "Status": "passing",
              "DeregisterCriticalServiceAfter": "1m"
            },
            {
              "CheckID": "service:filewcount-5b3a1c2d-0000-4000-8000-00000000abcd:ttl",
              "Name": "filewcount agent heartbeat",
              "Notes": "Passed by the agent every --check-interval while it runs",
              "TTL": "30s",
              "Status": "passing",
              "DeregisterCriticalServiceAfter": "1m"
            }
          ]
        }
        """);
    assertThat(payload.service()).isEqualTo(expected);
    assertThat(payload.sidecar()).isEmpty();
    assertThat(payload.idsSidecarFirst()).containsExactly("filewcount-5b3a1c2d-0000-4000-8000-00000000abcd");
  }

  @Test
  void meshModeAddsAConnectSidecarWithAliasAndTcpChecks() throws Exception {
    RegistrationPayload payload = RegistrationPayload.of(nomadConfig().mesh(new MeshSettings(28000, 21000)).build(),
        Optional.of(31002));

    JsonNode sidecar = payload.sidecar().orElseThrow();
    String id = "filewcount-5b3a1c2d-0000-4000-8000-00000000abcd";
    assertThat(sidecar.get("ID").asText()).isEqualTo(id + "-sidecar-proxy");
    assertThat(sidecar.get("Name").asText()).isEqualTo("filewcount-sidecar-proxy");
    assertThat(sidecar.get("Kind").asText()).isEqualTo("connect-proxy");
    assertThat(sidecar.get("Address").asText()).isEqualTo("10.0.0.5");
    assertThat(sidecar.get("Port").asInt()).isEqualTo(28000);
    assertThat(sidecar.get("Tags")).isEqualTo(JSON.readTree("[\"v2.0\"]"));
    assertThat(sidecar.get("Meta").get("version").asText()).isEqualTo("2.0");
    assertThat(sidecar.get("Meta").get("envoy_metrics_port").asText()).isEqualTo("31002");
    assertThat(sidecar.get("Weights")).isEqualTo(JSON.readTree("{\"Passing\": 10, \"Warning\": 1}"));
    assertThat(sidecar.get("Proxy")).isEqualTo(JSON.readTree("""
        {
          "DestinationServiceName": "filewcount",
          "DestinationServiceID": "%s",
          "LocalServiceAddress": "127.0.0.1",
          "LocalServicePort": 8081,
          "Config": {
            "bind_address": "0.0.0.0",
            "bind_port": 21000,
            "envoy_prometheus_bind_addr": "0.0.0.0:9102"
          }
        }
        """.formatted(id)));
    JsonNode checks = sidecar.get("Checks");
    assertThat(checks).hasSize(2);
    assertThat(checks.findValuesAsText("TCP")).containsExactly("10.0.0.5:28000");
    assertThat(checks.findValuesAsText("AliasService")).containsExactly(id);
    // The sidecar goes first on the way out, so it never points at a service that is already gone.
    assertThat(payload.idsSidecarFirst()).containsExactly(id + "-sidecar-proxy", id);
  }

  @Test
  void httpCheckDefaultsToTheAdminAddressAndTtlIsThreeHeartbeats() {
    AgentConfig config = AgentConfig.builder()
        .admin(new HostPort("127.0.0.1", 9464))
        .checkInterval(Duration.ofSeconds(5))
        .build();

    JsonNode checks = RegistrationPayload.of(config).service().get("Checks");

    assertThat(checks.get(0).get("HTTP").asText()).isEqualTo("http://127.0.0.1:9464/health/ready");
    assertThat(checks.get(0).get("Interval").asText()).isEqualTo("5s");
    assertThat(checks.get(1).get("TTL").asText()).isEqualTo("15s");
  }

  @Test
  void aVersionWrittenWithItsVIsTaggedAsItIsOnTheServiceAndItsSidecar() {
    for (Map.Entry<String, String> versionAndTag : Map.of("v1", "v1", "1.0", "v1.0", "v2.0-rc1", "v2.0-rc1").entrySet()) {
      HostPort advertised = new HostPort("10.0.0.5", 25123);
      String version = versionAndTag.getKey();
      AgentConfig config = nomadConfig().serviceVersion(version)
          .identity(InstanceIdentity.derive("filewcount", version, advertised, NOMAD_ENV, "0.1.0"))
          .mesh(new MeshSettings(28000, 21000)).build();

      RegistrationPayload payload = RegistrationPayload.of(config, Optional.empty());

      assertThat(payload.service().get("Tags")).as(version).isEqualTo(JSON.createArrayNode().add(versionAndTag.getValue()));
      assertThat(payload.sidecar().orElseThrow().get("Tags")).as(version)
          .isEqualTo(JSON.createArrayNode().add(versionAndTag.getValue()));
      assertThat(payload.service().get("Meta").get("version").asText()).as("meta keeps the version as given")
          .isEqualTo(version);
    }
  }
}
