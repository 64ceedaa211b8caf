package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Grafana, Tempo and the collector cannot run on the build machines (no Docker, no packages), so the
 * addresses that tie them together are checked here: each component sends to where the next one
 * listens, in both ways of running the stack (Nomad job, docker compose), with images from versions.env.
 */
class StackWiringTest {

  private static final Pattern FILE_CALL = Pattern.compile("file(?:set)?\\(\"\\$\\{local\\.obs}/([^\"$]+)\"|fileset\\(local\\.obs,\\s*\"([^\"]+)\"\\)");
  private static final Pattern NOMAD_IMAGE_VAR = Pattern.compile("variable \"([a-z_]+_image)\"");

  private final JsonNode collector = StackFiles.yaml(StackFiles.observability().resolve("otel-collector/config.yaml"));
  private final JsonNode tempo = StackFiles.yaml(StackFiles.observability().resolve("tempo/tempo.yaml"));
  private final JsonNode prometheus = StackFiles.yaml(StackFiles.prometheusConfig());
  private final JsonNode compose = StackFiles.yaml(StackFiles.observability().resolve("docker-compose.yml"));
  private final String nomadJob = StackFiles.text(StackFiles.root().resolve("nomad/observability.nomad.hcl"));

  @Test
  void collectorReceivesOtlpOnTheStandardPortsForEveryone() {
    JsonNode protocols = collector.path("receivers").path("otlp").path("protocols");
    assertThat(protocols.path("grpc").path("endpoint").asText()).isEqualTo("0.0.0.0:4317");
    assertThat(protocols.path("http").path("endpoint").asText()).isEqualTo("0.0.0.0:4318");
    JsonNode pipelines = collector.path("service").path("pipelines");
    assertThat(pipelines.path("traces").path("receivers").get(0).asText()).isEqualTo("otlp");
    assertThat(pipelines.path("metrics").path("receivers").get(0).asText()).isEqualTo("otlp");
  }

  @Test
  void collectorSendsTracesWhereTempoListens() {
    String tempoOtlp = tempo.path("distributor").path("receivers").path("otlp").path("protocols").path("grpc").path("endpoint").asText();
    String traceExporter = collector.path("service").path("pipelines").path("traces").path("exporters").get(0).asText();
    assertThat(traceExporter).startsWith("otlp_grpc");
    assertThat(collector.path("exporters").path(traceExporter).path("endpoint").asText()).isEqualTo(tempoOtlp);
    assertThat(tempoOtlp).as("4317 belongs to the collector on the host network").doesNotEndWith(":4317");
  }

  @Test
  void collectorAndTempoRemoteWriteWherePrometheusListensAndAcceptsIt() {
    String listen = flagValue(composeCommand("prometheus"), "--web.listen-address");
    String writeUrl = "http://" + listen + "/api/v1/write";
    String metricsExporter = collector.path("service").path("pipelines").path("metrics").path("exporters").get(0).asText();
    assertThat(collector.path("exporters").path(metricsExporter).path("endpoint").asText()).isEqualTo(writeUrl);
    assertThat(tempo.path("metrics_generator").path("storage").path("remote_write").get(0).path("url").asText()).isEqualTo(writeUrl);
    assertThat(tempo.path("overrides").path("defaults").path("metrics_generator").path("processors"))
        .extracting(JsonNode::asText).containsExactlyInAnyOrder("service-graphs", "span-metrics");

    List<String> needed = List.of("--web.enable-remote-write-receiver", "--enable-feature=exemplar-storage",
        "--web.listen-address=" + listen, "--config.file=/etc/prometheus/prometheus.yml");
    assertThat(composeCommand("prometheus")).containsAll(needed);
    for (String flag : needed.subList(0, 3)) {
      assertThat(nomadJob).as("Nomad job's Prometheus flags").contains("\"" + flag + "\"");
    }
  }

  @Test
  void grafanaDataSourcesPointAtPrometheusAndTempo() {
    JsonNode sources = StackFiles.yaml(StackFiles.datasources()).path("datasources");
    String tempoHttp = tempo.path("server").path("http_listen_address").asText() + ":" + tempo.path("server").path("http_listen_port").asText();
    String prometheusListen = flagValue(composeCommand("prometheus"), "--web.listen-address");
    for (JsonNode source : sources) {
      String expected = switch (source.path("type").asText()) {
        case "prometheus" -> "http://" + prometheusListen;
        case "tempo" -> "http://" + tempoHttp;
        case "loki" -> "http://" + lokiHttp();
        default -> throw new AssertionError("unexpected data source " + source);
      };
      assertThat(source.path("url").asText()).isEqualTo(expected);
    }
  }

  @Test
  void prometheusAlertsGoWhereAlertmanagerListensAndItIsScraped() {
    String listen = flagValue(composeCommand("alertmanager"), "--web.listen-address");
    assertThat(StackFiles.text(StackFiles.root().resolve("nomad/observability.nomad.hcl")))
        .contains("\"--web.listen-address=" + listen + "\"");
    assertThat(prometheus.path("alerting").path("alertmanagers").get(0).path("static_configs").get(0).path("targets").get(0).asText())
        .isEqualTo(listen);
    Set<String> targets = new TreeSet<>();
    prometheus.path("scrape_configs").forEach(job -> job.path("static_configs").forEach(
        sc -> sc.path("targets").forEach(t -> targets.add(t.asText()))));
    assertThat(targets).contains(listen, lokiHttp());
  }

  private static String lokiHttp() {
    JsonNode server = StackFiles.yaml(StackFiles.observability().resolve("loki/loki.yaml")).path("server");
    return server.path("http_listen_address").asText() + ":" + server.path("http_listen_port").asText();
  }

  @Test
  void prometheusScrapesTheStackWhereItListens() {
    Set<String> targets = new TreeSet<>();
    prometheus.path("scrape_configs").forEach(job -> job.path("static_configs").forEach(
        sc -> sc.path("targets").forEach(t -> targets.add(t.asText()))));
    String tempoHttp = tempo.path("server").path("http_listen_address").asText() + ":" + tempo.path("server").path("http_listen_port").asText();
    JsonNode collectorSelf = collector.path("service").path("telemetry").path("metrics").path("readers").get(0)
        .path("pull").path("exporter").path("prometheus");
    assertThat(targets).contains(tempoHttp, collectorSelf.path("host").asText() + ":" + collectorSelf.path("port").asText(),
        flagValue(composeCommand("prometheus"), "--web.listen-address"), "127.0.0.1:3000");
    assertThat(compose.path("services").path("grafana").path("environment").path("GF_SERVER_HTTP_PORT").asText()).isEqualTo("3000");
  }

  @Test
  void imagesComeFromVersionsEnv() throws IOException {
    Properties versions = new Properties();
    versions.load(new StringReader(StackFiles.text(StackFiles.root().resolve("versions.env"))));
    List<String> keys = List.of("PROMETHEUS_IMAGE", "GRAFANA_IMAGE", "TEMPO_IMAGE", "OTEL_COLLECTOR_IMAGE", "LOKI_IMAGE",
        "ALERTMANAGER_IMAGE");
    for (String key : keys) {
      assertThat(versions.getProperty(key)).as(key + " in versions.env").matches("[a-z0-9./-]+:[A-Za-z0-9._-]+")
          .doesNotEndWith(":latest");
    }
    // compose: every image is a ${KEY...} of versions.env, read through observability/.env.
    List<String> composeKeys = new ArrayList<>();
    compose.path("services").forEach(service -> {
      Matcher key = Pattern.compile("\\$\\{([A-Z_]+)[:?}]").matcher(service.path("image").asText());
      assertThat(key.find()).as("image of a compose service must come from versions.env: %s", service.path("image")).isTrue();
      composeKeys.add(key.group(1));
    });
    assertThat(composeKeys).containsExactlyInAnyOrderElementsOf(keys);
    Path dotEnv = StackFiles.observability().resolve(".env");
    assertThat(Files.readString(dotEnv)).isEqualTo(StackFiles.text(StackFiles.root().resolve("versions.env")));
    // Nomad: one variable per image, named after the versions.env key.
    List<String> nomadVars = new ArrayList<>();
    Matcher variable = NOMAD_IMAGE_VAR.matcher(nomadJob);
    while (variable.find()) {
      nomadVars.add(variable.group(1).toUpperCase());
    }
    assertThat(nomadVars).containsExactlyInAnyOrderElementsOf(keys);
  }

  @Test
  void nomadJobShipsFilesThatExist() throws IOException {
    Matcher call = FILE_CALL.matcher(nomadJob);
    List<String> shipped = new ArrayList<>();
    while (call.find()) {
      String path = call.group(1) != null ? call.group(1) : call.group(2);
      if (path.startsWith("${")) {
        continue;
      }
      shipped.add(path);
      if (path.contains("*")) {
        var matcher = StackFiles.observability().getFileSystem().getPathMatcher("glob:" + path);
        try (var files = Files.walk(StackFiles.observability())) {
          assertThat(files.map(f -> StackFiles.observability().relativize(f)).filter(matcher::matches).count())
              .as("files matching %s", path).isPositive();
        }
      } else {
        assertThat(StackFiles.observability().resolve(path)).as("file(%s)", path).isRegularFile();
      }
    }
    assertThat(shipped).contains("otel-collector/config.yaml", "tempo/tempo.yaml", "prometheus/prometheus.yml",
        "prometheus/rules/*.rules.yml", "grafana/provisioning/*/*.yaml", "grafana/dashboards/*.json");
    // The files' own {{ }} must not be read by Nomad's template engine.
    assertThat(nomadJob).contains("left_delimiter").contains("right_delimiter");
    for (String destination : List.of("--config=/local/otel-collector/config.yaml", "-config.file=/local/tempo/tempo.yaml",
        "--config.file=/local/prometheus/prometheus.yml")) {
      assertThat(nomadJob).contains(destination);
    }
  }

  @Test
  void composeMountsFilesThatExist() {
    List<String> missing = new ArrayList<>();
    compose.path("services").forEach(service -> service.path("volumes").forEach(volume -> {
      String source = volume.asText().split(":")[0];
      if (source.startsWith("./") && !Files.exists(StackFiles.observability().resolve(source))) {
        missing.add(volume.asText());
      }
    }));
    assertThat(missing).isEmpty();
  }

  private List<String> composeCommand(String service) {
    List<String> command = new ArrayList<>();
    compose.path("services").path(service).path("command").forEach(c -> command.add(c.asText()));
    return command;
  }

  private static String flagValue(List<String> command, String flag) {
    return command.stream().filter(c -> c.startsWith(flag + "=")).map(c -> c.substring(flag.length() + 1))
        .findFirst().orElseThrow(() -> new AssertionError(flag + " not in " + command));
  }
}
