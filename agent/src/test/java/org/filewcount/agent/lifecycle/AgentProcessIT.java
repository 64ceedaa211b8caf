package org.filewcount.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as Nomad or systemd runs it: a child process against the stub Consul and the
 * stand-in app, stopped with SIGTERM ({@link Process#destroy()} sends SIGTERM on Linux).
 */
class AgentProcessIT {

  private static final String TOKEN = "6c1e0f3a-9d2b-4e5f-8a7b-c0ffee000042";

  @TempDir
  Path tmp;

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedByTest();

  private StubConsul consul;
  private Process agent;
  private Path log;

  @BeforeEach
  void start() throws IOException {
    fixture.startApp();
    consul = fixture.startConsul();
  }

  private AgentUnderTest launch(String drain) throws IOException {
    Path tokenFile = tmp.resolve("consul.token");
    Files.writeString(tokenFile, TOKEN + "\n");
    AgentUnderTest started = fixture.startAgent(a -> a
        .maxHeap("64m")
        .option("--service", "filewcount")
        .option("--drain", drain)
        .option("--log-format", "json")
        // Debug: the token must not appear at any level, libraries' debug output included.
        .option("--log-level", "debug")
        .env("CONSUL_HTTP_TOKEN_FILE", tokenFile.toString())
        .env("NODE_NAME", "it-node"));
    agent = started.process();
    log = started.logFile();
    return started;
  }

  @Test
  void sigtermPutsTheInstanceIntoMaintenanceDeregistersItAndExitsZero() throws Exception {
    AgentUnderTest started = launch("2s");
    int admin = started.adminPort();
    String id = started.serviceId();

    await().atMost(Duration.ofSeconds(30)).until(() -> consul.hasService(id));
    await().atMost(Duration.ofSeconds(5)).until(() -> consul.calls().stream()
        .filter(c -> c.startsWith("PUT /v1/agent/check/pass/service:" + id + ":ttl")).count() >= 2);
    assertThat(ready(admin)).isEqualTo(200);
    assertThat(agent.info().commandLine().orElse("")).doesNotContain(TOKEN);

    long termAt = System.nanoTime();
    agent.destroy(); // SIGTERM

    assertThat(agent.waitFor(15, TimeUnit.SECONDS)).as("exited").isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - termAt);
    assertThat(agent.exitValue()).as(Files.readString(log)).isZero();
    // At least the drain; at most well inside the job's kill_timeout (20 s), after which Nomad would SIGKILL it.
    // The upper bound is loose on purpose: a loaded 2-core machine once took 7.4 s for what takes 2.5 s idle.
    assertThat(took).as("drain 2s plus shutdown").isBetween(Duration.ofSeconds(2), Duration.ofSeconds(12));

    // The registrator's calls (agent API); the split watcher's config reads run beside them.
    List<String> calls = consul.calls().stream().map(c -> c.replaceAll("\\?.*", ""))
        .filter(c -> c.contains(" /v1/agent/")).toList();
    int maintenance = calls.indexOf("PUT /v1/agent/service/maintenance/" + id);
    int deregister = calls.indexOf("PUT /v1/agent/service/deregister/" + id);
    assertThat(calls.indexOf("PUT /v1/agent/service/register")).isZero();
    assertThat(maintenance).as(calls.toString()).isPositive();
    assertThat(deregister).as("deregistered after maintenance").isGreaterThan(maintenance);
    assertThat(deregister).as("nothing after the deregistration").isEqualTo(calls.size() - 1);
    assertThat(consul.hasService(id)).isFalse();
    assertThat(consul.requests()).allSatisfy(r -> {
      assertThat(r.getHeader("X-Consul-Token")).isEqualTo(TOKEN);
      assertThat(r.getUrl()).doesNotContain("token");
    });
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(output).doesNotContain(TOKEN).contains("\"level\":\"INFO\"").contains("Deregistered");
  }

  @Test
  void aSecondSignalExitsAtOnce() throws Exception {
    String id = launch("60s").serviceId();
    await().atMost(Duration.ofSeconds(30)).until(() -> consul.hasService(id));

    agent.destroy();
    await().atMost(Duration.ofSeconds(5)).until(() -> consul.calls().stream()
        .anyMatch(c -> c.startsWith("PUT /v1/agent/service/maintenance/" + id)));
    agent.destroy();

    assertThat(agent.waitFor(5, TimeUnit.SECONDS)).as("exited long before the 60 s drain").isTrue();
    assertThat(agent.exitValue()).isEqualTo(1);
    assertThat(Files.readString(log)).contains("second SIGTERM");
  }

  private static int ready(int admin) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health/ready")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
