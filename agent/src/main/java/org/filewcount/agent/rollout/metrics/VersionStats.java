package org.filewcount.agent.rollout.metrics;

import java.math.BigDecimal;
import java.math.MathContext;
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

  /** A number as messages and tables show it: whole numbers plain, others to 4 significant digits. */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return String.valueOf((long) v);
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }}
