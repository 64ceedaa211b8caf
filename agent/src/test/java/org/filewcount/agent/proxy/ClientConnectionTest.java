package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.junit.jupiter.api.Test;

/** The client connection's one handler, on an embedded channel: checks, headers, keep-alive, drain, timers. */
class ClientConnectionTest {

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

  @Test
  void theHeadIsForwardedWithHopByHopHeadersRemovedAndForwardedHeadersAdded() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("GET /a?b=1 HTTP/1.1\r\nHost: example.test:8080\r\nConnection: X-Secret\r\nX-Secret: 1\r\n"
        + "Keep-Alive: timeout=5\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
    String sent = p.toApp();
    assertThat(sent).startsWith("GET /a?b=1 HTTP/1.1\r\n").containsIgnoringCase("host: example.test:8080")
        .containsIgnoringCase("x-forwarded-for: 10.0.0.1, embedded").containsIgnoringCase("x-forwarded-proto: http")
        .containsIgnoringCase("traceparent: 00-").doesNotContainIgnoringCase("x-secret")
        .doesNotContainIgnoringCase("keep-alive").doesNotContainIgnoringCase("connection");
    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\nKeep-Alive: x\r\n\r\nhi");
    String answer = p.toClient();
    assertThat(answer).doesNotContainIgnoringCase("keep-alive").doesNotContainIgnoringCase("connection: close");
    assertThat(p.released).as("the app said close: its connection is not reused").containsExactly(false);
    assertThat(p.client.isOpen()).isTrue();
  }

  @Test
  void theBodySlicesOfOneReadFromTheClientReachTheAppInOneFlush() {
    EmbeddedProxy p = new EmbeddedProxy();
    // Head and two 16 KiB slices in one read; the rest, with the last slice, in the next.
    p.send("POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: 40000\r\n\r\n" + "x".repeat(32768));
    assertThat(p.appFlushes.flushes).isEqualTo(1);
    assertThat(p.toApp()).startsWith("POST /upload HTTP/1.1\r\n").endsWith("\r\n\r\n" + "x".repeat(32768));
    p.send("y".repeat(40000 - 32768));
    assertThat(p.appFlushes.flushes).isEqualTo(2);
    assertThat(p.toApp()).isEqualTo("y".repeat(40000 - 32768));
  }

  @Test
  void aRefusedHeadIsAnsweredHereAndClosesTheConnection() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("GET / HTTP/1.1\r\nHost: bad host\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(p.toClient()).startsWith("HTTP/1.1 400 Bad Request").containsIgnoringCase("connection: close")
        .contains("Host header is not a host[:port]");
    assertThat(p.apps).as("nothing reaches the app, not even the pipelined request").isEmpty();
    assertThat(p.observer.exchanges).hasSize(1);
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.MALFORMED_REQUEST);
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413BeforeAnyContinue() {
    EmbeddedProxy p = new EmbeddedProxy(b -> b.maxRequestBodyBytes(10));
    p.send("POST /file_upload HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n");
    String out = p.toClient();
    assertThat(out).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
    assertThat(p.apps).isEmpty();
  }

  @Test
  void anExpectationIsAnsweredHereAndNotForwarded() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("POST /file_upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    assertThat(p.toClient()).startsWith("HTTP/1.1 100 Continue\r\n");
    p.send("ok");
    assertThat(p.toApp()).doesNotContainIgnoringCase("expect").endsWith("\r\n\r\nok");
  }

  @Test
  void aChunkedBodyThatGrowsOverTheLimitIsCutBeforeTheAppSeesTheRest() {
    EmbeddedProxy p = new EmbeddedProxy(b -> b.maxRequestBodyBytes(6));
    p.send("POST /file_upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n");
    assertThat(p.toApp()).endsWith("abcd\r\n");
    p.send("4\r\nefgh\r\n");
    assertThat(p.toClient()).startsWith("HTTP/1.1 413 ").containsIgnoringCase("connection: close");
    assertThat(p.released).containsExactly(false);
    assertThat(p.app().isOpen()).as("the app sees an aborted request").isFalse();
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.REQUEST_TOO_LARGE);
  }

  @Test
  void aPipelinedRequestWaitsUntilTheFirstResponseIsWritten() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(p.apps).hasSize(1);
    assertThat(p.toApp()).contains("GET /1 ").doesNotContain("GET /2 ");
    p.answer(OK);
    assertThat(p.apps).hasSize(2);
    assertThat(p.toApp()).contains("GET /2 ");
  }

  @Test
  void aDrainClosesAnIdleConnectionAtOnceAndABusyOneAfterItsResponse() {
    EmbeddedProxy idle = new EmbeddedProxy();
    idle.client.pipeline().fireUserEventTriggered(ClientPipeline.DRAIN);
    assertThat(idle.client.isOpen()).isFalse();

    EmbeddedProxy busy = new EmbeddedProxy();
    busy.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    busy.client.pipeline().fireUserEventTriggered(ClientPipeline.DRAIN);
    assertThat(busy.client.isOpen()).isTrue();
    busy.answer(OK);
    assertThat(busy.toClient()).containsIgnoringCase("connection: close");
    busy.client.advanceTimeBy(busy.settings.lingerTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
    busy.client.runScheduledPendingTasks();
    assertThat(busy.client.isOpen()).isFalse();
  }

  @Test
  void anHttp10ClientGetsKeepAliveWhenItAsksAndAnUnframedBodyEndsWithAClose() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assertThat(p.toApp()).startsWith("GET / HTTP/1.1\r\n").containsIgnoringCase("host: 127.0.0.1:8080");
    p.answer(OK);
    assertThat(p.toClient()).containsIgnoringCase("connection: keep-alive");
    p.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    p.answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
    assertThat(p.toClient()).containsIgnoringCase("connection: close").doesNotContainIgnoringCase("chunked")
        .endsWith("\r\n\r\nhi");
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() {
    EmbeddedProxy p = new EmbeddedProxy(b -> b.idleTimeout(Duration.ofSeconds(20)));
    p.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    p.answer(OK);
    advance(p, 19_000);
    assertThat(p.client.isOpen()).isTrue();
    advance(p, 2_000);
    assertThat(p.client.isOpen()).isFalse();
  }

  @Test
  void aHeadThatTricklesInIsCutByTheHeaderTimeoutCountedFromItsFirstByte() {
    EmbeddedProxy p = new EmbeddedProxy(b -> b.headerReadTimeout(Duration.ofSeconds(3)));
    for (int i = 0; i < 5; i++) {
      p.send("X");
      advance(p, 500);
    }
    assertThat(p.client.isOpen()).isTrue();
    advance(p, 600);
    assertThat(p.toClient()).startsWith("HTTP/1.1 408 ").contains("request headers not received within 3000 ms");
    assertThat(p.client.isOpen()).isFalse();
    assertThat(p.observer.exchanges).as("no request, no exchange").isEmpty();
  }

  @Test
  void aBodyThatStopsArrivingIs408WhileTimeWaitingForTheAppIsNotCounted() {
    EmbeddedProxy p = new EmbeddedProxy(b -> b.bodyReadTimeout(Duration.ofSeconds(5)));
    p.send("POST /file_upload HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\nabcd");
    advance(p, 4_000);
    p.send("ef");
    advance(p, 4_000);
    assertThat(p.toClient()).isEmpty();
    advance(p, 1_500);
    assertThat(p.toClient()).startsWith("HTTP/1.1 408 ").contains("request body stalled for 5000 ms");
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.CLIENT_TIMEOUT);
    assertThat(p.released).containsExactly(false);
  }

  @Test
  void aClientThatStopsReadingItsResponseIsCutAfterTheIdleTimeout() {
    EmbeddedProxy p = new EmbeddedProxy(b -> b.idleTimeout(Duration.ofSeconds(10)));
    p.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nha");
    p.client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    p.client.runPendingTasks();
    advance(p, 9_000);
    assertThat(p.client.isOpen()).isTrue();
    advance(p, 2_000);
    assertThat(p.client.isOpen()).isFalse();
    assertThat(p.released).as("the app connection is not pinned").containsExactly(false);
    assertThat(p.observer.exchanges.get(0).failure).isEqualTo(FailureKind.CLIENT_CLOSED);
  }

  @Test
  void aBrokenChunkIs400AndTheAppConnectionIsDropped() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("POST /file_upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    assertThat(p.toClient()).startsWith("HTTP/1.1 400 ").contains("malformed request body");
    assertThat(p.released).containsExactly(false);
  }

  @Test
  void contentLengthTogetherWithTransferEncodingIsRefused() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertThat(p.toClient()).startsWith("HTTP/1.1 400 ");
    assertThat(p.apps).isEmpty();
  }

  @Test
  void theResponseToHeadHasNoBody() {
    EmbeddedProxy p = new EmbeddedProxy();
    p.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n");
    assertThat(p.toClient()).endsWith("\r\n\r\n").containsIgnoringCase("content-length: 20");
    assertThat(p.client.isOpen()).isTrue();
  }

  private static void advance(EmbeddedProxy p, long millis) {
    p.client.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    p.client.runScheduledPendingTasks();
    p.client.runPendingTasks();
  }
}
