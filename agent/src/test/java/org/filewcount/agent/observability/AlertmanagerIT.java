package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus and the real Alertmanager (Debian's {@code prometheus} and
 * {@code prometheus-alertmanager}) with the stack's configs, rules and routes: an alert fires in
 * Prometheus and its notification arrives at the webhook of its severity, and "agent down" silences
 * the error-ratio alert of the same instance only.
 *
 * <p>What differs from the stack, and only that: Consul discovery read from files (as in
 * PrometheusStackIT), loopback ports of the test, 1 s scrape and evaluation intervals, the webhook
 * address, Alertmanager's group_wait/group_interval at 1 s, and the `for` of the two alerts of the
 * inhibition scenario shortened (FilewcountAgentDown 1 s, FilewcountInstanceErrorRatioHigh 10 s), so
 * the test takes seconds; promtool's unit tests check the real `for` durations.
 */
class AlertmanagerIT {

  private static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, List<JsonNode>> notifications = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> scrapes = new ConcurrentHashMap<>();
  /** Instances whose /metrics answers 503 (the agent is down). */
  private final List<String> down = new CopyOnWriteArrayList<>();
  private volatile boolean flapping;
  private volatile boolean failingUploads;
  private HttpServer servers;
  private Process alertmanager;
  private Process prometheus;
  private int alertmanagerPort;
  private int prometheusPort;

  @BeforeEach
  void start() throws IOException {
    assertThat(Files.isExecutable(ALERTMANAGER))
        .as("Alertmanager is missing: apt-get install -y prometheus-alertmanager").isTrue();
    servers = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    for (String instance : List.of("filewcount-a", "filewcount-b")) {
      servers.createContext("/" + instance + "/metrics", exchange -> agent(exchange, instance));
    }
    servers.createContext("/alerts/", exchange -> {
      String receiver = exchange.getRequestURI().getPath().substring("/alerts/".length());
      notifications.computeIfAbsent(receiver, r -> new CopyOnWriteArrayList<>())
          .add(StackFiles.JSON.readTree(exchange.getRequestBody()));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    servers.start();
    int port = servers.getAddress().getPort();

    alertmanagerPort = freePort();
    Path amConfig = dir.resolve("alertmanager.yml");
    StackFiles.YAML.writeValue(amConfig.toFile(), alertmanagerConfig(port));
    alertmanager = new ProcessBuilder(ALERTMANAGER.toString(), "--config.file=" + amConfig,
        "--storage.path=" + dir.resolve("am-data"), "--web.listen-address=127.0.0.1:" + alertmanagerPort,
        "--cluster.listen-address=")
        .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();

    String targets = """
        [%s, %s]
        """.formatted(target("filewcount-a", "1.0", port), target("filewcount-b", "2.0", port));
    for (String job : new String[] {"filewcount-agent", "filewcount-consul-health", "envoy"}) {
      Files.writeString(dir.resolve(CheckablePrometheusConfig.sdFileName(job)), job.equals("envoy") ? "[]" : targets);
    }
    Path config = CheckablePrometheusConfig.writeTo(dir);
    ObjectNode prometheusConfig = (ObjectNode) StackFiles.YAML.readTree(config.toFile());
    ((ObjectNode) prometheusConfig.path("global")).put("scrape_interval", "1s").put("evaluation_interval", "1s");
    prometheusConfig.path("scrape_configs").forEach(job -> ((ObjectNode) job).remove("scrape_interval"));
    ArrayNode amTargets = (ArrayNode) prometheusConfig.path("alerting").path("alertmanagers").get(0)
        .path("static_configs").get(0).path("targets");
    assertThat(amTargets.get(0).asText()).as("prometheus.yml sends to the stack's Alertmanager").isEqualTo("127.0.0.1:9093");
    amTargets.removeAll().add("127.0.0.1:" + alertmanagerPort);
    StackFiles.YAML.writeValue(config.toFile(), prometheusConfig);
    shortenFor(dir.resolve("rules/filewcount-alerts.rules.yml"),
        Map.of("FilewcountAgentDown", "1s", "FilewcountInstanceErrorRatioHigh", "10s"));

    prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + (prometheusPort = freePort()))
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : new Process[] {prometheus, alertmanager}) {
      if (p != null) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    if (servers != null) {
      servers.stop(0);
    }
  }

  @Test
  void aFiringAlertReachesTheWebhookOfItsSeverityGroupedByServiceAndVersion() throws Exception {
    assertThat(amtool("check-config", dir.resolve("alertmanager.yml").toString())).contains("SUCCESS");
    Path examples = dir.resolve("alertmanager-examples.yml");
    String uncommented = withExamplesUncommented(
        Files.readString(StackFiles.observability().resolve("alertmanager/alertmanager.yml")));
    assertThat(uncommented).contains("\n    pagerduty_configs:", "\n    slack_configs:", "\n    email_configs:");
    Files.writeString(examples, uncommented);
    assertThat(amtool("check-config", examples.toString())).as("the commented receivers are valid too").contains("SUCCESS");
    flapping = true;

    JsonNode notification = await("FilewcountRegistrationFlapping notified to the ticket webhook")
        .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> firstWith("ticket", "FilewcountRegistrationFlapping", "filewcount-b"), n -> n != null);
    assertThat(notification.path("status").asText()).isEqualTo("firing");
    assertThat(notification.path("receiver").asText()).isEqualTo("ticket");
    assertThat(notification.path("groupLabels").path("service_name").asText()).isEqualTo("filewcount");
    assertThat(notification.path("groupLabels").path("service_version").asText()).isEqualTo("2.0");
    JsonNode alert = alert(notification, "FilewcountRegistrationFlapping", "filewcount-b");
    assertThat(alert.path("annotations").path("runbook_url").asText())
        .isEqualTo("docs/operations.md#filewcountregistrationflapping");
    assertThat(alert.path("annotations").path("dashboard").asText())
        .isEqualTo("http://127.0.0.1:3000/d/filewcount-instances?var-service=filewcount");
    assertThat(notifications.getOrDefault("page", List.of())).as("a ticket pages no one").isEmpty();
  }

  @Test
  void agentDownSilencesTheErrorRatioAlertOfTheSameInstanceOnly() throws Exception {
    failingUploads = true;
    // a's agent dies once Prometheus holds enough of a's errors for its error ratio rule to be pending (a count
    // of scrapes served is not enough: on a loaded machine a 1 s scrape can time out and store nothing); its
    // error ratio stays in the 5m window while its scrapes fail, and the rule's 10 s "for" outlasts the 1 s of
    // FilewcountAgentDown, so the inhibiting alert is there first.
    await("a's error ratio rule pending in Prometheus").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> prometheusAlertState("FilewcountInstanceErrorRatioHigh", "filewcount-a"), "pending"::equals);
    down.add("filewcount-a");

    await("FilewcountAgentDown of a paged").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> firstWith("page", "FilewcountAgentDown", "filewcount-a"), n -> n != null);
    await("b's error ratio alert notified: the inhibition spares other instances")
        .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> firstWith("ticket", "FilewcountInstanceErrorRatioHigh", "filewcount-b"), n -> n != null);
    // a's error alert fires in Prometheus as well, and Alertmanager holds it as inhibited.
    JsonNode inhibited = await("a's error ratio alert received and suppressed by Alertmanager")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> alertmanagerAlert("FilewcountInstanceErrorRatioHigh", "filewcount-a"),
            a -> a != null && "suppressed".equals(a.path("status").path("state").asText()));
    assertThat(inhibited.path("status").path("inhibitedBy")).isNotEmpty();
    assertThat(firstWith("ticket", "FilewcountInstanceErrorRatioHigh", "filewcount-a"))
        .as("no notification for the error ratio of the instance that is down").isNull();
  }

  private JsonNode firstWith(String receiver, String alertname, String instance) {
    for (JsonNode n : notifications.getOrDefault(receiver, List.of())) {
      if (alert(n, alertname, instance) != null) {
        return n;
      }
    }
    return null;
  }

  private static JsonNode alert(JsonNode notification, String alertname, String instance) {
    for (JsonNode a : notification.path("alerts")) {
      if (alertname.equals(a.path("labels").path("alertname").asText())
          && instance.equals(a.path("labels").path("instance").asText())) {
        return a;
      }
    }
    return null;
  }

  /** The rule's state for that instance as Prometheus's ALERTS series has it (pending, firing), or null. */
  private String prometheusAlertState(String alertname, String instance) throws Exception {
    String query = "ALERTS{alertname=\"" + alertname + "\",instance=\"" + instance + "\"}";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
        + "/api/v1/query?query=" + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return null;
    }
    JsonNode result = StackFiles.JSON.readTree(r.body()).path("data").path("result");
    return result.isEmpty() ? null : result.get(0).path("metric").path("alertstate").asText();
  }

  private JsonNode alertmanagerAlert(String alertname, String instance) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + alertmanagerPort + "/api/v2/alerts?inhibited=true&silenced=true&active=true"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return null;
    }
    for (JsonNode a : StackFiles.JSON.readTree(r.body())) {
      if (alertname.equals(a.path("labels").path("alertname").asText())
          && instance.equals(a.path("labels").path("instance").asText())) {
        return a;
      }
    }
    return null;
  }

  /** The stack's alertmanager.yml with the webhooks sent to the test and group timers at 1 s. */
  private static JsonNode alertmanagerConfig(int webhookPort) {
    ObjectNode config = (ObjectNode) StackFiles.yaml(StackFiles.observability().resolve("alertmanager/alertmanager.yml"));
    for (JsonNode receiver : config.path("receivers")) {
      for (JsonNode webhook : receiver.path("webhook_configs")) {
        String url = webhook.path("url").asText();
        assertThat(url).startsWith("http://127.0.0.1:9094/alerts/");
        ((ObjectNode) webhook).put("url", url.replace("127.0.0.1:9094", "127.0.0.1:" + webhookPort));
      }
    }
    ObjectNode route = (ObjectNode) config.path("route");
    route.put("group_wait", "1s").put("group_interval", "1s");
    route.path("routes").forEach(r -> ((ObjectNode) r).put("group_wait", "1s").put("group_interval", "1s"));
    return config;
  }

  private static void shortenFor(Path rules, Map<String, String> durations) throws IOException {
    JsonNode tree = StackFiles.YAML.readTree(rules.toFile());
    int changed = 0;
    for (JsonNode group : tree.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String shorter = durations.get(rule.path("alert").asText());
        if (shorter != null) {
          ((ObjectNode) rule).put("for", shorter);
          changed++;
        }
      }
    }
    assertThat(changed).as("alerts %s in %s", durations.keySet(), rules).isEqualTo(durations.size());
    StackFiles.YAML.writeValue(rules.toFile(), tree);
  }

  private void agent(HttpExchange exchange, String instance) throws IOException {
    if (down.contains(instance)) {
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
      return;
    }
    int n = scrapes.computeIfAbsent(instance, i -> new AtomicInteger()).incrementAndGet();
    String version = instance.endsWith("a") ? "1.0" : "2.0";
    String resource = "service_name=\"filewcount\",service_version=\"%s\",service_instance_id=\"%s\"".formatted(version, instance);
    StringBuilder out = new StringBuilder("# TYPE http_server_request_duration_seconds histogram\n");
    // 60 requests per scrape (per second here); with failing uploads one in two is an app error.
    long good = n * 60L;
    long errors = failingUploads ? n * 60L : 0;
    histogram(out, resource + ",filewcount_outcome=\"success\",http_response_status_code=\"200\"", good);
    histogram(out, resource + ",filewcount_outcome=\"app_error\",http_response_status_code=\"200\"", errors);
    out.append("# TYPE filewcount_registration_changes_total counter\n");
    out.append("filewcount_registration_changes_total{").append(resource)
        .append(",filewcount_registration_state=\"registered\"} ").append(flapping && instance.endsWith("b") ? n * 5L : 1).append('\n');
    byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(bytes);
    }
  }

  private static void histogram(StringBuilder out, String labels, long count) {
    out.append("http_server_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count).append('\n');
    out.append("http_server_request_duration_seconds_count{").append(labels).append("} ").append(count).append('\n');
    out.append("http_server_request_duration_seconds_sum{").append(labels).append("} ").append(count * 0.05).append('\n');
  }

  private static String target(String instance, String version, int port) {
    return """
        {"targets": ["127.0.0.1:1"], "labels": {
          "__meta_consul_address": "127.0.0.1", "__meta_consul_service_address": "127.0.0.1",
          "__meta_consul_service": "filewcount", "__meta_consul_service_id": "%1$s", "__meta_consul_node": "node-1",
          "__meta_consul_health": "passing", "__meta_consul_service_metadata_version": "%2$s",
          "__meta_consul_service_metadata_metrics_port": "%3$d", "__meta_consul_service_metadata_metrics_path": "/%1$s/metrics"}}
        """.formatted(instance, version, port);
  }

  /** The file with its commented `# xxx_configs:` blocks turned into configuration. */
  static String withExamplesUncommented(String config) {
    StringBuilder out = new StringBuilder();
    String indent = null;
    for (String line : config.split("\n", -1)) {
      java.util.regex.Matcher start = java.util.regex.Pattern.compile("^(\\s*)# ([a-z_]+_configs:)\\s*$").matcher(line);
      if (start.matches()) {
        indent = start.group(1);
        out.append(indent).append(start.group(2)).append('\n');
        continue;
      }
      if (indent != null && line.startsWith(indent + "#   ")) {
        out.append(indent).append("  ").append(line.substring(indent.length() + 4)).append('\n');
        continue;
      }
      indent = null;
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static String amtool(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("amtool"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
