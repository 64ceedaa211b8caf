package org.filewcount.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProbeLoopTest {

  @Test
  void retriesFastUntilTheFirstPassThenWaitsTheInterval() {
    AtomicInteger calls = new AtomicInteger();
    List<Long> at = new CopyOnWriteArrayList<>();
    List<ProbeResult> seen = new CopyOnWriteArrayList<>();
    // Fails three times (app still starting), then passes for good.
    try (ProbeLoop loop = new ProbeLoop(() -> {
      at.add(System.nanoTime());
      boolean pass = calls.incrementAndGet() > 3;
      return new ProbeResult(pass, Duration.ofMillis(1), pass ? "ok" : "connection refused", Instant.now());
    }, Duration.ofMillis(600), Duration.ofMillis(50), List.of(seen::add))) {
      loop.start();

      await().atMost(Duration.ofSeconds(3)).until(() -> calls.get() >= 6);

      assertThat(loop.everPassed()).isTrue();
      assertThat(seen).extracting(ProbeResult::passed).startsWith(false, false, false, true, true);
      long fastGap = at.get(1) - at.get(0);
      long slowGap = at.get(5) - at.get(4);
      assertThat(Duration.ofNanos(fastGap)).isLessThan(Duration.ofMillis(400));
      assertThat(Duration.ofNanos(slowGap)).isGreaterThanOrEqualTo(Duration.ofMillis(550));
    }
  }

  @Test
  void aThrowingProbeCountsAsAFailureAndTheLoopGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    List<ProbeResult> seen = new CopyOnWriteArrayList<>();
    try (ProbeLoop loop = new ProbeLoop(() -> {
      calls.incrementAndGet();
      throw new IllegalStateException("boom");
    }, Duration.ofSeconds(1), Duration.ofMillis(20), List.of(seen::add))) {
      loop.start();
      await().atMost(Duration.ofSeconds(2)).until(() -> calls.get() >= 3);
      assertThat(seen).allSatisfy(r -> {
        assertThat(r.passed()).isFalse();
        assertThat(r.detail()).contains("boom");
      });
    }
  }
}
