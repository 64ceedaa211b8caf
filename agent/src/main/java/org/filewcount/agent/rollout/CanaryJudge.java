package org.filewcount.agent.rollout;

import static org.filewcount.agent.rollout.metrics.VersionStats.format;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.rollout.metrics.VersionStats;
import org.filewcount.agent.split.VersionInstances;

/**
 * Judges the canary on one window of evidence. Pure: the same evidence gives the same verdict.
 *
 * <p>The relative check needs a baseline: it applies only when stable served at least
 * {@code minRequests} in the window. When stable had no error at all, one error in its request count
 * stands in for its ratio, so a single failed upload on the canary does not count as "infinitely worse".
 */
final class CanaryJudge {

  private CanaryJudge() {}

  public static Verdict judge(Thresholds t, VersionStats canary, Optional<VersionStats> stable,
      VersionInstances canaryHealth, Duration window) {
    List<CheckResult> checks = new ArrayList<>();
    checks.add(new CheckResult("health", "GET /v1/health/service (Service.Meta.version == " + canary.version() + ")",
        canaryHealth.passing(), "all instances passing", canaryHealth.allPassing(),
        canaryHealth.passing() + "/" + canaryHealth.total() + " instances passing"));

    boolean enough = canary.requests() >= t.minRequests();
    checks.add(new CheckResult("requests", canary.queries().getOrDefault("requests", ""), canary.requests(),
        "--min-requests " + t.minRequests(), enough,
        format(canary.requests()) + (enough ? " >= " : " < ") + t.minRequests() + " (--min-requests) in "
            + Durations.format(window) + (enough ? "" : ": not enough evidence")));
    if (!enough) {
      return new Verdict(checks);
    }

    double ratio = canary.errorRatio();
    boolean ratioOk = !Double.isNaN(ratio) && ratio <= t.maxErrorRatio();
    checks.add(new CheckResult("error_ratio", canary.queries().getOrDefault("error_ratio", ""), ratio,
        "--max-error-ratio " + format(t.maxErrorRatio()), ratioOk,
        format(ratio) + (ratioOk ? " <= " : " > ") + format(t.maxErrorRatio()) + " (--max-error-ratio)"));

    double p99 = canary.p99Seconds();
    double maxP99 = t.maxP99().toNanos() / 1e9;
    boolean p99Ok = !Double.isNaN(p99) && p99 <= maxP99;
    checks.add(new CheckResult("p99", canary.queries().getOrDefault("p99", ""), p99,
        "--max-p99 " + Durations.format(t.maxP99()), p99Ok,
        (Double.isNaN(p99) ? "no latency data" : format(p99) + "s") + (p99Ok ? " <= " : " > ")
            + Durations.format(t.maxP99()) + " (--max-p99)"));

    if (t.maxErrorRatioVsStable().isPresent()) {
      double factor = t.maxErrorRatioVsStable().getAsDouble();
      if (stable.isEmpty() || stable.get().requests() < t.minRequests()) {
        double served = stable.map(VersionStats::requests).orElse(0.0);
        checks.add(new CheckResult("error_ratio_vs_stable", "", Double.NaN, "--max-error-ratio-vs-stable " + format(factor),
            true, "skipped: stable served " + format(served) + " requests, fewer than --min-requests, so no baseline"));
      } else {
        VersionStats s = stable.get();
        double baseline = Double.isNaN(s.errorRatio()) || s.errorRatio() == 0 ? 1.0 / s.requests() : s.errorRatio();
        double allowed = factor * baseline;
        boolean ok = !Double.isNaN(ratio) && ratio <= allowed;
        checks.add(new CheckResult("error_ratio_vs_stable",
            canary.queries().getOrDefault("error_ratio", "") + "  vs  " + s.queries().getOrDefault("error_ratio", ""),
            ratio, "--max-error-ratio-vs-stable " + format(factor), ok,
            format(ratio) + (ok ? " <= " : " > ") + format(factor) + " x stable " + s.version() + "'s " + format(baseline)
                + " = " + format(allowed) + " (--max-error-ratio-vs-stable)"));
      }
    }
    return new Verdict(checks);
  }

}
