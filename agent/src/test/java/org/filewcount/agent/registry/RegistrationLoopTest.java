package org.filewcount.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.consul.KiwiConsulAgent;
import org.filewcount.agent.probe.ProbeResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registration loop against a stub Consul that keeps state like the real agent. */
class RegistrationLoopTest {

  private static final String TOKEN = "b1e4c7aa-0000-4000-8000-000000000001";
  private static final ProbeResult PASS = new ProbeResult(true, Duration.ofMillis(5), "ok", Instant.now());
  private static final ProbeResult FAIL = new ProbeResult(false, Duration.ofMillis(5), "connection refused", Instant.now());
  private static final RegistrationLoop.Timing FAST = new RegistrationLoop.Timing(
      Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(250), Duration.ofSeconds(4));

  private StubConsul stub;
  private KiwiConsulAgent consul;
  private RegistrationLoop loop;
  private final List<String> transitions = new CopyOnWriteArrayList<>();
  private RegistrationPayload payload;

  @BeforeEach
  void start() {
    stub = new StubConsul();
    payload = payload(true);
  }

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.close();
    }
    if (consul != null) {
      consul.close();
    }
    stub.close();
  }

  private static RegistrationPayload payload(boolean mesh) {
    HostPort adv = new HostPort("127.0.0.1", 8081);
    AgentConfig.Builder b = AgentConfig.builder().advertised(adv).checkInterval(Duration.ofSeconds(1))
        .identity(InstanceIdentity.derive("filewcount", "1.0", adv, Map.of("NOMAD_ALLOC_ID", "alloc-1"), "t"));
    if (mesh) {
      b.mesh(new MeshSettings(21000, 21000));
    }
    return RegistrationPayload.of(b.build());
  }

  private RegistrationLoop loop(RegistrationLoop.Timing timing) {
    consul = KiwiConsulAgent.connect(new ConsulSettings(stub.address(), Optional.of(Secret.of(TOKEN)), Optional.empty()));
    loop = new RegistrationLoop(consul, payload, timing, List.of((from, to) -> transitions.add(from + "->" + to)),
        Clock.systemUTC());
    return loop;
  }

  @Test
  void registersNothingUntilTheFirstProbePasses() {
    loop(FAST).onProbe(FAIL);

    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> stub.calls().isEmpty());
    assertThat(loop.state()).isEqualTo(RegistrationState.STARTING);

    loop.onProbe(PASS);

    await().atMost(Duration.ofSeconds(2)).until(() -> stub.hasService("filewcount-alloc-1")
        && stub.hasService("filewcount-alloc-1-sidecar-proxy"));
    await().atMost(Duration.ofSeconds(1)).until(() -> loop.state() == RegistrationState.REGISTERED);
    assertThat(transitions).containsExactly("STARTING->REGISTERED");
    // Service before sidecar: the sidecar's alias check refers to the service.
    List<String> registers = stub.requests().stream().filter(r -> r.getUrl().equals("/v1/agent/service/register"))
        .map(r -> r.getBodyAsString().contains("connect-proxy") ? "sidecar" : "service").toList();
    assertThat(registers).startsWith("service", "sidecar");
  }

  @Test
  void keepsTheTtlCheckPassing() {
    loop(FAST).onProbe(PASS);
    awaitRegistered();
    stub.resetJournal();

    await().atMost(Duration.ofSeconds(3)).until(() -> stub.calls().stream()
        .filter(c -> c.startsWith("PUT /v1/agent/check/pass/service:filewcount-alloc-1:ttl")).count() >= 3);
    assertThat(stub.checkStatus("service:filewcount-alloc-1:ttl")).isEqualTo("passing");
  }

  @Test
  void reRegistersWithinFiveSecondsWhenConsulLosesTheService() {
    loop(RegistrationLoop.Timing.forHeartbeat(Duration.ofSeconds(10))).onProbe(PASS);
    awaitRegistered();

    long lostAt = System.nanoTime();
    stub.forgetEverything();

    await().atMost(Duration.ofSeconds(5)).until(() -> stub.hasService("filewcount-alloc-1")
        && stub.hasService("filewcount-alloc-1-sidecar-proxy"));
    Duration took = Duration.ofNanos(System.nanoTime() - lostAt);
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(stub.checkStatus("service:filewcount-alloc-1:ttl")).isEqualTo("passing");
    assertThat(loop.state()).isEqualTo(RegistrationState.REGISTERED);
  }

  @Test
  void reRegistersWhenOnlyTheSidecarWasRemoved() {
    loop(FAST).onProbe(PASS);
    awaitRegistered();

    stub.removeService("filewcount-alloc-1-sidecar-proxy");

    await().atMost(Duration.ofSeconds(2)).until(() -> stub.hasService("filewcount-alloc-1-sidecar-proxy"));
  }

  @Test
  void backsOffWhileConsulAnswers500AndRegistersWhenItRecovers() {
    stub.failWith(500);
    loop(FAST).onProbe(PASS);

    await().atMost(Duration.ofSeconds(5)).until(() -> registerAttempts().size() >= 4);
    assertThat(loop.state()).isEqualTo(RegistrationState.CONSUL_UNREACHABLE);
    List<Long> times = registerAttempts().stream().map(r -> r.getLoggedDate().getTime()).toList();
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < times.size(); i++) {
      gaps.add(times.get(i) - times.get(i - 1));
    }
    // Equal jitter: each wait lies in [step/2, step] and the step doubles, so waits never shrink
    // (10 ms of slack for timestamp resolution) and the first is at least 125 ms.
    assertThat(gaps.get(0)).isGreaterThanOrEqualTo(115);
    for (int i = 1; i < gaps.size(); i++) {
      assertThat(gaps.get(i)).as("gaps " + gaps).isGreaterThanOrEqualTo(gaps.get(i - 1) - 10);
    }

    stub.failWith(0);

    await().atMost(Duration.ofSeconds(5)).until(() -> stub.hasService("filewcount-alloc-1"));
    await().atMost(Duration.ofSeconds(1)).until(() -> loop.state() == RegistrationState.REGISTERED);
    // Logged and reported once per change, not once per attempt.
    assertThat(transitions).containsExactly("STARTING->CONSUL_UNREACHABLE", "CONSUL_UNREACHABLE->REGISTERED");
  }

  @Test
  void survivesRefusedConnectionsAndRegistersWhenConsulComesBack() {
    int port = stub.port();
    stub.close();
    loop(FAST).onProbe(PASS);

    await().atMost(Duration.ofSeconds(3)).until(() -> loop.state() == RegistrationState.CONSUL_UNREACHABLE);

    stub = new StubConsul(port);
    await().atMost(Duration.ofSeconds(6)).until(() -> stub.hasService("filewcount-alloc-1")
        && stub.hasService("filewcount-alloc-1-sidecar-proxy"));
    await().atMost(Duration.ofSeconds(1)).until(() -> loop.state() == RegistrationState.REGISTERED);
  }

  @Test
  void shutdownPutsBothIntoMaintenanceBeforeDeregisteringThem() {
    loop(FAST).onProbe(PASS);
    awaitRegistered();

    assertThat(loop.enterMaintenance(Duration.ofSeconds(5))).isTrue();
    assertThat(stub.checkStatus("_service_maintenance:filewcount-alloc-1")).isEqualTo("critical");
    assertThat(loop.state()).isEqualTo(RegistrationState.DRAINING);
    assertThat(loop.deregister(Duration.ofSeconds(5))).isTrue();

    List<String> shutdownCalls = stub.calls().stream()
        .filter(c -> c.contains("/maintenance/") || c.contains("/deregister/"))
        .map(c -> c.replaceAll("\\?.*", "")).toList();
    assertThat(shutdownCalls).containsExactly(
        "PUT /v1/agent/service/maintenance/filewcount-alloc-1-sidecar-proxy",
        "PUT /v1/agent/service/maintenance/filewcount-alloc-1",
        "PUT /v1/agent/service/deregister/filewcount-alloc-1-sidecar-proxy",
        "PUT /v1/agent/service/deregister/filewcount-alloc-1");
    assertThat(stub.hasService("filewcount-alloc-1")).isFalse();
    assertThat(loop.state()).isEqualTo(RegistrationState.DEREGISTERED);
    assertThat(transitions).containsSubsequence("REGISTERED->DRAINING", "DRAINING->DEREGISTERED");
    // Nothing after the deregistration: the loop stopped.
    int after = stub.calls().size();
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(1)).until(() -> stub.calls().size() == after);
  }

  @Test
  void shutdownBeforeRegistrationTouchesNothing() {
    loop(FAST).onProbe(FAIL);

    assertThat(loop.enterMaintenance(Duration.ofSeconds(1))).isFalse();
    assertThat(loop.deregister(Duration.ofSeconds(1))).isTrue();
    assertThat(stub.calls()).isEmpty();
  }

  @Test
  void shutdownWithConsulDownDoesNotHangOrThrow() {
    loop(FAST).onProbe(PASS);
    awaitRegistered();
    stub.close();

    long start = System.nanoTime();
    assertThat(loop.enterMaintenance(Duration.ofSeconds(10))).isFalse();
    assertThat(loop.deregister(Duration.ofSeconds(10))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    stub = new StubConsul();
  }

  private void awaitRegistered() {
    await().atMost(Duration.ofSeconds(3)).until(() -> loop.state() == RegistrationState.REGISTERED);
  }

  private List<LoggedRequest> registerAttempts() {
    return stub.requests().stream().filter(r -> r.getUrl().equals("/v1/agent/service/register")).toList();
  }
}
