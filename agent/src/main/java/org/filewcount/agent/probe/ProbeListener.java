package org.filewcount.agent.probe;

/** Told about every probe; telemetry counts them. */
@FunctionalInterface
public interface ProbeListener {
  void onProbe(ProbeResult result);
}
