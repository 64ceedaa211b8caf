package org.filewcount.agent.rollout.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.filewcount.agent.rollout.AbortSwitch;
import org.filewcount.agent.rollout.Rollout;
import org.filewcount.agent.rollout.RolloutFakes;
import org.filewcount.agent.rollout.RolloutPlan;
import org.filewcount.agent.rollout.Thresholds;
import org.junit.jupiter.api.Test;

/** A rollout becomes one span with an event per step and verdict. */
class RolloutTraceTest {

  @Test
  void rollbackIsAnErrorSpanWithStepAndCheckEvents() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    RolloutTrace trace = new RolloutTrace(provider.get("test"));
    AbortSwitch abort = new AbortSwitch();
    RolloutFakes.FakeTime time = new RolloutFakes.FakeTime(abort);
    RolloutFakes.FakeTraffic traffic = new RolloutFakes.FakeTraffic().version("1.0", 2, 2).version("2.0", 1, 1);
    RolloutFakes.FakeMetrics metrics = new RolloutFakes.FakeMetrics(time, (v, now) -> RolloutFakes.stats(v, 100, 0.3, 0.1));
    RolloutPlan plan = new RolloutPlan("filewcount", "2.0", List.of(java.math.BigDecimal.valueOf(50),
        java.math.BigDecimal.valueOf(100)), Duration.ofSeconds(30),
        new Thresholds(0.01, Duration.ofMillis(800), OptionalDouble.empty(), 10), 0, Optional.empty());

    new Rollout(plan, traffic, metrics, Optional.empty(), time, time, abort, trace).run();
    trace.close();

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(1);
    SpanData span = spans.get(0);
    assertThat(span.getName()).isEqualTo("rollout filewcount");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getEvents()).extracting(EventData::getName)
        .containsExactly("rollout.started", "rollout.step", "rollout.check", "rollout.rolled_back");
    assertThat(span.getEvents().get(2).getAttributes().asMap().toString()).contains("filewcount.rollout.passed=false");
  }

  @Test
  void noEndpointMeansNoTelemetry() {
    assertThat(RolloutTrace.fromEnvironment(Map.of())).isEmpty();
    assertThat(RolloutTrace.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
        "OTEL_TRACES_EXPORTER", "none"))).isEmpty();
  }
}
