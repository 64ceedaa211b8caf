package org.filewcount.agent.rollout.state;

import java.util.Optional;
import org.filewcount.agent.rollout.RolloutCommands;
import org.filewcount.agent.rollout.RolloutPlan;
import org.filewcount.agent.rollout.RolloutRefusedException;

/**
 * What a new {@code rollout --to} does about a recorded rollout that never ended (its process died; this
 * process holds the lock now, so nobody else runs it): refuse, or with {@code --resume} continue it.
 */
final class RolloutResumption {

  private RolloutResumption() {}

  /** Without --resume: 1 when nothing is pending, else refused (exit 1) until the orphan is aborted or resumed. */
  static int refuseOrphan(Optional<RolloutState> orphan) {
    if (orphan.isEmpty()) {
      return 1;
    }
    RolloutState o = orphan.get();
    throw new RolloutLockedException("an orphaned rollout of " + o.service() + " (" + o.stable() + " -> " + o.canary()
        + ", step " + o.step() + ", " + o.canaryWeight().toPlainString() + "% on " + o.canary() + ", run by "
        + o.holder() + " whose process is gone) was never finished: restore stable with '"
        + RolloutCommands.verb("abort", o.service()) + "', or continue it with the same command plus --resume"
        + " (--to " + o.canary() + " --steps " + o.steps() + ")");
  }

  /** With --resume: the step to start from; the orphan must be the same rollout (refused otherwise). */
  static int firstStep(Optional<RolloutState> orphan, RolloutPlan plan) {
    String to = plan.canary();
    RolloutState o = orphan.orElseThrow(() -> new RolloutRefusedException("--resume: there is no unfinished rollout of "
        + plan.service() + " to resume ('" + RolloutCommands.verb("status", plan.service()) + "' shows it); drop"
        + " --resume to start a new one"));
    if (!o.canary().equals(to) && !("v" + o.canary()).equalsIgnoreCase(to)) {
      throw new RolloutRefusedException("--resume: the unfinished rollout goes to " + o.canary() + ", not " + to + ": pass --to "
          + o.canary() + ", or abort it first ('" + RolloutCommands.verb("abort", plan.service()) + "')");
    }
    if (!o.steps().equals(plan.describeSteps())) {
      throw new RolloutRefusedException("--resume: the unfinished rollout has --steps " + o.steps() + ", not "
          + plan.describeSteps() + ": pass the same --steps");
    }
    // The step in progress is set and judged again from the start: its evidence died with the process.
    return Math.max(1, o.step());
  }
}
