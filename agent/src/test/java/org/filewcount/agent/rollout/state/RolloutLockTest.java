package org.filewcount.agent.rollout.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.registry.StubConsul;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one-rollout-per-service lock against the stub's sessions and KV. */
class RolloutLockTest {

  private final StubConsul consul = new StubConsul();
  private final ConsulHttp http = new ConsulHttp(ConsulSettings.fromEnvironment(Map.of(), consul.address().toString()));

  @AfterEach
  void stop() {
    consul.close();
  }

  @Test
  void aSecondHolderIsRefusedByNameAndCloseFreesTheLockAtOnce() {
    RolloutLock first = RolloutLock.acquire(http, "filewcount", "alice@laptop pid 1", Duration.ZERO);
    assertThat(consul.kv().holder("filewcount/rollout/filewcount/lock")).contains(first.session());

    assertThatThrownBy(() -> RolloutLock.acquire(http, "filewcount", "bob@ci pid 2", Duration.ofSeconds(5)))
        .isInstanceOf(RolloutLockedException.class)
        .hasMessageContaining("already running, held by alice@laptop pid 1")
        .hasMessageContaining("filewcount-agent rollout abort --service filewcount");
    assertThat(consul.kv().value("filewcount/rollout/filewcount/lock")).as("the refused one wrote nothing")
        .contains("alice@laptop pid 1");

    first.close();
    assertThat(consul.kv().sessionAlive(first.session())).isFalse();
    // Released before the session was destroyed: no lock-delay for the next one.
    try (RolloutLock second = RolloutLock.acquire(http, "filewcount", "bob@ci pid 2", Duration.ZERO)) {
      assertThat(second.lost()).isEmpty();
    }
  }

  @Test
  void anotherServiceHasItsOwnLock() {
    try (RolloutLock a = RolloutLock.acquire(http, "filewcount", "a", Duration.ZERO);
        RolloutLock b = RolloutLock.acquire(http, "other", "b", Duration.ZERO)) {
      assertThat(a.session()).isNotEqualTo(b.session());
    }
  }
}
