package org.filewcount.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole agent in-process against the stand-in app and the stub Consul, seams included. */
class AgentProcessTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private FilewcountStandIn app;
  private StubConsul consul;

  @BeforeEach
  void start() {
    app = FilewcountStandIn.start();
    consul = new StubConsul();
  }

  @AfterEach
  void stop() {
    app.close();
    consul.close();
  }

  private AgentConfig config(Duration drain) throws Exception {
    HostPort advertised = new HostPort("127.0.0.1", freePort());
    return AgentConfig.builder()
        .appUrl(app.url())
        .listen(advertised)
        .advertised(advertised)
        .admin(new HostPort("127.0.0.1", freePort()))
        .consul(ConsulSettings.fromEnvironment(Map.of(), consul.address().toString()))
        .checkInterval(Duration.ofSeconds(1))
        .probeInterval(Duration.ofSeconds(30))
        .drain(drain)
        .identity(InstanceIdentity.derive("filewcount", "1.0", advertised, Map.of("NODE_NAME", "n"), "t"))
        .build();
  }

  @Test
  void registersAfterTheFirstProbeDrainsOnStopAndExitsZero() throws Exception {
    List<ProbeResult> probes = new CopyOnWriteArrayList<>();
    List<String> registration = new CopyOnWriteArrayList<>();
    List<String> events = new CopyOnWriteArrayList<>();
    AgentConfig config = config(Duration.ofMillis(700));
    String id = config.identity().serviceId();
    app.stop(); // the app is still starting: the agent must wait for it
    AgentProcess agent = AgentProcess.builder(config)
        .installSignalHandlers(false)
        .probeStartupRetry(Duration.ofMillis(100))
        .probeListener(probes::add)
        .registrationListener((from, to) -> registration.add(to.attributeValue()))
        .proxy(new ProxyHook() {
          @Override
          public void start() {
            events.add("proxy started");
          }

          @Override
          public int stop(Duration grace) {
            events.add("proxy stopped, registered=" + consul.hasService(id));
            return 0;
          }
        })
        .onStop(() -> events.add("telemetry closed"))
        .build();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
      try {
        return agent.run();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });

    await().atMost(Duration.ofSeconds(5)).until(() -> agent.adminAddress().isPresent());
    URI ready = URI.create("http://" + agent.adminAddress().get() + "/health/ready");
    await().atMost(Duration.ofSeconds(3)).until(() -> probes.size() >= 2);
    assertThat(status(ready)).isEqualTo(503);
    assertThat(consul.calls()).isEmpty();

    app.restart();

    await().atMost(Duration.ofSeconds(5)).until(() -> consul.hasService(id));
    await().atMost(Duration.ofSeconds(3)).until(() -> status(ready) == 200);
    assertThat(agent.state()).isEqualTo(LifecycleState.RUNNING);
    assertThat(consul.service(id).get("Checks").get(0).get("HTTP").asText()).isEqualTo(ready.toString());

    agent.requestStop();

    await().atMost(Duration.ofSeconds(2)).until(() -> agent.state() == LifecycleState.DRAINING);
    assertThat(status(ready)).isEqualTo(503);
    assertThat(consul.hasService(id)).as("still listed (in maintenance) during the drain").isTrue();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(agent.state()).isEqualTo(LifecycleState.STOPPED);
    List<String> shutdown = consul.calls().stream()
        .filter(c -> c.contains("/maintenance/") || c.contains("/deregister/"))
        .map(c -> c.replaceAll("\\?.*", "")).toList();
    assertThat(shutdown).containsExactly("PUT /v1/agent/service/maintenance/" + id,
        "PUT /v1/agent/service/deregister/" + id);
    assertThat(events).containsExactly("proxy started", "proxy stopped, registered=false", "telemetry closed");
    assertThat(registration).containsExactly("registered", "draining", "deregistered");
  }

  @Test
  void stopBeforeTheAppEverWorkedExitsWithoutTouchingConsulOrWaitingTheDrain() throws Exception {
    app.stop();
    AgentProcess agent = AgentProcess.builder(config(Duration.ofSeconds(30)))
        .installSignalHandlers(false)
        .probeStartupRetry(Duration.ofMillis(100))
        .build();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
      try {
        return agent.run();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.state() == LifecycleState.RUNNING);

    agent.requestStop();

    assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
    assertThat(consul.calls()).isEmpty();
  }

  @Test
  void aTakenAdminPortIsARuntimeFailure() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      AgentConfig base = config(Duration.ZERO);
      AgentConfig config = AgentConfig.builder().appUrl(base.appUrl()).listen(base.listen())
          .advertised(base.advertised()).consul(base.consul()).identity(base.identity())
          .admin(new HostPort("127.0.0.1", taken.getLocalPort())).build();
      int code = AgentProcess.builder(config).installSignalHandlers(false).build().run();
      assertThat(code).isEqualTo(1);
      assertThat(consul.calls()).isEmpty();
    }
  }

  private int status(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

}
