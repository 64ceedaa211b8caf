package org.filewcount.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.filewcount.agent.consul.KiwiConsulAgent;
import org.filewcount.agent.consul.ServiceInstance;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.testing.ConsulContainers;
import org.filewcount.agent.testing.ContainerLogsOnFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Against a real Consul dev agent: the register JSON (service and Connect sidecar) is accepted
 * field by field, the TTL and maintenance endpoints behave as the stub assumes, and the loop
 * re-registers after a deregistration behind its back. Skipped where no Docker engine exists.
 */
@Testcontainers(disabledWithoutDocker = true)
class RealConsulTest {

  @RegisterExtension
  static final ContainerLogsOnFailure LOGS = new ContainerLogsOnFailure();

  @Container
  static final ConsulContainer CONSUL = LOGS.watch("consul", ConsulContainers.pinned());

  private KiwiConsulAgent consul;
  private RegistrationPayload payload;

  @BeforeEach
  void connect() {
    URI address = URI.create("http://" + CONSUL.getHost() + ":" + CONSUL.getMappedPort(8500));
    consul = KiwiConsulAgent.connect(new ConsulSettings(address, Optional.empty(), Optional.empty()));
    HostPort adv = new HostPort("127.0.0.1", 18081);
    payload = RegistrationPayload.of(AgentConfig.builder().serviceVersion("1.0").advertised(adv)
        .listen(new HostPort("127.0.0.1", 8081)).mesh(new MeshSettings(21000, 21000))
        .identity(InstanceIdentity.derive("filewcount", "1.0", adv, Map.of("NOMAD_ALLOC_ID", "tc-alloc"), "t"))
        .build());
  }

  @AfterEach
  void cleanUp() {
    for (String id : payload.idsSidecarFirst()) {
      consul.deregister(id);
    }
    consul.close();
  }

  @Test
  void acceptsTheServiceAndSidecarDefinitionsAndTheirChecks() {
    consul.register(payload.service());
    consul.register(payload.sidecar().orElseThrow());

    assertThat(consul.registeredServiceIds()).contains("filewcount-tc-alloc", "filewcount-tc-alloc-sidecar-proxy");
    assertThat(consul.passTtl(payload.ttlCheckId(), "agent alive")).isTrue();
    assertThat(consul.passTtl("service:nobody:ttl", "x")).isFalse();

    ServiceInstance instance = consul.instances("filewcount").get(0);
    assertThat(instance.version()).isEqualTo("1.0");
    assertThat(instance.tags()).contains("v1.0");
    assertThat(instance.checks()).extracting(ServiceInstance.Check::id)
        .contains("service:filewcount-tc-alloc:ready", "service:filewcount-tc-alloc:ttl");

    consul.maintenance("filewcount-tc-alloc", true, "draining");
    assertThat(consul.instances("filewcount").get(0).checks()).extracting(ServiceInstance.Check::id)
        .contains("_service_maintenance:filewcount-tc-alloc");

    consul.deregister("filewcount-tc-alloc-sidecar-proxy");
    consul.deregister("filewcount-tc-alloc");
    assertThat(consul.registeredServiceIds()).doesNotContain("filewcount-tc-alloc");
  }

  @Test
  void reRegistersAfterADeregistrationBehindItsBack() {
    try (RegistrationLoop loop = new RegistrationLoop(consul, payload,
        RegistrationLoop.Timing.forHeartbeat(Duration.ofSeconds(1)), List.of(), Clock.systemUTC())) {
      loop.onProbe(new ProbeResult(true, Duration.ofMillis(1), "ok", Instant.now()));
      await().atMost(Duration.ofSeconds(10)).until(() -> loop.state() == RegistrationState.REGISTERED);

      consul.deregister("filewcount-tc-alloc");

      await().atMost(Duration.ofSeconds(5)).until(() -> consul.registeredServiceIds().contains("filewcount-tc-alloc"));
      assertThat(loop.enterMaintenance(Duration.ofSeconds(5))).isTrue();
      assertThat(loop.deregister(Duration.ofSeconds(5))).isTrue();
      assertThat(consul.registeredServiceIds()).doesNotContain("filewcount-tc-alloc", "filewcount-tc-alloc-sidecar-proxy");
    }
  }
}
