package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeResult;

/** Counts functional probes and their durations, by pass/fail. */
final class ProbeMetrics implements ProbeListener {

  private static final Attributes PASS = Attributes.of(TelemetryAttributes.PROBE_RESULT, "pass");
  private static final Attributes FAIL = Attributes.of(TelemetryAttributes.PROBE_RESULT, "fail");

  private final LongCounter runs;
  private final DoubleHistogram duration;

  ProbeMetrics(Instruments instruments) {
    this.runs = instruments.counter(MetricDefinition.PROBE_RUNS);
    this.duration = instruments.doubleHistogram(MetricDefinition.PROBE_DURATION);
  }

  @Override
  public void onProbe(ProbeResult result) {
    Attributes attributes = result.passed() ? PASS : FAIL;
    runs.add(1, attributes);
    duration.record(result.duration().toNanos() / 1e9, attributes);
  }
}
