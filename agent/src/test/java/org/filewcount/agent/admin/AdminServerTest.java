package org.filewcount.agent.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.probe.Readiness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final Readiness readiness = new Readiness();
  private AdminServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private AdminServer start(Optional<MetricsSource> metrics) throws Exception {
    server = new AdminServer(new HostPort("127.0.0.1", 0), readiness::verdict, metrics);
    server.start();
    return server;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://" + server.address() + path)).GET().build());
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void liveAnswers200WhileTheProcessRuns() throws Exception {
    start(Optional.empty());
    HttpResponse<String> r = get("/health/live");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("live\n");
  }

  @Test
  void readyFollowsTheLastProbeAndTheDrain() throws Exception {
    start(Optional.empty());

    HttpResponse<String> before = get("/health/ready");
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).contains("no functional probe has finished yet");

    readiness.onProbe(new ProbeResult(true, Duration.ofMillis(12), "ok", Instant.parse("2026-11-25T15:00:00Z")));
    HttpResponse<String> passed = get("/health/ready");
    assertThat(passed.statusCode()).isEqualTo(200);
    assertThat(passed.body()).contains("passed at 2026-11-25T15:00:00Z");

    readiness.onProbe(new ProbeResult(false, Duration.ofMillis(3), "app error: Problem parsing uploaded file. Is it TEXT?",
        Instant.parse("2026-11-25T15:00:30Z")));
    HttpResponse<String> failed = get("/health/ready");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.body()).contains("Problem parsing uploaded file");

    readiness.onProbe(new ProbeResult(true, Duration.ofMillis(12), "ok", Instant.now()));
    readiness.draining();
    HttpResponse<String> draining = get("/health/ready");
    assertThat(draining.statusCode()).isEqualTo(503);
    assertThat(draining.body()).startsWith("draining");
  }

  @Test
  void metricsAre404WithoutASourceAndServedWithOne() throws Exception {
    start(Optional.empty());
    assertThat(get("/metrics").statusCode()).isEqualTo(404);
    server.close();

    start(Optional.of(new MetricsSource() {
      @Override
      public String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        out.write("filewcount_probe_runs_total{filewcount_probe_result=\"pass\"} 3\n".getBytes(StandardCharsets.UTF_8));
      }
    }));
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).contains("filewcount_probe_runs_total");
  }

  @Test
  void aFailingMetricsSourceGives500AndTheServerKeepsServing() throws Exception {
    start(Optional.of(new MetricsSource() {
      @Override
      public String contentType() {
        return "text/plain";
      }

      @Override
      public void writeTo(OutputStream out) throws IOException {
        throw new IOException("exporter closed");
      }
    }));
    assertThat(get("/metrics").statusCode()).isEqualTo(500);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathsAre404AndOtherMethods405() throws Exception {
    start(Optional.empty());
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(get("/health/ready/../live").statusCode()).isEqualTo(404);
    HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create("http://" + server.address() + "/health/live"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    HttpResponse<String> head = send(HttpRequest.newBuilder(URI.create("http://" + server.address() + "/health/live"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void aTakenPortIsAClearError() throws Exception {
    start(Optional.empty());
    AdminServer second = new AdminServer(server.address(), readiness::verdict, Optional.empty());
    assertThatThrownBy(second::start).hasMessageContaining("--admin " + server.address());
  }
}
