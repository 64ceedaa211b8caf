package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, item 5: 10,000 generated malformed and adversarial requests over raw sockets against the
 * packaged agent's proxy. Every answer is a 4xx (501/505 where HTTP says so) or a closed connection;
 * the agent survives, leaks no connection or file descriptor, still serves a normal request, and no
 * smuggling attempt reaches the app as two requests (counted at the app, one attempt at a time).
 */
class HostileInputIT {

  private static final long SEED = 8L;
  private static final int PARALLEL = 4;
  /** A correct server answers every generated frame at once; this only bounds a server that waits. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

  // Probes would add requests at the app while smuggling is counted there: one at start, then none.
  @RegisterExtension
  final PackagedAgentExtension fixture =
      PackagedAgentExtension.startedForEachTest(agent -> agent.option("--probe-interval", "1h"));

  @Test
  void tenThousandHostileRequestsAreRefusedWithoutLeaksOrSmuggling(AgentUnderTest agent, FilewcountStandIn app)
      throws Exception {
    warmUp(agent);
    long fdsBefore = agent.openFileDescriptors();

    HostileRequests gen = new HostileRequests(SEED);
    List<HostileRequests.Attack> attacks = new ArrayList<>();
    attacks.addAll(gen.badRequestLines(2000));
    attacks.addAll(gen.headerFloods(700));
    attacks.addAll(gen.hugeHeaderValues(700));
    attacks.addAll(gen.contentLengthTransferEncodingConflicts(1500));
    attacks.addAll(gen.badChunkSizes(1500));
    attacks.addAll(gen.invalidUtf8Paths(1500));
    attacks.addAll(gen.badHeaders(1600));
    Collections.shuffle(attacks, new java.util.Random(SEED));
    List<HostileRequests.Attack> smuggling = gen.smuggling(504);

    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    List<String> wrong = Collections.synchronizedList(new ArrayList<>());
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<?>> futures = new ArrayList<>();
      int slice = (attacks.size() + PARALLEL - 1) / PARALLEL;
      for (int w = 0; w < PARALLEL; w++) {
        List<HostileRequests.Attack> mine = attacks.subList(w * slice, Math.min(attacks.size(), (w + 1) * slice));
        futures.add(pool.submit(() -> {
          for (HostileRequests.Attack a : mine) {
            RawHttp.Answer answer = RawHttp.exchange(agent.listenPort(), a.bytes(), ANSWER_TIMEOUT, false, Duration.ZERO);
            record(outcomes, wrong, a, answer);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    // Smuggling one attempt at a time, so the app's request counter says what each one caused.
    List<String> smuggled = new ArrayList<>();
    for (HostileRequests.Attack a : smuggling) {
      long before = app.requestCount();
      RawHttp.Answer answer = RawHttp.exchange(agent.listenPort(), a.bytes(), ANSWER_TIMEOUT, true,
          Duration.ofMillis(300));
      record(outcomes, wrong, a, answer);
      long reached = app.requestCount() - before;
      if (reached > 1) {
        smuggled.add(a.label() + " reached the app as " + reached + " requests");
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    int total = attacks.size() + smuggling.size();

    agent.assertAlive();
    String[] normal = RawHttp.get(agent.listenPort(), "/");
    // Clients here always close (Connection: close or end of the exchange), so every client connection
    // must be gone once the clients closed; the agent holds no descriptor for them.
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> ProcNet.openConnectionsOnLocalPort(agent.listenPort()) == 0);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> agent.openFileDescriptors() <= fdsBefore + PARALLEL);
    long fdsAfter = agent.openFileDescriptors();

    System.out.println("FIGURE: hostile input: " + total + " requests (seed " + SEED + ") in " + took.toSeconds()
        + " s: " + new TreeMap<>(outcomes) + "; not refused " + wrong.size() + "; smuggled " + smuggled.size()
        + " of " + smuggling.size() + "; agent fds " + fdsBefore + " before, " + fdsAfter + " after; open client"
        + " connections after 0; normal request afterwards " + normal[0]);
    assertThat(total).isGreaterThanOrEqualTo(10_000);
    assertThat(wrong).as("answers that were neither 4xx/501/505 nor a close").isEmpty();
    assertThat(smuggled).as("smuggling attempts that reached the app as two requests").isEmpty();
    assertThat(normal[0]).isEqualTo("200");
    assertThat(normal[1]).contains(LoadGenerator.PAGE_MARKER);
    assertThat(fdsAfter).as("file descriptors of the agent (pooled app connections may differ by a few)")
        .isLessThanOrEqualTo(fdsBefore + PARALLEL);
  }

  /** Loads the code paths and fills the app connection pool, so the fd baseline is the steady state. */
  private static void warmUp(AgentUnderTest agent) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < PARALLEL; w++) {
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            assertThat(RawHttp.get(agent.listenPort(), "/")[0]).isEqualTo("200");
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void record(Map<String, AtomicInteger> outcomes, List<String> wrong, HostileRequests.Attack a,
      RawHttp.Answer answer) {
    String key = answer.silent() ? "no answer" : answer.statuses().isEmpty() ? "closed"
        : String.valueOf(answer.statuses().get(0));
    outcomes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    if (!answer.refused() && wrong.size() < 1000) {
      wrong.add(a.family() + " [" + a.label() + "] -> " + answer.describe());
    }
  }
}
