package org.filewcount.agent.rollout;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.split.Json;
import org.filewcount.agent.testing.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19: the packaged jar's rollout steered from other processes through its state in Consul. Consul is
 * WireMock (instances, config entries: every splitter write is journaled with its time) handing KV and
 * sessions to {@link StubConsul}, which implements them as Consul's docs do (TTL expiry, lock-delay);
 * Prometheus answers a healthy canary. The verbs run as their own jar processes, as from another terminal.
 */
class RolloutSteeringIT {

  private static final String STABLE_100 = "[{\"Weight\":100,\"ServiceSubset\":\"v1-0\"}]";
  private static final String CANARY_100 = "[{\"Weight\":100,\"ServiceSubset\":\"v2-0\"}]";

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @RegisterExtension
  static WireMockExtension prometheus = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private final StubConsul locks = new StubConsul();
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void stubs() {
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(okJson(ConsulFixtures.healthOf("1.0:2:2", "2.0:1:1"))));
    ConsulFixtures.noEntriesYet(consul, locks);
    sample(".*increase.*", "500");
    sample("^sum\\(rate.*", "0");
    sample("^histogram_quantile.*", "0.05");
  }

  @AfterEach
  void stop() {
    started.forEach(Process::destroyForcibly);
    locks.close();
  }

  private static void sample(String queryRegex, String value) {
    prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", matching(queryRegex))
        .willReturn(okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
            + "\"value\":[1764072000.1,\"" + value + "\"]}]}}")));
  }

  /** A jar process whose stdout lines are collected as they come. */
  private final class Jar {
    final Process process;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final Path stderr;

    Jar(String... args) throws Exception {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", System.getProperty("agent.jar", "target/filewcount-agent.jar")));
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("CONSUL_HTTP_ADDR", consul.baseUrl());
      stderr = Files.createTempFile(org.filewcount.agent.testing.TargetFiles.folder(), "rollout-steering", ".err");
      pb.redirectError(stderr.toFile());
      process = pb.start();
      started.add(process);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
          }
        } catch (java.io.IOException ignored) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    void awaitEvent(String event) {
      await(event + " in " + lines).atMost(Duration.ofSeconds(60))
          .until(() -> List.copyOf(lines).stream().anyMatch(l -> l.contains("\"event\":\"" + event + "\"")));
    }

    int exit() throws Exception {
      assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("exited; stderr " + Files.readString(stderr)).isTrue();
      return process.exitValue();
    }

    String err() throws Exception {
      return Files.readString(stderr);
    }
  }

  private Jar rollout(String steps, String interval) throws Exception {
    return new Jar("rollout", "--to", "2.0", "--steps", steps, "--interval", interval, "--prometheus",
        prometheus.baseUrl(), "--min-requests", "10", "--output", "json");
  }

  /** The verb from another terminal: its exit code and output. */
  private CliRun verb(String... args) throws Exception {
    Jar j = new Jar(args);
    int code = j.exit();
    return new CliRun(code, String.join("\n", j.lines), j.err());
  }

  private List<ServeEvent> served() {
    List<ServeEvent> all = new ArrayList<>(consul.getAllServeEvents());
    Collections.reverse(all);
    return all;
  }

  private List<ServeEvent> splitterWrites() {
    return served().stream().filter(e -> e.getRequest().getMethod().getName().equals("PUT")
            && e.getRequest().getUrl().startsWith("/v1/config")
            && Json.parse(e.getRequest().getBodyAsString()).path("Kind").asText().equals("service-splitter"))
        .toList();
  }

  private static String splits(ServeEvent e) {
    return Json.parse(e.getRequest().getBodyAsString()).path("Splits").toString();
  }

  private JsonNode status() {
    CliRun s = CliRun.run(Map.of("CONSUL_HTTP_ADDR", consul.baseUrl()), "rollout", "status", "--output", "json");
    assertThat(s.exitCode()).as(s.err()).isZero();
    return Json.parse(s.out().strip());
  }

  @Test
  void aGateHoldsTheSplitForThreeIntervalsAndResumeMovesOn() throws Exception {
    Jar r = rollout("10,pause,100", "1s");
    r.awaitEvent("paused");
    int writes = splitterWrites().size();
    assertThat(splits(splitterWrites().get(writes - 1))).contains("\"Weight\":10,");
    assertThat(r.lines.stream().filter(l -> l.contains("\"event\":\"paused\"")).findFirst().orElseThrow())
        .contains("filewcount-agent rollout resume --service filewcount");

    // Three intervals at the gate: no splitter write, status says paused.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> splitterWrites().size() == writes && r.process.isAlive());
    assertThat(status().path("rollout").path("phase").asText()).isEqualTo("paused");
    assertThat(status().path("paused").asBoolean()).as("what the CI manual gate waits for").isTrue();

    CliRun resumed = verb("rollout", "resume");
    assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isZero();
    assertThat(r.exit()).as(String.join("\n", r.lines)).isZero();
    assertThat(r.lines).anyMatch(l -> l.contains("\"event\":\"resumed\"") && l.contains("rollout resume"));
    assertThat(splits(splitterWrites().get(splitterWrites().size() - 1))).isEqualTo(CANARY_100);
    assertThat(status().path("rollout").path("phase").asText()).isEqualTo("promoted");
  }

  @Test
  void promoteEndsAtHundredPercentNow() throws Exception {
    Jar r = rollout("10,50,100", "10m");
    r.awaitEvent("step");

    CliRun promoted = verb("rollout", "promote", "--service", "filewcount");

    assertThat(promoted.exitCode()).as(promoted.out() + promoted.err()).isZero();
    assertThat(promoted.out()).contains("promoted");
    assertThat(r.exit()).isZero();
    assertThat(splits(splitterWrites().get(splitterWrites().size() - 1))).isEqualTo(CANARY_100);
    assertThat(r.lines.get(r.lines.size() - 1)).contains("promoted early by 'rollout promote'");
  }

  @Test
  void aSecondRolloutIsRefusedAndAbortRestoresStableWithinASecond() throws Exception {
    Jar r = rollout("10,50,100", "10m");
    r.awaitEvent("step");
    await("the step recorded").until(() -> locks.kv().value("filewcount/rollout/filewcount/state").orElse("")
        .contains("\"step\":1"));
    String stateBefore = locks.kv().value("filewcount/rollout/filewcount/state").orElseThrow();
    int writes = splitterWrites().size();

    Jar second = rollout("25,100", "1s");
    assertThat(second.exit()).isEqualTo(1);
    assertThat(second.err()).contains("already running, held by").contains(" pid " + r.process.pid());
    assertThat(splitterWrites()).hasSize(writes);
    assertThat(locks.kv().value("filewcount/rollout/filewcount/state")).contains(stateBefore);

    CliRun aborted = verb("rollout", "abort", "--service", "filewcount");

    assertThat(aborted.exitCode()).as(aborted.out() + aborted.err()).isZero();
    assertThat(r.exit()).isEqualTo(1);
    ServeEvent restore = splitterWrites().get(splitterWrites().size() - 1);
    assertThat(splits(restore)).isEqualTo(STABLE_100);
    ServeEvent request = served().stream().filter(e -> e.getRequest().getUrl().startsWith("/v1/kv/filewcount/rollout/")
        && e.getRequest().getMethod().getName().equals("PUT")
        && e.getRequest().getBodyAsString().contains("\"action\":\"abort\"")).findFirst().orElseThrow();
    long millis = restore.getRequest().getLoggedDate().getTime() - request.getRequest().getLoggedDate().getTime();
    assertThat(millis).as("from the abort request in Consul to the stable split").isBetween(0L, 1000L);
    assertThat(r.lines.get(r.lines.size() - 1)).contains("aborted by 'rollout abort'").contains("back on 1.0");
  }

  @Test
  void afterKillNineStatusSaysOrphanedOnceTheSessionExpiresAndAbortRestoresStable() throws Exception {
    Jar r = rollout("10,50,100", "10m");
    r.awaitEvent("step");
    await("the step recorded").until(() -> locks.kv().value("filewcount/rollout/filewcount/state").orElse("")
        .contains("\"step\":1"));
    r.process.destroyForcibly(); // SIGKILL: no hook runs, the lock is never released
    assertThat(r.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(status().path("orphaned").asBoolean()).as("the session lives until its TTL").isFalse();

    await("orphaned once the session expired").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1))
        .until(() -> status().path("orphaned").asBoolean());
    JsonNode orphan = status();
    assertThat(orphan.path("rollout").path("step").asInt()).isEqualTo(1);
    String text = CliRun.run(Map.of("CONSUL_HTTP_ADDR", consul.baseUrl()), "rollout", "status").out();
    assertThat(text).contains("ORPHANED at step 1/3").contains("rollout abort --service filewcount")
        .contains("--resume");

    // A new rollout refuses until the orphan is dealt with, and writes nothing.
    int writes = splitterWrites().size();
    Jar fresh = rollout("10,50,100", "10m");
    assertThat(fresh.exit()).isEqualTo(1);
    assertThat(fresh.err()).contains("orphaned rollout of filewcount");
    assertThat(splitterWrites()).hasSize(writes);

    CliRun aborted = verb("rollout", "abort");

    assertThat(aborted.exitCode()).as(aborted.out() + aborted.err()).isZero();
    assertThat(splits(splitterWrites().get(splitterWrites().size() - 1))).isEqualTo(STABLE_100);
    assertThat(status().path("rollout").path("phase").asText()).isEqualTo("aborted");
    assertThat(status().path("orphaned").asBoolean()).isFalse();
  }
}
