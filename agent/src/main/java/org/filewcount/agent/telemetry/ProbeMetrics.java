package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.semconv.ErrorAttributes;
import org.filewcount.agent.probe.ProbeFileCleaner;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.uploads.UploadsCarry;

/**
 * Counts functional probes and their durations, by pass/fail, what became of their files, and the uploads
 * carried into the upload folder (the same folder's other writer).
 */
final class ProbeMetrics implements ProbeListener, ProbeFileCleaner.Listener, UploadsCarry.Listener {

  private static final Attributes PASS = Attributes.of(TelemetryAttributes.PROBE_RESULT, "pass");
  private static final Attributes FAIL = Attributes.of(TelemetryAttributes.PROBE_RESULT, "fail");

  private final LongCounter runs;
  private final DoubleHistogram duration;
  private final LongCounter filesRemoved;
  private final LongCounter filesNotRemoved;
  private final LongCounter carried;
  private final LongCounter carryConflicts;
  private final LongCounter carryFailures;

  ProbeMetrics(Instruments instruments) {
    this.runs = instruments.counter(MetricDefinition.PROBE_RUNS);
    this.duration = instruments.doubleHistogram(MetricDefinition.PROBE_DURATION);
    this.filesRemoved = instruments.counter(MetricDefinition.PROBE_FILES_REMOVED);
    this.filesNotRemoved = instruments.counter(MetricDefinition.PROBE_FILES_NOT_REMOVED);
    this.carried = instruments.counter(MetricDefinition.UPLOADS_CARRIED);
    this.carryConflicts = instruments.counter(MetricDefinition.UPLOADS_CARRY_CONFLICTS);
    this.carryFailures = instruments.counter(MetricDefinition.UPLOADS_CARRY_FAILURES);
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
  public void copied() {
    carried.add(1);
  }

  @Override
  public void conflict() {
    carryConflicts.add(1);
  }

  @Override
  public void failed(String errorType) {
    carryFailures.add(1, Attributes.of(ErrorAttributes.ERROR_TYPE, errorType));
  }

  @Override
  public void onProbe(ProbeResult result) {
    Attributes attributes = result.passed() ? PASS : FAIL;
    runs.add(1, attributes);
    duration.record(result.duration().toNanos() / 1e9, attributes);
  }
}
