package org.filewcount.agent.rollout;

/** How a rollout ended, and the exit code the CLI returns for it. */
public record RolloutResult(Outcome outcome, String reason) {

  public enum Outcome {
    /** All steps passed; traffic is 100% on the canary (and Nomad promoted it, with --nomad). */
    PROMOTED(0),
    /** A check failed past --failure-limit or evidence was unavailable: traffic is back on stable. */
    ROLLED_BACK(1),
    /** Ctrl-C: traffic is back on stable; Nomad's deployment is left for the operator to decide. */
    ABORTED(130),
    /** Traffic ended at 100% canary, but a final call (Nomad promotion) failed; reason says what to do. */
    PROMOTION_INCOMPLETE(1),
    /** Restoring stable failed: the reason says what to run by hand. */
    RESTORE_FAILED(1),
    /** Someone ran {@code rollout abort}: traffic is back on stable. */
    ABORT_REQUESTED(1),
    /** This process lost the rollout's Consul lock: it stopped without touching traffic. */
    LOCK_LOST(1);

    public final int exitCode;

    Outcome(int exitCode) {
      this.exitCode = exitCode;
    }
  }
}
