package org.filewcount.agent.traffic;

import java.time.Duration;
import java.util.Map;

/**
 * One version's request evidence over a window, from the agents' own metrics.
 *
 * @param requests requests the version's agents served in the window
 * @param errorRatio share of them with outcome app_error or upstream_error; NaN when there were none
 * @param p99Seconds 99th percentile of request duration; NaN when there is no data
 * @param queries the PromQL behind each number (requests, error_ratio, p99), for reports
 */
public record VersionStats(String version, double requests, double errorRatio, double p99Seconds,
    Map<String, String> queries) {

  public VersionStats {
    queries = Map.copyOf(queries);
  }

  public double requestRate(Duration window) {
    return requests / Math.max(1, window.toSeconds());
  }
}
