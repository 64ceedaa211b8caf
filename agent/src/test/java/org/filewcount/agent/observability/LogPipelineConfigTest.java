package org.filewcount.agent.observability;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.observability.AllowedKeys.ANY;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The log half of the stack: Loki's, the collector's and Grafana's files use only keys their pinned
 * versions document, they point at each other, and every log query names a label or field the pipeline
 * really produces (from the collector's operators, Loki's OTLP mapping and the agent's resource).
 */
class LogPipelineConfigTest {

  /** Loki 3.7: grafana/loki v3.7.6, docs/sources/shared/configuration.md (the blocks this stack uses). */
  private static final Map<String, Object> LOKI = Map.of(
      "auth_enabled", ANY,
      "server", Map.of("http_listen_address", ANY, "http_listen_port", ANY, "grpc_listen_address", ANY,
          "grpc_listen_port", ANY, "log_level", ANY),
      "common", Map.of("instance_addr", ANY, "path_prefix", ANY, "replication_factor", ANY,
          "storage", Map.of("filesystem", Map.of("chunks_directory", ANY, "rules_directory", ANY)),
          "ring", Map.of("kvstore", Map.of("store", ANY))),
      "memberlist", Map.of("bind_addr", ANY, "bind_port", ANY),
      "schema_config", Map.of("configs", List.of(Map.of("from", ANY, "store", ANY, "object_store", ANY,
          "schema", ANY, "index", Map.of("prefix", ANY, "period", ANY)))),
      "compactor", Map.of("working_directory", ANY, "retention_enabled", ANY, "delete_request_store", ANY),
      "limits_config", Map.of("retention_period", ANY, "allow_structured_metadata", ANY,
          // otlp_config and attributes_config: the same file, "limits_config" and "attributes_config".
          "otlp_config", Map.of(
              "resource_attributes", Map.of("ignore_defaults", ANY,
                  "attributes_config", List.of(Map.of("action", ANY, "attributes", ANY, "regex", ANY))),
              "scope_attributes", List.of(Map.of("action", ANY, "attributes", ANY, "regex", ANY)),
              "log_attributes", List.of(Map.of("action", ANY, "attributes", ANY, "regex", ANY)),
              "severity_text_as_label", ANY)),
      "analytics", Map.of("reporting_enabled", ANY));

  private static final Map<String, Object> TLS = Map.of("insecure", ANY);

  /**
   * Collector contrib 0.149.0, by component type: receiver/otlpreceiver and receiver/filelogreceiver
   * README.md, processor/memorylimiterprocessor and processor/batchprocessor README.md,
   * extension/healthcheckextension, exporter/otlpexporter, exporter/otlphttpexporter and
   * exporter/prometheusremotewriteexporter README.md (open-telemetry/opentelemetry-collector(-contrib)).
   */
  private static final Map<String, Object> COMPONENTS = Map.ofEntries(
      entry("receivers/otlp", Map.of("protocols", Map.of("grpc", Map.of("endpoint", ANY), "http", Map.of("endpoint", ANY)))),
      entry("receivers/filelog", Map.of("include", ANY, "exclude", ANY, "start_at", ANY, "include_file_path", ANY,
          "include_file_name", ANY, "poll_interval", ANY, "operators", ANY)),
      entry("processors/memory_limiter", Map.of("check_interval", ANY, "limit_mib", ANY, "spike_limit_mib", ANY)),
      entry("processors/batch", Map.of("send_batch_size", ANY, "send_batch_max_size", ANY, "timeout", ANY)),
      entry("extensions/health_check", Map.of("endpoint", ANY)),
      entry("exporters/otlp_grpc", Map.of("endpoint", ANY, "tls", TLS)),
      entry("exporters/otlphttp", Map.of("endpoint", ANY, "tls", TLS)),
      entry("exporters/prometheusremotewrite", Map.of("endpoint", ANY, "tls", TLS, "send_metadata", ANY,
          "resource_to_telemetry_conversion", Map.of("enabled", ANY))));

  /**
   * Stanza operators, contrib 0.149.0 pkg/stanza/docs/operators/&lt;type&gt;.md, and the timestamp block
   * (pkg/stanza/docs/types/timestamp.md).
   */
  private static final Map<String, Object> OPERATORS = Map.of(
      "regex_parser", Map.ofEntries(entry("type", ANY), entry("id", ANY), entry("output", ANY), entry("regex", ANY),
          entry("parse_from", ANY), entry("parse_to", ANY), entry("on_error", ANY), entry("if", ANY),
          entry("severity", ANY), entry("cache", ANY),
          entry("timestamp", Map.of("parse_from", ANY, "layout_type", ANY, "layout", ANY, "location", ANY))),
      "move", Map.of("type", ANY, "id", ANY, "output", ANY, "from", ANY, "to", ANY, "if", ANY, "on_error", ANY),
      "copy", Map.of("type", ANY, "id", ANY, "output", ANY, "from", ANY, "to", ANY, "if", ANY, "on_error", ANY),
      "add", Map.of("type", ANY, "id", ANY, "output", ANY, "field", ANY, "value", ANY, "if", ANY, "on_error", ANY),
      "remove", Map.of("type", ANY, "id", ANY, "output", ANY, "field", ANY, "if", ANY, "on_error", ANY));

  /**
   * Grafana 13 provisioning (docs: administration/provisioning, "Data sources") and the jsonData of
   * each plugin: prometheus (public/app/plugins/datasource/prometheus), tempo
   * (packages/grafana-o11y-ds-frontend TraceToLogs/TraceToLogsSettings.tsx TraceToLogsOptionsV2,
   * TraceToMetrics), loki (public/app/plugins/datasource/loki/types.ts LokiOptions, DerivedFieldConfig).
   */
  private static final Map<String, Object> TAGS = Map.of("key", ANY, "value", ANY);
  private static final Map<String, Map<String, Object>> JSON_DATA = Map.of(
      "prometheus", Map.of("httpMethod", ANY, "prometheusType", ANY, "timeInterval", ANY,
          "exemplarTraceIdDestinations", List.of(Map.of("name", ANY, "datasourceUid", ANY, "url", ANY))),
      "tempo", Map.of(
          "tracesToMetrics", Map.of("datasourceUid", ANY, "spanStartTimeShift", ANY, "spanEndTimeShift", ANY,
              "tags", List.of(TAGS), "queries", List.of(Map.of("name", ANY, "query", ANY))),
          "tracesToLogsV2", Map.of("datasourceUid", ANY, "spanStartTimeShift", ANY, "spanEndTimeShift", ANY,
              "tags", List.of(TAGS), "filterByTraceID", ANY, "filterBySpanID", ANY, "query", ANY, "customQuery", ANY),
          "serviceMap", Map.of("datasourceUid", ANY), "nodeGraph", Map.of("enabled", ANY), "search", Map.of("hide", ANY),
          "traceQuery", Map.of("timeShiftEnabled", ANY, "spanStartTimeShift", ANY, "spanEndTimeShift", ANY),
          "streamingEnabled", Map.of("search", ANY, "metrics", ANY)),
      "loki", Map.of("maxLines", ANY, "derivedFields", List.of(Map.of("name", ANY, "matcherType", ANY,
          "matcherRegex", ANY, "url", ANY, "urlDisplayLabel", ANY, "datasourceUid", ANY))));
  private static final Map<String, Object> DATASOURCE = Map.of("name", ANY, "uid", ANY, "type", ANY, "access", ANY,
      "url", ANY, "isDefault", ANY, "editable", ANY, "jsonData", ANY);

  /**
   * Resource attributes of the agent's records that Loki keeps as structured metadata (the agent's
   * resource, asserted in OtlpExportTest), and the log record fields Loki stores beside them.
   */
  private static final Set<String> AGENT_RESOURCE = Set.of("service.instance.id", "nomad.alloc.id", "nomad.job.name",
      "nomad.group.name", "host.name", "filewcount.agent.version", "deployment.environment.name");
  private static final Set<String> RECORD_FIELDS = Set.of("trace_id", "span_id", "severity_text", "severity_number",
      "scope_name", "thread_name", "thread_id");

  private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern LABEL_FILTER = Pattern.compile("\\|\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)");

  private final JsonNode loki = StackFiles.yaml(StackFiles.observability().resolve("loki/loki.yaml"));
  private final JsonNode collector = StackFiles.yaml(StackFiles.observability().resolve("otel-collector/config.yaml"));
  private final JsonNode datasources = StackFiles.yaml(StackFiles.datasources());

  @Test
  void lokiConfigUsesDocumentedKeysAndStoresOtlpData() {
    assertThat(AllowedKeys.unknown(loki, LOKI, "loki.yaml")).isEmpty();
    assertThat(loki.path("schema_config").path("configs").get(0).path("schema").asText())
        .as("structured metadata (OTLP attributes, trace ids) needs the v13 schema").isEqualTo("v13");
    loki.path("limits_config").path("otlp_config").path("resource_attributes").path("attributes_config")
        .forEach(c -> assertThat(c.path("action").asText()).isIn("index_label", "structured_metadata", "drop"));
  }

  @Test
  void collectorConfigUsesDocumentedKeysAndEveryComponentIsWired() {
    List<String> problems = new ArrayList<>();
    Set<String> defined = new TreeSet<>();
    for (String kind : List.of("receivers", "processors", "exporters", "extensions")) {
      collector.path(kind).fields().forEachRemaining(c -> {
        defined.add(kind + "/" + c.getKey());
        Object spec = COMPONENTS.get(kind + "/" + c.getKey().split("/")[0]);
        if (spec == null) {
          problems.add(kind + "." + c.getKey() + ": no documented keys listed for this component type");
        } else {
          problems.addAll(AllowedKeys.unknown(c.getValue(), spec, kind + "." + c.getKey()));
        }
        for (JsonNode op : c.getValue().path("operators")) {
          Object opSpec = OPERATORS.get(op.path("type").asText());
          if (opSpec == null) {
            problems.add(c.getKey() + ": operator type " + op.path("type") + " not listed");
          } else {
            problems.addAll(AllowedKeys.unknown(op, opSpec, c.getKey() + ".operators." + op.path("id").asText(op.path("type").asText())));
          }
        }
      });
    }
    Set<String> used = new TreeSet<>();
    collector.path("service").path("extensions").forEach(e -> used.add("extensions/" + e.asText()));
    collector.path("service").path("pipelines").fields().forEachRemaining(p -> {
      for (String kind : List.of("receivers", "processors", "exporters")) {
        p.getValue().path(kind).forEach(c -> {
          used.add(kind + "/" + c.asText());
          if (!defined.contains(kind + "/" + c.asText())) {
            problems.add("pipeline " + p.getKey() + " uses undefined " + kind + "/" + c.asText());
          }
        });
      }
    });
    assertThat(problems).isEmpty();
    assertThat(used).as("every defined component is used").containsAll(defined);
    assertThat(collector.path("service").path("pipelines").path("logs").path("exporters").toString()).contains("otlphttp/loki");
  }

  @Test
  void grafanaDataSourcesUseDocumentedKeys() {
    List<String> problems = new ArrayList<>();
    for (JsonNode ds : datasources.path("datasources")) {
      String type = ds.path("type").asText();
      problems.addAll(AllowedKeys.unknown(ds, DATASOURCE, ds.path("name").asText()));
      assertThat(JSON_DATA).as("jsonData keys listed for %s", type).containsKey(type);
      problems.addAll(AllowedKeys.unknown(ds.path("jsonData"), JSON_DATA.get(type), ds.path("name").asText() + ".jsonData"));
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void logsGoFromCollectorToLokiWhereItListensAndGrafanaReadsThem() {
    String lokiAddress = loki.path("server").path("http_listen_address").asText() + ":"
        + loki.path("server").path("http_listen_port").asText();
    assertThat(collector.path("exporters").path("otlphttp/loki").path("endpoint").asText())
        .as("Loki's OTLP endpoint is /otlp on its HTTP port").isEqualTo("http://" + lokiAddress + "/otlp");
    JsonNode lokiSource = dataSource("loki");
    assertThat(lokiSource.path("url").asText()).isEqualTo("http://" + lokiAddress);
    JsonNode derived = lokiSource.path("jsonData").path("derivedFields").get(0);
    assertThat(dataSource(derived.path("datasourceUid").asText()).path("type").asText()).isEqualTo("tempo");
    assertThat(derived.path("matcherType").asText()).isEqualTo("label");
    assertThat(derived.path("url").asText()).as("provisioning expands single-$ variables").isEqualTo("$${__value.raw}");
    JsonNode toLogs = dataSource("tempo").path("jsonData").path("tracesToLogsV2");
    assertThat(dataSource(toLogs.path("datasourceUid").asText()).path("type").asText()).isEqualTo("loki");
  }

  @Test
  void everyLogQueryNamesALabelOrFieldThePipelineProduces() {
    Set<String> index = new TreeSet<>();
    loki.path("limits_config").path("otlp_config").path("resource_attributes").path("attributes_config").forEach(c -> {
      if ("index_label".equals(c.path("action").asText())) {
        c.path("attributes").forEach(a -> index.add(lokiName(a.asText())));
      }
    });
    Set<String> metadata = new TreeSet<>(RECORD_FIELDS);
    AGENT_RESOURCE.forEach(a -> metadata.add(lokiName(a)));
    // What the collector's operators write: resource[...] and attributes[...] targets.
    Pattern target = Pattern.compile("(?:resource|attributes)\\[\"([^\"]+)\"]");
    collector.path("receivers").forEach(r -> r.path("operators").forEach(op -> {
      for (String key : List.of("to", "field")) {
        Matcher m = target.matcher(op.path(key).asText());
        if (m.matches()) {
          metadata.add(lokiName(m.group(1)));
        }
      }
    }));
    metadata.removeAll(index);
    assertThat(index).contains("service_name", "service_version", "nomad_task_name");

    List<String> queries = new ArrayList<>();
    for (var file : StackFiles.dashboards()) {
      JsonNode dashboard = StackFiles.json(file);
      for (JsonNode panel : PromQueries.panels(dashboard)) {
        for (JsonNode t : panel.path("targets")) {
          if ("loki".equals(t.path("datasource").path("type").asText())) {
            queries.add(t.path("expr").asText());
          }
        }
      }
    }
    JsonNode toLogs = dataSource("tempo").path("jsonData").path("tracesToLogsV2");
    StringBuilder tags = new StringBuilder();
    toLogs.path("tags").forEach(t -> tags.append(tags.isEmpty() ? "" : ",").append(t.path("value").asText()).append("=\"x\""));
    queries.add(toLogs.path("query").asText().replace("$${__tags}", tags.toString()));
    assertThat(queries).hasSizeGreaterThanOrEqualTo(3);

    List<String> problems = new ArrayList<>();
    for (String q : queries) {
      Matcher selector = SELECTOR.matcher(q.replaceAll("\\$\\$?\\{[^}]*}", "v"));
      assertThat(selector.find()).as("a stream selector in %s", q).isTrue();
      Matcher labels = MATCHER.matcher(selector.group(1));
      while (labels.find()) {
        if (!index.contains(labels.group(1))) {
          problems.add(q + ": stream label " + labels.group(1) + " is not an index label " + index);
        }
      }
      Matcher filters = LABEL_FILTER.matcher(q);
      while (filters.find()) {
        if (!index.contains(filters.group(1)) && !metadata.contains(filters.group(1))) {
          problems.add(q + ": " + filters.group(1) + " is neither a label nor structured metadata " + metadata);
        }
      }
    }
    JsonNode derived = dataSource("loki").path("jsonData").path("derivedFields").get(0);
    if (!metadata.contains(derived.path("matcherRegex").asText())) {
      problems.add("derived field " + derived.path("matcherRegex") + " is not a field of the records");
    }
    assertThat(problems).isEmpty();
  }

  /** Loki's OTLP mapping: dots (and any other character Prometheus labels refuse) become underscores. */
  private static String lokiName(String attribute) {
    return attribute.replaceAll("[^A-Za-z0-9_]", "_");
  }

  private JsonNode dataSource(String uid) {
    for (JsonNode ds : datasources.path("datasources")) {
      if (uid.equals(ds.path("uid").asText())) {
        return ds;
      }
    }
    throw new AssertionError("no data source with uid " + uid);
  }
}
