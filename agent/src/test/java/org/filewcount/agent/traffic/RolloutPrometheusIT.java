package org.filewcount.agent.traffic;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.sun.net.httpserver.HttpServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.proxy.ExchangeObserver;
import org.filewcount.agent.telemetry.Telemetry;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.Multipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * rollout judged by a real Prometheus (the Debian package) scraping the agent telemetry of two versions:
 * 1.0 and 2.0 each have a filewcount stand-in and the agent's real Telemetry (metric names, resource
 * labels, outcome classification of the real result pages), served at /metrics. 2.0's stand-in answers
 * "Problem parsing uploaded file" for 30 % of uploads; the rollout must roll back and name the error ratio.
 *
 * <p>The requests go to the stand-ins directly and are replayed into each agent's ExchangeObserver, the
 * seam the Netty proxy reports through (see {@link Instance} for running it against agent processes).
 * Consul is a stub that follows its API.
 */
class RolloutPrometheusIT {

  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicBoolean loading = new AtomicBoolean(true);
  private FilewcountStandIn stable;
  private FilewcountStandIn canary;
  private Instance stableAgent;
  private Instance canaryAgent;
  private Process prometheus;
  private int prometheusPort;
  private Thread load;

  /**
   * One version's instance as the test sees it: where Prometheus scrapes it, and how an upload reaches
   * it. {@link FakeAgent} is the agent's telemetry behind the proxy's seam; an agent process started
   * with {@code run --listen ... --admin ...} fits the same two methods (uploads to --listen, metrics at
   * --admin), which is all it takes to run this test against real agents once {@code run} wires the proxy.
   */
  interface Instance extends AutoCloseable {
    int metricsPort();

    HttpResponse<byte[]> upload(HttpClient http, Multipart upload) throws Exception;
  }

  /** The agent's telemetry for one instance, fed through the proxy's seam, with /metrics served. */
  static final class FakeAgent implements Instance {
    final Telemetry telemetry;
    final HttpServer metrics;

    FakeAgent(String version, FilewcountStandIn app) throws Exception {
      this.app = app;
      metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      InstanceIdentity id = InstanceIdentity.derive("filewcount", version,
          new HostPort("127.0.0.1", metrics.getAddress().getPort()), Map.of(), "it");
      telemetry = Telemetry.builder().service("filewcount").identity(id)
          .env(Map.of("OTEL_TRACES_EXPORTER", "none")).build();
      metrics.createContext("/metrics", exchange -> {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        exchange.getResponseHeaders().set("Content-Type", telemetry.metricsSource().contentType(accept));
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
          telemetry.metricsSource().writeTo(out, accept);
        }
      });
      metrics.start();
    }

    private final FilewcountStandIn app;

    @Override
    public int metricsPort() {
      return metrics.getAddress().getPort();
    }

    /** Sends the upload to the app and reports the exchange to the telemetry, as the proxy would. */
    @Override
    public HttpResponse<byte[]> upload(HttpClient http, Multipart upload) throws Exception {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/file_upload"))
          .header("Content-Type", upload.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(upload.bytes()))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      observe(upload, r);
      return r;
    }

    /** Reports one upload exchange as the proxy would: request head and body, response head and body. */
    void observe(Multipart upload, HttpResponse<byte[]> response) {
      DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/file_upload");
      req.headers().set(HttpHeaderNames.HOST, "filewcount");
      req.headers().set(HttpHeaderNames.CONTENT_TYPE, upload.contentType());
      ExchangeObserver.Exchange e = telemetry.exchangeObserver().start(req, "127.0.0.1");
      e.requestBody(upload.bytes().length);
      DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(response.statusCode()));
      response.headers().firstValue("Content-Type").ifPresent(ct -> head.headers().set(HttpHeaderNames.CONTENT_TYPE, ct));
      e.responseHead(head);
      var buf = Unpooled.wrappedBuffer(response.body());
      e.responseBody(buf);
      buf.release();
      e.complete();
    }

    @Override
    public void close() {
      metrics.stop(0);
      telemetry.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    assertThat(Files.isExecutable(PROMETHEUS)).as("Prometheus is missing at %s: apt-get install -y prometheus"
        + " (.ci/run does this)", PROMETHEUS).isTrue();
    stable = FilewcountStandIn.start();
    canary = FilewcountStandIn.start();
    stableAgent = new FakeAgent("1.0", stable);
    canaryAgent = new FakeAgent("2.0", canary);

    Path work = Files.createDirectories(Path.of("target", "rollout-prometheus-it", Long.toString(System.nanoTime())));
    Path config = work.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        "  - job_name: filewcount-agent",
        "    static_configs:",
        "      - targets: ['127.0.0.1:" + stableAgent.metricsPort() + "', '127.0.0.1:" + canaryAgent.metricsPort() + "']",
        ""));
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      prometheusPort = s.getLocalPort();
    }
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config.toAbsolutePath(),
        "--storage.tsdb.path=" + work.resolve("data").toAbsolutePath(),
        "--web.listen-address=127.0.0.1:" + prometheusPort)
        .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    await("Prometheus ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> prometheus.isAlive() && status(URI.create(prometheusUrl() + "/-/ready")) == 200);

    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(okJson(ConsulFixtures.healthOf("1.0:1:1", "2.0:1:1"))));
    for (String kind : new String[] {"service-defaults", "service-resolver", "service-splitter"}) {
      consul.stubFor(get(urlEqualTo("/v1/config/" + kind + "/filewcount")).willReturn(aResponse().withStatus(404)));
    }
    consul.stubFor(put(urlPathEqualTo("/v1/config")).willReturn(okJson("true")));

    // Generated load: both versions get uploads all along (the stand-in for Envoy here is this loop).
    load = new Thread(() -> {
      byte[] text = "the quick brown fox jumps over the lazy dog\n".getBytes(StandardCharsets.UTF_8);
      int i = 0;
      while (loading.get()) {
        boolean toCanary = (i++ % 2) == 1;
        Instance target = toCanary ? canaryAgent : stableAgent;
        try {
          target.upload(http, Multipart.upload("load-" + i + ".txt", text));
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // the stand-in is going away at the end of the test
        }
      }
    }, "load");
    load.setDaemon(true);
    load.start();
  }

  @AfterEach
  void stop() throws Exception {
    loading.set(false);
    if (load != null) {
      load.join(5000);
    }
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {stableAgent, canaryAgent, stable, canary}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private String prometheusUrl() {
    return "http://127.0.0.1:" + prometheusPort;
  }

  private int status(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private String query(String promql) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(prometheusUrl() + "/api/v1/query?query="
          + java.net.URLEncoder.encode(promql, StandardCharsets.UTF_8))).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private CliRun rollout() {
    // Judge only once Prometheus has scraped both agents a few times (a real rollout starts long after).
    await("both versions' request series in Prometheus").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(Json.parse(query("count by (service_version) (sum by (service_version,"
            + " instance) (http_server_request_duration_seconds_count{service_name=\"filewcount\"}))"))
            .path("data").path("result")).as(query("http_server_request_duration_seconds_count")).hasSize(2));
    return CliRun.run(Map.of("CONSUL_HTTP_ADDR", consul.baseUrl()), "rollout", "--service", "filewcount",
        "--to", "2.0", "--steps", "50,100", "--interval", "5s", "--prometheus", prometheusUrl(),
        "--max-error-ratio", "0.05", "--max-p99", "2s", "--min-requests", "10", "--output", "json");
  }

  @Test
  void appErrorsOnTheCanaryRollBackWithTheErrorRatioInTheReport() {
    canary.failUploads(0.3);

    CliRun r = rollout();

    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
    List<JsonNode> events = r.out().lines().map(Json::parse).toList();
    JsonNode check = events.stream().filter(e -> e.path("event").asText().equals("check")).findFirst().orElseThrow();
    JsonNode ratio = null;
    for (JsonNode c : check.path("checks")) {
      if (c.path("name").asText().equals("error_ratio")) {
        ratio = c;
      }
    }
    assertThat(ratio).as(check.toString()).isNotNull();
    assertThat(ratio.path("passed").asBoolean()).isFalse();
    // 30 % of uploads fail on the canary; a 5 s window of a few hundred requests lands near that.
    assertThat(ratio.path("value").asDouble()).isBetween(0.15, 0.45);
    assertThat(ratio.path("query").asText()).contains("filewcount_outcome=~\"app_error|upstream_error\"");
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.path("event").asText()).isEqualTo("rolled_back");
    assertThat(last.path("message").asText()).contains("error_ratio").contains("> 0.05 (--max-error-ratio)")
        .contains("back on 1.0");
  }

  @Test
  void aHealthyCanaryIsPromoted() {
    CliRun r = rollout();

    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out().lines().map(Json::parse).map(e -> e.path("event").asText()).toList())
        .containsExactly("started", "step", "check", "step", "check", "promoted");
  }
}
