package org.filewcount.agent.rollout.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import org.filewcount.agent.rollout.state.RolloutState.Phase;
import org.junit.jupiter.api.Test;

/** The JSON of {@code rollout status} that scripts and the CI manual gate read ({@code .paused}, {@code .orphaned}). */
class RolloutStatusTest {

  private static RolloutState state(Phase phase) {
    Instant t = Instant.parse("2026-12-03T10:00:00Z");
    return new RolloutState("filewcount", "1.0", "2.0", "10,pause,100", "60s", 1, BigDecimal.TEN, phase, "s-1",
        "ci@host pid 7", t, t, "", Optional.empty(), Optional.empty());
  }

  private static JsonNode json(Phase phase, boolean held) {
    return new RolloutStatus("filewcount", Optional.of(state(phase)),
        held ? Optional.of("ci@host pid 7") : Optional.empty(), held).json();
  }

  @Test
  void pausedIsTrueOnlyForALiveRolloutHoldingAtAGate() {
    assertThat(json(Phase.PAUSED, true).path("paused").asBoolean()).isTrue();
    assertThat(json(Phase.PAUSED, true).path("orphaned").asBoolean()).isFalse();
    assertThat(json(Phase.RUNNING, true).path("paused").asBoolean()).isFalse();
    assertThat(json(Phase.PROMOTED, false).path("paused").asBoolean()).isFalse();
  }

  @Test
  void anOrphanAtAGateIsOrphanedNotPaused() {
    JsonNode orphan = json(Phase.PAUSED, false);
    assertThat(orphan.path("orphaned").asBoolean()).isTrue();
    assertThat(orphan.path("paused").isBoolean()).isTrue();
    assertThat(orphan.path("paused").asBoolean()).isFalse();
  }

  @Test
  void noRolloutIsNeitherPausedNorOrphaned() {
    JsonNode none = new RolloutStatus("filewcount", Optional.empty(), Optional.empty(), false).json();
    assertThat(none.path("paused").isBoolean()).isTrue();
    assertThat(none.path("paused").asBoolean()).isFalse();
    assertThat(none.path("orphaned").asBoolean()).isFalse();
  }
}
