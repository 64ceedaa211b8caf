package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The traffic split per version as this agent last read it from Consul (split.SplitWatcher), exported as the gauge
 * {@code filewcount.traffic.weight} (0..100). Versions missing from the latest call stop reporting,
 * so a finished rollout does not leave a stale series behind.
 */
final class TrafficWeights {

  private record Point(double weight, Attributes attributes) {}

  // One immutable map swapped whole, so a collection never sees half of a split.
  private volatile Map<String, Point> points = Map.of();

  TrafficWeights(Instruments instruments) {
    instruments.doubleGauge(MetricDefinition.TRAFFIC_WEIGHT,
        m -> points.values().forEach(p -> m.record(p.weight(), p.attributes())));
  }

  /**
   * Replaces the whole split, for example {@code {"1.0": 90.0, "2.0": 10.0}}.
   *
   * @throws IllegalArgumentException for a blank version or a weight outside 0..100
   */
  public void setWeights(Map<String, Double> split) {
    Objects.requireNonNull(split, "split");
    Map<String, Point> next = new LinkedHashMap<>();
    split.forEach((version, weight) -> {
      if (version == null || version.isBlank()) {
        throw new IllegalArgumentException("traffic weight without a version: give each weight its app version");
      }
      if (weight == null || weight.isNaN() || weight < 0 || weight > 100) {
        throw new IllegalArgumentException(
            "traffic weight for version " + version + " is " + weight + ": it must be a percentage from 0 to 100");
      }
      next.put(version, new Point(weight, Attributes.of(TelemetryAttributes.TRAFFIC_VERSION, version)));
    });
    points = Map.copyOf(next);
  }

  /** The split last set. */
  public Map<String, Double> weights() {
    Map<String, Double> w = new LinkedHashMap<>();
    points.forEach((version, p) -> w.put(version, p.weight()));
    return Map.copyOf(w);
  }
}
