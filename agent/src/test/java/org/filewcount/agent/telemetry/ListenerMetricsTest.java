package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.registry.RegistrationListener;
import org.filewcount.agent.registry.RegistrationState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Probe, registration and traffic-weight metrics, point by point. */
class ListenerMetricsTest {

  private final InMemoryTelemetry t = new InMemoryTelemetry();

  @AfterEach
  void close() {
    t.close();
  }

  @Test
  void probesAreCountedAndTimedByResult() {
    t.telemetry.probeListener().onProbe(new ProbeResult(true, Duration.ofMillis(40), "ok", Instant.now()));
    t.telemetry.probeListener().onProbe(new ProbeResult(true, Duration.ofMillis(60), "ok", Instant.now()));
    t.telemetry.probeListener().onProbe(
        new ProbeResult(false, Duration.ofMillis(2500), "Word Count 3, expected 6", Instant.now()));

    Collection<MetricData> metrics = t.collect();
    assertThat(byLabel(metrics, MetricDefinition.PROBE_RUNS, TelemetryAttributes.PROBE_RESULT.getKey()))
        .isEqualTo(Map.of("pass", 2L, "fail", 1L));
    Map<String, Double> sums = new LinkedHashMap<>();
    for (HistogramPointData p : ExchangeTelemetryTest.histogramPoints(metrics, MetricDefinition.PROBE_DURATION)) {
      sums.put(p.getAttributes().get(TelemetryAttributes.PROBE_RESULT), p.getSum());
    }
    assertThat(sums).containsOnlyKeys("pass", "fail");
    assertThat(sums.get("pass")).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(sums.get("fail")).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void registrationStateIsOneSeriesPerStateWithExactlyOneSet() {
    assertThat(byLabel(t.collect(), MetricDefinition.REGISTRATION_STATE, "filewcount.registration.state"))
        .as("before any change the agent is starting")
        .isEqualTo(Map.of("starting", 1L, "registered", 0L, "consul_unreachable", 0L, "draining", 0L,
            "deregistered", 0L));

    RegistrationListener l = t.telemetry.registrationListener();
    l.onStateChange(RegistrationState.STARTING, RegistrationState.REGISTERED);
    l.onStateChange(RegistrationState.REGISTERED, RegistrationState.CONSUL_UNREACHABLE);
    l.onStateChange(RegistrationState.CONSUL_UNREACHABLE, RegistrationState.REGISTERED);

    Collection<MetricData> metrics = t.collect();
    assertThat(byLabel(metrics, MetricDefinition.REGISTRATION_STATE, "filewcount.registration.state"))
        .isEqualTo(Map.of("starting", 0L, "registered", 1L, "consul_unreachable", 0L, "draining", 0L,
            "deregistered", 0L));
    assertThat(byLabel(metrics, MetricDefinition.REGISTRATION_CHANGES, "filewcount.registration.state"))
        .isEqualTo(Map.of("registered", 2L, "consul_unreachable", 1L));
  }

  @Test
  void trafficWeightsReplaceTheWholeSplit() {
    TrafficWeights w = t.telemetry.trafficWeights();
    w.setWeights(Map.of("1.0", 90.0, "2.0", 10.0));
    assertThat(doubleGauge(t.collect())).isEqualTo(Map.of("1.0", 90.0, "2.0", 10.0));

    w.setWeights(Map.of("2.0", 100.0));
    assertThat(doubleGauge(t.collect())).as("a version no longer in the split stops reporting")
        .isEqualTo(Map.of("2.0", 100.0));
    assertThat(w.weights()).isEqualTo(Map.of("2.0", 100.0));
  }

  @Test
  void impossibleWeightsAreRefusedWithTheReason() {
    TrafficWeights w = t.telemetry.trafficWeights();
    assertThatThrownBy(() -> w.setWeights(Map.of("2.0", 120.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2.0").hasMessageContaining("0 to 100");
    assertThatThrownBy(() -> w.setWeights(Map.of(" ", 10.0)))
        .hasMessageContaining("version");
  }

  private static Map<String, Long> byLabel(Collection<MetricData> metrics, MetricDefinition d, String key) {
    Map<String, Long> out = new LinkedHashMap<>();
    ExchangeTelemetryTest.longPoints(metrics, d).forEach(p ->
        out.put(p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(key)), p.getValue()));
    return out;
  }

  private static Map<String, Double> doubleGauge(Collection<MetricData> metrics) {
    Map<String, Double> out = new LinkedHashMap<>();
    InMemoryTelemetry.metric(metrics, MetricDefinition.TRAFFIC_WEIGHT).orElseThrow().getDoubleGaugeData().getPoints()
        .forEach(p -> out.put(p.getAttributes().get(TelemetryAttributes.TRAFFIC_VERSION), p.getValue()));
    return out;
  }
}
