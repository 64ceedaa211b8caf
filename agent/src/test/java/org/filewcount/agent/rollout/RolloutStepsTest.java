package org.filewcount.agent.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** --steps with pause gates, and the plan that describes them. */
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
  void aPlanDescribesItsGates() {
    RolloutSteps s = RolloutSteps.parse("10,pause,50,100");
    RolloutPlan plan = new RolloutPlan("filewcount", "2.0", s.percents(), Duration.ofSeconds(60),
        new Thresholds(0.01, Duration.ofMillis(800), java.util.OptionalDouble.empty(), 50), 0, Optional.empty(),
        s.gatesAfter());
    assertThat(plan.describeSteps()).isEqualTo("10,pause,50,100");
  }
}
