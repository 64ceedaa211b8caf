package org.filewcount.agent.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import org.filewcount.agent.rollout.OperatorRequest.Action;
import org.filewcount.agent.rollout.RolloutFakes.FakeMetrics;
import org.filewcount.agent.rollout.RolloutFakes.FakeNomad;
import org.filewcount.agent.rollout.RolloutFakes.FakeTime;
import org.filewcount.agent.rollout.RolloutFakes.FakeTraffic;
import org.filewcount.agent.rollout.RolloutResult.Outcome;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.Split;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests from other terminals and pause gates, on the fake clock: which waits they end and what follows. */
class RolloutSteeringTest {

  private static final Duration INTERVAL = Duration.ofSeconds(60);

  private final AbortSwitch abort = new AbortSwitch();
  private final FakeTime time = new FakeTime(abort);
  private final FakeTraffic traffic = new FakeTraffic().version("1.0", 3, 3).version("2.0", 1, 1);
  private final FakeNomad nomad = new FakeNomad();
  private final List<RolloutEvent> events = new ArrayList<>();
  /** Requests that arrive at the n-th wait (1-based). */
  private final Map<Integer, OperatorRequest> arriving = new TreeMap<>();
  private final Operator operator = new Operator();
  private int waits;

  /** The other terminal: requests arrive while the rollout waits. */
  private final class Operator implements Steering, Sleeper {
    final Deque<OperatorRequest> queue = new ArrayDeque<>();
    final List<String> handled = new ArrayList<>();
    Optional<String> lost = Optional.empty();
    int loseAtWait;

    @Override
    public Optional<OperatorRequest> pending() {
      return Optional.ofNullable(queue.peek());
    }

    @Override
    public void handled(OperatorRequest request) {
      queue.remove(request);
      handled.add(request.action().verb());
    }

    @Override
    public Optional<String> lockLost() {
      return lost;
    }

    @Override
    public boolean sleep(Duration d) {
      waits++;
      if (waits == loseAtWait) {
        lost = Optional.of("session expired");
        return false;
      }
      OperatorRequest r = arriving.remove(waits);
      if (r != null) {
        queue.add(r);
        return false; // the request ends the wait at once: no time passes
      }
      if (waits > 50) {
        throw new AssertionError("waiting forever: " + events);
      }
      return time.sleep(d);
    }

    @Override
    public void pause(Duration d) {
      time.pause(d);
    }
  }

  @BeforeEach
  void setUp() {
    traffic.split = Optional.of(Split.all("1.0"));
  }

  private static OperatorRequest request(Action a, boolean nomad) {
    return new OperatorRequest(a, "alice@laptop", Instant.parse("2026-11-25T12:00:00Z"), a.verb() + "-1", nomad);
  }

  private RolloutResult run(Integer... gatesAfter) {
    List<BigDecimal> steps = List.of(BigDecimal.valueOf(10), BigDecimal.valueOf(50), BigDecimal.valueOf(100));
    RolloutPlan plan = new RolloutPlan("filewcount", "2.0", steps, INTERVAL,
        new Thresholds(0.01, Duration.ofMillis(800), OptionalDouble.empty(), 50), 0, Optional.of("filewcount"),
        new TreeSet<>(List.of(gatesAfter)));
    FakeMetrics healthy = new FakeMetrics(time, (v, now) -> RolloutFakes.stats(v, 600, 0.001, 0.120));
    return new Rollout(plan, traffic, healthy, Optional.of(nomad), time, operator, abort, events::add, operator).run();
  }

  private List<String> applied() {
    return traffic.applied.stream().map(Split::describe).toList();
  }

  private List<String> types() {
    return events.stream().map(e -> e.type().label).toList();
  }

  @Test
  void aGateHoldsTheSplitUntilResumeThenCarriesOn() {
    // waits: 1 = step 1's interval, 2 and 3 = at the gate (nothing), 4 = resume arrives
    arriving.put(4, request(Action.RESUME, false));

    RolloutResult result = run(1);

    assertThat(result.outcome()).isEqualTo(Outcome.PROMOTED);
    assertThat(types()).containsSubsequence("step", "check", "paused", "resumed", "step", "check", "step", "check",
        "promoted");
    RolloutEvent paused = events.stream().filter(e -> e.type() == RolloutEvent.Type.PAUSED).findFirst().orElseThrow();
    assertThat(paused.canaryWeight()).isEqualByComparingTo("10");
    assertThat(paused.text()).contains("gate after step 1/3")
        .contains("'filewcount-agent rollout resume --service filewcount'")
        .contains("'filewcount-agent rollout abort --service filewcount'");
    assertThat(applied()).containsExactly("1.0=90, 2.0=10", "1.0=50, 2.0=50", "2.0=100");
    assertThat(operator.handled).containsExactly("resume");
  }

  @Test
  void pauseMidStepKeepsTheSplitAndTheStepIsJudgedAFullIntervalAfterResume() {
    arriving.put(1, request(Action.PAUSE, false));
    arriving.put(3, request(Action.RESUME, false));
    Instant start = time.instant();

    RolloutResult result = run();

    assertThat(result.outcome()).isEqualTo(Outcome.PROMOTED);
    assertThat(types()).startsWith("started", "step", "paused", "resumed", "check");
    assertThat(events.get(2).text()).contains("paused by 'rollout pause' from alice@laptop");
    // Paused at once (no time), one 10-minute idle wait while paused, then three full intervals.
    assertThat(time.instant()).isEqualTo(start.plus(Duration.ofMinutes(10)).plus(INTERVAL.multipliedBy(3)));
  }

  @Test
  void promoteGoesToHundredPercentNowAndPromotesNomadOnlyWhenAskedTo() {
    arriving.put(1, request(Action.PROMOTE, false));

    RolloutResult result = run();

    assertThat(result.outcome()).isEqualTo(Outcome.PROMOTED);
    assertThat(applied()).containsExactly("1.0=90, 2.0=10", "2.0=100");
    assertThat(nomad.calls).containsExactly("latest filewcount");
    assertThat(result.reason()).startsWith("promoted early by 'rollout promote' from alice@laptop");

    events.clear();
    traffic.applied.clear();
    nomad.calls.clear();
    waits = 0;
    arriving.put(1, request(Action.PROMOTE, true));
    run();
    assertThat(nomad.calls).containsExactly("latest filewcount", "promote d-1234");
  }

  @Test
  void abortRestoresStableAndExitsOne() {
    arriving.put(1, request(Action.ABORT, true));

    RolloutResult result = run();

    assertThat(result.outcome()).isEqualTo(Outcome.ABORT_REQUESTED);
    assertThat(result.outcome().exitCode).isEqualTo(1);
    assertThat(applied()).containsExactly("1.0=90, 2.0=10", "1.0=100");
    assertThat(nomad.calls).containsExactly("latest filewcount", "fail d-1234");
    assertThat(result.reason()).contains("aborted by 'rollout abort' from alice@laptop").contains("back on 1.0");
  }

  @Test
  void aLostLockStopsWithoutTouchingTraffic() {
    operator.loseAtWait = 1;

    RolloutResult result = run();

    assertThat(result.outcome()).isEqualTo(Outcome.LOCK_LOST);
    assertThat(applied()).containsExactly("1.0=90, 2.0=10");
    assertThat(result.reason()).contains("session expired").contains("traffic left as it is");
  }
}
