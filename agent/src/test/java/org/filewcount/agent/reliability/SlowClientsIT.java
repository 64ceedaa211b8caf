package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.proxy.ProxySettings;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, item 6 (slowloris): 500 connections send their request headers one byte per second while a
 * normal client keeps making requests. The normal client's p99 stays under 50 ms, and the proxy's
 * header timeout closes every slow connection.
 */
class SlowClientsIT {

  private static final int SLOW = 500;
  /** The proxy's header read timeout as {@code run} configures it (ProxySettings.forAgent: the default). */
  private static final Duration HEADER_TIMEOUT = ProxySettings.builder(new HostPort("127.0.0.1", 1),
      URI.create("http://127.0.0.1:2")).build().headerReadTimeout();
  private static final Duration CLOSE_SLACK = Duration.ofSeconds(3);
  private static final double P99_LIMIT_MS = 50;
  private static final byte[] SLOW_HEAD = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris-"
      + "s".repeat(200) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedForEachTest();

  /** One slow client: how far it got and when the server closed it. */
  private static final class Slow {
    final SocketChannel channel;
    long firstByteAt;
    long closedAt;
    int sent;
    boolean got408;

    Slow(SocketChannel channel) {
      this.channel = channel;
    }
  }

  @Test
  void slowHeaderClientsAreShedAndDoNotSlowNormalClients(AgentUnderTest agent) throws Exception {
    // Warm the JIT and the app pool first: the figure is about the slow clients, not a cold JVM.
    try (LoadGenerator warm = new LoadGenerator()) {
      warm.start(100, 300, i -> LoadGenerator.page(agent.proxyUrl("/")), () -> true);
      assertThat(LoadGenerator.failures(warm.awaitAll(Duration.ofSeconds(30)))).isEmpty();
    }

    Selector selector = Selector.open();
    List<Slow> slow = new ArrayList<>();
    for (int i = 0; i < SLOW; i++) {
      SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", agent.listenPort()));
      ch.configureBlocking(false);
      Slow s = new Slow(ch);
      ch.register(selector, SelectionKey.OP_READ, s);
      slow.add(s);
    }

    LoadGenerator normal = new LoadGenerator();
    List<LoadGenerator.Exchange> measured;
    long started = System.nanoTime();
    long deadline = started + HEADER_TIMEOUT.plus(CLOSE_SLACK).plusSeconds(2).toNanos();
    long nextTick = started;
    boolean normalStarted = false;
    ByteBuffer readBuf = ByteBuffer.allocate(4096);
    try {
      while (System.nanoTime() < deadline && slow.stream().anyMatch(s -> s.closedAt == 0)) {
        long now = System.nanoTime();
        if (now >= nextTick) {
          for (Slow s : slow) {
            if (s.closedAt != 0 || s.sent >= SLOW_HEAD.length) {
              continue;
            }
            try {
              s.channel.write(ByteBuffer.wrap(SLOW_HEAD, s.sent, 1));
              if (s.sent++ == 0) {
                s.firstByteAt = now;
              }
            } catch (IOException e) {
              s.closedAt = now;
            }
          }
          nextTick += 1_000_000_000L;
          if (!normalStarted && now - started >= 2_000_000_000L) {
            // A normal client, while every slow connection is open and trickling.
            normal.start(25, 25 * 6, i -> LoadGenerator.page(agent.proxyUrl("/")), () -> true);
            normalStarted = true;
          }
        }
        selector.select(Math.max(1, (nextTick - System.nanoTime()) / 1_000_000));
        for (SelectionKey key : selector.selectedKeys()) {
          Slow s = (Slow) key.attachment();
          readBuf.clear();
          int n;
          try {
            n = s.channel.read(readBuf);
          } catch (IOException e) {
            n = -1;
          }
          if (n > 0 && new String(readBuf.array(), 0, n, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 408")) {
            s.got408 = true;
          }
          if (n < 0) {
            s.closedAt = System.nanoTime();
            key.cancel();
          }
        }
        selector.selectedKeys().clear();
      }
      measured = normal.awaitAll(Duration.ofSeconds(30));
    } finally {
      normal.close();
      for (Slow s : slow) {
        s.channel.close();
      }
      selector.close();
    }

    long closed = slow.stream().filter(s -> s.closedAt != 0).count();
    long with408 = slow.stream().filter(s -> s.got408).count();
    double minClose = slow.stream().filter(s -> s.closedAt != 0).mapToLong(s -> s.closedAt - s.firstByteAt).min()
        .orElse(0) / 1e9;
    double maxClose = slow.stream().filter(s -> s.closedAt != 0).mapToLong(s -> s.closedAt - s.firstByteAt).max()
        .orElse(0) / 1e9;
    int maxSent = slow.stream().mapToInt(s -> s.sent).max().orElse(0);
    List<LoadGenerator.Exchange> failed = LoadGenerator.failures(measured);
    double p50 = LoadGenerator.percentileMillis(measured, 50);
    double p99 = LoadGenerator.percentileMillis(measured, 99);

    System.out.println(String.format("FIGURE: slow clients: %d connections sending headers at 1 byte/s: %d closed by the"
            + " server %.1f-%.1f s after their first byte (header timeout %d s, %d answered 408 first, at most %d of %d"
            + " header bytes sent); normal client %d requests at 25/s alongside: failed %d, p50 %.1f ms, p99 %.1f ms",
        SLOW, closed, minClose, maxClose, HEADER_TIMEOUT.toSeconds(), with408, maxSent, SLOW_HEAD.length,
        measured.size(), failed.size(), p50, p99));
    assertThat(failed).as(LoadGenerator.summary(failed)).isEmpty();
    assertThat(measured).hasSize(25 * 6);
    assertThat(p99).as("normal client's p99 (ms)").isLessThan(P99_LIMIT_MS);
    assertThat(closed).as("slow connections closed by the server").isEqualTo(SLOW);
    assertThat(maxClose).as("closed by the header timeout, not later")
        .isLessThanOrEqualTo(HEADER_TIMEOUT.plus(CLOSE_SLACK).toMillis() / 1000.0);
    assertThat(minClose).as("and not before it (that would be some other limit)")
        .isGreaterThanOrEqualTo(HEADER_TIMEOUT.minusSeconds(1).toMillis() / 1000.0);
    agent.assertAlive();
  }
}
