package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, item 2: SIGTERM to the packaged agent while 200 requests/s flow (19 small GETs to 1 upload of
 * 1 MiB). Nothing may fail or be cut; Consul must see maintenance, then deregistration, then the process
 * exits 0 within the drain period plus 2 s.
 *
 * <p>How the load balancer is modelled: in production Envoy/the gateway stop sending to an instance once
 * Consul reports it in maintenance, after their own reaction time. The generator here does the same: it
 * keeps sending until the stub Consul has recorded the maintenance call, and for {@link #LB_LAG} after
 * it, then sends nothing new. Requests sent during that lag, and all earlier ones still in flight
 * (uploads), must complete.
 */
class DrainIT {

  private static final int RATE = 200;
  private static final Duration DRAIN = Duration.ofSeconds(3);
  /** How long a load balancer keeps sending after Consul marked the instance; must be below the drain. */
  private static final Duration LB_LAG = Duration.ofSeconds(1);
  private static final int MIB = 1024 * 1024;

  @RegisterExtension
  final PackagedAgentExtension fixture =
      PackagedAgentExtension.startedForEachTest(agent -> agent.option("--drain", DRAIN.toSeconds() + "s"));

  @Test
  void sigtermUnderLoadLosesNothingAndLeavesConsulInOrder(AgentUnderTest agent, StubConsul consul, FilewcountStandIn app)
      throws Exception {
    LoadGenerator load = fixture.closeAfter(new LoadGenerator());
    String maintenanceCheck = "_service_maintenance:" + agent.serviceId();
    AtomicLong maintenanceSeen = new AtomicLong();
    long appBefore = app.requestCount();
    LoadGenerator.Shot page = LoadGenerator.page(agent.proxyUrl("/"));
    LoadGenerator.Shot upload = LoadGenerator.upload(agent.proxyUrl("/"), MIB);
    load.start(RATE, RATE * 30, i -> i % 20 == 0 ? upload : page, () -> {
      if (maintenanceSeen.get() == 0 && consul.checkStatus(maintenanceCheck) != null) {
        maintenanceSeen.set(System.nanoTime());
      }
      return maintenanceSeen.get() == 0 || System.nanoTime() - maintenanceSeen.get() < LB_LAG.toNanos();
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> load.sent() >= 3 * RATE);

    AtomicLong exitedNanos = new AtomicLong();
    AtomicLong exitedMillis = new AtomicLong();
    agent.process().onExit().thenRun(() -> {
      exitedNanos.set(System.nanoTime());
      exitedMillis.set(System.currentTimeMillis());
    });
    long sigterm = System.nanoTime();
    agent.sigterm();

    assertThat(agent.waitFor(DRAIN.plusSeconds(15))).as("agent exited").isTrue();
    List<LoadGenerator.Exchange> all = load.awaitAll(Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(2)).until(() -> exitedNanos.get() != 0);
    Duration took = Duration.ofNanos(exitedNanos.get() - sigterm);

    List<LoadGenerator.Exchange> failed = LoadGenerator.failures(all);
    // Where a failed request was lost: at the app (it saw it) or before it (client or proxy).
    long appSaw = app.requestCount() - appBefore;
    long afterSigterm = all.stream().filter(e -> e.sentNanos() >= sigterm).count();
    long uploads = all.stream().filter(e -> e.kind().startsWith("upload")).count();
    long lastResponse = all.stream().mapToLong(LoadGenerator.Exchange::doneNanos).max().orElse(sigterm) - sigterm;
    List<LoggedRequest> calls = consul.requests();
    LoggedRequest maintenance = first(calls, "PUT", "/v1/agent/service/maintenance/" + agent.serviceId());
    LoggedRequest deregistration = first(calls, "PUT", "/v1/agent/service/deregister/" + agent.serviceId());
    long sigtermMillis = exitedMillis.get() - took.toMillis();

    System.out.println("FIGURE: drain: " + all.size() + " requests at " + RATE + "/s (" + uploads + " uploads of 1 MiB, "
        + (all.size() - uploads) + " GETs), " + afterSigterm + " sent after SIGTERM: failed or cut " + failed.size()
        + "; Consul saw maintenance at +" + (maintenance.getLoggedDate().getTime() - sigtermMillis) + " ms,"
        + " the app saw " + appSaw + " requests (the functional probe included);"
        + " deregistration at +" + (deregistration.getLoggedDate().getTime() - sigtermMillis) + " ms, last response at +"
        + lastResponse / 1_000_000 + " ms, exit "
        + agent.process().exitValue() + " at +" + took.toMillis() + " ms (drain " + DRAIN.toMillis() + " ms, LB lag "
        + LB_LAG.toMillis() + " ms)");
    assertThat(failed).as("agent log " + agent.logFile().toAbsolutePath() + "; failures, sent/done ms after SIGTERM: "
        + failed.stream().limit(20).map(e -> e.kind() + " " + (e.sentNanos() - sigterm) / 1_000_000 + "/"
            + (e.doneNanos() - sigterm) / 1_000_000 + " " + e.error()).toList()).isEmpty();
    assertThat(afterSigterm).as("requests were still arriving during the drain").isPositive();
    assertThat(calls.indexOf(maintenance)).as("maintenance before deregistration").isLessThan(calls.indexOf(deregistration));
    assertThat(deregistration.getLoggedDate().getTime()).as("deregistration before exit").isLessThanOrEqualTo(exitedMillis.get());
    assertThat(agent.process().exitValue()).as(agent.log()).isZero();
    assertThat(took).as("exit within drain + 2 s; agent log " + agent.logFile().toAbsolutePath()).isLessThanOrEqualTo(DRAIN.plusSeconds(2));
  }

  private static LoggedRequest first(List<LoggedRequest> calls, String method, String path) {
    return calls.stream()
        .filter(r -> r.getMethod().getName().equals(method) && r.getUrl().replaceAll("\\?.*", "").equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("Consul never saw " + method + " " + path + " in "
            + calls.stream().map(r -> r.getMethod() + " " + r.getUrl()).toList()));
  }
}
