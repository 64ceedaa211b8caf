package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.telemetry.OtlpReceiver;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.Multipart;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, first "done when": the packaged agent with {@code OTEL_LOGS_EXPORTER=otlp} exports its log
 * records to an OTLP receiver, and the record about a failed upload carries the trace id of the
 * request's exported span, and the same resource; the probe's line carries its probe round's span.
 * Its stderr keeps the line too.
 */
class LogsCarryTraceIdIT {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedByTest();

  private OtlpReceiver receiver;

  @BeforeEach
  void start() throws Exception {
    // Started first and closed last: the agent's last export still has somewhere to go.
    receiver = fixture.closeAfter(new OtlpReceiver());
    fixture.start(agent -> agent
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())
        .env("OTEL_TRACES_EXPORTER", "otlp")
        .env("OTEL_LOGS_EXPORTER", "otlp")
        // Short batch delays: the test awaits the export instead of waiting for the 1 s / 5 s defaults.
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("OTEL_BLRP_SCHEDULE_DELAY", "100"));
  }

  @Test
  void theLogRecordAboutAFailedUploadCarriesTheTraceIdOfItsSpan(AgentUnderTest agent) throws Exception {
    // Not UTF-8: filewcount answers 200 with "Problem parsing uploaded file. Is it TEXT?".
    Multipart m = Multipart.upload("not-text.bin", new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3});
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(agent.proxyUrl("/file_upload"))
        .header("Content-Type", m.contentType()).POST(m.publisher()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains(ResultPage.NOT_TEXT);

    Span span = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(this::failedUploadSpan, Optional::isPresent).orElseThrow();
    String traceId = HexFormat.of().formatHex(span.getTraceId().toByteArray());
    String spanId = HexFormat.of().formatHex(span.getSpanId().toByteArray());

    OtlpReceiver.ReceivedLog record = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> receiver.logRecords().stream().filter(r -> r.body().contains("app_error")).findFirst(),
            Optional::isPresent).orElseThrow();
    assertThat(record.body()).contains("POST /file_upload").contains(ResultPage.NOT_TEXT);
    assertThat(record.traceId()).as("trace_id of the log record about the upload").isEqualTo(traceId);
    assertThat(record.spanId()).isEqualTo(spanId);
    assertThat(attributes(record.resource().getAttributesList()))
        .as("the resource the spans carry")
        .isEqualTo(attributes(receiver.traces.get(0).getResourceSpans(0).getResource().getAttributesList()))
        .containsEntry("service.name", "filewcount")
        .containsEntry("service.version", "1.0");

    // The probe runs in a span of its own: its line carries that span's trace, not a request's.
    OtlpReceiver.ReceivedLog probeLine = receiver.logRecords().stream()
        .filter(r -> r.body().startsWith("Functional probe passed")).findFirst().orElseThrow();
    List<String> probeTraces = receiver.spans().stream().filter(s -> s.getName().equals("functional probe"))
        .map(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray())).toList();
    assertThat(probeTraces).as("trace of the probe round that logged %s", probeLine.body()).contains(probeLine.traceId());
    assertThat(probeLine.traceId()).isNotEqualTo(traceId);
    assertThat(agent.log()).as("stderr keeps the line, with the trace id, for nomad alloc logs")
        .contains("app_error: " + ResultPage.NOT_TEXT + " trace_id=" + traceId);
  }

  private Optional<Span> failedUploadSpan() {
    return receiver.spans().stream()
        .filter(s -> attributes(s.getAttributesList()).getOrDefault("filewcount.outcome", "").equals("app_error"))
        .findFirst();
  }

  private static Map<String, String> attributes(List<KeyValue> list) {
    return list.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().hasStringValue()
        ? kv.getValue().getStringValue() : kv.getValue().toString().trim(), (a, b) -> b));
  }
}
