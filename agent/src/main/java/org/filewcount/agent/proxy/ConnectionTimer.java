package org.filewcount.agent.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one scheduled task of a connection. It fires at the earliest deadline its owner reports, and at
 * least every {@code tick}, where {@code tick} is no longer than the owner's shortest timeout. So a
 * deadline set later (always "now + a timeout") can never be earlier than the next firing, and
 * setting one needs no rescheduling: the owner writes a field and the next firing sees it.
 *
 * <p>Runs on the connection's event loop only; time comes from the loop's ticker, so tests can move
 * it (EmbeddedChannel's {@code advanceTimeBy}).
 */
final class ConnectionTimer {

  /** The owner's deadlines. */
  public interface Deadlines {
    /**
     * Acts on every deadline that has passed at {@code now} and returns the nanoseconds until the
     * next one, or {@link Long#MAX_VALUE} when none is set.
     */
    long check(long now);
  }

  private final EventExecutor executor;
  private final long tickNanos;
  private final Deadlines deadlines;
  private final Runnable fire = this::fire;
  private ScheduledFuture<?> scheduled;
  private long scheduledAt;
  private boolean stopped;

  public ConnectionTimer(EventExecutor executor, long tickNanos, Deadlines deadlines) {
    if (tickNanos <= 0) {
      throw new IllegalArgumentException("tick must be positive, got " + tickNanos);
    }
    this.executor = executor;
    this.tickNanos = tickNanos;
    this.deadlines = deadlines;
  }

  /** The loop's clock, in nanoseconds. */
  public long now() {
    return executor.ticker().nanoTime();
  }

  /** Starts ticking (idempotent). */
  public void start() {
    if (scheduled == null && !stopped) {
      schedule(tickNanos);
    }
  }

  /**
   * A deadline closer than a tick away (a lingering close): fires then instead of at the next tick.
   * Rare by design: it cancels and reschedules.
   */
  public void within(long nanos) {
    if (stopped || scheduled != null && scheduledAt - now() <= nanos) {
      return;
    }
    cancel();
    schedule(Math.max(0, nanos));
  }

  /** Stops for good (the connection closed). */
  public void stop() {
    stopped = true;
    cancel();
  }

  public boolean stopped() {
    return stopped;
  }

  private void fire() {
    scheduled = null;
    if (stopped) {
      return;
    }
    long next = deadlines.check(now());
    if (!stopped && scheduled == null) {
      schedule(Math.min(Math.max(next, 0), tickNanos));
    }
  }

  private void schedule(long delayNanos) {
    scheduledAt = now() + delayNanos;
    scheduled = executor.schedule(fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (scheduled != null) {
      scheduled.cancel(false);
      scheduled = null;
    }
  }
}
