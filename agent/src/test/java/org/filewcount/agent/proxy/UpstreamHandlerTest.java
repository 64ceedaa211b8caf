package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.proxy.ProxySettings;
import org.junit.jupiter.api.Test;

/** The app connection's one handler, on an embedded channel. */
class UpstreamHandlerTest {

  private final ProxySettings settings = ProxySettings.builder(new HostPort("127.0.0.1", 0),
      URI.create("http://127.0.0.1:1")).upstreamResponseTimeout(Duration.ofSeconds(5))
      .upstreamIdleTimeout(Duration.ofSeconds(8)).build();
  private final EmbeddedChannel app = new EmbeddedChannel();
  private final Recorder exchange = new Recorder();
  private final FlushCounter counter = new FlushCounter();

  UpstreamHandlerTest() {
    app.freezeTime();
    // As the pool's bootstrap sets it: every read is asked for.
    app.config().setAutoRead(false);
    UpstreamHandler.install(app.pipeline(), settings);
    app.pipeline().addFirst(counter);
  }

  private UpstreamHandler handler() {
    return UpstreamHandler.of(app);
  }

  private void sendRequest() {
    handler().bind(exchange);
    app.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
    handler().requestSent(LastHttpContent.EMPTY_LAST_CONTENT);
    app.read();
    drainOutbound();
  }

  private long drainOutbound() {
    long bytes = 0;
    Object out;
    while ((out = app.readOutbound()) != null) {
      bytes += ((ByteBuf) out).readableBytes();
      ReferenceCountUtil.release(out);
    }
    return bytes;
  }

  private static HttpContent slice(int bytes) {
    return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[bytes]));
  }

  @Test
  void bodySlicesOfOneClientReadGoOutInOneFlushAndTheLastPieceAtOnce() {
    handler().bind(exchange);
    app.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload"));
    counter.flushes = 0;
    assertThat(handler().bodySlice(slice(1000), true)).isTrue();
    assertThat(handler().bodySlice(slice(1000), true)).isTrue();
    assertThat(counter.flushes).as("nothing flushed while the client's read goes on").isZero();
    handler().flushBody();
    handler().flushBody();
    assertThat(counter.flushes).as("one flush for the read, none when nothing is pending").isEqualTo(1);
    assertThat(drainOutbound()).isGreaterThanOrEqualTo(2000);
    handler().bodySlice(slice(10), false);
    assertThat(counter.flushes).as("a slice outside a client read goes at once").isEqualTo(2);
    handler().requestSent(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(counter.flushes).isEqualTo(3);
  }

  @Test
  void aFullWriteBufferIsFlushedAtOnceAndSaysSo() {
    app.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 4096));
    handler().bind(exchange);
    app.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload"));
    counter.flushes = 0;
    assertThat(handler().bodySlice(slice(1000), true)).isTrue();
    // Over the high-water mark: flushed without waiting for the read's end. An embedded channel
    // writes a flush out at once, so it is writable again, as a socket with room would be.
    assertThat(handler().bodySlice(slice(8000), true)).isTrue();
    assertThat(counter.flushes).isEqualTo(1);
    assertThat(drainOutbound()).isGreaterThanOrEqualTo(9000);
  }

  private void fromApp(String raw) {
    app.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
  }

  private void advance(long seconds) {
    app.advanceTimeBy(seconds, TimeUnit.SECONDS);
    app.runScheduledPendingTasks();
    app.runPendingTasks();
  }

  @Test
  void interimResponsesAreDroppedAndHopByHopHeadersRemoved() {
    sendRequest();
    fromApp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\n"
        + "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\nok");
    assertThat(exchange.heads).hasSize(1);
    HttpResponse head = exchange.heads.get(0);
    assertThat(head.status().code()).isEqualTo(200);
    assertThat(head.headers().names()).containsExactly("Content-Length");
    assertThat(exchange.bodyBytes).isEqualTo(2);
    assertThat(handler().reusable()).isTrue();
  }

  @Test
  void anAppThatClosesAfterTheResponseMakesTheConnectionNotReusable() {
    sendRequest();
    fromApp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(handler().reusable()).isFalse();
  }

  @Test
  void theAppIsTimedOnlyWhileTheProxyWaitsOnItAndEveryEventRestartsTheClock() {
    sendRequest();
    advance(4);
    fromApp("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
    app.read();
    advance(4);
    assertThat(exchange.timeouts).isEmpty();
    advance(2);
    assertThat(exchange.timeouts).containsExactly("the app did not answer within 5000 ms");
  }

  @Test
  void noReadPendingMeansTheClientIsSlowNotTheApp() {
    sendRequest();
    fromApp("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
    // The exchange did not ask for more (its client is not keeping up).
    advance(30);
    assertThat(exchange.timeouts).isEmpty();
  }

  @Test
  void aParkedConnectionIsClosedAfterTheIdleTimeoutAndOnUnaskedBytes() {
    sendRequest();
    fromApp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    handler().unbind();
    handler().parked();
    advance(7);
    assertThat(app.isOpen()).isTrue();
    advance(2);
    assertThat(app.isOpen()).isFalse();

    EmbeddedChannel other = new EmbeddedChannel();
    UpstreamHandler.install(other.pipeline(), settings);
    UpstreamHandler.of(other).parked();
    other.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.ISO_8859_1));
    assertThat(other.isOpen()).as("bytes nobody asked for: the connection is broken").isFalse();
  }

  @Test
  void aClosedConnectionIsReportedToTheExchangeThatHoldsIt() {
    sendRequest();
    app.close();
    assertThat(exchange.closed).isTrue();
  }

  private static final class Recorder implements UpstreamListener {
    final List<HttpResponse> heads = new ArrayList<>();
    final List<String> timeouts = new ArrayList<>();
    long bodyBytes;
    boolean closed;

    @Override
    public void fromUpstream(HttpObject msg) {
      if (msg instanceof HttpResponse r) {
        heads.add(r);
      }
      if (msg instanceof HttpContent c) {
        bodyBytes += c.content().readableBytes();
        c.release();
      }
    }

    @Override public void upstreamReadComplete() {}
    @Override public void upstreamWritable() {}
    @Override public void upstreamClosed() { closed = true; }
    @Override public void upstreamFailed(Throwable cause) {}
    @Override public void upstreamTimedOut(String reason) { timeouts.add(reason); }
  }
}
