package org.filewcount.agent.rollout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.filewcount.agent.split.Split;

/**
 * A canary rollout as the operator asked for it, validated.
 *
 * @param steps canary percentages, strictly increasing, ending at 100
 * @param interval how long each step runs before it is judged; also the metrics window, and how long
 *     evidence may stay unavailable before the rollout gives up and rolls back
 * @param failureLimit failed checks tolerated over the whole rollout; one more rolls back
 * @param nomadJob the Nomad job whose deployment is promoted or failed, when --nomad is on
 * @param gatesAfter {@code pause} gates: the rollout waits for {@code rollout resume} after this many steps
 */
public record RolloutPlan(String service, String canary, List<BigDecimal> steps, Duration interval,
    Thresholds thresholds, int failureLimit, Optional<String> nomadJob, SortedSet<Integer> gatesAfter) {

  /** A plan without gates. */
  public RolloutPlan(String service, String canary, List<BigDecimal> steps, Duration interval, Thresholds thresholds,
      int failureLimit, Optional<String> nomadJob) {
    this(service, canary, steps, interval, thresholds, failureLimit, nomadJob, new TreeSet<>());
  }

  public RolloutPlan {
    steps = List.copyOf(steps);
    gatesAfter = Collections.unmodifiableSortedSet(new TreeSet<>(gatesAfter));
    if (steps.isEmpty()) {
      throw new RolloutRefusedException("--steps is empty: give canary percentages such as 10,25,50,100");
    }
    BigDecimal previous = BigDecimal.ZERO;
    for (BigDecimal s : steps) {
      if (s.signum() <= 0 || s.compareTo(previous) <= 0) {
        throw new RolloutRefusedException("--steps must be percentages above 0 that only go up (for example 10,25,50,100),"
            + " got " + describe(steps));
      }
      previous = s;
    }
    if (previous.compareTo(Split.HUNDRED) != 0) {
      throw new RolloutRefusedException("--steps must end at 100 (promotion means all traffic on the canary), got "
          + describe(steps) + ": add 100 as the last step");
    }
    if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new RolloutRefusedException("--interval must be at least 1s; it is also the metrics window, so give Prometheus"
          + " a few scrapes (60s or more is typical)");
    }
    if (failureLimit < 0) {
      throw new RolloutRefusedException("--failure-limit must be 0 or more");
    }
  }

  /** The steps as --steps takes them, gates included: {@code 10,pause,50,100}. */
  public String describeSteps() {
    return new RolloutSteps(steps, gatesAfter).describe();
  }

  private static String describe(List<BigDecimal> steps) {
    return String.join(",", steps.stream().map(BigDecimal::toPlainString).toList());
  }
}
