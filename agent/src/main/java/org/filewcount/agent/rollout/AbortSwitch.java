package org.filewcount.agent.rollout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.split.Sleeper;

/**
 * Set once by Ctrl-C (the CLI's shutdown hook) or a test; the rollout checks it between actions and any
 * abortable wait ends at once. Also the real-time {@link Sleeper}.
 */
public final class AbortSwitch implements Sleeper {

  private final CountDownLatch triggered = new CountDownLatch(1);
  private final List<Runnable> onTrigger = new CopyOnWriteArrayList<>();

  public void trigger() {
    triggered.countDown();
    onTrigger.forEach(Runnable::run);
  }

  /** Also wake this when triggered (a sleeper that waits on something else too). */
  public void onTrigger(Runnable r) {
    onTrigger.add(r);
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
    REAL_TIME.pause(d);
  }
}
