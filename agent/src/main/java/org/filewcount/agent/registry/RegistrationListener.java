package org.filewcount.agent.registry;

/** Told about every change of {@link RegistrationState}; telemetry exports it. */
@FunctionalInterface
public interface RegistrationListener {
  void onStateChange(RegistrationState from, RegistrationState to);
}
