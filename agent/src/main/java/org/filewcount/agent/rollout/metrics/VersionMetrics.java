package org.filewcount.agent.rollout.metrics;

import java.time.Duration;

/** Where rollout and status get request evidence per version. Prometheus in production; fakes in tests. */
public interface VersionMetrics {

  /** @throws MetricsUnavailableException when the evidence cannot be fetched (down, timeout, query error) */
  VersionStats stats(String service, String version, Duration window) throws MetricsUnavailableException;

  /** Names where the numbers come from, for messages ("Prometheus at http://..."). */
  String describe();
}
