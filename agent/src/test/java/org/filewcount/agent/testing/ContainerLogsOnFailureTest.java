package org.filewcount.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every watched log reaches the failure, in set-up and in tests; long logs keep their tail. */
class ContainerLogsOnFailureTest {

  @Test
  void aFailureCarriesEveryWatchedLog() {
    ContainerLogsOnFailure logs = new ContainerLogsOnFailure();
    logs.watchLog("consul", () -> "agent: Cluster leadership acquired");
    logs.watchLog("envoy-v1", () -> "starting main dispatch loop");
    AssertionError failure = new AssertionError("mesh not ready");

    assertThatThrownBy(() -> logs.handleBeforeAllMethodExecutionException(null, failure)).isSameAs(failure);
    assertThat(failure.getSuppressed()).extracting(Throwable::getMessage).containsExactly(
        "log of container consul:\nagent: Cluster leadership acquired",
        "log of container envoy-v1:\nstarting main dispatch loop");

    IllegalStateException inTest = new IllegalStateException("split not followed");
    assertThatThrownBy(() -> logs.handleTestExecutionException(null, inTest)).isSameAs(inTest);
    assertThat(inTest.getSuppressed()).hasSize(2);
  }

  @Test
  void aLongLogKeepsItsLastLines() {
    ContainerLogsOnFailure logs = new ContainerLogsOnFailure();
    int total = ContainerLogsOnFailure.TAIL_LINES + 5;
    logs.watchLog("envoy", () -> IntStream.rangeClosed(1, total).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")));

    String message = logs.withLogs(new AssertionError()).getSuppressed()[0].getMessage();
    assertThat(message).contains("(5 earlier lines left out)").contains("line 6\n").endsWith("line " + total)
        .doesNotContain("line 5\n");
  }
}
