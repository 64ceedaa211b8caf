package org.filewcount.agent.traffic;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Set once by Ctrl-C (the CLI's shutdown hook) or a test; the rollout checks it between actions and any
 * abortable wait ends at once. Also the real-time {@link Sleeper}.
 */
public final class AbortSwitch implements Sleeper {

  private final CountDownLatch triggered = new CountDownLatch(1);

  public void trigger() {
    triggered.countDown();
  }

  public boolean isTriggered() {
    return triggered.getCount() == 0;
  }

  @Override
  public boolean sleep(Duration d) {
    try {
      return !triggered.await(d.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
