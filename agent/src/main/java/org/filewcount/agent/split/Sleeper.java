package org.filewcount.agent.split;

import java.time.Duration;

/**
 * How traffic code waits: a rollout between steps, a config entry write between check-and-set retries. Real
 * time in the CLI; a fake clock in tests, so a 10-minute rollout takes no time.
 */
public interface Sleeper {

  /** Real time, never aborted: for waits outside a rollout (a shift's or a status read's retries). */
  Sleeper REAL_TIME = new Sleeper() {
    @Override
    public boolean sleep(Duration d) {
      pause(d);
      return !Thread.currentThread().isInterrupted();
    }

    @Override
    public void pause(Duration d) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  };

  /** Waits {@code d} unless the rollout is aborted first. @return false when aborted */
  boolean sleep(Duration d);

  /** Waits {@code d} even if aborted (the pause between retries of a restoring write); keeps an interrupt. */
  void pause(Duration d);
}
