package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.filewcount.agent.telemetry.Exchanges.response;
import static org.filewcount.agent.telemetry.Exchanges.resultPage;
import static org.filewcount.agent.telemetry.Exchanges.run;
import static org.filewcount.agent.telemetry.Exchanges.upload;
import static org.filewcount.agent.telemetry.Exchanges.utf8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.netty.handler.codec.http.HttpMethod;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.proxy.ExchangeObserver;
import org.filewcount.agent.registry.RegistrationState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (the Debian package) scrapes the agent's /metrics and answers PromQL over its
 * HTTP API: the app-error ratio the test produced, grouped by the version label, with exemplars
 * that lead to the traces, and every name of the catalogue present.
 */
class PrometheusScrapeIT {

  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InMemoryTelemetry t = new InMemoryTelemetry();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private HttpServer metricsServer;
  private Process prometheus;
  private Path workDir;
  private int prometheusPort;

  @BeforeEach
  void start() throws Exception {
    assertThat(Files.isExecutable(PROMETHEUS))
        .as("Prometheus is missing at %s: install the Debian package with `apt-get install -y prometheus`"
            + " (.ci/run does this)", PROMETHEUS)
        .isTrue();

    metricsServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    metricsServer.createContext("/metrics", exchange -> {
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      exchange.getResponseHeaders().set("Content-Type", t.telemetry.metricsSource().contentType(accept));
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        t.telemetry.metricsSource().writeTo(out, accept);
      }
    });
    metricsServer.start();

    workDir = Files.createDirectories(Path.of("target", "prometheus-it", Long.toString(System.nanoTime())));
    Path config = workDir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: filewcount-agent",
        "    static_configs:",
        "      - targets: ['127.0.0.1:" + metricsServer.getAddress().getPort() + "']",
        ""));
    prometheusPort = freePort();
    prometheus = new ProcessBuilder(PROMETHEUS.toString(),
        "--config.file=" + config.toAbsolutePath(),
        "--storage.tsdb.path=" + workDir.resolve("data").toAbsolutePath(),
        "--web.listen-address=127.0.0.1:" + prometheusPort,
        "--enable-feature=exemplar-storage")
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("prometheus.log").toFile())
        .start();
    await("Prometheus ready on 127.0.0.1:" + prometheusPort + " (log: " + workDir.resolve("prometheus.log") + ")")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> prometheus.isAlive() && get("/-/ready").statusCode() == 200);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (metricsServer != null) {
      metricsServer.stop(0);
    }
    t.close();
  }

  @Test
  void promqlSeesTheAppErrorRatioPerVersionAndExemplarsLeadToTheTraces() throws Exception {
    ExchangeObserver observer = t.telemetry.exchangeObserver();
    byte[] counted = utf8(resultPage("File Received. Thanks! Word Count:4, Uniq-Word Count:3", 10));
    byte[] notText = utf8(resultPage("<p class=\"error\">" + ResultPage.NOT_TEXT + "</p>", 10));
    for (int i = 0; i < 7; i++) {
      run(observer, upload(), 500, response(200, "text/html; charset=utf-8"), counted, 97);
    }
    for (int i = 0; i < 3; i++) {
      run(observer, upload(), 500, response(200, "text/html; charset=utf-8"), notText, 97);
    }
    run(observer, Exchanges.request(HttpMethod.GET, "/"), 0, response(200, "text/html"), utf8("<form>"), 100);
    observer.start(upload(), "127.0.0.1").fail(ExchangeObserver.FailureKind.UPSTREAM_CONNECT, null);
    t.telemetry.probeListener().onProbe(new ProbeResult(true, Duration.ofMillis(25), "ok", Instant.now()));
    t.recordEveryFileOutcome();
    t.telemetry.registrationListener().onStateChange(RegistrationState.STARTING, RegistrationState.REGISTERED);
    t.telemetry.trafficWeights().setWeights(Map.of("1.0", 90.0, "2.0", 10.0));
    Set<String> traceIds = new HashSet<>();
    t.finishedSpans().stream().map(SpanData::getTraceId).forEach(traceIds::add);

    String ratio = "sum by (service_version) (http_server_request_duration_seconds_count"
        + "{http_route=\"/file_upload\",filewcount_outcome=\"app_error\"})"
        + " / sum by (service_version) (http_server_request_duration_seconds_count"
        + "{http_route=\"/file_upload\",filewcount_outcome=~\"success|empty|app_error\"})";
    await("PromQL returns the app_error ratio").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          JsonNode result = query(ratio);
          assertThat(result).as(result.toString()).hasSize(1);
          assertThat(result.get(0).at("/metric/service_version").asText()).isEqualTo(InMemoryTelemetry.VERSION);
          assertThat(result.get(0).at("/value/1").asDouble()).isEqualTo(0.3);
        });

    JsonNode names = JSON.readTree(get("/api/v1/label/__name__/values").body()).get("data");
    Set<String> stored = new HashSet<>();
    names.forEach(n -> stored.add(n.asText()));
    assertThat(stored).as("every series name of the catalogue reached Prometheus")
        .containsAll(MetricCatalog.seriesNames());

    long now = Instant.now().getEpochSecond();
    JsonNode exemplars = JSON.readTree(get("/api/v1/query_exemplars?query="
        + URLEncoder.encode("http_server_request_duration_seconds_bucket", StandardCharsets.UTF_8)
        + "&start=" + (now - 300) + "&end=" + (now + 60)).body()).get("data");
    List<String> exemplarTraces = exemplars.findValues("trace_id").stream().map(JsonNode::asText).toList();
    assertThat(exemplarTraces).as(exemplars.toString()).isNotEmpty();
    assertThat(traceIds).containsAll(exemplarTraces);
  }

  private JsonNode query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).at("/data/result");
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
