package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightTest {

  @Test
  void awaitZeroReturnsAtOnceWhenIdleAndWakesWhenTheLastRequestEnds() throws Exception {
    InFlight f = new InFlight();
    assertThat(f.awaitZero(Duration.ZERO)).isTrue();
    f.increment();
    f.increment();
    assertThat(f.awaitZero(Duration.ofMillis(10))).isFalse();
    CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
      try {
        return f.awaitZero(Duration.ofMinutes(1));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    f.decrement();
    assertThat(f.get()).isEqualTo(1);
    f.decrement();
    assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
    assertThat(f.get()).isZero();
  }
}
