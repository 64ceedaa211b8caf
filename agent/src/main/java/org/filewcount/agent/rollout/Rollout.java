package org.filewcount.agent.rollout;

import org.filewcount.agent.rollout.metrics.VersionMetrics;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficControl;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.filewcount.agent.config.Durations;

/**
 * The canary rollout state machine. For each step: set the split, wait the interval, judge the canary
 * (its Consul health and its metrics against the thresholds and against stable over the same window).
 * A passing judgement moves to the next step; a failing one is tolerated up to --failure-limit times
 * (the step is judged again after another interval), then the rollout rolls back: 100% to stable, the
 * Nomad deployment failed (so auto_revert restores the previous job version), exit 1. Evidence that
 * cannot be fetched for longer than the interval also rolls back: flying blind is not healthy. After the
 * last step (100%) passes, the Nomad deployment is promoted.
 *
 * <p>All waiting goes through {@link Sleeper} and all time through {@link Clock}, so tests run a whole
 * rollout on a fake clock. Abort (Ctrl-C) ends any wait at once and restores stable.
 *
 * <p>{@link Steering} brings requests from other terminals: a wait that a request ends is obeyed at once
 * (pause holds the current split until resume; promote goes to 100 % now; abort restores stable). A
 * {@code pause} gate in the plan waits for such a request after its step passed. When the process no
 * longer holds the rollout's lock it stops without touching traffic: someone else is in charge.
 */
public final class Rollout {

  private static final int RESTORE_ATTEMPTS = 5;

  private final RolloutPlan plan;
  private final TrafficControl traffic;
  private final VersionMetrics metrics;
  private final Optional<NomadDeployments> nomad;
  private final Clock clock;
  private final Sleeper sleeper;
  private final AbortSwitch abort;
  private final RolloutListener listener;
  private final Steering steering;

  private String stable;
  private String canary;
  private int step;
  private BigDecimal canaryWeight = BigDecimal.ZERO;
  private Optional<NomadDeployments.Deployment> deployment = Optional.empty();

  public Rollout(RolloutPlan plan, TrafficControl traffic, VersionMetrics metrics, Optional<NomadDeployments> nomad,
      Clock clock, Sleeper sleeper, AbortSwitch abort, RolloutListener listener) {
    this(plan, traffic, metrics, nomad, clock, sleeper, abort, listener, Steering.NONE);
  }

  public Rollout(RolloutPlan plan, TrafficControl traffic, VersionMetrics metrics, Optional<NomadDeployments> nomad,
      Clock clock, Sleeper sleeper, AbortSwitch abort, RolloutListener listener, Steering steering) {
    this.steering = steering;
    this.plan = plan;
    this.traffic = traffic;
    this.metrics = metrics;
    this.nomad = nomad;
    this.clock = clock;
    this.sleeper = sleeper;
    this.abort = abort;
    this.listener = listener;
  }

  /**
   * Checks the starting point (exit 2 problems are thrown as {@link RolloutRefusedException} before any change)
   * and runs the rollout to its end.
   */
  public RolloutResult run() {
    prepare();
    return runFrom(1);
  }

  /**
   * Runs from step {@code first} (1-based) after {@link #prepare()}: 1 for a new rollout, the recorded
   * step for one resumed after its process died.
   */
  public RolloutResult runFrom(int first) {
    emit(RolloutEvent.Type.STARTED, List.of(), (first > 1 ? "resumed at step " + first + "/" + plan.steps().size()
        + ": " : "") + "rollout of " + plan.service() + " from " + stable + " to " + canary
        + ": steps " + plan.describeSteps() + "% every "
        + Durations.format(plan.interval()) + ", judged on " + metrics.describe()
        + deployment.map(d -> "; Nomad deployment " + d.id()).orElse(""));
    int failures = 0;
    step = first - 1;
    if (plan.gatesAfter().contains(step)) {
      Optional<RolloutResult> end = gate();
      if (end.isPresent()) {
        return end.get();
      }
    }
    for (step = first; step <= plan.steps().size(); step++) {
      if (abort.isTriggered()) {
        return abort();
      }
      if (steering.lockLost().isPresent()) {
        return lockLost(steering.lockLost().get());
      }
      BigDecimal target = plan.steps().get(step - 1);
      try {
        traffic.apply(plan.service(), Split.canary(stable, canary, target), false);
      } catch (RuntimeException e) {
        return rollback("could not set step " + step + " (" + target.toPlainString() + "% to " + canary + "): "
            + e.getMessage());
      }
      canaryWeight = target;
      emit(RolloutEvent.Type.STEP, List.of(), "judging in " + Durations.format(plan.interval()));
      while (true) {
        Optional<RolloutResult> end = waitInterval();
        if (end.isPresent()) {
          return end.get();
        }
        EvidenceGathering.Evidence evidence = new EvidenceGathering(plan, traffic, metrics, clock, sleeper)
            .gather(canary, stable, checks -> emit(RolloutEvent.Type.CHECK, checks, ""));
        if (evidence.aborted()) {
          end = obey();
          if (end.isPresent()) {
            return end.get();
          }
          continue; // resumed after a pause: judge a fresh interval
        }
        if (evidence.verdict().isEmpty()) {
          return rollback("evidence unavailable for longer than --interval " + Durations.format(plan.interval())
              + ": " + evidence.problem());
        }
        Verdict verdict = evidence.verdict().get();
        if (verdict.passed()) {
          emit(RolloutEvent.Type.CHECK, verdict.checks(), "");
          break;
        }
        failures++;
        if (failures > plan.failureLimit()) {
          emit(RolloutEvent.Type.CHECK, verdict.checks(), "failed checks " + failures + " > --failure-limit "
              + plan.failureLimit());
          return rollback(verdict.summary());
        }
        emit(RolloutEvent.Type.CHECK, verdict.checks(), "failed checks " + failures + " of --failure-limit "
            + plan.failureLimit() + " tolerated; judging this step again in " + Durations.format(plan.interval()));
      }
      if (plan.gatesAfter().contains(step)) {
        Optional<RolloutResult> end = gate();
        if (end.isPresent()) {
          return end.get();
        }
      }
    }
    return promote("");
  }

  /** One interval, obeying requests that arrive meanwhile; a pause restarts the interval after resume. */
  private Optional<RolloutResult> waitInterval() {
    Instant due = clock.instant().plus(plan.interval());
    while (true) {
      Duration left = Duration.between(clock.instant(), due);
      if (left.isNegative() || left.isZero() || sleeper.sleep(left)) {
        return Optional.empty();
      }
      boolean wasPaused = steering.pending().map(r -> r.action() == OperatorRequest.Action.PAUSE).orElse(false);
      Optional<RolloutResult> end = obey();
      if (end.isPresent()) {
        return end;
      }
      if (wasPaused) {
        due = clock.instant().plus(plan.interval());
      }
    }
  }

  /** A {@code pause} gate: hold the split until someone resumes, promotes or aborts. */
  private Optional<RolloutResult> gate() {
    return paused("gate after step " + step + "/" + plan.steps().size());
  }

  /** Handles what ended a wait early: Ctrl-C, a lost lock, or a request. Empty = carry on. */
  private Optional<RolloutResult> obey() {
    Optional<RolloutResult> stopped = stopped();
    if (stopped.isPresent() || steering.pending().isEmpty()) {
      return stopped;
    }
    OperatorRequest r = steering.pending().get();
    steering.handled(r);
    return r.action() == OperatorRequest.Action.PAUSE ? paused("paused by " + r.describe()) : act(r);
  }

  private Optional<RolloutResult> stopped() {
    Optional<String> lost = steering.lockLost();
    if (lost.isPresent()) {
      return Optional.of(lockLost(lost.get()));
    }
    return abort.isTriggered() ? Optional.of(abort()) : Optional.empty();
  }

  /** RESUME outside a pause changes nothing; PROMOTE and ABORT end the rollout. */
  private Optional<RolloutResult> act(OperatorRequest r) {
    return switch (r.action()) {
      case PROMOTE -> Optional.of(promoteNow(r));
      case ABORT -> Optional.of(abortRequested(r));
      default -> Optional.empty();
    };
  }

  private Optional<RolloutResult> paused(String why) {
    emit(RolloutEvent.Type.PAUSED, List.of(), why + ": " + canaryWeight.toPlainString() + "% stays on " + canary
        + ". " + RolloutCommands.whatNext(plan.service()));
    while (true) {
      if (sleeper.sleep(Duration.ofMinutes(10))) {
        continue;
      }
      Optional<RolloutResult> stopped = stopped();
      if (stopped.isPresent()) {
        return stopped;
      }
      Optional<OperatorRequest> request = steering.pending();
      if (request.isEmpty() || request.get().action() == OperatorRequest.Action.PAUSE) {
        request.ifPresent(steering::handled); // already paused
        continue;
      }
      OperatorRequest r = request.get();
      steering.handled(r);
      if (r.action() == OperatorRequest.Action.RESUME) {
        emit(RolloutEvent.Type.RESUMED, List.of(), "resumed by " + r.describe());
        return Optional.empty();
      }
      return act(r);
    }
  }

  /** {@code rollout promote}: skip the remaining steps, 100 % to the canary now. */
  private RolloutResult promoteNow(OperatorRequest r) {
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

  /** {@code rollout abort}: stable back to 100 %; with --nomad the deployment is failed too. */
  private RolloutResult abortRequested(OperatorRequest r) {
    if (!r.nomad()) {
      deployment = Optional.empty(); // as with Ctrl-C, the Nomad deployment is left to the operator
    }
    RolloutResult rolledBack = rollback("aborted by " + r.describe());
    return new RolloutResult(rolledBack.outcome() == RolloutResult.Outcome.ROLLED_BACK
        ? RolloutResult.Outcome.ABORT_REQUESTED : rolledBack.outcome(), rolledBack.reason());
  }

  private RolloutResult lockLost(String why) {
    String message = "stopped, traffic left as it is (" + canaryWeight.toPlainString() + "% on " + canary + "): " + why;
    emit(RolloutEvent.Type.ABORTED, List.of(), message);
    return new RolloutResult(RolloutResult.Outcome.LOCK_LOST, message);
  }

  /** Checks the starting point; exit 2 problems are thrown as {@link RolloutRefusedException} before any change. */
  public void prepare() {
    RolloutStart start = RolloutStart.check(plan, traffic, nomad);
    stable = start.stable();
    canary = start.canary();
    canaryWeight = start.canaryWeight();
    deployment = start.deployment();
  }

  private RolloutResult promote(String prefix) {
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

  private RolloutResult rollback(String why) {
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

  private RolloutResult abort() {
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

  public String stable() {
    return stable;
  }

  public String canary() {
    return canary;
  }

  public Optional<String> deploymentId() {
    return deployment.map(NomadDeployments.Deployment::id);
  }

  private void emit(RolloutEvent.Type type, List<CheckResult> checks, String message) {
    listener.on(new RolloutEvent(type, clock.instant(), plan.service(), stable, canary, Math.max(0, Math.min(step,
        plan.steps().size())), plan.steps().size(), canaryWeight, checks, message));
  }
}
