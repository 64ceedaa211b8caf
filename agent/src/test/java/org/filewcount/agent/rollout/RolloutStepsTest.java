package org.filewcount.agent.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.rollout.state.RolloutState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** --steps with pause gates, and the state value that records a rollout in Consul. */
class RolloutStepsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "10,pause,50,100    | 10,50,100 | [1]",
      "pause,10,100       | 10,100    | [0]",
      "10,100,PAUSE       | 10,100    | [2]",
      "10, 25 ,50,100     | 10,25,50,100 | []",
  })
  void gatesAreKeptAsAfterHowManySteps(String text, String percents, String gates) {
    RolloutSteps s = RolloutSteps.parse(text);

    assertThat(String.join(",", s.percents().stream().map(BigDecimal::toPlainString).toList())).isEqualTo(percents);
    assertThat(s.gatesAfter().toString()).isEqualTo(gates);
    assertThat(RolloutSteps.parse(s.describe())).as("describe() reads back").isEqualTo(s);
  }

  @Test
  void badItemsNameTheProblem() {
    assertThatThrownBy(() -> RolloutSteps.parse("10,pause,pause,100")).isInstanceOf(RolloutRefusedException.class)
        .hasMessageContaining("two pauses in a row");
    assertThatThrownBy(() -> RolloutSteps.parse("10,wait,100")).isInstanceOf(RolloutRefusedException.class)
        .hasMessageContaining("'wait' is neither a percentage nor 'pause'");
  }

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

  @Test
  void aPlanDescribesItsGates() {
    RolloutSteps s = RolloutSteps.parse("10,pause,50,100");
    RolloutPlan plan = new RolloutPlan("filewcount", "2.0", s.percents(), Duration.ofSeconds(60),
        new Thresholds(0.01, Duration.ofMillis(800), java.util.OptionalDouble.empty(), 50), 0, Optional.empty(),
        s.gatesAfter());
    assertThat(plan.describeSteps()).isEqualTo("10,pause,50,100");
  }
}
