package org.filewcount.agent.rollout;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficControl;

/**
 * Where a {@link Rollout} is (its versions, step, the canary's share, the Nomad deployment it steers),
 * the events it tells its listener, and the ways it ends: promoted, rolled back, aborted, or stopped
 * because another process holds the lock. Split from the state machine so each reads on its own; the
 * state machine moves the fields, the endings read them and restore stable.
 */
final class RolloutProgress {

  private static final int RESTORE_ATTEMPTS = 5;

  private final RolloutPlan plan;
  private final TrafficControl traffic;
  private final Optional<NomadDeployments> nomad;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RolloutListener listener;

  String stable;
  String canary;
  int step;
  BigDecimal canaryWeight = BigDecimal.ZERO;
  Optional<NomadDeployments.Deployment> deployment = Optional.empty();

  RolloutProgress(RolloutPlan plan, TrafficControl traffic, Optional<NomadDeployments> nomad, Clock clock,
      Sleeper sleeper, RolloutListener listener) {
    this.plan = plan;
    this.traffic = traffic;
    this.nomad = nomad;
    this.clock = clock;
    this.sleeper = sleeper;
    this.listener = listener;
  }

  RolloutResult promote(String prefix) {
    if (deployment.isPresent()) {
      String id = deployment.get().id();
      try {
        nomad.get().promote(id);
        emit(RolloutEvent.Type.NOMAD, List.of(), "promoted Nomad deployment " + id);
      } catch (RuntimeException e) {
        String reason = "traffic is 100% on " + canary + " but promoting Nomad deployment " + id + " failed: "
            + e.getMessage() + ". Promote by hand: nomad deployment promote " + id;
        emit(RolloutEvent.Type.PROMOTED, List.of(), reason);
        return new RolloutResult(RolloutResult.Outcome.PROMOTION_INCOMPLETE, reason);
      }
    }
    String message = prefix + "promoted: 100% of " + plan.service() + " on " + canary
        + deployment.map(d -> " and Nomad deployment " + d.id() + " promoted").orElse("");
    emit(RolloutEvent.Type.PROMOTED, List.of(), message);
    return new RolloutResult(RolloutResult.Outcome.PROMOTED, message);
  }

  /** {@code rollout promote}: skip the remaining steps, 100 % to the canary now. */
  RolloutResult promoteNow(OperatorRequest r) {
    if (canaryWeight.compareTo(Split.HUNDRED) != 0) {
      try {
        traffic.apply(plan.service(), Split.all(canary), false);
      } catch (RuntimeException e) {
        return rollback("could not set 100% to " + canary + " for " + r.describe() + ": " + e.getMessage());
      }
      canaryWeight = Split.HUNDRED;
    }
    step = plan.steps().size();
    if (!r.nomad()) {
      deployment.ifPresent(d -> emit(RolloutEvent.Type.NOMAD, List.of(), "Nomad deployment " + d.id() + " left as it"
          + " is ('rollout promote' without --nomad): promote it with nomad deployment promote " + d.id()));
      deployment = Optional.empty();
    }
    return promote("promoted early by " + r.describe() + "; ");
  }

  RolloutResult rollback(String why) {
    Optional<String> restoreProblem = restoreStable();
    List<String> parts = new ArrayList<>();
    parts.add("rolled back: " + why);
    if (restoreProblem.isPresent()) {
      parts.add("RESTORING STABLE FAILED: " + restoreProblem.get() + ". Run by hand: filewcount-agent shift --service "
          + plan.service() + " --weight " + stable + "=100 --force");
    } else {
      parts.add("100% of " + plan.service() + " is back on " + stable);
    }
    if (deployment.isPresent()) {
      String id = deployment.get().id();
      try {
        nomad.get().fail(id);
        parts.add("Nomad deployment " + id + " marked failed (auto_revert returns the job to its last stable version)");
      } catch (RuntimeException e) {
        parts.add("failing Nomad deployment " + id + " failed: " + e.getMessage() + ". Run by hand: nomad deployment"
            + " fail " + id);
      }
    }
    String message = String.join("; ", parts);
    emit(RolloutEvent.Type.ROLLED_BACK, List.of(), message);
    return new RolloutResult(restoreProblem.isPresent() ? RolloutResult.Outcome.RESTORE_FAILED
        : RolloutResult.Outcome.ROLLED_BACK, message);
  }

  /** {@code rollout abort}: stable back to 100 %; with --nomad the deployment is failed too. */
  RolloutResult abortRequested(OperatorRequest r) {
    if (!r.nomad()) {
      deployment = Optional.empty(); // as with Ctrl-C, the Nomad deployment is left to the operator
    }
    RolloutResult rolledBack = rollback("aborted by " + r.describe());
    return new RolloutResult(rolledBack.outcome() == RolloutResult.Outcome.ROLLED_BACK
        ? RolloutResult.Outcome.ABORT_REQUESTED : rolledBack.outcome(), rolledBack.reason());
  }

  RolloutResult abort() {
    Optional<String> restoreProblem = restoreStable();
    String message = restoreProblem.map(p -> "aborted; RESTORING STABLE FAILED: " + p + ". Run by hand:"
            + " filewcount-agent shift --service " + plan.service() + " --weight " + stable + "=100 --force")
        .orElse("aborted: 100% of " + plan.service() + " is back on " + stable
            + deployment.map(d -> "; Nomad deployment " + d.id() + " left as it is: promote or fail it by hand")
                .orElse(""));
    emit(RolloutEvent.Type.ABORTED, List.of(), message);
    return new RolloutResult(restoreProblem.isPresent() ? RolloutResult.Outcome.RESTORE_FAILED
        : RolloutResult.Outcome.ABORTED, message);
  }

  RolloutResult lockLost(String why) {
    String message = "stopped, traffic left as it is (" + canaryWeight.toPlainString() + "% on " + canary + "): " + why;
    emit(RolloutEvent.Type.ABORTED, List.of(), message);
    return new RolloutResult(RolloutResult.Outcome.LOCK_LOST, message);
  }

  /** Puts all traffic back on stable, retrying through short Consul hiccups. */
  private Optional<String> restoreStable() {
    String last = "";
    for (int attempt = 1; attempt <= RESTORE_ATTEMPTS; attempt++) {
      try {
        // force: stable must get the traffic back even if its checks flap right now.
        traffic.apply(plan.service(), Split.all(stable), true);
        canaryWeight = BigDecimal.ZERO;
        return Optional.empty();
      } catch (RuntimeException e) {
        last = e.getMessage();
        sleeper.pause(Duration.ofSeconds(2L * attempt));
      }
    }
    return Optional.of(last);
  }

  void emit(RolloutEvent.Type type, List<CheckResult> checks, String message) {
    listener.on(new RolloutEvent(type, clock.instant(), plan.service(), stable, canary, Math.max(0, Math.min(step,
        plan.steps().size())), plan.steps().size(), canaryWeight, checks, message));
  }
}
