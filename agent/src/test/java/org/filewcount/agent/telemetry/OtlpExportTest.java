package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.telemetry.Exchanges.response;
import static org.filewcount.agent.telemetry.Exchanges.resultPage;
import static org.filewcount.agent.telemetry.Exchanges.run;
import static org.filewcount.agent.telemetry.Exchanges.upload;
import static org.filewcount.agent.telemetry.Exchanges.utf8;

import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK the agent builds from OTEL_* settings really exports: a loopback OTLP/HTTP receiver
 * decodes the protobuf requests and finds the span in the caller's trace and the metrics.
 */
class OtlpExportTest {

  private static final String ALLOC = "5b3f6a1c-8e2d-4c1b-9a7e-0f1d2c3b4a59";

  private OtlpReceiver receiver;
  private Telemetry telemetry;

  @BeforeEach
  void start() throws Exception {
    receiver = new OtlpReceiver();
    Map<String, String> env = Map.of(
        "NOMAD_ALLOC_ID", ALLOC,
        "NOMAD_JOB_NAME", "filewcount",
        "NOMAD_GROUP_NAME", "app",
        "NODE_NAME", "node-1");
    InstanceIdentity identity = InstanceIdentity.derive(
        "filewcount", "2.0", new HostPort("127.0.0.1", 8081), env, "0.1.0-test");
    AgentConfig config = AgentConfig.builder().serviceVersion("2.0").identity(identity).build();
    telemetry = Telemetry.create(config, Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
        "OTEL_METRICS_EXPORTER", "otlp",
        "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,team=storage",
        "OTEL_SERVICE_NAME", "something-else"));
  }

  @AfterEach
  void stop() {
    telemetry.close();
    receiver.close();
  }

  @Test
  void spanAndMetricsArriveOverOtlpHttpWithTheCallersTraceAndTheInstanceResource() throws Exception {
    var hostile = upload();
    hostile.headers().set("User-Agent", "x".repeat(10_000));
    run(telemetry.exchangeObserver(), hostile, 321, response(200, "text/html; charset=utf-8"),
        utf8(resultPage("<b>" + ResultPage.NOT_TEXT + "</b>", 5)), 128);

    assertThat(telemetry.flush(Duration.ofSeconds(10))).as("export to the receiver succeeded").isTrue();

    assertThat(receiver.contentTypes).contains("application/x-protobuf");
    List<Span> spans = receiver.traces.stream()
        .flatMap(r -> r.getResourceSpansList().stream())
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream())
        .toList();
    assertThat(spans).hasSize(1);
    Span span = spans.get(0);
    assertThat(HexFormat.of().formatHex(span.getTraceId().toByteArray())).isEqualTo(Exchanges.TRACE_ID);
    assertThat(HexFormat.of().formatHex(span.getParentSpanId().toByteArray())).isEqualTo(Exchanges.PARENT_SPAN_ID);
    assertThat(span.getName()).isEqualTo("POST /file_upload");
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(attributes(span.getAttributesList()))
        .containsEntry("filewcount.outcome", "app_error")
        .containsEntry("filewcount.app_error", ResultPage.NOT_TEXT)
        .containsEntry("http.response.status_code", "200")
        .containsEntry("http.request.body.size", "321");
    assertThat(attributes(span.getAttributesList()).get("user_agent.original")).hasSize(2048);

    ResourceSpans resourceSpans = receiver.traces.get(0).getResourceSpans(0);
    assertThat(attributes(resourceSpans.getResource().getAttributesList()))
        .as("the agent's identity wins over OTEL_SERVICE_NAME; other resource attributes are kept")
        .containsEntry("service.name", "filewcount")
        .containsEntry("service.version", "2.0")
        .containsEntry("service.instance.id", ALLOC)
        .containsEntry("nomad.alloc.id", ALLOC)
        .containsEntry("nomad.job.name", "filewcount")
        .containsEntry("nomad.group.name", "app")
        .containsEntry("host.name", "node-1")
        .containsEntry("filewcount.agent.version", "0.1.0-test")
        .containsEntry("deployment.environment.name", "test")
        .containsEntry("team", "storage");

    Map<String, Metric> metrics = new LinkedHashMap<>();
    for (var request : receiver.metrics) {
      for (ResourceMetrics rm : request.getResourceMetricsList()) {
        rm.getScopeMetricsList().forEach(sm -> sm.getMetricsList().forEach(m -> metrics.put(m.getName(), m)));
      }
    }
    assertThat(metrics).containsKeys("http.server.request.duration", "http.server.active_requests",
        "http.server.request.body.size", "http.server.response.body.size", "filewcount.registration.state");
    Metric duration = metrics.get("http.server.request.duration");
    assertThat(duration.getUnit()).isEqualTo("s");
    var point = duration.getHistogram().getDataPoints(0);
    assertThat(point.getCount()).isEqualTo(1);
    assertThat(attributes(point.getAttributesList()))
        .containsEntry("filewcount.outcome", "app_error")
        .containsEntry("http.route", "/file_upload")
        .containsEntry("http.request.method", "POST");
    assertThat(point.getExemplarsList()).singleElement().satisfies(x ->
        assertThat(HexFormat.of().formatHex(x.getTraceId().toByteArray())).isEqualTo(Exchanges.TRACE_ID));
  }

  @Test
  void aLineLoggedWhileTheRequestSpanIsCurrentCarriesItsTraceAndTheInstanceResource() throws Exception {
    var exchange = run(telemetry.exchangeObserver(), upload(), 321, response(200, "text/html; charset=utf-8"),
        utf8(resultPage("<b>" + ResultPage.NOT_TEXT + "</b>", 5)), 128);
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("org.filewcount.agent.proxy.ProxiedExchange");
    exchange.runInContext(() -> log.warn("inside the request: upload refused"));
    log.warn("outside any request");
    // The SDK reports its own export failures through these loggers: exporting them would feed a failing export.
    org.slf4j.LoggerFactory.getLogger("io.opentelemetry.exporter.internal.http.HttpExporter").warn("sdk line");
    org.slf4j.LoggerFactory.getLogger("okhttp3.OkHttpClient").warn("okhttp line");

    assertThat(telemetry.flush(Duration.ofSeconds(10))).as("export to the receiver succeeded").isTrue();

    Span span = receiver.spans().get(0);
    String spanId = HexFormat.of().formatHex(span.getSpanId().toByteArray());
    List<OtlpReceiver.ReceivedLog> records = receiver.logRecords();
    assertThat(records).filteredOn(r -> r.body().equals("inside the request: upload refused")).singleElement()
        .satisfies(r -> {
          assertThat(r.traceId()).isEqualTo(Exchanges.TRACE_ID);
          assertThat(r.spanId()).isEqualTo(spanId);
          assertThat(r.scope()).isEqualTo("org.filewcount.agent.proxy.ProxiedExchange");
          assertThat(r.record().getSeverityText()).isEqualTo("WARN");
          assertThat(attributes(r.resource().getAttributesList()))
              .as("the resource of the spans and metrics")
              .isEqualTo(attributes(receiver.traces.get(0).getResourceSpans(0).getResource().getAttributesList()));
        });
    assertThat(records).filteredOn(r -> r.body().equals("outside any request")).singleElement()
        .satisfies(r -> assertThat(r.record().getTraceId().isEmpty()).as("no span current, no trace id").isTrue());
    assertThat(records).extracting(OtlpReceiver.ReceivedLog::body).doesNotContain("sdk line", "okhttp line");

    // The SDK's processor counters, under Prometheus-style names (LogExport.views).
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    telemetry.metricsSource().writeTo(out);
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("otel_sdk_spans_processed_total{", "otel_sdk_log_records_processed_total{")
        .doesNotContain("processedSpans", "processedLogs");
  }

  @Test
  void aFullLogQueueDropsRecordsInsteadOfBlockingAndCountsThem() throws Exception {
    telemetry.close();
    InstanceIdentity identity = InstanceIdentity.derive(
        "filewcount", "2.0", new HostPort("127.0.0.1", 8081), Map.of(), "0.1.0-test");
    telemetry = Telemetry.create(AgentConfig.builder().serviceVersion("2.0").identity(identity).build(), Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
        "OTEL_BLRP_MAX_QUEUE_SIZE", "4",
        "OTEL_BLRP_SCHEDULE_DELAY", "600000"));
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("org.filewcount.agent.proxy.ProxiedExchange");
    for (int i = 0; i < 20; i++) {
      log.info("line {}", i);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    telemetry.metricsSource().writeTo(out);
    String scrape = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    java.util.regex.Matcher dropped = java.util.regex.Pattern
        .compile("(?m)^otel_sdk_log_records_processed_total\\{[^}]*dropped=\"true\"[^}]*} (\\S+)").matcher(scrape);
    assertThat(dropped.find()).as("a dropped-records series in %s", scrape).isTrue();
    // How many the worker takes out while the lines are written depends on scheduling: some are always dropped.
    assertThat(Double.parseDouble(dropped.group(1))).as("records beyond the queue of 4").isPositive();
  }

  @Test
  void atRatioZeroOnlyTheFailedRequestsSpanIsExported() throws Exception {
    telemetry.close();
    InstanceIdentity identity = InstanceIdentity.derive(
        "filewcount", "2.0", new HostPort("127.0.0.1", 8081), Map.of(), "0.1.0-test");
    telemetry = Telemetry.create(AgentConfig.builder().serviceVersion("2.0").identity(identity).traceSuccessRatio(0)
        .build(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()));
    // No traceparent: both are roots, recorded by the default sampler; only the outcome tells them apart.
    HttpRequest failed = upload();
    failed.headers().remove("traceparent");
    run(telemetry.exchangeObserver(), Exchanges.request(io.netty.handler.codec.http.HttpMethod.GET, "/"), 0,
        response(200, "text/html"), utf8("<form>"), 100);
    run(telemetry.exchangeObserver(), failed, 321, response(200, "text/html; charset=utf-8"),
        utf8(resultPage("<b>" + ResultPage.NOT_TEXT + "</b>", 5)), 128);

    assertThat(telemetry.flush(Duration.ofSeconds(10))).as("export to the receiver succeeded").isTrue();
    assertThat(receiver.spans()).extracting(Span::getName).containsExactly("POST /file_upload");
    // The histograms' exemplars name only the exported trace: no link from a bucket to a trace never sent.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    telemetry.metricsSource().writeTo(out, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    String exported = HexFormat.of().formatHex(receiver.spans().get(0).getTraceId().toByteArray());
    assertThat(java.util.regex.Pattern.compile("trace_id=\"([0-9a-f]{32})\"").matcher(out.toString(
        java.nio.charset.StandardCharsets.UTF_8)).results().map(m -> m.group(1)).distinct()).containsExactly(exported);
  }

  @Test
  void theSameSdkServesMetricsForPrometheusWithTheServiceLabels() throws Exception {
    run(telemetry.exchangeObserver(), Exchanges.request(io.netty.handler.codec.http.HttpMethod.GET, "/"), 0,
        response(200, "text/html"), utf8("<form>"), 100);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    telemetry.metricsSource().writeTo(out);
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .containsPattern("http_server_request_duration_seconds_count\\{[^}]*service_instance_id=\"" + ALLOC
            + "\"[^}]*service_version=\"2.0\"[^}]*} 1");
  }

  @Test
  void prometheusAsAMetricsExporterIsDroppedSoNoSecondServerTakesTheAdminPort() {
    var config = io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties.createFromMap(Map.of());
    assertThat(Telemetry.Builder.overrides(config, Map.of("OTEL_METRICS_EXPORTER", "prometheus,otlp")))
        .containsEntry("otel.metrics.exporter", "otlp");
    assertThat(Telemetry.Builder.overrides(config, Map.of("OTEL_METRICS_EXPORTER", "prometheus")))
        .containsEntry("otel.metrics.exporter", "none");
    assertThat(Telemetry.Builder.overrides(config, Map.of("OTEL_TRACES_EXPORTER", "none", "PATH", "/bin")))
        .isEqualTo(Map.of("otel.traces.exporter", "none"));
  }

  private static Map<String, String> attributes(List<KeyValue> list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      AnyValue v = kv.getValue();
      out.put(kv.getKey(), switch (v.getValueCase()) {
        case STRING_VALUE -> v.getStringValue();
        case INT_VALUE -> Long.toString(v.getIntValue());
        case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
        case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
        default -> v.toString();
      });
    }
    return out;
  }
}
