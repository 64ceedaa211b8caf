package org.filewcount.agent.rollout;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.split.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real jar's rollout gets SIGTERM (what Ctrl-C and `kill` both trigger) in the middle of a step:
 * its shutdown hook holds the JVM until 100% is back on stable, then it exits with the signal's status.
 */
class RolloutSignalIT {

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  /** KV and sessions: the rollout's lock and state. */
  private final StubConsul locks = new StubConsul();

  @AfterEach
  void stopLocks() {
    locks.close();
  }

  @Test
  void sigtermMidStepRestoresStableBeforeExit() throws Exception {
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(okJson(ConsulFixtures.healthOf("1.0:2:2", "2.0:1:1"))));
    ConsulFixtures.noEntriesYet(consul, locks);

    String jar = System.getProperty("agent.jar", "target/filewcount-agent.jar");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar, "rollout", "--to", "2.0", "--steps", "25,100", "--interval", "10m",
        "--prometheus", "http://127.0.0.1:1", "--output", "json");
    pb.environment().put("CONSUL_HTTP_ADDR", consul.baseUrl());
    Path stderr = java.nio.file.Files.createTempFile(org.filewcount.agent.testing.TargetFiles.folder(), "rollout-signal", ".err");
    pb.redirectError(stderr.toFile());
    Process p = pb.start();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    });
    reader.start();

    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> lines.stream().anyMatch(l -> l.contains("\"event\":\"step\"")));
    // SIGTERM through the handle: Process.destroy() would also close our end of its stdout.
    p.toHandle().destroy();

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
    reader.join(5000);
    assertThat(p.exitValue()).isIn(130, 143);
    List<JsonNode> events = lines.stream().map(Json::parse).toList();
    assertThat(events).as(java.nio.file.Files.readString(stderr)).extracting(e -> e.path("event").asText())
        .containsExactly("started", "step", "aborted");
    assertThat(events.get(2).path("message").asText()).contains("back on 1.0");

    List<ServeEvent> served = new ArrayList<>(consul.getAllServeEvents());
    Collections.reverse(served);
    List<JsonNode> splitters = served.stream()
        .filter(e -> e.getRequest().getMethod().getName().equals("PUT") && e.getRequest().getUrl().startsWith("/v1/config"))
        .map(e -> Json.parse(e.getRequest().getBodyAsString()))
        .filter(n -> n.path("Kind").asText().equals("service-splitter"))
        .map(n -> n.path("Splits")).toList();
    assertThat(splitters).extracting(RolloutSignalIT::weights).containsExactly("75 v1-0, 25 v2-0", "100 v1-0");
    // While two versions share the traffic each split pins its version's cookie (ADR 0018).
    assertThat(splitters.get(0).findValuesAsText("Set-Cookie"))
        .satisfiesExactly(c -> assertThat(c).startsWith("filewcount-version=v1-0;"),
            c -> assertThat(c).startsWith("filewcount-version=v2-0;"));
    // Every exit path releases the lock: the next rollout may start at once, and the state records the abort.
    assertThat(locks.kv().holder("filewcount/rollout/filewcount/lock")).isEmpty();
    assertThat(locks.kv().value("filewcount/rollout/filewcount/state").orElseThrow()).contains("\"phase\":\"aborted\"");
    consul.verify(putRequestedFor(urlPathEqualTo("/v1/config")).withRequestBody(equalToJson(
        "{\"Kind\":\"service-splitter\",\"Name\":\"filewcount\",\"Splits\":[{\"Weight\":100,\"ServiceSubset\":\"v1-0\"}]}")));
  }

  private static String weights(JsonNode splits) {
    List<String> out = new ArrayList<>();
    splits.forEach(s -> out.add(s.path("Weight").asInt() + " " + s.path("ServiceSubset").asText()));
    return String.join(", ", out);
  }
}
