package org.filewcount.agent.rollout;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.rollout.metrics.VersionMetrics;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficControl;

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

  private final RolloutPlan plan;
  private final TrafficControl traffic;
  private final VersionMetrics metrics;
  private final Optional<NomadDeployments> nomad;
  private final Clock clock;
  private final Sleeper sleeper;
  private final AbortSwitch abort;
  private final Steering steering;

  /** Where this rollout is, what it tells the listener, and how it ends. */
  private final RolloutProgress progress;

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
    this.progress = new RolloutProgress(plan, traffic, nomad, clock, sleeper, listener);
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
    progress.emit(RolloutEvent.Type.STARTED, List.of(), (first > 1 ? "resumed at step " + first + "/" + plan.steps().size()
        + ": " : "") + "rollout of " + plan.service() + " from " + progress.stable + " to " + progress.canary
        + ": steps " + plan.describeSteps() + "% every "
        + Durations.format(plan.interval()) + ", judged on " + metrics.describe()
        + progress.deployment.map(d -> "; Nomad deployment " + d.id()).orElse(""));
    int failures = 0;
    progress.step = first - 1;
    if (plan.gatesAfter().contains(progress.step)) {
      Optional<RolloutResult> end = gate();
      if (end.isPresent()) {
        return end.get();
      }
    }
    for (progress.step = first; progress.step <= plan.steps().size(); progress.step++) {
      if (abort.isTriggered()) {
        return progress.abort();
      }
      if (steering.lockLost().isPresent()) {
        return progress.lockLost(steering.lockLost().get());
      }
      BigDecimal target = plan.steps().get(progress.step - 1);
      try {
        traffic.apply(plan.service(), Split.canary(progress.stable, progress.canary, target), false);
      } catch (RuntimeException e) {
        return progress.rollback("could not set step " + progress.step + " (" + target.toPlainString() + "% to "
            + progress.canary + "): "
            + e.getMessage());
      }
      progress.canaryWeight = target;
      progress.emit(RolloutEvent.Type.STEP, List.of(), "judging in " + Durations.format(plan.interval()));
      while (true) {
        Optional<RolloutResult> end = waitInterval();
        if (end.isPresent()) {
          return end.get();
        }
        EvidenceGathering.Evidence evidence = new EvidenceGathering(plan, traffic, metrics, clock, sleeper)
            .gather(progress.canary, progress.stable, checks -> progress.emit(RolloutEvent.Type.CHECK, checks, ""));
        if (evidence.aborted()) {
          end = obey();
          if (end.isPresent()) {
            return end.get();
          }
          continue; // resumed after a pause: judge a fresh interval
        }
        if (evidence.verdict().isEmpty()) {
          return progress.rollback("evidence unavailable for longer than --interval " + Durations.format(plan.interval())
              + ": " + evidence.problem());
        }
        Verdict verdict = evidence.verdict().get();
        if (verdict.passed()) {
          progress.emit(RolloutEvent.Type.CHECK, verdict.checks(), "");
          break;
        }
        failures++;
        if (failures > plan.failureLimit()) {
          progress.emit(RolloutEvent.Type.CHECK, verdict.checks(), "failed checks " + failures + " > --failure-limit "
              + plan.failureLimit());
          return progress.rollback(verdict.summary());
        }
        progress.emit(RolloutEvent.Type.CHECK, verdict.checks(), "failed checks " + failures + " of --failure-limit "
            + plan.failureLimit() + " tolerated; judging this step again in " + Durations.format(plan.interval()));
      }
      if (plan.gatesAfter().contains(progress.step)) {
        Optional<RolloutResult> end = gate();
        if (end.isPresent()) {
          return end.get();
        }
      }
    }
    return progress.promote("");
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
    return paused("gate after step " + progress.step + "/" + plan.steps().size());
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
      return Optional.of(progress.lockLost(lost.get()));
    }
    return abort.isTriggered() ? Optional.of(progress.abort()) : Optional.empty();
  }

  /** RESUME outside a pause changes nothing; PROMOTE and ABORT end the rollout. */
  private Optional<RolloutResult> act(OperatorRequest r) {
    return switch (r.action()) {
      case PROMOTE -> Optional.of(progress.promoteNow(r));
      case ABORT -> Optional.of(progress.abortRequested(r));
      default -> Optional.empty();
    };
  }

  private Optional<RolloutResult> paused(String why) {
    progress.emit(RolloutEvent.Type.PAUSED, List.of(), why + ": " + progress.canaryWeight.toPlainString()
        + "% stays on " + progress.canary
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
        progress.emit(RolloutEvent.Type.RESUMED, List.of(), "resumed by " + r.describe());
        return Optional.empty();
      }
      return act(r);
    }
  }

  /** Checks the starting point; exit 2 problems are thrown as {@link RolloutRefusedException} before any change. */
  public void prepare() {
    RolloutStart start = RolloutStart.check(plan, traffic, nomad);
    progress.stable = start.stable();
    progress.canary = start.canary();
    progress.canaryWeight = start.canaryWeight();
    progress.deployment = start.deployment();
  }

  public String stable() {
    return progress.stable;
  }

  public String canary() {
    return progress.canary;
  }

  public Optional<String> deploymentId() {
    return progress.deployment.map(NomadDeployments.Deployment::id);
  }
}
