package org.filewcount.agent.telemetry;

import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.List;
import java.util.function.Consumer;

/** Builds instruments from their {@link MetricDefinition}, so name, unit and buckets live in one place. */
final class Instruments {

  private final Meter meter;

  Instruments(Meter meter) {
    this.meter = meter;
  }

  DoubleHistogram doubleHistogram(MetricDefinition d) {
    expect(d, MetricDefinition.Kind.DOUBLE_HISTOGRAM);
    var b = meter.histogramBuilder(d.otelName()).setUnit(d.unit()).setDescription(d.description());
    if (!d.buckets().isEmpty()) {
      b.setExplicitBucketBoundariesAdvice(d.buckets());
    }
    return b.build();
  }

  LongHistogram longHistogram(MetricDefinition d) {
    expect(d, MetricDefinition.Kind.LONG_HISTOGRAM);
    var b = meter.histogramBuilder(d.otelName()).setUnit(d.unit()).setDescription(d.description()).ofLongs();
    if (!d.buckets().isEmpty()) {
      b.setExplicitBucketBoundariesAdvice(longs(d.buckets()));
    }
    return b.build();
  }

  LongCounter counter(MetricDefinition d) {
    expect(d, MetricDefinition.Kind.LONG_COUNTER);
    return meter.counterBuilder(d.otelName()).setUnit(d.unit()).setDescription(d.description()).build();
  }

  LongUpDownCounter upDownCounter(MetricDefinition d) {
    expect(d, MetricDefinition.Kind.LONG_UP_DOWN_COUNTER);
    return meter.upDownCounterBuilder(d.otelName()).setUnit(d.unit()).setDescription(d.description()).build();
  }

  void longGauge(MetricDefinition d, Consumer<ObservableLongMeasurement> callback) {
    expect(d, MetricDefinition.Kind.LONG_GAUGE);
    meter.gaugeBuilder(d.otelName()).setUnit(d.unit()).setDescription(d.description()).ofLongs()
        .buildWithCallback(callback);
  }

  void doubleGauge(MetricDefinition d, Consumer<ObservableDoubleMeasurement> callback) {
    expect(d, MetricDefinition.Kind.DOUBLE_GAUGE);
    meter.gaugeBuilder(d.otelName()).setUnit(d.unit()).setDescription(d.description()).buildWithCallback(callback);
  }

  private static void expect(MetricDefinition d, MetricDefinition.Kind kind) {
    if (d.kind() != kind) {
      throw new IllegalArgumentException(d + " is a " + d.kind() + ", not a " + kind);
    }
  }

  private static List<Long> longs(List<Double> values) {
    return values.stream().map(Double::longValue).toList();
  }
}
