package org.filewcount.agent.proxy.timing;

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
    advance(10);
    assertThat(checks).containsExactly(10L, 20L);
    deadline = start + TimeUnit.SECONDS.toNanos(23);
    advance(10);
    assertThat(checks).containsExactly(10L, 20L, 23L);
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
