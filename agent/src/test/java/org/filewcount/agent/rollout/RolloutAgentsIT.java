package org.filewcount.agent.rollout;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.InetAddress;
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
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.split.Json;
import org.filewcount.agent.testing.CliRun;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.Multipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * rollout judged by a real Prometheus (the Debian package) scraping two real agents: the packaged jar's
 * {@code run} for 1.0 and 2.0, each proxying its filewcount stand-in (--listen), serving /metrics
 * (--admin) and registering in a stub Consul that keeps state like a Consul agent, under generated upload
 * load. 2.0's stand-in answers "Problem parsing uploaded file" (inside a 200 page) for 30 % of uploads:
 * the rollout must roll back and name the error ratio. A healthy 2.0 is promoted. The rollout reads the
 * agents' health from that registration; its config entry writes go to a stub following Consul's API.
 */
class RolloutAgentsIT {

  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private final StubConsul registry = new StubConsul();
  /** KV and sessions: the rollout's lock and state. */
  private final StubConsul locks = new StubConsul();

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicBoolean loading = new AtomicBoolean(true);
  private FilewcountStandIn stable;
  private FilewcountStandIn canary;
  private Instance stableAgent;
  private Instance canaryAgent;
  private Process prometheus;
  private int prometheusPort;
  private Thread load;

  /** One `filewcount-agent run` child process. */
  static final class AgentProcessInstance implements Instance {
    final Process process;
    final int listenPort;
    final int adminPort;

    AgentProcessInstance(String version, FilewcountStandIn app, URI consulAddress) throws Exception {
      listenPort = freePort();
      adminPort = freePort();
      String jar = System.getProperty("agent.jar", "target/filewcount-agent.jar");
      Path log = Files.createTempFile(org.filewcount.agent.testing.TargetFiles.folder(), "agent-" + version + "-", ".log");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", jar, "run", "--service", "filewcount", "--service-version", version,
          "--app-url", app.url().toString(), "--listen", "127.0.0.1:" + listenPort,
          "--admin", "127.0.0.1:" + adminPort, "--consul", consulAddress.toString(),
          "--check-interval", "1s", "--probe-interval", "5s", "--drain", "0s")
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().remove("CONSUL_HTTP_ADDR");
      pb.environment().put("OTEL_TRACES_EXPORTER", "none");
      process = pb.start();
      HttpClient http = HttpClient.newHttpClient();
      await("agent " + version + " ready (log: " + log + ")").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
            try {
              return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health/ready"))
                  .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (java.io.IOException e) {
              return false;
            }
          });
    }

    @Override
    public int metricsPort() {
      return adminPort;
    }

    @Override
    public HttpResponse<byte[]> upload(HttpClient http, Multipart upload) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenPort + "/file_upload"))
          .header("Content-Type", upload.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(upload.bytes()))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() throws Exception {
      process.toHandle().destroy(); // SIGTERM: the agent drains and deregisters
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * One version's instance as the test sees it: where Prometheus scrapes it (--admin) and where uploads
   * go (--listen). An agent process started with {@code run --listen ... --admin ...} fits the same two
   * methods.
   */
  interface Instance extends AutoCloseable {
    int metricsPort();

    HttpResponse<byte[]> upload(HttpClient http, Multipart upload) throws Exception;
  }

  private Instance startAgent(String version, FilewcountStandIn app) throws Exception {
    return new AgentProcessInstance(version, app, registry.address());
  }

  private void serveHealth() {
    // Both agents registered (each only after its first probe passed) with passing checks.
    await("both agents registered").atMost(Duration.ofSeconds(30)).until(() -> List.of("1.0", "2.0").stream()
        .allMatch(v -> registry.requests().stream().anyMatch(r -> r.getUrl().equals("/v1/agent/service/register")
            && r.getBodyAsString().contains("\"version\":\"" + v + "\""))));
    // The rollout asks the same Consul the agents registered with.
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(aResponse().proxiedFrom(registry.address().toString())));
  }


  @BeforeEach
  void start() throws Exception {
    assertThat(Files.isExecutable(PROMETHEUS)).as("Prometheus is missing at %s: apt-get install -y prometheus"
        + " (.ci/run does this)", PROMETHEUS).isTrue();
    stable = FilewcountStandIn.start();
    canary = FilewcountStandIn.start();
    stableAgent = startAgent("1.0", stable);
    canaryAgent = startAgent("2.0", canary);

    Path work = Files.createDirectories(Path.of("target", "rollout-agents-it", Long.toString(System.nanoTime())));
    Path config = work.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        "  - job_name: filewcount-agent",
        "    static_configs:",
        "      - targets: ['127.0.0.1:" + stableAgent.metricsPort() + "', '127.0.0.1:" + canaryAgent.metricsPort() + "']",
        ""));
    prometheusPort = freePort();
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config.toAbsolutePath(),
        "--storage.tsdb.path=" + work.resolve("data").toAbsolutePath(),
        "--web.listen-address=127.0.0.1:" + prometheusPort)
        .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    await("Prometheus ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> prometheus.isAlive() && status(URI.create(prometheusUrl() + "/-/ready")) == 200);

    serveHealth();
    ConsulFixtures.noEntriesYet(consul, locks);

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
    for (AutoCloseable c : new AutoCloseable[] {stableAgent, canaryAgent, stable, canary, registry, locks}) {
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
