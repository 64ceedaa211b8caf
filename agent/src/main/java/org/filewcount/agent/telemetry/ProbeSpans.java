package org.filewcount.agent.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.probe.ProbeTracer;
import org.slf4j.MDC;

/**
 * One INTERNAL span per functional probe round, current while the probe runs and while its result is
 * logged and handed to the probe's listeners: lines logged there carry its trace id, on stderr (MDC)
 * and over OTLP (the logback appender reads the current context). A root span: a probe is no one's
 * request.
 */
final class ProbeSpans implements ProbeTracer {

  static final String SPAN_NAME = "functional probe";

  private final Tracer tracer;

  ProbeSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  @SuppressWarnings("try") // the scope is the point: it makes the span current for the round
  public void round(Supplier<ProbeResult> probe, Consumer<ProbeResult> then) {
    Span span = tracer.spanBuilder(SPAN_NAME).setSpanKind(SpanKind.INTERNAL).setNoParent().startSpan();
    SpanContext sc = span.getSpanContext();
    String previousTrace = MDC.get(TracingExchangeObserver.MDC_TRACE_ID);
    String previousSpan = MDC.get(TracingExchangeObserver.MDC_SPAN_ID);
    try (Scope ignored = span.makeCurrent()) {
      if (sc.isValid()) {
        MDC.put(TracingExchangeObserver.MDC_TRACE_ID, sc.getTraceId());
        MDC.put(TracingExchangeObserver.MDC_SPAN_ID, sc.getSpanId());
      }
      ProbeResult result = probe.get();
      span.setAttribute(TelemetryAttributes.PROBE_RESULT, result.passed() ? "pass" : "fail");
      if (!result.passed()) {
        span.setStatus(StatusCode.ERROR, result.detail());
      }
      then.accept(result);
    } finally {
      span.end();
      restore(TracingExchangeObserver.MDC_TRACE_ID, previousTrace);
      restore(TracingExchangeObserver.MDC_SPAN_ID, previousSpan);
    }
  }

  private static void restore(String key, String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
