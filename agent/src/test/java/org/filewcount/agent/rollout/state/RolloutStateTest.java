package org.filewcount.agent.rollout.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.rollout.OperatorRequest;
import org.junit.jupiter.api.Test;

/** The state value that records a rollout in Consul KV: its JSON and the moves its phase allows. */
class RolloutStateTest {

  @Test
  void theStateRoundTripsThroughItsJsonAndPhasesMoveOnlyTheAllowedWays() {
    RolloutState s = new RolloutState("filewcount", "1.0", "2.0", "10,pause,100", "1m", 1, BigDecimal.TEN,
        RolloutState.Phase.RUNNING, "sess-1", "alice@laptop pid 7", Instant.parse("2026-11-25T12:00:00Z"),
        Instant.parse("2026-11-25T12:01:00Z"), "step 1/2 passed", Optional.of("d-1"),
        Optional.of(new OperatorRequest(OperatorRequest.Action.PAUSE, "bob@ci", Instant.parse("2026-11-25T12:01:30Z"),
            "r-1", true)));

    assertThat(RolloutState.fromJson(s.toJson())).isEqualTo(s);
    assertThat(s.withPhase(RolloutState.Phase.PAUSED).withPhase(RolloutState.Phase.RUNNING).phase())
        .isEqualTo(RolloutState.Phase.RUNNING);
    RolloutState ended = s.withPhase(RolloutState.Phase.ABORTED);
    assertThatThrownBy(() -> ended.withPhase(RolloutState.Phase.RUNNING)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a rollout that is aborted cannot become running");
    assertThatThrownBy(() -> RolloutState.fromJson("{\"service\":\"x\"}")).isInstanceOf(ConsulException.class)
        .hasMessageContaining("not one the agent wrote");
  }
}
