package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.semconv.ErrorAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which spans reach the exporter: failures, non-request spans and sampled callers always; successes by trace id. */
class ExportedSpansTest {

  private static final String KEPT_AT_TEN_PERCENT = "4bf92f3577b34da60000000000000001";
  private static final String DROPPED_AT_TEN_PERCENT = "4bf92f3577b34da67fffffffffffffff";

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final Deque<String> traceIds = new ArrayDeque<>();
  private SdkTracerProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void failuresAndSpansOtherThanRequestsAreExportedWhateverTheirTraceId() {
    Tracer tracer = tracer(0.1);
    traceIds.add(DROPPED_AT_TEN_PERCENT);
    tracer.spanBuilder("POST /file_upload").setSpanKind(SpanKind.SERVER).startSpan()
        .setAttribute(ErrorAttributes.ERROR_TYPE, "app_error").end();
    traceIds.add(DROPPED_AT_TEN_PERCENT);
    tracer.spanBuilder("functional probe").setSpanKind(SpanKind.INTERNAL).startSpan().end();
    traceIds.add(DROPPED_AT_TEN_PERCENT);
    tracer.spanBuilder("GET").setSpanKind(SpanKind.SERVER).startSpan().end();

    assertThat(exported.getFinishedSpanItems()).extracting(SpanData::getName)
        .containsExactly("POST /file_upload", "functional probe");
  }

  @Test
  void aSuccessIsExportedWhenItsTraceIdFallsInTheShareOrItsCallerSampledIt() {
    Tracer tracer = tracer(0.1);
    traceIds.add(KEPT_AT_TEN_PERCENT);
    tracer.spanBuilder("GET in share").setSpanKind(SpanKind.SERVER).startSpan().end();
    SpanContext caller = SpanContext.createFromRemoteParent(DROPPED_AT_TEN_PERCENT, "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.getDefault());
    tracer.spanBuilder("GET of a sampled trace").setSpanKind(SpanKind.SERVER)
        .setParent(Context.root().with(Span.wrap(caller))).startSpan().end();

    assertThat(exported.getFinishedSpanItems()).extracting(SpanData::getName)
        .containsExactly("GET in share", "GET of a sampled trace");
  }

  /** The same trace ids pass as with the SDK's own ratio sampler, so a trace is kept or dropped as a whole. */
  @Test
  void theShareFollowsTheSdksTraceIdRatioRule() {
    Random random = new Random(42);
    Sampler sdk = Sampler.traceIdRatioBased(0.1);
    ExportedSpans rule = new ExportedSpans(0.1);
    int kept = 0;
    for (int i = 0; i < 10_000; i++) {
      String traceId = String.format("%016x%016x", random.nextLong(), random.nextLong());
      boolean sdkKeeps = sdk.shouldSample(Context.root(), traceId, "GET", SpanKind.SERVER, Attributes.empty(),
          List.of()).getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
      boolean ours = rule.inShare(traceId);
      assertThat(ours).as(traceId).isEqualTo(sdkKeeps);
      kept += ours ? 1 : 0;
      assertThat(ExportedSpans.lowerHalf(traceId)).isEqualTo(Long.parseUnsignedLong(traceId.substring(16), 16));
    }
    assertThat(kept).as("successes kept of 10,000 at 0.1").isBetween(900, 1100);
  }

  @Test
  void ratioOneIsEverySpanAndARatioOutsideZeroToOneIsRefused() {
    SpanProcessor next = SimpleSpanProcessor.create(exported);
    assertThat(new ExportedSpans(1.0).around(next)).isSameAs(next);
    assertThat(ExportedSpans.ALL.keeps(SpanKind.SERVER, false, SpanContext.getInvalid(), DROPPED_AT_TEN_PERCENT))
        .isTrue();
    assertThatThrownBy(() -> new ExportedSpans(1.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not between 0 and 1");
    assertThatThrownBy(() -> new ExportedSpans(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  /** A tracer whose root spans take their trace ids from {@link #traceIds}, in order. */
  private Tracer tracer(double successRatio) {
    IdGenerator ids = new IdGenerator() {
      private final IdGenerator random = IdGenerator.random();

      @Override
      public String generateSpanId() {
        return random.generateSpanId();
      }

      @Override
      public String generateTraceId() {
        return traceIds.isEmpty() ? random.generateTraceId() : traceIds.poll();
      }
    };
    provider = SdkTracerProvider.builder().setIdGenerator(ids)
        .addSpanProcessor(new ExportedSpans(successRatio).around(SimpleSpanProcessor.create(exported))).build();
    return provider.get("test");
  }
}
