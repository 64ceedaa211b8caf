package org.filewcount.agent.traffic;

import java.time.Duration;

/** How a rollout waits. Real time in the CLI; a fake clock in tests, so a 10-minute rollout takes no time. */
public interface Sleeper {

  /** Waits {@code d} unless the rollout is aborted first. @return false when aborted */
  boolean sleep(Duration d);

  /** Waits {@code d} even if aborted (the pause between retries of a restoring write). */
  void pause(Duration d);
}
