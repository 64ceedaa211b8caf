package org.filewcount.agent.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.filewcount.agent.rollout.RolloutFakes.FakeMetrics;
import org.filewcount.agent.rollout.RolloutFakes.FakeNomad;
import org.filewcount.agent.rollout.RolloutFakes.FakeTime;
import org.filewcount.agent.rollout.RolloutFakes.FakeTraffic;
import org.filewcount.agent.rollout.RolloutResult.Outcome;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.SplitRefusedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rollout state machine on a fake clock: a 4-step, 60 s-interval rollout runs in milliseconds. */
class RolloutTest {

  private static final Duration INTERVAL = Duration.ofSeconds(60);
  private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

  private AbortSwitch abort;
  private FakeTime time;
  private FakeTraffic traffic;
  private FakeNomad nomad;
  private final List<RolloutEvent> events = new ArrayList<>();

  @BeforeEach
  void setUp() {
    abort = new AbortSwitch();
    time = new FakeTime(abort);
    traffic = new FakeTraffic().version("1.0", 3, 3).version("2.0", 1, 1);
    traffic.split = Optional.of(Split.all("1.0"));
    nomad = new FakeNomad();
  }

  private static List<BigDecimal> steps(int... p) {
    List<BigDecimal> out = new ArrayList<>();
    for (int s : p) {
      out.add(BigDecimal.valueOf(s));
    }
    return out;
  }

  private RolloutPlan plan(int failureLimit, OptionalDouble vsStable) {
    return new RolloutPlan("filewcount", "2.0", steps(10, 25, 50, 100), INTERVAL,
        new Thresholds(0.01, Duration.ofMillis(800), vsStable, 50), failureLimit, Optional.of("filewcount"));
  }

  private RolloutResult run(RolloutPlan plan, FakeMetrics metrics) {
    return new Rollout(plan, traffic, metrics, Optional.of(nomad), time, time, abort, events::add).run();
  }

  private FakeMetrics healthy() {
    return new FakeMetrics(time, (v, now) -> RolloutFakes.stats(v, 600, 0.001, 0.120));
  }

  private List<String> applied() {
    return traffic.applied.stream().map(Split::describe).toList();
  }

  @Test
  void healthyCanaryIsPromotedStepByStep() {
    RolloutResult result = run(plan(0, OptionalDouble.of(2.0)), healthy());

    assertThat(result.outcome()).isEqualTo(Outcome.PROMOTED);
    assertThat(result.outcome().exitCode).isZero();
    assertThat(applied()).containsExactly("1.0=90, 2.0=10", "1.0=75, 2.0=25", "1.0=50, 2.0=50", "2.0=100");
    assertThat(time.instant()).isEqualTo(START.plus(INTERVAL.multipliedBy(4)));
    assertThat(nomad.calls).containsExactly("latest filewcount", "promote d-1234");
    assertThat(events).extracting(e -> e.type().label)
        .containsExactly("started", "step", "check", "step", "check", "step", "check", "step", "check", "nomad",
            "promoted");
    assertThat(events.get(2).passed()).isTrue();
  }

  @Test
  void errorsRollBackNamingQueryValueAndThreshold() {
    FakeMetrics metrics = new FakeMetrics(time, (v, now) ->
        RolloutFakes.stats(v, 600, v.equals("2.0") ? 0.05 : 0.001, 0.120));

    RolloutResult result = run(plan(0, OptionalDouble.empty()), metrics);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.outcome().exitCode).isEqualTo(1);
    assertThat(result.reason()).contains("error_ratio 0.05 > 0.01 (--max-error-ratio)")
        .contains("service_version=\"2.0\"").contains("filewcount_outcome=~\"app_error|upstream_error\"")
        .contains("back on 1.0").contains("d-1234 marked failed");
    assertThat(applied()).containsExactly("1.0=90, 2.0=10", "1.0=100");
    assertThat(nomad.calls).containsExactly("latest filewcount", "fail d-1234");
    assertThat(events.get(events.size() - 1).type()).isEqualTo(RolloutEvent.Type.ROLLED_BACK);
  }

  @Test
  void latencyRollsBack() {
    FakeMetrics metrics = new FakeMetrics(time, (v, now) -> RolloutFakes.stats(v, 600, 0.0, v.equals("2.0") ? 1.2 : 0.1));

    RolloutResult result = run(plan(0, OptionalDouble.empty()), metrics);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.reason()).contains("p99 1.2s > 800ms (--max-p99)").contains("histogram_quantile(0.99");
    assertThat(traffic.split).map(Split::describe).contains("1.0=100");
  }

  @Test
  void canaryWorseThanStableRollsBackEvenUnderTheAbsoluteLimit() {
    // 0.8% is under --max-error-ratio 1%, but stable runs at 0.2% today: four times worse.
    FakeMetrics metrics = new FakeMetrics(time, (v, now) ->
        RolloutFakes.stats(v, 1000, v.equals("2.0") ? 0.008 : 0.002, 0.1));

    RolloutResult result = run(plan(0, OptionalDouble.of(2.0)), metrics);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.reason()).contains("error_ratio_vs_stable 0.008 > 2 x stable 1.0's 0.002 = 0.004");
  }

  @Test
  void stableWithoutErrorsCountsAsOneErrorSoASingleCanaryFailureIsNotInfinitelyWorse() {
    // stable: 0 errors in 1000 -> baseline 0.001, allowed 0.002; canary: 1 in 600 = 0.00167
    FakeMetrics metrics = new FakeMetrics(time, (v, now) ->
        v.equals("2.0") ? RolloutFakes.stats(v, 600, 1.0 / 600, 0.1) : RolloutFakes.stats(v, 1000, 0.0, 0.1));

    assertThat(run(plan(0, OptionalDouble.of(2.0)), metrics).outcome()).isEqualTo(Outcome.PROMOTED);
  }

  @Test
  void failureLimitToleratesFailedChecksThenRollsBack() {
    // Errors in the first two judgements only.
    FakeMetrics flaky = new FakeMetrics(time, (v, now) -> {
      boolean bad = !now.isAfter(START.plus(INTERVAL.multipliedBy(2)));
      return RolloutFakes.stats(v, 600, bad && v.equals("2.0") ? 0.05 : 0.0, 0.1);
    });

    RolloutResult tolerated = run(plan(2, OptionalDouble.empty()), flaky);

    assertThat(tolerated.outcome()).isEqualTo(Outcome.PROMOTED);
    // Step 1 was judged three times (two failures tolerated), then three more steps.
    assertThat(time.instant()).isEqualTo(START.plus(INTERVAL.multipliedBy(6)));
    assertThat(applied()).startsWith("1.0=90, 2.0=10", "1.0=75, 2.0=25");

    setUp();
    events.clear();
    RolloutResult exceeded = run(plan(1, OptionalDouble.empty()), new FakeMetrics(time, (v, now) -> {
      boolean bad = !now.isAfter(START.plus(INTERVAL.multipliedBy(2)));
      return RolloutFakes.stats(v, 600, bad && v.equals("2.0") ? 0.05 : 0.0, 0.1);
    }));

    assertThat(exceeded.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(events).filteredOn(e -> e.type() == RolloutEvent.Type.CHECK).hasSize(2);
    assertThat(applied()).containsExactly("1.0=90, 2.0=10", "1.0=100");
  }

  @Test
  void idleCanaryIsNeverPromoted() {
    FakeMetrics idle = new FakeMetrics(time, (v, now) ->
        v.equals("2.0") ? RolloutFakes.stats(v, 3, Double.NaN, Double.NaN) : RolloutFakes.stats(v, 600, 0.0, 0.1));

    RolloutResult result = run(plan(3, OptionalDouble.of(2.0)), idle);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.reason()).contains("requests 3 < 50 (--min-requests)").contains("not enough evidence");
    assertThat(applied()).doesNotContain("2.0=100").containsExactly("1.0=90, 2.0=10", "1.0=100");
    assertThat(nomad.calls).doesNotContain("promote d-1234");
  }

  @Test
  void unhealthyCanaryInConsulFailsTheCheck() {
    FakeMetrics metrics = new FakeMetrics(time, (v, now) -> RolloutFakes.stats(v, 600, 0.0, 0.1));
    RolloutListener canaryGoesCritical = e -> {
      if (e.type() == RolloutEvent.Type.STEP) {
        traffic.version("2.0", 0, 1); // its checks went critical during the step
      }
    };

    RolloutResult result = new Rollout(plan(0, OptionalDouble.empty()), traffic, metrics, Optional.of(nomad), time,
        time, abort, canaryGoesCritical).run();

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.reason()).contains("health 0/1 instances passing");
  }

  @Test
  void metricsUnreachableForLongerThanTheIntervalRollsBack() {
    FakeMetrics down = new FakeMetrics(time, (v, now) -> {
      throw new IllegalStateException("Prometheus at http://127.0.0.1:9090 did not answer (ConnectException)");
    });

    RolloutResult result = run(plan(5, OptionalDouble.empty()), down);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.reason()).contains("evidence unavailable for longer than --interval 1m")
        .contains("did not answer");
    // One interval of waiting for the step, then retries for one more interval before giving up.
    assertThat(time.instant()).isEqualTo(START.plus(INTERVAL.multipliedBy(2)));
    assertThat(down.calls).isGreaterThan(2);
    assertThat(events).filteredOn(RolloutEvent::evidenceRetry).isNotEmpty()
        .allSatisfy(e -> assertThat(e.text()).startsWith("step 1/4: evidence unavailable (").contains("retrying in 10s"));
    assertThat(traffic.split).map(Split::describe).contains("1.0=100");
  }

  @Test
  void briefMetricsOutageIsRiddenOut() {
    FakeMetrics blip = new FakeMetrics(time, (v, now) -> {
      if (now.equals(START.plus(INTERVAL))) {
        throw new IllegalStateException("Prometheus restarting");
      }
      return RolloutFakes.stats(v, 600, 0.0, 0.1);
    });

    assertThat(run(plan(0, OptionalDouble.empty()), blip).outcome()).isEqualTo(Outcome.PROMOTED);
  }

  @Test
  void ctrlCMidStepRestoresStableAndLeavesNomadAlone() {
    time.onSleep = n -> {
      if (n == 2) {
        abort.trigger(); // during step 2's wait
      }
    };

    RolloutResult result = run(plan(0, OptionalDouble.empty()), healthy());

    assertThat(result.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(result.outcome().exitCode).isEqualTo(130);
    assertThat(applied()).containsExactly("1.0=90, 2.0=10", "1.0=75, 2.0=25", "1.0=100");
    assertThat(nomad.calls).containsExactly("latest filewcount");
    assertThat(result.reason()).contains("back on 1.0").contains("promote or fail it by hand");
  }

  @Test
  void consulHiccupWhileRestoringIsRetried() {
    FakeMetrics bad = new FakeMetrics(time, (v, now) -> RolloutFakes.stats(v, 600, 0.5, 0.1));
    FakeTraffic t = traffic;
    RolloutListener failNextApply = e -> {
      if (e.type() == RolloutEvent.Type.CHECK) {
        t.failApplies = 2;
      }
    };
    RolloutResult result = new Rollout(plan(0, OptionalDouble.empty()), traffic, bad, Optional.of(nomad), time, time,
        abort, failNextApply).run();

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(traffic.split).map(Split::describe).contains("1.0=100");
  }

  @Test
  void refusesToStartWithoutAPassingCanaryOrARunningDeployment() {
    traffic.version("2.0", 0, 2);
    assertThatThrownBy(() -> run(plan(0, OptionalDouble.empty()), healthy()))
        .isInstanceOf(SplitRefusedException.class).hasMessageContaining("none passing");

    setUp();
    nomad.status = "successful";
    assertThatThrownBy(() -> run(plan(0, OptionalDouble.empty()), healthy()))
        .isInstanceOf(RolloutRefusedException.class).hasMessageContaining("is successful, not running");
    assertThat(traffic.applied).isEmpty();

    setUp();
    RolloutPlan unknown = new RolloutPlan("filewcount", "9.9", steps(50, 100), INTERVAL,
        new Thresholds(0.01, Duration.ofMillis(800), OptionalDouble.empty(), 50), 0, Optional.empty());
    assertThatThrownBy(() -> run(unknown, healthy()))
        .isInstanceOf(SplitRefusedException.class).hasMessageContaining("unknown version '9.9'");
  }

  @Test
  void planRejectsStepsThatDoNotClimbTo100() {
    Thresholds t = new Thresholds(0.01, Duration.ofMillis(800), OptionalDouble.empty(), 50);
    assertThatThrownBy(() -> new RolloutPlan("filewcount", "2.0", steps(10, 50), INTERVAL, t, 0, Optional.empty()))
        .hasMessageContaining("must end at 100");
    assertThatThrownBy(() -> new RolloutPlan("filewcount", "2.0", steps(50, 25, 100), INTERVAL, t, 0, Optional.empty()))
        .hasMessageContaining("only go up");
  }
}
