package org.filewcount.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Consul readiness predicate: a 200 is not enough, the body must name a leader. */
class ConsulContainersTest {

  @Test
  void onlyABodyNamingALeaderIsReady() {
    assertThat(ConsulContainers.namesALeader("\"172.18.0.2:8300\"")).isTrue();
    assertThat(ConsulContainers.namesALeader("\"\"")).isFalse();
    assertThat(ConsulContainers.namesALeader("\"\"\n")).isFalse();
    assertThat(ConsulContainers.namesALeader("")).isFalse();
    assertThat(ConsulContainers.namesALeader(null)).isFalse();
  }
}
