package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.Multipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 4: a canary that starts failing in the middle of a rollout is rolled back, and after
 * the rollback no request reaches it, counted at the canary's stand-in app.
 *
 * <p>Everything is real but Consul (the stub plus {@link ConsulWithConfigEntries}) and Envoy: two packaged
 * agents ({@code run}, versions 1.0 and 2.0) proxy two stand-ins; a real Prometheus (Debian package)
 * scrapes both agents' /metrics; the packaged {@code rollout} command judges and writes the config
 * entries. Envoy is modelled by {@link #route()}: each request reads the service-splitter and the
 * service-resolver Consul holds at that moment and goes to a passing instance of the subset the weights
 * pick, which is what Envoy does with the same entries (minus its propagation delay). Before the rollout
 * the split is pinned 100 % to 1.0, as docs/upgrade.md tells operators to do before deploying canaries.
 * The agents' own functional probe is set to once an hour here, so that the canary's request count is
 * routed traffic only.
 */
class RolloutUnderFailureIT {

  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RATE = 40;
  /** The form of the subset filters the agent writes: {@code Service.Meta.version == "2.0"}. */
  private static final Pattern VERSION_FILTER = Pattern.compile("\\s*Service\\.Meta\\.version\\s*==\\s*\"([^\"]*)\"\\s*");
  private static final Duration AFTER_ROLLBACK = Duration.ofSeconds(5);

  @TempDir
  Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private FilewcountStandIn stableApp;
  private FilewcountStandIn canaryApp;
  private StubConsul stub;
  private ConsulWithConfigEntries consul;
  private AgentUnderTest stable;
  private AgentUnderTest canary;
  private Process prometheus;
  private Process rollout;
  private int prometheusPort;
  private final AtomicBoolean loading = new AtomicBoolean(true);
  private final AtomicInteger canaryInFlight = new AtomicInteger();
  private final List<String> loadErrors = Collections.synchronizedList(new ArrayList<>());
  private Thread load;

  @BeforeEach
  void start() throws Exception {
    assertThat(Files.isExecutable(PROMETHEUS)).as("Prometheus is missing at %s: apt-get install -y prometheus"
        + " (.ci/run does this)", PROMETHEUS).isTrue();
    stableApp = FilewcountStandIn.start();
    canaryApp = FilewcountStandIn.start();
    stub = new StubConsul();
    consul = new ConsulWithConfigEntries(stub);
    stable = agent("1.0", stableApp);
    canary = agent("2.0", canaryApp);
    stable.awaitRegistered(stub, Duration.ofSeconds(30));
    canary.awaitRegistered(stub, Duration.ofSeconds(30));
    startPrometheus();
    pinSplit("1.0");
  }

  private AgentUnderTest agent(String version, FilewcountStandIn app) throws Exception {
    return AgentUnderTest.builder(app.url(), consul.address(), tmp)
        .option("--service-version", version)
        .option("--probe-interval", "1h")
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    loading.set(false);
    if (load != null) {
      load.join(5000);
    }
    for (Process p : new Process[] {rollout, prometheus}) {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {stable, canary, consul, stub, stableApp, canaryApp}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void aCanaryThatStartsFailingMidRolloutIsRolledBackAndGetsNoMoreRequests() throws Exception {
    load = new Thread(this::route, "envoy-model");
    load.setDaemon(true);
    load.start();
    // The canary's smoke test after deployment (what an operator or the Nomad check does): its series exist
    // in Prometheus before the first step, so the first verdict has a baseline.
    for (int i = 0; i < 20; i++) {
      Multipart m = Multipart.upload("smoke.txt", "smoke test\n".getBytes(StandardCharsets.UTF_8));
      assertThat(http.send(HttpRequest.newBuilder(canary.proxyUrl("/file_upload")).header("Content-Type", m.contentType())
          .POST(m.publisher()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
    awaitBothVersionsInPrometheus();

    List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
    AtomicLong failingFrom = new AtomicLong();
    rollout = rolloutProcess();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(rollout.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          JsonNode e = JSON.readTree(line);
          events.add(e);
          // The first step was judged healthy: from now on the canary fails half of its uploads.
          if (e.path("event").asText().equals("check") && failingFrom.get() == 0) {
            canaryApp.failUploads(0.5);
            failingFrom.set(System.nanoTime());
          }
        }
      } catch (Exception e) {
        events.add(JSON.createObjectNode().put("reader_error", e.toString()));
      }
    }, "rollout-output");
    reader.start();

    assertThat(rollout.waitFor(120, TimeUnit.SECONDS)).as("rollout finished").isTrue();
    reader.join(5000);
    String err = new String(rollout.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    long rolledBackAt = consul.writes().stream().filter(w -> w.kind().equals("service-splitter"))
        .reduce((a, b) -> b).orElseThrow().atNanos();

    // Requests routed to the canary before the last splitter write may still be on their way; then count.
    await().atMost(Duration.ofSeconds(10)).until(() -> canaryInFlight.get() == 0);
    long canaryBefore = canaryApp.requestCount();
    long stableBefore = stableApp.requestCount();
    Thread.sleep(AFTER_ROLLBACK.toMillis()); // traffic keeps flowing for this long after the rollback
    long canaryAfter = canaryApp.requestCount() - canaryBefore;
    long stableAfter = stableApp.requestCount() - stableBefore;

    List<String> kinds = events.stream().map(e -> e.path("event").asText()).toList();
    JsonNode last = events.get(events.size() - 1);
    Map<String, Double> split = weights(consul.entry("service-splitter", "filewcount").orElseThrow());
    double reaction = (rolledBackAt - failingFrom.get()) / 1e9;
    System.out.println("FIGURE: rollout under failure: canary 2.0 failing 50% of uploads from the first verdict on;"
        + " events " + kinds + "; rolled back " + String.format("%.1f", reaction) + " s after it started failing"
        + " (exit " + rollout.exitValue() + "), split now " + split + "; in the " + AFTER_ROLLBACK.toSeconds()
        + " s after the rollback: " + canaryAfter + " requests reached the canary, " + stableAfter + " the stable");

    assertThat(rollout.exitValue()).as(events + err).isEqualTo(1);
    assertThat(kinds).as(err).contains("started", "step", "check").endsWith("rolled_back");
    assertThat(last.path("message").asText()).contains("error_ratio");
    assertThat(failingFrom.get()).as("the canary passed a check before it started failing").isPositive();
    assertThat(split).containsEntry("1.0", 100.0);
    assertThat(canaryAfter).as("requests that reached the canary after the rollback").isZero();
    assertThat(stableAfter).as("traffic kept flowing, all of it to the stable version").isPositive();
    assertThat(loadErrors.stream().filter(e -> !e.contains("app_error")).toList()).as("transport errors").isEmpty();
  }

  /** What Envoy does with the entries: weighted choice of subset, then that subset's passing instance. */
  private void route() {
    byte[] text = "the quick brown fox jumps over the lazy dog\n".getBytes(StandardCharsets.UTF_8);
    long period = 1_000_000_000L / RATE;
    long next = System.nanoTime();
    while (loading.get()) {
      String version;
      try {
        version = pick();
      } catch (RuntimeException | AssertionError e) {
        // Entries Envoy could not use (a splitter naming a subset the resolver lacks): recorded, not fatal.
        loadErrors.add("routing: " + e.getMessage());
        java.util.concurrent.locks.LockSupport.parkNanos(period);
        continue;
      }
      AgentUnderTest target = version.equals("2.0") ? canary : stable;
      Multipart m = Multipart.upload("routed.txt", text);
      if (target == canary) {
        canaryInFlight.incrementAndGet();
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(target.proxyUrl("/file_upload"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", m.contentType()).POST(m.publisher()).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          loadErrors.add(version + " status " + r.statusCode());
        } else if (!r.body().contains("File Received")) {
          loadErrors.add(version + " app_error");
        }
      } catch (Exception e) {
        loadErrors.add(version + " " + e);
      } finally {
        if (target == canary) {
          canaryInFlight.decrementAndGet();
        }
      }
      next += period;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(sleep);
      }
    }
  }

  private String pick() {
    Optional<ObjectNode> splitter = consul.entry("service-splitter", "filewcount");
    if (splitter.isEmpty()) {
      return "1.0";
    }
    Map<String, Double> w = weights(splitter.get());
    double r = ThreadLocalRandom.current().nextDouble(100.0);
    double acc = 0;
    for (Map.Entry<String, Double> e : w.entrySet()) {
      acc += e.getValue();
      if (r < acc) {
        return e.getKey();
      }
    }
    return "1.0";
  }

  /** version -> weight, through the resolver's subset filters (the filter is the source of truth). */
  private Map<String, Double> weights(ObjectNode splitter) {
    ObjectNode resolver = consul.entry("service-resolver", "filewcount").orElseThrow();
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (JsonNode s : splitter.path("Splits")) {
      String subset = s.path("ServiceSubset").asText();
      // Read as Envoy's routing does, through the subset's filter (the agent writes it; it is not asked).
      Matcher filter = VERSION_FILTER.matcher(resolver.path("Subsets").path(subset).path("Filter").asText(""));
      if (!filter.matches()) {
        throw new AssertionError("splitter names subset " + subset + " the resolver lacks: " + resolver);
      }
      String version = filter.group(1);
      out.merge(version, s.path("Weight").asDouble(), Double::sum);
    }
    return out;
  }

  private void pinSplit(String version) throws Exception {
    Process p = cli("shift", "--service", "filewcount", "--weight", version + "=100");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(weights(consul.entry("service-splitter", "filewcount").orElseThrow())).containsEntry(version, 100.0);
  }

  private Process rolloutProcess() throws Exception {
    return cli("rollout", "--service", "filewcount", "--to", "2.0", "--steps", "20,50,100", "--interval", "5s",
        "--prometheus", "http://127.0.0.1:" + prometheusPort, "--max-error-ratio", "0.05", "--max-p99", "2s",
        "--min-requests", "10", "--output", "json");
  }

  private Process cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("agent.jar")));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("CONSUL_HTTP_ADDR", consul.address().toString());
    pb.environment().remove("CONSUL_HTTP_TOKEN");
    pb.environment().remove("CONSUL_HTTP_TOKEN_FILE");
    pb.environment().remove("NOMAD_ADDR");
    if (args[0].equals("shift")) {
      pb.redirectErrorStream(true);
    }
    return pb.start();
  }

  private void startPrometheus() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("prometheus"));
    Path config = work.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        "  - job_name: filewcount-agent",
        "    static_configs:",
        "      - targets: ['127.0.0.1:" + stable.adminPort() + "', '127.0.0.1:" + canary.adminPort() + "']",
        ""));
    prometheusPort = AgentUnderTest.freePort();
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
        .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    await("Prometheus ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> prometheus.isAlive() && status(URI.create("http://127.0.0.1:" + prometheusPort + "/-/ready")) == 200);
  }

  private void awaitBothVersionsInPrometheus() {
    String q = "count by (service_version) (http_server_request_duration_seconds_count{service_name=\"filewcount\"})";
    await("both versions' request series in Prometheus").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> query(q).contains("\"1.0\"") && query(q).contains("\"2.0\""));
  }

  private String query(String promql) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
          + java.net.URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private int status(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
