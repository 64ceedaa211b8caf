package org.filewcount.agent.rollout.report;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.rollout.RolloutEvent;
import org.filewcount.agent.rollout.RolloutListener;
import org.filewcount.agent.telemetry.CommandTracing;

/**
 * The rollout as one OpenTelemetry span ({@code rollout <service>}) with a span event per step and
 * verdict, so Tempo/Grafana can show when traffic moved and why it stopped. Only the rollout listener
 * interface is visible to the state machine: without an OTLP endpoint configured this is never built and
 * the rollout runs without telemetry.
 */
final class RolloutTrace implements RolloutListener, AutoCloseable {

  private final Tracer tracer;
  private final Optional<OpenTelemetrySdk> ownedSdk;
  private Span span;

  public RolloutTrace(Tracer tracer) {
    this(tracer, Optional.empty());
  }

  private RolloutTrace(Tracer tracer, Optional<OpenTelemetrySdk> ownedSdk) {
    this.tracer = tracer;
    this.ownedSdk = ownedSdk;
  }

  /**
   * A trace exporter configured from the standard OTEL_* variables, when they name an OTLP endpoint and
   * do not turn tracing off; otherwise empty (no telemetry, no background threads).
   */
  public static Optional<RolloutTrace> fromEnvironment(Map<String, String> env) {
    return CommandTracing.fromEnvironment(env, "filewcount-rollout")
        // The scope keeps the name it had before the traffic package was split: trace queries select on it.
        .map(sdk -> new RolloutTrace(sdk.getTracer("org.filewcount.agent.traffic"), Optional.of(sdk)));
  }

  @Override
  public synchronized void on(RolloutEvent e) {
    if (span == null) {
      span = tracer.spanBuilder("rollout " + e.service())
          .setAttribute("filewcount.rollout.service", e.service())
          .setAttribute("filewcount.rollout.canary", e.canary())
          .setAttribute("filewcount.rollout.stable", e.stable())
          .setAttribute("filewcount.rollout.steps", e.steps())
          .startSpan();
    }
    AttributesBuilder a = Attributes.builder()
        .put("filewcount.rollout.step", e.step())
        .put("filewcount.traffic.weight", e.canaryWeight().doubleValue())
        .put("message", e.text());
    if (e.passed() != null) {
      a.put("filewcount.rollout.passed", e.passed());
    }
    span.addEvent("rollout." + e.type().label, a.build());
    if (e.terminal()) {
      if (e.type() == RolloutEvent.Type.PROMOTED) {
        span.setStatus(StatusCode.OK);
      } else {
        span.setStatus(StatusCode.ERROR, e.text());
      }
      span.end();
    }
  }

  /** Ends an unfinished span and flushes the exporter before the CLI exits. */
  @Override
  public synchronized void close() {
    if (span != null && span.isRecording()) {
      span.end();
    }
    ownedSdk.ifPresent(sdk -> sdk.shutdown().join(5, TimeUnit.SECONDS));
  }
}
