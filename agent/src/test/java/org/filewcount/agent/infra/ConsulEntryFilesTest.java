package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ConsulEntryFilesTest {

  @Test
  void hclBlocksBecomeObjectsAndListsStayLists() throws Exception {
    ObjectNode proxyDefaults = ConsulEntryFiles.read("consul/proxy-defaults.hcl");
    assertThat(proxyDefaults.path("Config").isObject()).isTrue();
    assertThat(proxyDefaults.path("Config").path("protocol").asText()).isEqualTo("http");
    assertThat(proxyDefaults.path("AccessLogs").path("Enabled").asBoolean()).isTrue();

    ObjectNode defaults = ConsulEntryFiles.read("consul/service-defaults.hcl");
    assertThat(defaults.path("UpstreamConfig").path("Defaults").path("PassiveHealthCheck").path("MaxFailures").asInt())
        .isEqualTo(3);

    ObjectNode intentions = ConsulEntryFiles.read("consul/service-intentions-filewcount.hcl");
    assertThat(intentions.path("Sources").isArray()).isTrue();
    assertThat(intentions.path("Sources")).hasSize(1);

    ObjectNode resolver = ConsulEntryFiles.read("consul/service-resolver.json");
    assertThat(resolver.path("LoadBalancer").path("Policy").asText()).isEqualTo("ring_hash");
  }
}
