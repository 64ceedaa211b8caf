package org.filewcount.agent.rollout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.rollout.metrics.MetricsUnavailableException;
import org.filewcount.agent.rollout.metrics.VersionMetrics;
import org.filewcount.agent.rollout.metrics.VersionStats;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.TrafficControl;
import org.filewcount.agent.split.VersionInstances;

/**
 * One judgement's evidence: the canary's Consul health and its metrics (and stable's, for the relative
 * check), retried every min(10 s, interval/4) while unavailable, for at most one interval: flying blind
 * longer than that is not healthy.
 */
final class EvidenceGathering {

  /** A verdict, or why there is none; {@code aborted} = a wait was cut short (Ctrl-C or a request). */
  record Evidence(Optional<Verdict> verdict, String problem, boolean aborted) {}

  private final RolloutPlan plan;
  private final TrafficControl traffic;
  private final VersionMetrics metrics;
  private final Clock clock;
  private final Sleeper sleeper;

  EvidenceGathering(RolloutPlan plan, TrafficControl traffic, VersionMetrics metrics, Clock clock, Sleeper sleeper) {
    this.plan = plan;
    this.traffic = traffic;
    this.metrics = metrics;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** @param retrying told each time the evidence is unavailable and will be fetched again */
  Evidence gather(String canary, String stable, Consumer<List<CheckResult>> retrying) {
    Instant due = clock.instant();
    Duration retry = Duration.ofSeconds(10).compareTo(plan.interval().dividedBy(4)) <= 0
        ? Duration.ofSeconds(10) : plan.interval().dividedBy(4);
    while (true) {
      String problem;
      try {
        VersionInstances health = traffic.read(plan.service()).instances(canary)
            .orElse(new VersionInstances(canary, 0, 0));
        VersionStats c = metrics.stats(plan.service(), canary, plan.interval());
        Optional<VersionStats> s = plan.thresholds().maxErrorRatioVsStable().isPresent()
            ? Optional.of(metrics.stats(plan.service(), stable, plan.interval())) : Optional.empty();
        return new Evidence(Optional.of(CanaryJudge.judge(plan.thresholds(), c, s, health, plan.interval())), "", false);
      } catch (MetricsUnavailableException | RuntimeException e) {
        problem = e.getMessage();
      }
      Duration waited = Duration.between(due, clock.instant());
      if (waited.compareTo(plan.interval()) >= 0) {
        return new Evidence(Optional.empty(), problem, false);
      }
      retrying.accept(List.of(new CheckResult("evidence", metrics.describe(), Double.NaN,
          "available within --interval", false, "unavailable (" + problem + "); retrying in "
              + Durations.format(retry))));
      if (!sleeper.sleep(retry)) {
        return new Evidence(Optional.empty(), problem, true);
      }
    }
  }
}
