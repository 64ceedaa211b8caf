package org.filewcount.agent.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void walksTheNormalPathFromStartToStop() {
    Lifecycle l = new Lifecycle();
    assertThat(l.state()).isEqualTo(LifecycleState.STARTING);

    l.moveTo(LifecycleState.RUNNING);
    l.moveTo(LifecycleState.DRAINING);
    l.moveTo(LifecycleState.STOPPING);
    l.moveTo(LifecycleState.STOPPED);

    assertThat(l.state()).isEqualTo(LifecycleState.STOPPED);
  }

  @Test
  void refusesToSkipTheDrainOrGoBack() {
    Lifecycle l = new Lifecycle();
    l.moveTo(LifecycleState.RUNNING);
    l.moveTo(LifecycleState.DRAINING);

    assertThatThrownBy(() -> l.moveTo(LifecycleState.RUNNING))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("DRAINING to RUNNING");
    assertThatThrownBy(() -> l.moveTo(LifecycleState.STOPPED)).isInstanceOf(IllegalStateException.class);
    assertThat(l.state()).isEqualTo(LifecycleState.DRAINING);
  }

  @Test
  void nothingLeavesStopped() {
    for (LifecycleState to : LifecycleState.values()) {
      assertThat(Lifecycle.allowed(LifecycleState.STOPPED, to)).as("STOPPED -> " + to).isFalse();
    }
  }

  @Test
  void aFailedStartGoesStraightToStopping() {
    Lifecycle l = new Lifecycle();
    l.moveTo(LifecycleState.STOPPING);
    l.moveTo(LifecycleState.STOPPED);
    assertThat(l.state()).isEqualTo(LifecycleState.STOPPED);
  }

  @Test
  void firstSignalDrainsAndSecondHalts() throws InterruptedException {
    Lifecycle l = new Lifecycle();
    assertThat(l.shutdownRequested()).isFalse();
    assertThat(l.awaitShutdownRequest(10, TimeUnit.MILLISECONDS)).isFalse();

    assertThat(l.onSignal()).isEqualTo(Lifecycle.SignalAction.DRAIN);

    assertThat(l.shutdownRequested()).isTrue();
    assertThat(l.awaitShutdownRequest(0, TimeUnit.MILLISECONDS)).isTrue();
    assertThat(l.onSignal()).isEqualTo(Lifecycle.SignalAction.HALT);
    assertThat(l.onSignal()).isEqualTo(Lifecycle.SignalAction.HALT);
  }

  @Test
  void signalsFromManyThreadsDrainExactlyOnce() throws Exception {
    Lifecycle l = new Lifecycle();
    java.util.concurrent.atomic.AtomicInteger drains = new java.util.concurrent.atomic.AtomicInteger();
    Thread[] threads = new Thread[8];
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(() -> {
        if (l.onSignal() == Lifecycle.SignalAction.DRAIN) {
          drains.incrementAndGet();
        }
      });
      threads[i].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(drains).hasValue(1);
  }
}
