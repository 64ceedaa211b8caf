package org.filewcount.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesUntilTheCapWithTheTopOfTheJitterRange() {
    Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(4), () -> 1.0);

    assertThat(b.next()).isEqualTo(Duration.ofMillis(250));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(500));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(1000));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(2000));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(4000));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(4000));
    for (int i = 0; i < 100; i++) {
      assertThat(b.next()).isEqualTo(Duration.ofMillis(4000));
    }
  }

  @Test
  void jitterNeverGoesBelowHalfTheStep() {
    Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(4), () -> 0.0);

    assertThat(b.next()).isEqualTo(Duration.ofMillis(125));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(250));
    b.next();
    b.next();
    assertThat(b.next()).isEqualTo(Duration.ofMillis(2000));
  }

  @Test
  void realJitterStaysWithinBoundsAndVaries() {
    Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000));
    java.util.Set<Duration> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      Duration d = b.next();
      assertThat(d).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
      seen.add(d);
    }
    assertThat(seen).hasSizeGreaterThan(10);
  }

  @Test
  void resetStartsOverAfterASuccess() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), () -> 1.0);
    b.next();
    b.next();
    b.next();
    assertThat(b.failures()).isEqualTo(3);

    b.reset();

    assertThat(b.failures()).isZero();
    assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void rejectsACapBelowTheInitialDelay() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
