package org.filewcount.agent.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.filewcount.agent.proxy.ExchangeObserver.Exchange;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response on their way through the proxy. Both the client connection's
 * forwarding handler and the borrowed app connection's relay call into it, always on the same event
 * loop, so it is a plain state machine without locks.
 *
 * <p>Bytes flow with backpressure both ways: the next slice of the request body is read from the
 * client only when the app connection can take it, and the next slice of the response is read from
 * the app only when the client connection can take it. Nothing is ever aggregated.
 */
final class ProxiedExchange {

  private static final Logger log = LoggerFactory.getLogger(ProxiedExchange.class);

  /** After an early answer, a remaining body up to this size is read and dropped so the connection stays usable. */
  private static final long DRAINABLE_BODY_BYTES = 64 * 1024;

  /** The client connection's side, told when the exchange is over. */
  interface Owner {
    /** {@code keepReading}: the connection may carry the next request. */
    void exchangeFinished(ProxiedExchange exchange, boolean keepReading);
  }

  private final ChannelHandlerContext client;
  private final HttpRequest request;
  private final Exchange observed;
  private final UpstreamPool upstreams;
  private final Owner owner;
  private final boolean drainable;
  private final long startNanos = System.nanoTime();
  private final ChannelFutureListener upstreamWriteFailed = f -> {
    if (!f.isSuccess() && f.channel() == upstreamChannel() ) {
      upstreamFailed(f.cause());
    }
  };
  private final ChannelFutureListener clientWriteFailed = f -> {
    if (!f.isSuccess()) {
      clientFailed(f.cause());
    }
  };

  private Channel upstream;
  private UpstreamRelayHandler relay;
  private boolean upstreamHandedBack;
  private boolean requestComplete;
  private boolean forwardingBody = true;
  private boolean awaitingUpstreamWritable;
  private boolean awaitingClientWritable;
  private boolean interimResponse;
  private boolean responseStarted;
  private boolean responseReceived;
  private boolean responseComplete;
  private boolean closeClient;
  private boolean finished;
  private int status;
  private FailureKind failure;
  private Throwable failureCause;

  ProxiedExchange(ChannelHandlerContext client, HttpRequest request, Exchange observed, UpstreamPool upstreams,
      Owner owner) {
    this.client = client;
    this.request = request;
    this.observed = observed;
    this.upstreams = upstreams;
    this.owner = owner;
    this.drainable = !HttpUtil.isTransferEncodingChunked(request)
        && HttpUtil.getContentLength(request, 0L) <= DRAINABLE_BODY_BYTES;
  }

  private Channel upstreamChannel() {
    return upstreamHandedBack ? null : upstream;
  }

  // ---- request side -------------------------------------------------------------------------

  /** Borrows an app connection and sends the head; the body follows as the client sends it. */
  void forward() {
    upstreams.acquire(client.channel().eventLoop()).addListener((Future<Channel> f) -> onAcquired(f));
  }

  /** Answers a request that a check refused; the connection closes after the answer. */
  void reject(RejectedRequest rejected) {
    answer(rejected.status(), rejected.kind(), rejected.reason(), null, true);
  }

  private void onAcquired(Future<Channel> f) {
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      if (cause instanceof TimeoutException) {
        answer(503, FailureKind.UPSTREAM_CONNECT, "no connection to the app became free in time", cause, false);
      } else {
        answer(502, FailureKind.UPSTREAM_CONNECT, "cannot connect to the app", cause, false);
      }
      return;
    }
    Channel ch = f.getNow();
    if (finished) {
      upstreams.release(ch, true);
      return;
    }
    upstream = ch;
    relay = ch.pipeline().get(UpstreamRelayHandler.class);
    relay.bind(this);
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
        request.headers().copy());
    // The body's framing is the one the decoder used, never a header a client could have smuggled in.
    if (HttpUtil.isTransferEncodingChunked(request)) {
      head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    } else {
      head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
    }
    observed.injectUpstream(head.headers());
    // Flushed with the first body slice (or the empty end of a body-less request), which is read next.
    ch.write(head).addListener(upstreamWriteFailed);
    ch.read();
    client.read();
  }

  /** A slice of the request body (the last one may be empty). */
  void fromClient(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (finished || upstreamChannel() == null || !forwardingBody) {
      // Before the app connection exists nothing is read; after an early answer the rest is dropped.
      content.release();
      if (last) {
        requestComplete = true;
        maybeFinish();
      } else if (!finished) {
        client.read();
      }
      return;
    }
    int bytes = content.content().readableBytes();
    if (bytes > 0) {
      observed.requestBody(bytes);
    }
    upstream.writeAndFlush(last ? withoutTrailers((LastHttpContent) content) : content)
        .addListener(upstreamWriteFailed);
    if (last) {
      requestComplete = true;
    } else if (upstream.isWritable()) {
      client.read();
    } else {
      awaitingUpstreamWritable = true;
    }
  }

  void upstreamWritable() {
    if (awaitingUpstreamWritable && !requestComplete && forwardingBody && !finished) {
      awaitingUpstreamWritable = false;
      client.read();
    }
  }

  // ---- response side ------------------------------------------------------------------------

  void fromUpstream(HttpObject msg) {
    if (msg.decoderResult().isFailure()) {
      String why = String.valueOf(msg.decoderResult().cause());
      ReferenceCountUtil.release(msg);
      upstreamFailed(new IOException("invalid response from the app: " + why));
      return;
    }
    if (msg instanceof HttpResponse r) {
      interimResponse = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (!interimResponse) {
        responseHead(r);
      }
    }
    if (msg instanceof HttpContent c) {
      if (interimResponse || finished) {
        // 1xx from the app are not relayed: the proxy answers Expect: 100-continue itself.
        c.release();
        if (c instanceof LastHttpContent) {
          interimResponse = false;
        }
        return;
      }
      responseContent(c);
    }
  }

  private void responseHead(HttpResponse r) {
    if (finished || responseStarted) {
      return;
    }
    if (!requestComplete) {
      // The app answered before the whole body (its own 413 or 400): it will not read the rest.
      forwardingBody = false;
      closeClient = true;
    }
    r.setProtocolVersion(HttpVersion.HTTP_1_1);
    int code = r.status().code();
    boolean bodyless = request.method().equals(HttpMethod.HEAD) || code == 204 || code == 304;
    boolean http10Client = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    if (!bodyless && !HttpUtil.isContentLengthSet(r) && !HttpUtil.isTransferEncodingChunked(r) && !http10Client) {
      HttpUtil.setTransferEncodingChunked(r, true);
    }
    if (http10Client && HttpUtil.isTransferEncodingChunked(r)) {
      // An HTTP/1.0 client cannot read chunks: send the body as is and end it by closing.
      HttpUtil.setTransferEncodingChunked(r, false);
      closeClient = true;
    }
    if (closeClient) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    status = code;
    responseStarted = true;
    observed.responseHead(r);
    client.write(r).addListener(clientWriteFailed);
    noteConnectionClose(r);
  }

  /**
   * The keep-alive handler has had its say while the head passed it: if it (or the client's request,
   * or a drain) closes the connection after this response, no further request may be read from it
   * (RFC 9112 section 9.6), not even one the client already pipelined.
   */
  private void noteConnectionClose(HttpResponse written) {
    if (!HttpUtil.isKeepAlive(written)) {
      closeClient = true;
    }
  }

  private void responseContent(HttpContent c) {
    if (c.content().isReadable()) {
      observed.responseBody(c.content());
    }
    if (!(c instanceof LastHttpContent last)) {
      client.write(c).addListener(clientWriteFailed);
      return;
    }
    responseReceived = true;
    handBackUpstream(requestComplete && forwardingBody
        && upstream.pipeline().get(UpstreamKeepAliveHandler.class).reusable());
    client.writeAndFlush(withoutTrailers(last)).addListener(f -> {
      if (f.isSuccess()) {
        responseComplete = true;
        maybeFinish();
      } else {
        clientFailed(f.cause());
      }
    });
  }

  /** The app connection delivered what it had: pass it on, and read more only if the client keeps up. */
  void upstreamReadComplete() {
    if (finished) {
      return;
    }
    client.flush();
    if (!responseReceived && upstreamChannel() != null) {
      if (client.channel().isWritable()) {
        upstream.read();
      } else {
        awaitingClientWritable = true;
      }
    }
  }

  void clientWritable() {
    if (awaitingClientWritable && !responseReceived && upstreamChannel() != null && !finished) {
      awaitingClientWritable = false;
      upstream.read();
    }
  }

  // ---- failures ------------------------------------------------------------------------------

  /** A handler of the client pipeline gave up on this exchange (body too large, stalled or malformed). */
  void abort(ExchangeAbort abort) {
    forwardingBody = false;
    answer(abort.status(), abort.kind(), abort.getMessage(), abort, true);
  }

  void upstreamFailed(Throwable cause) {
    if (finished) {
      return;
    }
    if (cause instanceof ExchangeAbort abort) {
      answer(abort.status(), abort.kind(), abort.getMessage(), abort, false);
    } else {
      answer(502, FailureKind.UPSTREAM_RESET, "the app closed the connection or sent an invalid response",
          cause, false);
    }
  }

  void upstreamClosed() {
    if (!responseReceived && !finished) {
      upstreamFailed(new IOException("the app closed the connection before the response was complete"));
    }
  }

  void clientClosed() {
    end(FailureKind.CLIENT_CLOSED, new ClosedChannelException(), true);
  }

  void clientFailed(Throwable cause) {
    end(FailureKind.CLIENT_CLOSED, cause, true);
  }

  /**
   * The proxy's own answer. If the response has already started, the status cannot change any more:
   * the client connection is cut instead, which the client sees as an incomplete response.
   */
  private void answer(int code, FailureKind kind, String reason, Throwable cause, boolean forceClose) {
    if (finished) {
      return;
    }
    failure = kind;
    failureCause = cause;
    dropUpstream();
    if (responseStarted) {
      end(kind, cause, true);
      return;
    }
    forwardingBody = false;
    closeClient = forceClose || (!requestComplete && !drainable);
    FullHttpResponse response = ProxyResponses.plain(code, reason, closeClient);
    status = code;
    responseStarted = true;
    observed.responseHead(response);
    observed.responseBody(response.content());
    client.writeAndFlush(response).addListener(f -> {
      if (f.isSuccess()) {
        responseComplete = true;
        maybeFinish();
      } else {
        clientFailed(f.cause());
      }
    });
    noteConnectionClose(response);
    if (!closeClient && !requestComplete && !finished) {
      client.read();
    }
  }

  private void maybeFinish() {
    if (!finished && responseComplete && (requestComplete || closeClient)) {
      // With closeClient the keep-alive handler closes the connection (lingering) after the last byte.
      end(failure, failureCause, false);
    }
  }

  private void end(FailureKind kind, Throwable cause, boolean cutConnection) {
    if (finished) {
      return;
    }
    finished = true;
    dropUpstream();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    if (kind == null) {
      observed.complete();
    } else {
      observed.fail(kind, cause);
    }
    observed.runInContext(() -> logOutcome(kind, cause, ms));
    owner.exchangeFinished(this, !cutConnection && requestComplete && !closeClient);
    if (cutConnection) {
      client.close();
    }
  }

  private void logOutcome(FailureKind kind, Throwable cause, long ms) {
    if (kind == null) {
      if (log.isDebugEnabled()) {
        log.debug("{} {} -> {} in {} ms", request.method(), request.uri(), status, ms);
      }
    } else if (kind == FailureKind.UPSTREAM_CONNECT || kind == FailureKind.UPSTREAM_RESET
        || kind == FailureKind.UPSTREAM_TIMEOUT) {
      log.warn("{} {} -> {} after {} ms: {} ({})", request.method(), request.uri(),
          responseStarted ? status : "cut", ms, kind, cause == null ? "" : cause.getMessage());
    } else if (log.isDebugEnabled()) {
      log.debug("{} {} -> {} after {} ms: {} ({})", request.method(), request.uri(),
          responseStarted ? status : "cut", ms, kind, cause == null ? "" : cause.getMessage());
    }
  }

  // ---- app connection ------------------------------------------------------------------------

  private void handBackUpstream(boolean reusable) {
    if (upstream != null && !upstreamHandedBack) {
      upstreamHandedBack = true;
      relay.unbind();
      upstreams.release(upstream, reusable);
    }
  }

  /** Closes the app connection mid-exchange: the app sees an aborted request and stores nothing. */
  private void dropUpstream() {
    handBackUpstream(false);
  }

  private static LastHttpContent withoutTrailers(LastHttpContent last) {
    // Trailer fields are not forwarded either way (RFC 9110 lets a proxy drop them); the buffer is handed over.
    return last.trailingHeaders().isEmpty() ? last : new DefaultLastHttpContent(last.content());
  }
}
