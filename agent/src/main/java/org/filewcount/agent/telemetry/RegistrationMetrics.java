package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import java.util.EnumMap;
import java.util.Map;
import org.filewcount.agent.registry.RegistrationListener;
import org.filewcount.agent.registry.RegistrationState;

/**
 * Exports the registration state as one 0/1 series per state (so "which state" is a label and a
 * missing series never means "not in that state") and counts the changes for flapping alerts.
 */
final class RegistrationMetrics implements RegistrationListener {

  private static final Map<RegistrationState, Attributes> ATTRIBUTES = new EnumMap<>(RegistrationState.class);

  static {
    for (RegistrationState s : RegistrationState.values()) {
      ATTRIBUTES.put(s, Attributes.of(TelemetryAttributes.REGISTRATION_STATE, s.attributeValue()));
    }
  }

  private final LongCounter changes;
  private volatile RegistrationState current = RegistrationState.STARTING;

  RegistrationMetrics(Instruments instruments) {
    this.changes = instruments.counter(MetricDefinition.REGISTRATION_CHANGES);
    instruments.longGauge(MetricDefinition.REGISTRATION_STATE, m -> {
      RegistrationState now = current;
      ATTRIBUTES.forEach((state, attributes) -> m.record(state == now ? 1 : 0, attributes));
    });
  }

  @Override
  public void onStateChange(RegistrationState from, RegistrationState to) {
    current = to;
    if (from != to) {
      changes.add(1, ATTRIBUTES.get(to));
    }
  }

  RegistrationState current() {
    return current;
  }
}
