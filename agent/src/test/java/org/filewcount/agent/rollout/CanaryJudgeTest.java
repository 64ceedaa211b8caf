package org.filewcount.agent.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.filewcount.agent.rollout.metrics.VersionStats;
import org.filewcount.agent.split.VersionInstances;
import org.junit.jupiter.api.Test;

/** The judge on its own: one window of evidence in, one verdict out, each check at its boundary. */
class CanaryJudgeTest {

  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Thresholds LIMITS = new Thresholds(0.01, Duration.ofMillis(800), OptionalDouble.of(2.0), 100);
  private static final VersionInstances ALL_PASSING = new VersionInstances("2.0", 2, 2);

  private static VersionStats stats(String version, double requests, double errorRatio, double p99Seconds) {
    return new VersionStats(version, requests, errorRatio, p99Seconds, Map.of("error_ratio", "q_" + version));
  }

  private static Verdict judge(VersionStats canary, Optional<VersionStats> stable, VersionInstances health) {
    return CanaryJudge.judge(LIMITS, canary, stable, health, WINDOW);
  }

  private static CheckResult check(Verdict v, String name) {
    return v.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aHealthyCanaryWithEnoughRequestsPassesEveryCheck() {
    Verdict v = judge(stats("2.0", 100, 0.01, 0.8), Optional.of(stats("1.0", 1000, 0.005, 0.5)), ALL_PASSING);
    assertThat(v.passed()).isTrue();
    assertThat(v.checks()).extracting(CheckResult::name)
        .containsExactly("health", "requests", "error_ratio", "p99", "error_ratio_vs_stable");
  }

  @Test
  void tooFewRequestsStopsTheJudgementBeforeTheRatios() {
    Verdict v = judge(stats("2.0", 99, 0.0, 0.1), Optional.empty(), ALL_PASSING);
    assertThat(v.passed()).isFalse();
    assertThat(v.checks()).extracting(CheckResult::name).containsExactly("health", "requests");
    assertThat(check(v, "requests").detail()).contains("99 < 100").contains("not enough evidence");
  }

  @Test
  void anInstanceNotPassingFailsTheHealthCheck() {
    Verdict v = judge(stats("2.0", 100, 0.0, 0.1), Optional.empty(), new VersionInstances("2.0", 2, 1));
    assertThat(check(v, "health").passed()).isFalse();
    assertThat(check(v, "health").detail()).isEqualTo("1/2 instances passing");
  }

  @Test
  void anErrorRatioAboveTheLimitFailsAndNoRatioAtAllFailsToo() {
    assertThat(check(judge(stats("2.0", 100, 0.0101, 0.1), Optional.empty(), ALL_PASSING), "error_ratio").passed())
        .isFalse();
    assertThat(check(judge(stats("2.0", 100, Double.NaN, 0.1), Optional.empty(), ALL_PASSING), "error_ratio")
        .passed()).isFalse();
  }

  @Test
  void aP99AboveTheLimitOrMissingFails() {
    assertThat(check(judge(stats("2.0", 100, 0.0, 0.801), Optional.empty(), ALL_PASSING), "p99").passed()).isFalse();
    CheckResult none = check(judge(stats("2.0", 100, 0.0, Double.NaN), Optional.empty(), ALL_PASSING), "p99");
    assertThat(none.passed()).isFalse();
    assertThat(none.detail()).startsWith("no latency data");
  }

  @Test
  void theRelativeCheckIsSkippedWithoutABaselineAndPasses() {
    CheckResult c = check(judge(stats("2.0", 100, 0.0, 0.1), Optional.of(stats("1.0", 99, 0.0, 0.1)), ALL_PASSING),
        "error_ratio_vs_stable");
    assertThat(c.passed()).isTrue();
    assertThat(c.detail()).startsWith("skipped: stable served 99 requests");
  }

  @Test
  void theRelativeCheckAllowsAtMostTheFactorTimesStable() {
    VersionStats stable = stats("1.0", 1000, 0.004, 0.1);
    assertThat(check(judge(stats("2.0", 100, 0.008, 0.1), Optional.of(stable), ALL_PASSING), "error_ratio_vs_stable")
        .passed()).isTrue();
    CheckResult over = check(judge(stats("2.0", 100, 0.0081, 0.1), Optional.of(stable), ALL_PASSING),
        "error_ratio_vs_stable");
    assertThat(over.passed()).isFalse();
    assertThat(over.query()).isEqualTo("q_2.0  vs  q_1.0");
  }

  @Test
  void aStableWithoutErrorsCountsAsOneErrorInItsRequests() {
    // 1/1000 stands in for stable's ratio, so 2x allows 0.002 on the canary and not more.
    VersionStats stable = stats("1.0", 1000, 0.0, 0.1);
    assertThat(check(judge(stats("2.0", 100, 0.002, 0.1), Optional.of(stable), ALL_PASSING), "error_ratio_vs_stable")
        .passed()).isTrue();
    assertThat(check(judge(stats("2.0", 100, 0.0021, 0.1), Optional.of(stable), ALL_PASSING), "error_ratio_vs_stable")
        .passed()).isFalse();
  }

  @Test
  void withoutTheFlagThereIsNoRelativeCheck() {
    Thresholds absolute = new Thresholds(0.01, Duration.ofMillis(800), OptionalDouble.empty(), 100);
    Verdict v = CanaryJudge.judge(absolute, stats("2.0", 100, 0.0, 0.1), Optional.of(stats("1.0", 1000, 0.0, 0.1)),
        ALL_PASSING, WINDOW);
    assertThat(v.checks()).extracting(CheckResult::name).doesNotContain("error_ratio_vs_stable");
  }
}
