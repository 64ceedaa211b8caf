package org.filewcount.agent.rollout;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * What a healthy canary looks like.
 *
 * @param maxErrorRatio highest acceptable share of app_error + upstream_error outcomes (0..1)
 * @param maxP99 highest acceptable 99th percentile latency
 * @param maxErrorRatioVsStable when present, the canary's error ratio may be at most this multiple of
 *     stable's over the same window
 * @param minRequests fewer canary requests than this in a window is not enough evidence to go on
 */
public record Thresholds(double maxErrorRatio, Duration maxP99, OptionalDouble maxErrorRatioVsStable, long minRequests) {

  public Thresholds {
    if (!(maxErrorRatio >= 0 && maxErrorRatio <= 1)) {
      throw new RolloutRefusedException("--max-error-ratio " + maxErrorRatio + " must be a ratio from 0 to 1, for example 0.01"
          + " for 1%");
    }
    if (maxP99 == null || maxP99.isZero() || maxP99.isNegative()) {
      throw new RolloutRefusedException("--max-p99 must be more than zero, for example 800ms");
    }
    if (maxErrorRatioVsStable.isPresent() && !(maxErrorRatioVsStable.getAsDouble() >= 1)) {
      throw new RolloutRefusedException("--max-error-ratio-vs-stable " + maxErrorRatioVsStable.getAsDouble()
          + " must be 1 or more (2.0 = at most twice stable's error ratio)");
    }
    if (minRequests < 1) {
      throw new RolloutRefusedException("--min-requests must be at least 1, so an idle canary is never promoted");
    }
  }
}
