package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.filewcount.agent.proxy.RawClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyServerTest {

  private RecordingUpstream app;
  private RecordingObserver observer;
  private ProxyServer proxy;

  @BeforeEach
  void setUp() throws IOException {
    app = new RecordingUpstream();
    observer = new RecordingObserver();
  }

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
    app.close();
  }

  private ProxyServer start(URI upstream, UnaryOperator<ProxySettings.Builder> tweak) {
    ProxySettings.Builder b = ProxySettings.builder(new HostPort("127.0.0.1", 0), upstream).ioThreads(2);
    proxy = ProxyServer.start(tweak.apply(b).build(), observer);
    return proxy;
  }

  private ProxyServer start() {
    return start(app.url(), b -> b);
  }

  private RawClient client() throws IOException {
    return new RawClient(proxy.localAddress());
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: filewcount.example\r\n\r\n";
  }

  /** A normal request on a fresh connection still works: the proxy kept serving. */
  private void assertStillServing() throws IOException {
    try (RawClient c = client()) {
      Response r = c.send(get("/after")).read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).startsWith("GET /after");
    }
  }

  @Test
  void forwardsRequestsAndKeepsBothConnectionsAlive() throws IOException {
    start();
    try (RawClient c = client()) {
      Response first = c.send(get("/one?x=1")).read();
      Response second = c.send(get("/two")).read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.text()).startsWith("GET /one?x=1");
      assertThat(second.text()).startsWith("GET /two");
      assertThat(first.header("connection")).isNull();
    }
    assertThat(app.received).hasSize(2);
    // Both requests reached the app over the same pooled connection.
    assertThat(app.received.get(0).remotePort()).isEqualTo(app.received.get(1).remotePort());
    await().until(() -> proxy.inFlight() == 0);
  }

  @Test
  void manySequentialRequestsOnOneConnection() throws IOException {
    start();
    try (RawClient c = client()) {
      for (int i = 0; i < 50; i++) {
        assertThat(c.send(get("/n" + i)).read().text()).as("request " + i).startsWith("GET /n" + i);
      }
    }
  }

  @Test
  void streamsRequestAndResponseBodies() throws IOException {
    start();
    byte[] body = new byte[3 * 1024 * 1024];
    try (RawClient c = client()) {
      c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
      Response r = c.read();
      assertThat(r.text()).contains("body-bytes: " + body.length);
      Response big = c.send(get("/big?bytes=20000000")).read();
      assertThat(big.body()).hasSize(20_000_000);
      assertThat(big.header("transfer-encoding")).isEqualTo("chunked");
    }
    assertThat(observer.exchanges.get(0).requestBytes.get()).isEqualTo(body.length);
    assertThat(observer.exchanges.get(1).responseBytes.get()).isEqualTo(20_000_000);
  }

  @Test
  void chunkedUploadIsForwardedChunked() throws IOException {
    start();
    try (RawClient c = client()) {
      c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: dropped\r\n\r\n");
      Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).contains("body-bytes: 11").contains("transfer-encoding: chunked");
    }
  }

  @Test
  void removesHopByHopHeadersBothWays() throws IOException {
    start();
    try (RawClient c = client()) {
      Response r = c.send("GET /echo HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret, Content-Length\r\n"
          + "X-Secret: s3cr3t\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
          + "Upgrade: websocket\r\nTrailer: X-T\r\nX-Kept: yes\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      Response withHop = c.send(get("/header?Keep-Alive=timeout%3D99")).read();
      assertThat(withHop.header("keep-alive")).isNull();
    }
    RecordingUpstream.Received seen = app.received.get(0);
    for (String hop : new String[] {"x-secret", "keep-alive", "proxy-connection", "te", "upgrade", "trailer"}) {
      assertThat(seen.header(hop)).as(hop).isNull();
    }
    assertThat(seen.header("x-kept")).isEqualTo("yes");
  }

  @Test
  void addsForwardedHeadersAndKeepsHost() throws IOException {
    start();
    try (RawClient c = client()) {
      c.send("GET /echo HTTP/1.1\r\nHost: files.example:8080\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n").read();
      c.send("GET /echo HTTP/1.1\r\nHost: files.example\r\nX-Forwarded-Proto: https\r\n\r\n").read();
      c.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
      c.send("GET http://absolute.example/path?q=1 HTTP/1.1\r\nHost: ignored.example\r\n\r\n").read();
    }
    assertThat(app.received.get(0).header("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
    assertThat(app.received.get(0).header("x-forwarded-proto")).isEqualTo("http");
    assertThat(app.received.get(0).header("host")).isEqualTo("files.example:8080");
    assertThat(app.received.get(1).header("x-forwarded-proto")).isEqualTo("https");
    assertThat(app.received.get(2).header("host")).isEqualTo(app.url().getAuthority());
    assertThat(app.received.get(3).uri()).isEqualTo("/path?q=1");
    assertThat(app.received.get(3).header("host")).isEqualTo("absolute.example");
  }

  @Test
  void declaredBodyOverTheLimitGets413BeforeAnythingGoesUpstream() throws IOException {
    start();
    try (RawClient c = client()) {
      c.send("POST /file_upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10485761\r\nExpect: 100-continue\r\n\r\n");
      Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(r.text()).startsWith("413 Request Entity Too Large");
    }
    assertThat(app.heads).isEmpty();
    await().until(() -> observer.exchanges.size() == 1 && observer.last().ended());
    assertThat(observer.last().failure).isEqualTo(FailureKind.REQUEST_TOO_LARGE);
    assertThat(observer.last().status).isEqualTo(413);
    assertStillServing();
  }

  @Test
  void chunkedBodyGrowingOverTheLimitIsCutAndTheAppNeverGetsAWholeRequest() throws IOException {
    start();
    byte[] chunk = new byte[1024 * 1024];
    String chunkHead = Integer.toHexString(chunk.length) + "\r\n";
    try (RawClient c = client()) {
      c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
      Response r = null;
      try {
        for (int i = 0; i < 11; i++) {
          c.send(chunkHead).send(chunk).send("\r\n");
        }
        c.send("0\r\n\r\n");
      } catch (IOException cutWhileSending) {
        // The proxy may close before the client is done; what it answered is still readable.
      }
      try {
        r = c.read();
      } catch (IOException closed) {
        r = null;
      }
      if (r != null) {
        assertThat(r.status()).isEqualTo(413);
      }
    }
    await().until(() -> !app.received.isEmpty());
    assertThat(app.received).allSatisfy(seen -> assertThat(seen.complete()).isFalse());
    await().until(() -> proxy.inFlight() == 0);
    assertThat(observer.exchanges.get(0).failure).isEqualTo(FailureKind.REQUEST_TOO_LARGE);
    assertStillServing();
  }

  @Test
  void slowHeadersGet408AndTheConnectionCloses() throws IOException {
    start(app.url(), b -> b.headerReadTimeout(Duration.ofMillis(300)));
    try (RawClient c = client()) {
      c.send("GET /slow-headers HTTP/1.1\r\nHost: a\r\n");
      Response r = c.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.text()).startsWith("408 Request Timeout");
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(app.heads).isEmpty();
    assertStillServing();
  }

  @Test
  void idleKeepAliveConnectionIsClosedWithoutAnAnswer() throws IOException {
    start(app.url(), b -> b.idleTimeout(Duration.ofMillis(300)));
    try (RawClient c = client()) {
      assertThat(c.send(get("/first")).read().status()).isEqualTo(200);
      long t0 = System.nanoTime();
      assertThat(c.closedByPeer()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void clientThatStopsReadingItsResponseIsDisconnected() throws IOException {
    start(app.url(), b -> b.idleTimeout(Duration.ofMillis(500)));
    try (RawClient c = client()) {
      c.send(get("/big?bytes=200000000"));
      await().atMost(Duration.ofSeconds(20)).until(() -> !observer.exchanges.isEmpty() && observer.last().ended());
    }
    assertThat(observer.last().failure).isEqualTo(FailureKind.CLIENT_CLOSED);
    assertThat(observer.last().responseBytes.get()).isLessThan(200_000_000L);
    await().until(() -> proxy.inFlight() == 0);
    assertStillServing();
  }

  @Test
  void clientThatStopsSendingItsBodyGets408AndTheAppSeesNoWholeRequest() throws IOException {
    start(app.url(), b -> b.bodyReadTimeout(Duration.ofMillis(300)));
    try (RawClient c = client()) {
      c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
      Response r = c.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(c.closedByPeer()).isTrue();
    }
    await().until(() -> !app.received.isEmpty());
    assertThat(app.received.get(0).complete()).isFalse();
    await().until(() -> observer.exchanges.get(0).ended());
    assertThat(observer.exchanges.get(0).failure).isEqualTo(FailureKind.CLIENT_TIMEOUT);
    assertStillServing();
  }

  @Test
  void refusedAppConnectionGets502() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    start(URI.create("http://127.0.0.1:" + closedPort), b -> b);
    try (RawClient c = client()) {
      Response r = c.send(get("/")).read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.header("content-type")).startsWith("text/plain");
      // A body-less request leaves the connection usable.
      assertThat(c.send(get("/")).read().status()).isEqualTo(502);
    }
    await().until(() -> observer.last().ended());
    assertThat(observer.last().failure).isEqualTo(FailureKind.UPSTREAM_CONNECT);
  }

  @Test
  void appThatDoesNotAcceptConnectionsGets502AfterTheConnectTimeout() throws IOException {
    // A listener with a full accept queue: the kernel drops further SYNs, so connecting hangs.
    try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      java.util.List<java.net.Socket> fillers = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          java.net.Socket s = new java.net.Socket();
          try {
            s.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 200);
            fillers.add(s);
          } catch (IOException queueFull) {
            s.close();
            break;
          }
        }
        start(URI.create("http://127.0.0.1:" + full.getLocalPort()),
            b -> b.upstreamConnectTimeout(Duration.ofMillis(300)));
        try (RawClient c = client()) {
          long t0 = System.nanoTime();
          Response r = c.send(get("/")).read();
          assertThat(r.status()).isEqualTo(502);
          assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
      } finally {
        for (java.net.Socket s : fillers) {
          s.close();
        }
      }
    }
    await().until(() -> observer.last().ended());
    assertThat(observer.last().failure).isEqualTo(FailureKind.UPSTREAM_CONNECT);
  }

  @Test
  void slowAppGets504() throws IOException {
    start(app.url(), b -> b.upstreamResponseTimeout(Duration.ofMillis(300)));
    try (RawClient c = client()) {
      Response r = c.send(get("/slow?ms=3000")).read();
      assertThat(r.status()).isEqualTo(504);
      assertThat(r.text()).startsWith("504 Gateway Timeout");
      // The slow app connection was dropped, a new one serves the next request.
      assertThat(c.send(get("/next")).read().status()).isEqualTo(200);
    }
    await().until(() -> observer.exchanges.get(0).ended());
    assertThat(observer.exchanges.get(0).failure).isEqualTo(FailureKind.UPSTREAM_TIMEOUT);
  }

  @Test
  void malformedRequestLineGets400AndTheProxyKeepsServing() throws IOException {
    start();
    try (RawClient c = client()) {
      Response r = c.send("GARBAGE\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(c.closedByPeer()).isTrue();
    }
    try (RawClient c = client()) {
      assertThat(c.send("GET /a b c HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(400);
    }
    try (RawClient c = client()) {
      byte[] invalidUtf8 = "GET /caf\u00e9\u00ff HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
      assertThat(c.send(invalidUtf8).read().status()).isEqualTo(400);
    }
    assertThat(app.heads).isEmpty();
    assertStillServing();
  }

  @Test
  void oversizedHeadersGet431AndLongRequestLines414() throws IOException {
    start();
    try (RawClient c = client()) {
      Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(40_000) + "\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(431);
    }
    try (RawClient c = client()) {
      Response r = c.send("GET /" + "y".repeat(10_000) + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(414);
    }
    assertThat(app.heads).isEmpty();
    assertStillServing();
  }

  @Test
  void badChunkSizeGets400AndClose() throws IOException {
    start();
    try (RawClient c = client()) {
      c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nhello\r\n0\r\n\r\n");
      Response r = c.read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(app.received).allSatisfy(seen -> assertThat(seen.complete()).isFalse());
    assertStillServing();
  }

  @Test
  void unsupportedMethodsAndVersionsGet501And505() throws IOException {
    start();
    try (RawClient c = client()) {
      assertThat(c.send("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n").read().status())
          .isEqualTo(501);
    }
    try (RawClient c = client()) {
      assertThat(c.send("TRACE / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(501);
    }
    try (RawClient c = client()) {
      assertThat(c.send("GET / HTTP/2.0\r\nHost: a\r\n\r\n").read().status()).isEqualTo(505);
    }
    try (RawClient c = client()) {
      assertThat(c.send("GET / HTTP/1.1\r\n\r\n").read().status()).as("no Host").isEqualTo(400);
    }
    try (RawClient c = client()) {
      assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read().status()).isEqualTo(400);
    }
    assertThat(app.heads).isEmpty();
    assertStillServing();
  }

  @Test
  void contentLengthWithTransferEncodingIsRefusedAndNeverReachesTheApp() throws IOException {
    start();
    String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    String[] attacks = {
        // CL.TE: a front that trusts Content-Length forwards the smuggled request inside the body.
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + (5 + smuggled.length())
            + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
        // TE.CL with an obfuscated coding.
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: xchunked\r\n\r\n5c\r\n"
            + smuggled + "\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n"
            + "0\r\n\r\n" + smuggled,
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc" + smuggled,
        "POST /echo HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + smuggled,
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" + smuggled,
        // Refused, but the smuggled request behind it is already decoded: it must not be served.
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  chunked ,\r\n\r\n0\r\n\r\n" + smuggled,
    };
    for (String attack : attacks) {
      try (RawClient c = client()) {
        Response r = c.send(attack).read();
        assertThat(r.status()).as(attack).isIn(400, 501);
        assertThat(c.closedByPeer()).as(attack).isTrue();
      }
    }
    assertThat(app.heads).noneMatch(h -> h.contains("smuggled"));
    assertThat(app.heads).isEmpty();
    assertStillServing();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderAndNothingIsReadAfterConnectionClose() throws IOException {
    start();
    try (RawClient c = client()) {
      c.send(get("/p1") + get("/p2") + "GET /p3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + get("/p4"));
      assertThat(c.read().text()).startsWith("GET /p1");
      assertThat(c.read().text()).startsWith("GET /p2");
      Response third = c.read();
      assertThat(third.text()).startsWith("GET /p3");
      assertThat(third.header("connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(app.heads).containsExactly("GET /p1", "GET /p2", "GET /p3");
  }

  @Test
  void expectContinueIsAnsweredByTheProxy() throws IOException {
    start();
    try (RawClient c = client()) {
      c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(100);
      Response r = c.send("hello").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).contains("body-bytes: 5").doesNotContain("expect:");
    }
  }

  @Test
  void headResponsesHaveNoBody() throws IOException {
    start();
    try (RawClient c = client()) {
      Response head = c.send("HEAD /echo HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(c.send(get("/after-head")).read().text()).startsWith("GET /after-head");
    }
  }

  @Test
  void observerSeesTheWholeExchangeAndTraceContextGoesUpstream() throws IOException {
    start();
    try (RawClient c = client()) {
      c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").read();
    }
    await().until(() -> observer.last().ended());
    RecordingObserver.Recorded e = observer.last();
    assertThat(e.events).containsExactly("start", "inject", "head 200", "complete");
    assertThat(e.requestBytes.get()).isEqualTo(5);
    assertThat(e.responseBytes.get()).isPositive();
    assertThat(e.client).isEqualTo("127.0.0.1");
    assertThat(app.received.get(0).header("traceparent")).startsWith("00-0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void drainClosesIdleConnectionsAndWaitsForInFlightRequests() throws Exception {
    start();
    try (RawClient idle = client(); RawClient busy = client()) {
      assertThat(idle.send(get("/warm")).read().status()).isEqualTo(200);
      busy.send(get("/slow?ms=700"));
      await().until(() -> proxy.inFlight() == 1);
      proxy.stopAccepting();
      assertThat(idle.closedByPeer()).isTrue();
      assertThat(proxy.awaitInFlight(Duration.ofSeconds(5))).isTrue();
      Response r = busy.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("connection")).isEqualTo("close");
    }
    assertThat(proxy.inFlight()).isZero();
  }
}
