package org.filewcount.agent.rollout;

import java.util.Optional;
import org.filewcount.agent.split.Sleeper;

/**
 * The rollout's channel to people at other terminals: the request waiting to be obeyed (the
 * {@link Sleeper} ends its wait when one arrives), and whether this process still holds the rollout's
 * lock. {@link #NONE} is a rollout nobody can steer (unit tests, and the state machine's own tests).
 */
public interface Steering {

  Steering NONE = new Steering() {
    @Override
    public Optional<OperatorRequest> pending() {
      return Optional.empty();
    }

    @Override
    public void handled(OperatorRequest request) {}

    @Override
    public Optional<String> lockLost() {
      return Optional.empty();
    }
  };

  /** The oldest request not yet handled. */
  Optional<OperatorRequest> pending();

  /** The rollout obeyed (or deliberately ignored) this request; it is cleared from the shared state. */
  void handled(OperatorRequest request);

  /** Why this process may no longer act (its Consul session ended, someone else holds the lock), if so. */
  Optional<String> lockLost();
}
