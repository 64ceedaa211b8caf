package org.filewcount.agent.rollout.state;

/** Another process runs a rollout of this service (or just died and Consul's lock-delay runs): exit 1. */
class RolloutLockedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RolloutLockedException(String message) {
    super(message);
  }
}
