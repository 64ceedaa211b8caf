package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 7: a token given through CONSUL_HTTP_TOKEN_FILE is used (every Consul call carries it
 * in X-Consul-Token) and appears nowhere else: not in the log at trace level (through Consul errors and
 * recovery included), not in /metrics or the health answers, not in {@code status} output (table, JSON,
 * error), not in the process's command line or environment.
 */
class SecretsIT {

  private final String token = UUID.randomUUID().toString();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path tmp;

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedByTest();

  private StubConsul consul;
  private Path tokenFile;

  @BeforeEach
  void start() throws Exception {
    fixture.startApp();
    consul = fixture.startConsul();
    tokenFile = tmp.resolve("consul.token");
    Files.writeString(tokenFile, token + "\n");
  }

  @Test
  void theTokenFromTheFileReachesConsulAndNothingElse() throws Exception {
    AgentUnderTest agent = fixture.startAgent(a -> a
        .option("--log-level", "trace")
        .env("CONSUL_HTTP_TOKEN_FILE", tokenFile.toString()));
    agent.awaitRegistered(consul, Duration.ofSeconds(30));
    assertThat(consul.requests()).as("the token is in use, so a leak would be possible")
        .allSatisfy(r -> assertThat(r.getHeader("X-Consul-Token")).isEqualTo(token));

    // Error paths: Consul refuses the token (403), then has no leader (500); the agent logs, backs off
    // and recovers. Their messages are where a token most often leaks.
    consul.failWith(403);
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.log().contains("403"));
    consul.failWith(500);
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.log().contains("500"));
    consul.failWith(0);
    consul.forgetEverything();
    agent.awaitRegistered(consul, Duration.ofSeconds(10));

    Map<String, String> surfaces = new LinkedHashMap<>();
    surfaces.put("/metrics", get(agent.adminUrl("/metrics")));
    surfaces.put("/health/ready", get(agent.adminUrl("/health/ready")));
    surfaces.put("/health/live", get(agent.adminUrl("/health/live")));
    surfaces.put("/proc/<pid>/cmdline", agent.commandLine());
    surfaces.put("/proc/<pid>/environ", agent.environment());
    surfaces.put("status (table)", status(consul.address(), "--output", "table"));
    surfaces.put("status (json)", status(consul.address(), "--output", "json"));
    consul.failWith(403);
    surfaces.put("status (Consul refuses)", status(consul.address(), "--output", "table"));
    consul.failWith(0);
    surfaces.put("status (Consul down)", status(URI.create("http://127.0.0.1:" + AgentUnderTest.freePort()),
        "--output", "json"));

    agent.sigterm();
    assertThat(agent.waitFor(Duration.ofSeconds(20))).as("agent exited").isTrue();
    String log = agent.log();
    surfaces.put("log (trace level)", log);

    assertThat(surfaces.get("/metrics")).as("a real scrape").contains("filewcount_registration_state");
    assertThat(surfaces.get("status (table)")).contains(agent.serviceId());
    assertThat(surfaces.get("status (json)")).contains(agent.serviceId());
    assertThat(surfaces.get("status (Consul refuses)")).contains("403");
    assertThat(surfaces.get("/proc/<pid>/environ")).contains("CONSUL_HTTP_TOKEN_FILE=" + tokenFile);
    assertThat(log).as("trace level is really on").containsPattern("(TRACE|DEBUG)");
    assertThat(log).contains("Registered").contains("Deregistered");

    String secretPart = token.substring(token.lastIndexOf('-') + 1);
    long bytes = 0;
    List<String> leaks = new ArrayList<>();
    for (Map.Entry<String, String> s : surfaces.entrySet()) {
      bytes += s.getValue().getBytes(StandardCharsets.UTF_8).length;
      if (s.getValue().contains(token) || s.getValue().contains(secretPart)) {
        leaks.add(s.getKey());
      }
    }
    System.out.println("FIGURE: secrets: token from CONSUL_HTTP_TOKEN_FILE sent on " + consul.requests().size()
        + " Consul calls (X-Consul-Token only), found in " + leaks.size() + " of " + surfaces.size()
        + " surfaces (" + bytes + " bytes searched: " + String.join(", ", surfaces.keySet()) + ")");
    assertThat(leaks).as("surfaces that show the token").isEmpty();
    assertThat(consul.requests()).allSatisfy(r -> assertThat(r.getUrl()).doesNotContain(secretPart));
  }

  private String get(URI uri) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + "\n" + r.headers().map() + "\n" + r.body();
  }

  /** {@code status} as an operator runs it, token from the file, stdout and stderr together. */
  private String status(URI consulAddress, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("agent.jar"), "status", "--consul", consulAddress.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("CONSUL_HTTP_TOKEN");
    pb.environment().put("CONSUL_HTTP_TOKEN_FILE", tokenFile.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return "exit " + p.exitValue() + "\n" + out;
  }
}
