package org.filewcount.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import org.filewcount.agent.rollout.AbortSwitch;
import org.filewcount.agent.rollout.RolloutFakes.FakeMetrics;
import org.filewcount.agent.rollout.RolloutFakes.FakeTime;
import org.filewcount.agent.rollout.RolloutFakes.FakeTraffic;
import org.filewcount.agent.rollout.RolloutFakes;
import org.filewcount.agent.split.Split;
import org.junit.jupiter.api.Test;

class TrafficStatusTest {

  private final FakeTraffic traffic = new FakeTraffic().version("1.0", 3, 3).version("2.0", 1, 2);
  private final FakeTime time = new FakeTime(new AbortSwitch());

  @Test
  void tableShowsSplitHealthAndMetricsPerVersion() {
    traffic.split = Optional.of(Split.parse(java.util.List.of("1.0=75,2.0=25")));
    FakeMetrics metrics = new FakeMetrics(time, (v, now) ->
        RolloutFakes.stats(v, v.equals("1.0") ? 3000 : 900, v.equals("1.0") ? 0.001 : 0.02, 0.25));

    TrafficStatus status = TrafficStatus.read(traffic, Optional.of(metrics), "filewcount", Duration.ofMinutes(5));

    assertThat(status.table()).contains("Traffic split of filewcount: 1.0=75, 2.0=25; stable (default subset): 1.0")
        .containsPattern("VERSION +WEIGHT +PASSING +REQ/S +ERROR RATIO +P99")
        .containsPattern("1\\.0 +75% +3/3 +10 +0\\.001 +0\\.25s")
        .containsPattern("2\\.0 +25% +1/2 +3 +0\\.02 +0\\.25s")
        .contains("Metrics over the last 5m from fake Prometheus");
    JsonNode json = status.json();
    assertThat(json.path("split").path("2.0").asDouble()).isEqualTo(25.0);
    assertThat(json.path("versions").get(1).path("error_ratio").asDouble()).isEqualTo(0.02);
    assertThat(json.path("versions").get(1).path("requests_per_second").asDouble()).isEqualTo(3.0);
  }

  @Test
  void withoutSplitterOrMetricsItSaysSo() {
    FakeMetrics down = new FakeMetrics(time, (v, now) -> {
      throw new IllegalStateException("Prometheus at http://127.0.0.1:9090 did not answer");
    });

    TrafficStatus status = TrafficStatus.read(traffic, Optional.of(down), "filewcount", Duration.ofMinutes(5));

    assertThat(status.table()).contains("no splitter").containsPattern("1\\.0 +- +3/3 +- +- +-")
        .contains("unavailable (Prometheus at http://127.0.0.1:9090 did not answer)");
    assertThat(status.json().path("split").isNull()).isTrue();
  }
}
