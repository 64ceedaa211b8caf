package org.filewcount.agent.rollout;

/**
 * A rollout that cannot start as asked: a bad plan (steps, interval, thresholds) or a starting point that is not safe (no passing canary or stable, no running Nomad deployment). Nothing was changed. The CLI answers it with exit code 2 and this message, which names the problem and the fix.
 */
public class RolloutRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RolloutRefusedException(String message) {
    super(message);
  }
}
