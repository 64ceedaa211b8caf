package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, item 3: the app dies under a running agent. Readiness (what Consul's HTTP check reads)
 * fails within one probe interval, the proxy answers 502 at once instead of hanging, and when the app
 * is back the instance passes again with the same agent process.
 */
class AppFailureIT {

  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);
  /** The probe run itself (a refused connect, or one small upload on a busy 2-core machine) and the 20 ms polling. */
  private static final Duration PROBE_SLACK = Duration.ofMillis(1000);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedForEachTest(
      agent -> agent.option("--probe-interval", PROBE_INTERVAL.toSeconds() + "s"));

  @Test
  void readinessFailsWithinOneProbeIntervalAndRecoversWithoutAgentRestart(AgentUnderTest agent, StubConsul consul,
      FilewcountStandIn app) throws Exception {
    // Consul's HTTP check polls the URL the agent registered: use exactly that one.
    URI check = URI.create(checkUrl());
    assertThat(status(check)).isEqualTo(200);
    long pid = agent.pid();

    long killedAt = System.nanoTime();
    app.stop();
    await().atMost(PROBE_INTERVAL.plus(PROBE_SLACK).plusSeconds(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> status(check) == 503);
    Duration toFail = Duration.ofNanos(System.nanoTime() - killedAt);

    long restartedAt = System.nanoTime();
    app.restart();
    await().atMost(PROBE_INTERVAL.plus(PROBE_SLACK).plusSeconds(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> status(check) == 200);
    Duration toPass = Duration.ofNanos(System.nanoTime() - restartedAt);

    System.out.println("FIGURE: app failure: /health/ready 503 " + toFail.toMillis() + " ms after the app died, 200 "
        + toPass.toMillis() + " ms after it returned (probe interval " + PROBE_INTERVAL.toMillis()
        + " ms), same agent process, still registered");
    assertThat(toFail).as("readiness fails within one probe interval").isLessThanOrEqualTo(PROBE_INTERVAL.plus(PROBE_SLACK));
    assertThat(toPass).as("passes again within one probe interval").isLessThanOrEqualTo(PROBE_INTERVAL.plus(PROBE_SLACK));
    assertThat(agent.process().isAlive()).isTrue();
    assertThat(agent.pid()).isEqualTo(pid);
    assertThat(consul.hasService(agent.serviceId())).as("the registration stayed; only the check changed").isTrue();
  }

  @Test
  void theProxyAnswers502AtOnceWhileTheAppIsDownAndForwardsAgainAfter(AgentUnderTest agent, FilewcountStandIn app)
      throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(200);
    app.stop();

    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = get("/");
      micros.add((System.nanoTime() - t0) / 1000);
      assertThat(r.statusCode()).as("answer while the app is down").isEqualTo(502);
    }
    micros.sort(Long::compare);
    long p50 = micros.get(micros.size() / 2);
    long max = micros.get(micros.size() - 1);
    System.out.println("FIGURE: app failure: proxy answered 502 to 50 of 50 requests while the app was down,"
        + " latency p50 " + p50 / 1000.0 + " ms, max " + max / 1000.0 + " ms");
    assertThat(max).as("no hang: the refused connect is answered at once (microseconds)").isLessThan(500_000);

    app.restart();
    await().atMost(Duration.ofSeconds(5)).until(() -> get("/").statusCode() == 200);
    assertThat(agent.process().isAlive()).isTrue();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(fixture.agent().proxyUrl(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String checkUrl() {
    StubConsul consul = fixture.consul();
    AgentUnderTest agent = fixture.agent();
    for (JsonNode c : consul.service(agent.serviceId()).path("Checks")) {
      if (c.has("HTTP")) {
        return c.get("HTTP").asText();
      }
    }
    throw new AssertionError("no HTTP check in " + consul.service(agent.serviceId()));
  }

  private int status(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
