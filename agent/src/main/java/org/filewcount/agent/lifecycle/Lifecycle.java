package org.filewcount.agent.lifecycle;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's state machine and its signal rule: the first SIGTERM/SIGINT starts the drain, a
 * second one means "now" (the operator or Nomad's kill timeout lost patience). Thread-safe: signals
 * arrive on the JVM's signal thread while the main thread walks the states.
 */
final class Lifecycle {

  /** What the process must do about a signal. */
  enum SignalAction { DRAIN, HALT }

  private static final Map<LifecycleState, Set<LifecycleState>> ALLOWED = Map.of(
      LifecycleState.STARTING, EnumSet.of(LifecycleState.RUNNING, LifecycleState.DRAINING, LifecycleState.STOPPING),
      LifecycleState.RUNNING, EnumSet.of(LifecycleState.DRAINING, LifecycleState.STOPPING),
      LifecycleState.DRAINING, EnumSet.of(LifecycleState.STOPPING),
      LifecycleState.STOPPING, EnumSet.of(LifecycleState.STOPPED),
      LifecycleState.STOPPED, EnumSet.noneOf(LifecycleState.class));

  private LifecycleState state = LifecycleState.STARTING;
  private final AtomicInteger signals = new AtomicInteger();
  private final CountDownLatch shutdownRequested = new CountDownLatch(1);

  synchronized LifecycleState state() {
    return state;
  }

  /** Moves to {@code to}; an impossible move is a bug in the caller, not a runtime condition. */
  synchronized void moveTo(LifecycleState to) {
    if (!ALLOWED.get(state).contains(to)) {
      throw new IllegalStateException("lifecycle cannot go from " + state + " to " + to);
    }
    state = to;
  }

  static boolean allowed(LifecycleState from, LifecycleState to) {
    return ALLOWED.get(from).contains(to);
  }

  /** Records a signal (or any request to stop) and says what to do about it. */
  SignalAction onSignal() {
    if (signals.incrementAndGet() == 1) {
      shutdownRequested.countDown();
      return SignalAction.DRAIN;
    }
    return SignalAction.HALT;
  }

  boolean shutdownRequested() {
    return shutdownRequested.getCount() == 0;
  }

  /** Blocks until the first signal. */
  void awaitShutdownRequest() throws InterruptedException {
    shutdownRequested.await();
  }

  /** Blocks until the first signal or the timeout; true when a signal came. */
  boolean awaitShutdownRequest(long timeout, TimeUnit unit) throws InterruptedException {
    return shutdownRequested.await(timeout, unit);
  }
}
