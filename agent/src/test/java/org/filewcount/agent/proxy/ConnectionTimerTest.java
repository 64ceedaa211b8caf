package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionTimerTest {

  private final EmbeddedChannel loop = new EmbeddedChannel();
  private final List<Long> checks = new ArrayList<>();
  private long deadline = Long.MAX_VALUE;
  private final ConnectionTimer timer;

  ConnectionTimerTest() {
    loop.freezeTime();
    timer = new ConnectionTimer(loop.eventLoop(), TimeUnit.SECONDS.toNanos(10), now -> {
      checks.add(TimeUnit.NANOSECONDS.toSeconds(now - start));
      // Like a real owner, act on a deadline that has passed (here: forget it) rather than report it
      // again: a check returning 0 asks to be called again at once, and with frozen time that never ends.
      if (deadline != Long.MAX_VALUE && deadline - now <= 0) {
        deadline = Long.MAX_VALUE;
      }
      return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now;
    });
  }

  private final long start = loop.eventLoop().ticker().nanoTime();

  private void advance(long seconds) {
    loop.advanceTimeBy(seconds, TimeUnit.SECONDS);
    loop.runScheduledPendingTasks();
  }

  @Test
  void firesEveryTickWithoutADeadlineAndAtTheDeadlineWhenOneIsSet() {
    timer.start();
    advance(10);
    assertThat(checks).containsExactly(10L);
    // Set between firings, as the owner does (never sooner than a tick away): the firing at 20 sees it
    // 3 s ahead and fires again then, not at the next tick (30).
    deadline = start + TimeUnit.SECONDS.toNanos(23);
    advance(10);
    advance(3);
    assertThat(checks).containsExactly(10L, 20L, 23L);
    advance(9);
    assertThat(checks).as("the deadline was acted on: back to a tick (33)").containsExactly(10L, 20L, 23L);
    advance(1);
    assertThat(checks).containsExactly(10L, 20L, 23L, 33L);
  }

  @Test
  void aCloseDeadlineFiresEarlyAndStopEndsIt() {
    timer.start();
    timer.within(TimeUnit.SECONDS.toNanos(2));
    advance(2);
    assertThat(checks).containsExactly(2L);
    timer.stop();
    advance(30);
    assertThat(checks).containsExactly(2L);
    assertThat(timer.stopped()).isTrue();
  }

  @Test
  void aTickMustBePositive() {
    assertThatThrownBy(() -> new ConnectionTimer(loop.eventLoop(), 0, now -> Long.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
