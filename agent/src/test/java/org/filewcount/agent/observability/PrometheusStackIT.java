package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus server (Debian package {@code prometheus}) with the stack's scrape config and
 * rules: it discovers two agents the way Consul would list them, scrapes them, and the recording rules
 * and the fast-burn alert see the app errors that one version hides in 200 pages.
 * The only changes to the stack's config are file discovery for Consul (as in PrometheusConfigTest)
 * and a 1 s scrape and evaluation interval, so the test takes seconds.
 */
class PrometheusStackIT {

  @TempDir
  Path dir;

  private HttpServer agents;
  private Process prometheus;
  private int prometheusPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void start() throws IOException {
    agents = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger scrapesV1 = new AtomicInteger();
    AtomicInteger scrapesV2 = new AtomicInteger();
    // Each scrape adds a minute's worth of traffic: 1.0 all good, 2.0 with 1 app error in 11 requests.
    agents.createContext("/v1/metrics", exchange -> respond(exchange.getResponseBody(), exchange,
        agentMetrics("1.0", "filewcount-v1", scrapesV1.incrementAndGet() * 60L, 0)));
    agents.createContext("/v2/metrics", exchange -> respond(exchange.getResponseBody(), exchange,
        agentMetrics("2.0", "filewcount-v2", scrapesV2.incrementAndGet() * 60L, scrapesV2.get() * 6L)));
    agents.start();
    int agentPort = agents.getAddress().getPort();

    String targets = """
        [
          {"targets": ["127.0.0.1:1"], "labels": {
            "__meta_consul_address": "127.0.0.1", "__meta_consul_service_address": "127.0.0.1",
            "__meta_consul_service": "filewcount", "__meta_consul_service_id": "filewcount-v1", "__meta_consul_node": "node-1",
            "__meta_consul_health": "passing", "__meta_consul_service_metadata_version": "1.0",
            "__meta_consul_service_metadata_metrics_port": "%1$d", "__meta_consul_service_metadata_metrics_path": "/v1/metrics"}},
          {"targets": ["127.0.0.1:2"], "labels": {
            "__meta_consul_address": "127.0.0.1", "__meta_consul_service_address": "127.0.0.1",
            "__meta_consul_service": "filewcount", "__meta_consul_service_id": "filewcount-v2", "__meta_consul_node": "node-1",
            "__meta_consul_health": "critical", "__meta_consul_service_metadata_version": "2.0",
            "__meta_consul_service_metadata_metrics_port": "%1$d", "__meta_consul_service_metadata_metrics_path": "/v2/metrics"}}
        ]
        """.formatted(agentPort);
    for (String job : new String[] {"filewcount-agent", "filewcount-consul-health", "envoy"}) {
      Files.writeString(dir.resolve(CheckablePrometheusConfig.sdFileName(job)), job.equals("envoy") ? "[]" : targets);
    }
    Path config = CheckablePrometheusConfig.writeTo(dir);
    ObjectNode fast = (ObjectNode) StackFiles.YAML.readTree(config.toFile());
    ((ObjectNode) fast.path("global")).put("scrape_interval", "1s").put("evaluation_interval", "1s");
    fast.path("scrape_configs").forEach(job -> ((ObjectNode) job).remove("scrape_interval"));
    StackFiles.YAML.writeValue(config.toFile(), fast);

    prometheusPort = freePort();
    prometheus = new ProcessBuilder(prometheusBinary(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort,
        "--web.enable-remote-write-receiver", "--enable-feature=exemplar-storage")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (agents != null) {
      agents.stop(0);
    }
  }

  @Test
  void discoversScrapesRecordsAndAlertsOnHiddenAppErrors() throws IOException, InterruptedException {
    await("both agents scraped under their Consul service IDs").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(query("count(up{job=\"filewcount-agent\", instance=~\"filewcount-v[12]\"} == 1)"))
            .isEqualTo("2"));

    await("app-aware error ratio per version").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          String canary = query("filewcount:request_error_ratio_by_version:rate5m{service_version=\"2.0\"}");
          assertThat(canary).isNotEmpty();
          assertThat(Double.parseDouble(canary)).isCloseTo(6.0 / 66.0, org.assertj.core.data.Offset.offset(0.005));
          assertThat(query("filewcount:request_error_ratio_by_version:rate5m{service_version=\"1.0\"}")).isEqualTo("0");
        });

    // 9% errors is over 14.4x the budget rate: the page is pending (its `for` is 2 minutes).
    await("fast burn alert pending").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(query("count(ALERTS{alertname=\"FilewcountErrorBudgetBurnFast\", alertstate=\"pending\"})"))
            .isEqualTo("1"));

    // Consul's verdict travels as a label; the health job keeps no scraped samples.
    assertThat(query("filewcount:consul_instances:count{consul_health=\"passing\", service_version=\"1.0\"}")).isEqualTo("1");
    assertThat(query("filewcount:consul_instances:count{consul_health=\"critical\", service_version=\"2.0\"}")).isEqualTo("1");
    assertThat(query("count(http_server_request_duration_seconds_count{job=\"filewcount-consul-health\"}) or vector(0)")).isEqualTo("0");
    assertThat(query("filewcount:traffic_weight:max{filewcount_traffic_version=\"2.0\"}")).isEqualTo("10");
  }

  /** The single value of an instant query, or "" when it returns nothing. */
  private String query(String promql) throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = StackFiles.JSON.readTree(response.body()).path("data").path("result");
    assertThat(result.size()).as("%s returned %s", promql, result).isLessThanOrEqualTo(1);
    return result.isEmpty() ? "" : result.get(0).path("value").get(1).asText();
  }

  /** The agent's exposition for one version, shaped like OpenTelemetry's Prometheus exporter output. */
  private static String agentMetrics(String version, String instanceId, long requests, long appErrors) {
    String resource = "service_name=\"filewcount\",service_version=\"%s\",service_instance_id=\"%s\"".formatted(version, instanceId);
    StringBuilder out = new StringBuilder();
    out.append("# TYPE http_server_request_duration_seconds histogram\n");
    histogram(out, resource + ",filewcount_outcome=\"success\",http_response_status_code=\"200\"", requests);
    if (appErrors > 0) {
      histogram(out, resource + ",filewcount_outcome=\"app_error\",http_response_status_code=\"200\"", appErrors);
    }
    out.append("# TYPE filewcount_traffic_weight gauge\n");
    out.append("filewcount_traffic_weight{").append(resource).append(",filewcount_traffic_version=\"1.0\"} 90\n");
    out.append("filewcount_traffic_weight{").append(resource).append(",filewcount_traffic_version=\"2.0\"} 10\n");
    out.append("# TYPE filewcount_registration_state gauge\n");
    out.append("filewcount_registration_state{").append(resource).append(",filewcount_registration_state=\"registered\"} 1\n");
    return out.toString();
  }

  private static void histogram(StringBuilder out, String labels, long count) {
    out.append("http_server_request_duration_seconds_bucket{").append(labels).append(",le=\"0.1\"} ").append(count).append('\n');
    out.append("http_server_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count).append('\n');
    out.append("http_server_request_duration_seconds_count{").append(labels).append("} ").append(count).append('\n');
    out.append("http_server_request_duration_seconds_sum{").append(labels).append("} ").append(count * 0.05).append('\n');
  }

  private static void respond(OutputStream body, com.sun.net.httpserver.HttpExchange exchange, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (body) {
      body.write(bytes);
    }
  }

  private static String prometheusBinary() {
    for (String path : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(path, "prometheus");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError("prometheus not found on PATH. Install it with `apt-get install -y prometheus` "
        + "(Debian package, as .ci/run does).");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
