package org.filewcount.agent.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with "equal jitter": attempt n waits between half and all of
 * min(cap, initial * 2^n). The jitter keeps many agents on one host from hitting a restarted
 * Consul agent in lock-step; the lower half-bound keeps the retry rate predictable.
 *
 * <p>Not thread-safe: one loop owns one instance.
 */
final class Backoff {

  private final Duration initial;
  private final Duration cap;
  private final DoubleSupplier random;
  private int attempt;

  public Backoff(Duration initial, Duration cap, DoubleSupplier random) {
    if (initial.isZero() || initial.isNegative() || cap.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= cap, got " + initial + " and " + cap);
    }
    this.initial = initial;
    this.cap = cap;
    this.random = random;
  }

  public Backoff(Duration initial, Duration cap) {
    this(initial, cap, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The delay before the next attempt; each call counts one more failure. */
  public Duration next() {
    long ceiling = ceilingMillis(attempt);
    if (attempt < 62) {
      attempt++;
    }
    long half = ceiling / 2;
    return Duration.ofMillis(half + Math.round((ceiling - half) * random.getAsDouble()));
  }

  /** After a success: the next failure starts again from the initial delay. */
  public void reset() {
    attempt = 0;
  }

  public int failures() {
    return attempt;
  }

  private long ceilingMillis(int n) {
    long capMs = cap.toMillis();
    long value = initial.toMillis();
    for (int i = 0; i < n && value < capMs; i++) {
      value *= 2;
    }
    return Math.min(value, capMs);
  }
}
