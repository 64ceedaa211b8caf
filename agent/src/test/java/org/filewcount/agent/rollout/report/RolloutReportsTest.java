package org.filewcount.agent.rollout.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import org.filewcount.agent.rollout.AbortSwitch;
import org.filewcount.agent.rollout.Rollout;
import org.filewcount.agent.rollout.RolloutFakes;
import org.filewcount.agent.rollout.RolloutPlan;
import org.filewcount.agent.rollout.Thresholds;
import org.filewcount.agent.split.Json;
import org.junit.jupiter.api.Test;

/** The rollout command's one listener: console always, webhook and log when asked, isolated from each other. */
class RolloutReportsTest {

  private final StringWriter console = new StringWriter();

  @Test
  void theConsoleGetsEveryEventAsAJsonLineAndTheWebhookTheNews() throws Exception {
    List<JsonNode> posted = new CopyOnWriteArrayList<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hook.createContext("/hook", x -> {
      posted.add(Json.parse(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    hook.start();
    try (RolloutReports reports = RolloutReports.builder(new PrintWriter(console)).jsonLines(true)
        .webhook(Optional.of(URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook")))
        .environment(Map.of()).build()) {
      failingRollout(reports);
    } finally {
      hook.stop(0);
    }

    List<String> types = console.toString().lines().map(l -> Json.parse(l).path("event").asText()).toList();
    assertThat(types).containsExactly("started", "step", "check", "rolled_back");
    // A failed check and the rollback are news; the start and the step are posted too, a passed check is not.
    assertThat(posted).extracting(n -> n.path("event").asText()).containsExactly("started", "step", "check",
        "rolled_back");
    assertThat(posted.get(3).path("text").asText()).startsWith(":rotating_light: filewcount rollout of filewcount");
  }

  @Test
  void aWebhookThatCannotBeReachedCostsTheConsoleNothing() {
    // Port 1 on loopback: nothing listens, every POST fails at once.
    try (RolloutReports reports = RolloutReports.builder(new PrintWriter(console))
        .webhook(Optional.of(URI.create("http://127.0.0.1:1/hook"))).build()) {
      failingRollout(reports);
    }

    assertThat(console.toString().lines()).hasSize(4).last().asString().contains("rolled back");
  }

  /** One step at 50 % whose canary fails every request: started, step, check (failed), rolled_back. */
  private static void failingRollout(RolloutReports reports) {
    AbortSwitch abort = new AbortSwitch();
    RolloutFakes.FakeTime time = new RolloutFakes.FakeTime(abort);
    RolloutFakes.FakeTraffic traffic = new RolloutFakes.FakeTraffic().version("1.0", 2, 2).version("2.0", 1, 1);
    RolloutFakes.FakeMetrics metrics = new RolloutFakes.FakeMetrics(time, (v, now) -> RolloutFakes.stats(v, 100, 0.3, 0.1));
    RolloutPlan plan = new RolloutPlan("filewcount", "2.0", List.of(BigDecimal.valueOf(50), BigDecimal.valueOf(100)),
        Duration.ofSeconds(30), new Thresholds(0.01, Duration.ofMillis(800), OptionalDouble.empty(), 10), 0,
        Optional.empty());
    new Rollout(plan, traffic, metrics, Optional.empty(), time, time, abort, reports).run();
  }
}
