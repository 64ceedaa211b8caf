package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.semconv.ErrorAttributes;
import org.filewcount.agent.probe.ProbeFileCleaner;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeResult;

/** Counts functional probes and their durations, by pass/fail, and what became of their files. */
final class ProbeMetrics implements ProbeListener, ProbeFileCleaner.Listener {

  private static final Attributes PASS = Attributes.of(TelemetryAttributes.PROBE_RESULT, "pass");
  private static final Attributes FAIL = Attributes.of(TelemetryAttributes.PROBE_RESULT, "fail");

  private final LongCounter runs;
  private final DoubleHistogram duration;
  private final LongCounter filesRemoved;
  private final LongCounter filesNotRemoved;

  ProbeMetrics(Instruments instruments) {
    this.runs = instruments.counter(MetricDefinition.PROBE_RUNS);
    this.duration = instruments.doubleHistogram(MetricDefinition.PROBE_DURATION);
    this.filesRemoved = instruments.counter(MetricDefinition.PROBE_FILES_REMOVED);
    this.filesNotRemoved = instruments.counter(MetricDefinition.PROBE_FILES_NOT_REMOVED);
  }

  @Override
  public void removed() {
    filesRemoved.add(1);
  }

  @Override
  public void notRemoved(String errorType) {
    filesNotRemoved.add(1, Attributes.of(ErrorAttributes.ERROR_TYPE, errorType));
  }

  @Override
  public void onProbe(ProbeResult result) {
    Attributes attributes = result.passed() ? PASS : FAIL;
    runs.add(1, attributes);
    duration.record(result.duration().toNanos() / 1e9, attributes);
  }
}
