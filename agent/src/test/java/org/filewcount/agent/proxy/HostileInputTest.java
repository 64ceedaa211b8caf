package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.filewcount.agent.config.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Generated adversarial requests against the proxy: every answer must be a 4xx (501/505 where HTTP
 * says so) or a closed connection, nothing reaches the app, no file descriptor is leaked, and a normal
 * request still works afterwards. The reliability suite runs a larger version of this.
 */
class HostileInputTest {

  private static final int REQUESTS = 2_000;
  private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

  private static final List<IntFunction<byte[]>> ATTACKS = List.of(
      seed -> ascii(randomToken(seed) + "\r\n\r\n"),
      seed -> ascii("GET /" + seed + " HTTP/1.1 extra\r\nHost: a\r\n\r\n"),
      seed -> ascii("get / HTTP/1.1\r\nHost: a\r\n\r\n"),
      seed -> ascii("GET / HTTP/" + (2 + seed % 7) + ".0\r\nHost: a\r\n\r\n"),
      seed -> ascii("GET / HTTP/1.1\r\nHost: a\r\n" + "X-Flood: y\r\n".repeat(4000) + "\r\n"),
      seed -> ascii("GET / HTTP/1.1\r\nHost: a\r\nX-Huge: " + "z".repeat(40_000 + seed) + "\r\n\r\n"),
      seed -> ascii("GET /" + "p".repeat(9000 + seed) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
      seed -> ascii("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
          + SMUGGLED),
      seed -> ascii("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nContent-Length: " + (7 + seed % 50)
          + "\r\n\r\n" + SMUGGLED),
      seed -> ascii("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + List.of("xchunked", "chunked, gzip",
          "chunked, chunked", " chunked ,", "identity").get(seed % 5) + "\r\n\r\n0\r\n\r\n" + SMUGGLED),
      seed -> ascii("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
          + List.of("-1", "fffffffffffffffffff", "0x10", "1 2", "g").get(seed % 5) + "\r\nabc\r\n0\r\n\r\n" + SMUGGLED),
      seed -> latin1("GET /caf\u00e9/\u00ff\u00fe" + seed + " HTTP/1.1\r\nHost: a\r\n\r\n"),
      seed -> ascii("GET / HTTP/1.1\r\nHost: a\r\nX-Bad : value\r\n\r\n"),
      seed -> ascii("GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n"),
      seed -> latin1("GET / HTTP/1.1\r\nHost: a\r\nX-Nul: a\u0000b\r\n\r\n"),
      seed -> ascii("GET / HTTP/1.1\r\nHost: a\r\nHost: b" + seed + "\r\n\r\n"),
      seed -> ascii("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
      seed -> ascii("GET / HTTP/1.1\r\n\r\n"),
      seed -> ascii("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"),
      seed -> ascii("TRACE / HTTP/1.1\r\nHost: a\r\n\r\n"),
      seed -> ascii("GET relative HTTP/1.1\r\nHost: a\r\n\r\n"),
      seed -> ascii("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10485761\r\n\r\n"),
      seed -> ascii("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n"),
      seed -> ascii("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx"));

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void adversarialRequestsGet4xxOrACloseAndNothingLeaks() throws Exception {
    try (RecordingUpstream app = new RecordingUpstream()) {
      ProxyServer proxy = ProxyServer.start(
          ProxySettings.builder(new HostPort("127.0.0.1", 0), app.url()).ioThreads(2)
              .lingerTimeout(Duration.ofMillis(200)).build(),
          ExchangeObserver.NOOP);
      try {
        warmUp(proxy);
        long fdsBefore = openFiles();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> verdicts = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          int n = i;
          verdicts.add(pool.submit(() -> attack(proxy, n)));
        }
        List<String> wrong = new ArrayList<>();
        for (Future<String> v : verdicts) {
          String verdict = v.get();
          if (verdict != null) {
            wrong.add(verdict);
          }
        }
        pool.shutdown();
        assertThat(wrong).as("answers that were neither 4xx/501/505 nor a close").isEmpty();
        // A request head may reach the app before its broken body is seen; its body never arrives whole.
        assertThat(app.received).as("requests the app received whole")
            .allSatisfy(r -> assertThat(r.uri().equals("/warm") || !r.complete()).isTrue());
        assertThat(app.heads).as("smuggled requests").noneMatch(h -> h.contains("smuggled"));
        await().atMost(Duration.ofSeconds(10)).until(() -> openFiles() <= fdsBefore + 2);
        assertThat(proxy.inFlight()).isZero();
        try (RawClient c = new RawClient(proxy.localAddress())) {
          assertThat(c.send("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        System.out.printf("%d adversarial requests: all refused or closed; open files %d before, %d after%n",
            REQUESTS, fdsBefore, openFiles());
      } finally {
        proxy.close();
      }
    }
  }

  private static void warmUp(ProxyServer proxy) throws IOException {
    try (RawClient c = new RawClient(proxy.localAddress())) {
      c.send("GET /warm HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
    }
  }

  /** Null when the proxy answered as it must; else what happened. */
  private static String attack(ProxyServer proxy, int n) {
    byte[] request = ATTACKS.get(n % ATTACKS.size()).apply(n);
    try (RawClient c = new RawClient(proxy.localAddress())) {
      c.timeout(Duration.ofSeconds(5));
      try {
        c.send(request);
      } catch (IOException closedWhileSending) {
        return null;
      }
      int status;
      try {
        status = c.read().status();
      } catch (IOException closed) {
        return c.closedByPeer() ? null : "attack " + (n % ATTACKS.size()) + ": no answer and not closed";
      }
      boolean allowed = (status >= 400 && status < 500) || status == 501 || status == 505;
      return allowed ? null : "attack " + (n % ATTACKS.size()) + ": status " + status;
    } catch (IOException e) {
      return null;
    }
  }

  private static long openFiles() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? 0 : fds.length;
  }

  private static String randomToken(int seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 1 + r.nextInt(40); i++) {
      sb.append((char) (0x21 + r.nextInt(0x5e)));
    }
    return sb.toString();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
