package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, item 1: Consul goes away for 30 s while 100 requests/s flow through the proxy, then comes
 * back empty (a restarted {@code consul agent -dev} remembers nothing). No request may fail, and the
 * instance must be back in Consul with both checks within 5 s of Consul's return.
 */
class ConsulOutageIT {

  private static final int RATE = 100;
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final Duration REREGISTER_WITHIN = Duration.ofSeconds(5);

  // A fixed port: the stub must come back where the agent looks for it.
  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedForEachTest().consulOnFixedPort();

  @Test
  void requestsKeepFlowingThroughAConsulOutageAndTheInstanceIsBackSoonAfter(AgentUnderTest agent, StubConsul consul)
      throws Exception {
    LoadGenerator load = fixture.closeAfter(new LoadGenerator());
    int max = RATE * (int) (OUTAGE.toSeconds() + 20);
    load.start(RATE, max, i -> i % 10 == 0 ? LoadGenerator.upload(agent.proxyUrl("/"), 4096)
        : LoadGenerator.page(agent.proxyUrl("/")), () -> true);
    await().atMost(Duration.ofSeconds(10)).until(() -> load.sent() >= 2 * RATE);

    consul.stop();
    long outageStarted = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.log().contains("Consul unreachable"));
    // The outage itself is the scenario: it lasts its full length whatever the agent does.
    Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - outageStarted) / 1_000_000));
    int sentDuringOutage = load.sent();

    consul.forgetEverything();
    consul.restart();
    long back = System.nanoTime();
    await().atMost(REREGISTER_WITHIN.plusSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> agent.registeredWithBothChecks(consul));
    Duration reregistered = Duration.ofNanos(System.nanoTime() - back);

    await().atMost(Duration.ofSeconds(10)).until(() -> load.sent() >= sentDuringOutage + 2 * RATE);
    load.stopSending();
    List<LoadGenerator.Exchange> all = load.awaitAll(Duration.ofSeconds(30));
    List<LoadGenerator.Exchange> failed = LoadGenerator.failures(all);
    List<LoadGenerator.Exchange> during = all.stream()
        .filter(e -> e.sentNanos() >= outageStarted && e.sentNanos() < back).toList();
    List<LoadGenerator.Exchange> before = all.stream().filter(e -> e.sentNanos() < outageStarted).toList();
    List<LoadGenerator.Exchange> after = all.stream().filter(e -> e.sentNanos() >= back).toList();

    System.out.println("FIGURE: Consul outage: " + all.size() + " requests at " + RATE + "/s through the proxy (10% 4 KiB"
        + " uploads) across a " + OUTAGE.toSeconds() + " s outage: failed " + failed.size() + "; p50/p99 "
        + String.format("%.1f/%.1f ms before (%d requests, cold JVMs), %.1f/%.1f ms during the outage (%d),"
                + " %.1f/%.1f ms after Consul's return (%d)",
            LoadGenerator.percentileMillis(before, 50), LoadGenerator.percentileMillis(before, 99), before.size(),
            LoadGenerator.percentileMillis(during, 50), LoadGenerator.percentileMillis(during, 99), during.size(),
            LoadGenerator.percentileMillis(after, 50), LoadGenerator.percentileMillis(after, 99), after.size())
        + "; re-registered with both checks "
        + reregistered.toMillis() + " ms after Consul came back empty");
    assertThat(failed).as(LoadGenerator.summary(failed)).isEmpty();
    assertThat(reregistered).isLessThanOrEqualTo(REREGISTER_WITHIN);
    assertThat(consul.service(agent.serviceId()).path("Checks").size()).as("HTTP and TTL check").isEqualTo(2);
    agent.assertAlive();
  }
}
