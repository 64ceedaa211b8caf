package org.filewcount.agent.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests between their head arriving and their last byte answered; a drain waits for zero. The
 * event loops only touch an atomic counter (no lock per request); the monitor is entered only while
 * someone waits, to wake them when the count reaches zero.
 */
final class InFlight {

  private final AtomicInteger count = new AtomicInteger();
  private final AtomicInteger waiters = new AtomicInteger();

  void increment() {
    count.incrementAndGet();
  }

  void decrement() {
    if (count.decrementAndGet() == 0 && waiters.get() > 0) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  int get() {
    return count.get();
  }

  /** True when the count reached zero within {@code timeout}. */
  synchronized boolean awaitZero(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    waiters.incrementAndGet();
    try {
      while (count.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    } finally {
      waiters.decrementAndGet();
    }
  }
}
