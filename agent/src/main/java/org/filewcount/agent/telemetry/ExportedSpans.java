package org.filewcount.agent.telemetry;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.semconv.ErrorAttributes;

/**
 * Which recorded spans reach the exporter, decided when a span ends and its outcome is known (a tail
 * decision inside the process): every span that is not a proxied request's (the probe's, for one); every
 * request that failed ({@code error.type} set: a 5xx, no response, an upload the app failed inside a 200
 * page); every request whose caller's trace was sampled (a remote parent with the sampled flag, so a trace
 * someone started is never cut); and of the other requests, the successful ones, a share chosen by trace id
 * (the rule of the SDK's trace-id ratio sampler, so one trace is kept or dropped as a whole).
 *
 * <p>Why: exporting a span per request was the largest single cost of the proxy path (bench/run on
 * 2026-12-04, C2: 0.61x nginx's small-request throughput with every span exported, 0.95x with none exported), while
 * the metrics count every request exactly and the failures, which are what a trace is opened for, are all
 * kept. Wraps the processor autoconfigure builds (the batch processor), so the dropped spans cost neither
 * its queue nor the export. The proxy's observer asks the same rule before it records a request's metrics,
 * so a histogram's exemplar only ever names a trace that was exported. {@code run --trace-success-ratio 1}
 * exports every span again.
 */
final class ExportedSpans {

  /** Every span exported: the rule of telemetry that someone else's SDK carries (tests). */
  static final ExportedSpans ALL = new ExportedSpans(1.0);

  /** Successful requests whose trace id is below this bound are exported ({@code ratio * Long.MAX_VALUE}). */
  private final long bound;
  private final boolean all;

  /** {@code successRatio} from 0 (failed requests only) to 1 (every span). */
  ExportedSpans(double successRatio) {
    if (!(successRatio >= 0.0 && successRatio <= 1.0)) {
      throw new IllegalArgumentException("success ratio " + successRatio + " is not between 0 and 1");
    }
    this.all = successRatio >= 1.0;
    this.bound = all ? Long.MAX_VALUE : (long) (successRatio * Long.MAX_VALUE);
  }

  /** {@code next}, seeing only the spans this rule keeps (itself when the rule keeps every span). */
  SpanProcessor around(SpanProcessor next) {
    return all ? next : new Filter(next);
  }

  /**
   * Whether a span of {@code kind} is exported: {@code failed} when the request failed ({@code error.type}),
   * {@code parent} its parent's context, {@code traceId} its own trace.
   */
  boolean keeps(SpanKind kind, boolean failed, SpanContext parent, String traceId) {
    return all || kind != SpanKind.SERVER || failed || (parent.isRemote() && parent.isSampled()) || inShare(traceId);
  }

  boolean keeps(ReadableSpan span) {
    return keeps(span.getKind(), span.getAttribute(ErrorAttributes.ERROR_TYPE) != null, span.getParentSpanContext(),
        span.getSpanContext().getTraceId());
  }

  /** The SDK's trace-id ratio rule: the trace id's lower half, made positive, below {@code ratio * MAX}. */
  boolean inShare(String traceId) {
    return Math.abs(lowerHalf(traceId)) < bound;
  }

  /**
   * The trace id's last 16 hex digits as a long, the part the SDK's ratio sampler reads; parsed in place,
   * without the substring {@code Long.parseUnsignedLong} would need, since it runs for every request.
   */
  static long lowerHalf(String traceId) {
    long v = 0;
    for (int i = 16; i < 32; i++) {
      v = (v << 4) | Character.digit(traceId.charAt(i), 16);
    }
    return v;
  }

  /** The processor in front of the batch processor. */
  private final class Filter implements SpanProcessor {

    private final SpanProcessor next;

    Filter(SpanProcessor next) {
      this.next = next;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      next.onStart(parentContext, span);
    }

    @Override
    public boolean isStartRequired() {
      return next.isStartRequired();
    }

    @Override
    public void onEnd(ReadableSpan span) {
      if (keeps(span)) {
        next.onEnd(span);
      }
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    @Override
    public CompletableResultCode shutdown() {
      return next.shutdown();
    }

    @Override
    public CompletableResultCode forceFlush() {
      return next.forceFlush();
    }

    @Override
    public void close() {
      next.close();
    }
  }
}
