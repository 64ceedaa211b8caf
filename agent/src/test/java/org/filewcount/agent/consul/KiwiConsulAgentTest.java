package org.filewcount.agent.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.registry.RegistrationPayload;
import org.filewcount.agent.registry.StubConsul;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** consul-client against a stub Consul: the exact HTTP that leaves the agent. */
class KiwiConsulAgentTest {

  private static final String TOKEN = "3f1c0d5e-7a2b-4c1d-9e8f-0123456789ab";
  private static final ObjectMapper JSON = new ObjectMapper();

  private StubConsul stub;
  private KiwiConsulAgent agent;
  private RegistrationPayload payload;

  @BeforeEach
  void start() {
    stub = new StubConsul();
    agent = KiwiConsulAgent.connect(new ConsulSettings(stub.address(), Optional.of(Secret.of(TOKEN)), Optional.empty()));
    HostPort adv = new HostPort("127.0.0.1", 8081);
    payload = RegistrationPayload.of(AgentConfig.builder().advertised(adv)
        .identity(InstanceIdentity.derive("filewcount", "1.0", adv, Map.of("NODE_NAME", "n1"), "t")).build());
  }

  @AfterEach
  void stop() {
    agent.close();
    stub.close();
  }

  @Test
  void registerSendsTheDefinitionAsIsWithTheTokenInTheHeaderOnly() throws Exception {
    agent.register(payload.service());

    LoggedRequest put = stub.requests().get(0);
    assertThat(put.getMethod().getName()).isEqualTo("PUT");
    assertThat(put.getUrl()).isEqualTo("/v1/agent/service/register");
    assertThat(JSON.readTree(put.getBodyAsString())).isEqualTo(payload.service());
    assertThat(put.getHeader("X-Consul-Token")).isEqualTo(TOKEN);
    assertThat(stub.hasService("filewcount-127.0.0.1-8081")).isTrue();
  }

  @Test
  void everyCallCarriesTheTokenHeaderAndNoTokenQueryParameter() {
    String id = payload.serviceId();
    agent.register(payload.service());
    assertThat(agent.passTtl(payload.ttlCheckId(), "agent alive")).isTrue();
    assertThat(agent.registeredServiceIds()).contains(id);
    agent.maintenance(id, true, "draining");
    assertThat(agent.instances("filewcount")).hasSize(1);
    agent.deregister(id);

    assertThat(stub.requests()).hasSize(6).allSatisfy(r -> {
      assertThat(r.getHeader("X-Consul-Token")).as(r.getUrl()).isEqualTo(TOKEN);
      assertThat(r.getUrl()).as("URL must not carry the token").doesNotContain("token").doesNotContain(TOKEN);
    });
  }

  @Test
  void withoutATokenNoTokenHeaderIsSent() {
    try (KiwiConsulAgent anonymous = KiwiConsulAgent.connect(
        new ConsulSettings(stub.address(), Optional.empty(), Optional.empty()))) {
      anonymous.register(payload.service());
      anonymous.registeredServiceIds();
    }
    assertThat(stub.requests()).allSatisfy(r -> assertThat(r.containsHeader("X-Consul-Token")).isFalse());
  }

  @Test
  void ttlPassGoesToTheCheckPassEndpoint() {
    agent.register(payload.service());
    stub.resetJournal();

    assertThat(agent.passTtl(payload.ttlCheckId(), "agent alive")).isTrue();

    assertThat(stub.calls()).singleElement().satisfies(call -> assertThat(call)
        .startsWith("PUT /v1/agent/check/pass/service:filewcount-127.0.0.1-8081:ttl")
        .contains("note=agent"));
    assertThat(stub.checkStatus(payload.ttlCheckId())).isEqualTo("passing");
  }

  @Test
  void ttlPassOnAnUnknownCheckSaysSoInsteadOfFailing() {
    assertThat(agent.passTtl("service:gone:ttl", "agent alive")).isFalse();
  }

  @Test
  void maintenanceAndDeregisterUseTheAgentEndpoints() {
    String id = payload.serviceId();
    agent.register(payload.service());
    stub.resetJournal();

    agent.maintenance(id, true, "draining before shutdown");
    agent.deregister(id);
    agent.deregister(id); // unknown now: not an error

    assertThat(stub.calls()).hasSize(3);
    assertThat(stub.calls().get(0)).startsWith("PUT /v1/agent/service/maintenance/" + id + "?")
        .contains("enable=true").contains("reason=draining");
    assertThat(stub.calls().get(1)).isEqualTo("PUT /v1/agent/service/deregister/" + id);
    assertThat(stub.hasService(id)).isFalse();
  }

  @Test
  void instancesComeFromTheHealthApiWithTheirChecks() {
    agent.register(payload.service());
    agent.maintenance(payload.serviceId(), true, "x");

    ServiceInstance i = agent.instances("filewcount").get(0);

    assertThat(i.id()).isEqualTo(payload.serviceId());
    assertThat(i.address()).isEqualTo("127.0.0.1");
    assertThat(i.port()).isEqualTo(8081);
    assertThat(i.version()).isEqualTo("1.0");
    assertThat(i.checks()).extracting(ServiceInstance.Check::status).contains("passing", "critical");
    assertThat(i.aggregateStatus()).isEqualTo("critical");
    assertThat(agent.instances("nothing-here")).isEmpty();
  }

  @Test
  void serverErrorsBecomeConsulUnavailableWithoutTheToken() {
    stub.failWith(500);

    assertThatThrownBy(() -> agent.register(payload.service()))
        .isInstanceOf(ConsulException.class).hasMessageContaining("500").hasMessageNotContaining(TOKEN);
    assertThatThrownBy(() -> agent.registeredServiceIds())
        .isInstanceOf(ConsulException.class).hasMessageContaining("500");
    assertThatThrownBy(() -> agent.passTtl(payload.ttlCheckId(), "x"))
        .isInstanceOf(ConsulException.class);
    assertThatThrownBy(() -> agent.maintenance(payload.serviceId(), true, "x"))
        .isInstanceOf(ConsulException.class);
  }

  @Test
  void aDeniedTokenIsExplained() {
    stub.failWith(403);

    assertThatThrownBy(() -> agent.register(payload.service()))
        .isInstanceOf(ConsulException.class).hasMessageContaining("403").hasMessageContaining("ACL")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void refusedConnectionsBecomeConsulUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (KiwiConsulAgent nowhere = KiwiConsulAgent.connect(new ConsulSettings(
        URI.create("http://127.0.0.1:" + closedPort), Optional.of(Secret.of(TOKEN)), Optional.empty()))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> nowhere.register(payload.service()))
          .isInstanceOf(ConsulException.class).hasMessageContaining("registering")
          .hasMessageNotContaining(TOKEN);
      assertThatThrownBy(nowhere::registeredServiceIds).isInstanceOf(ConsulException.class);
      assertThatThrownBy(() -> nowhere.passTtl("x", "y")).isInstanceOf(ConsulException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void registerBodyIsJson() {
    agent.register(payload.service());
    assertThat(stub.requests().get(0).getHeader("Content-Type")).startsWith("application/json");
    ObjectNode stored = stub.service(payload.serviceId());
    assertThat(stored.get("Checks")).hasSize(2);
  }
}
