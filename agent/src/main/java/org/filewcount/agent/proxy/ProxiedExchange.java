package org.filewcount.agent.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import org.filewcount.agent.proxy.ExchangeObserver.Exchange;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.filewcount.agent.proxy.http.Framing;
import org.filewcount.agent.proxy.http.ProxyResponses;
import org.filewcount.agent.proxy.http.Refusal;

/**
 * One request and its response on their way through the proxy, driven through the moves of
 * {@link Phase}. The client connection and the borrowed app connection call into it, always on the
 * same event loop, so it needs no locks. Bytes flow with backpressure both ways: a slice is read from
 * one side only when the other can take it. Nothing is aggregated, and the decoded request head is
 * forwarded as is (its headers rewritten in place). How the response is framed and whether the client
 * connection stays open is the connection's decision ({@link ClientConnection#appResponse}, {@link KeepAlive}).
 */
final class ProxiedExchange implements UpstreamListener, ChannelFutureListener {

  /** After an early answer, a remaining body up to this size is read and dropped so the connection stays usable. */
  private static final long DRAINABLE_BODY_BYTES = 64 * 1024;

  private final ClientConnection connection;
  private final ChannelHandlerContext client;
  private final HttpRequest request;
  private final ExchangeReport report;
  private final UpstreamConnections upstreams;
  private final boolean chunked;
  private final boolean drainable;
  private Phase phase = Phase.ACQUIRING;
  private Channel upstream;
  private UpstreamHandler relay;
  /** The request's last piece went to the app: only then may its connection carry another request. */
  private boolean bodySent;
  /** The request's last piece arrived (forwarded or dropped). */
  private boolean requestComplete;
  private boolean upstreamBackedUp;
  private boolean clientBackedUp;
  private boolean closeClient;

  ProxiedExchange(ClientConnection connection, ChannelHandlerContext client, HttpRequest request, Exchange observed,
      UpstreamConnections upstreams) {
    this.connection = connection;
    this.client = client;
    this.request = request;
    this.report = new ExchangeReport(observed, request);
    this.upstreams = upstreams;
    this.chunked = HttpUtil.isTransferEncodingChunked(request);
    this.drainable = !chunked && HttpUtil.getContentLength(request, 0L) <= DRAINABLE_BODY_BYTES;
  }

  Phase phase() {
    return phase;
  }

  private void move(Phase to) {
    phase = phase.moveTo(to);
  }

  /** Borrows an app connection and sends the head; the body follows as the client sends it. */
  void forward() {
    upstreams.acquire(client.channel().eventLoop()).addListener(this::onAcquired);
  }

  /** Answers a request that a check refused (no cause to record); the connection closes after the answer. */
  void reject(Refusal refusal) {
    answer(refusal, null, true);
  }
  private void onAcquired(Future<? super Channel> f) {
    if (!f.isSuccess()) {
      answer(Refusal.noAppConnection(f.cause() instanceof TimeoutException), f.cause(), false);
      return;
    }
    Channel ch = (Channel) f.getNow();
    if (phase != Phase.ACQUIRING) {
      upstreams.release(ch, true);
      return;
    }
    upstream = ch;
    relay = UpstreamHandler.of(ch);
    relay.bind(this);
    Framing.forApp(request, chunked);
    report.injectUpstream(request.headers());
    move(Phase.FORWARDING);
    // Flushed with the first body slice (or the empty end of a body-less request), which is read next.
    ch.write(request, ch.voidPromise());
    ch.read();
    connection.readNext();
  }

  /** A slice of the request body (the last one may be empty); {@code midRead}: more of the client's read follows. */
  void fromClient(HttpContent content, boolean midRead) {
    boolean last = content instanceof LastHttpContent;
    if (phase != Phase.FORWARDING) {
      // After an answer (the app's early one or the proxy's own) the rest of the body is dropped.
      content.release();
      if (last) {
        requestComplete = true;
        if (phase == Phase.DRAINING_BODY) {
          end(false);
        }
      } else if (!phase.ended()) {
        connection.readNext();
      }
      return;
    }
    report.requestBody(content.content().readableBytes());
    if (last) {
      requestComplete = true;
      bodySent = true;
      relay.requestSent(Framing.withoutTrailers((LastHttpContent) content));
    } else if (relay.bodySlice(content, midRead)) {
      connection.readNext();
    } else {
      upstreamBackedUp = true;
    }
  }

  /** The client's read ended: the body slices it brought go to the app now. */
  void clientReadComplete() {
    if (upstream != null) {
      relay.flushBody();
    }
  }

  @Override
  public void upstreamWritable() {
    if (upstreamBackedUp && phase == Phase.FORWARDING && !requestComplete) {
      upstreamBackedUp = false;
      connection.readNext();
    }
  }

  @Override
  public void fromUpstream(HttpObject msg) {
    if (msg.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      upstreamFailed(new IOException("invalid response from the app: " + msg.decoderResult().cause()));
      return;
    }
    if (msg instanceof HttpResponse r && phase == Phase.FORWARDING) {
      responseHead(r);
    }
    if (msg instanceof HttpContent c && phase != Phase.RELAYING) {
      c.release();
    } else if (msg instanceof HttpContent c) {
      responseContent(c);
    }
  }

  private void responseHead(HttpResponse r) {
    // An app that answered before the whole body (its own 413 or 400) will not read the rest.
    closeClient = !connection.appResponse(r, !requestComplete);
    move(Phase.RELAYING);
    report.responseHead(r);
    client.write(r, client.voidPromise());
  }

  private void responseContent(HttpContent c) {
    if (c.content().isReadable()) {
      report.responseBody(c.content());
    }
    if (!(c instanceof LastHttpContent last)) {
      client.write(c, client.voidPromise());
      return;
    }
    handBackUpstream(bodySent && relay.reusable());
    client.writeAndFlush(Framing.withoutTrailers(last)).addListener(this);
  }

  /** The last byte of the response (the app's or the proxy's own) has been written, or could not be. */
  @Override
  public void operationComplete(ChannelFuture f) {
    if (!f.isSuccess()) {
      clientFailed(f.cause());
    } else if (!phase.ended()) {
      if (requestComplete || closeClient) {
        end(false);
      } else {
        move(Phase.DRAINING_BODY);
      }
    }
  }

  @Override
  public void upstreamReadComplete() {
    if (phase.ended()) {
      return;
    }
    client.flush();
    if (upstream != null) {
      if (client.channel().isWritable()) {
        upstream.read();
      } else {
        clientBackedUp = true;
      }
    }
  }

  void clientWritable() {
    if (clientBackedUp && upstream != null && !phase.ended()) {
      clientBackedUp = false;
      upstream.read();
    }
  }

  /** The client connection gave up on this exchange (body too large, stalled or malformed). */
  void abort(Refusal refusal) {
    answer(refusal, new ExchangeReport.Aborted(refusal.reason()), true);
  }

  @Override
  public void upstreamFailed(Throwable cause) {
    answer(Refusal.APP_RESET, cause, false);
  }

  @Override
  public void upstreamTimedOut(String reason) {
    answer(Refusal.appTimeout(reason), new ExchangeReport.Aborted(reason), false);
  }

  @Override
  public void upstreamClosed() {
    if (upstream != null && !phase.ended()) {
      upstreamFailed(new IOException("the app closed the connection before the response was complete"));
    }
  }

  void clientClosed() {
    clientFailed(new ClosedChannelException());
  }

  void clientFailed(Throwable cause) {
    if (!phase.ended()) {
      report.failed(FailureKind.CLIENT_CLOSED, cause);
      end(true);
    }
  }

  /**
   * The proxy's own answer. If the response has already started, the status cannot change any more:
   * the client connection is cut instead, which the client sees as an incomplete response.
   */
  private void answer(Refusal refusal, Throwable cause, boolean forceClose) {
    if (phase.ended()) {
      return;
    }
    report.failed(refusal.kind(), cause);
    // Closes the app connection mid-exchange: the app sees an aborted request and stores nothing.
    handBackUpstream(false);
    if (phase.responseStarted()) {
      end(true);
      return;
    }
    FullHttpResponse response = ProxyResponses.plain(refusal.status(), refusal.reason(), false);
    closeClient = !connection.ownResponse(response, forceClose || !requestComplete && !drainable);
    move(Phase.ANSWERING);
    report.responseHead(response);
    report.responseBody(response.content());
    client.writeAndFlush(response).addListener(this);
    if (!closeClient && !requestComplete && !phase.ended()) {
      connection.readNext();
    }
  }

  private void end(boolean cut) {
    if (phase.ended()) {
      return;
    }
    move(cut ? Phase.CUT : Phase.DONE);
    handBackUpstream(false);
    report.end(cut);
    connection.exchangeFinished(this, cut, !closeClient && requestComplete);
  }

  private void handBackUpstream(boolean reusable) {
    Channel ch = upstream;
    if (ch != null) {
      upstream = null;
      relay.unbind();
      upstreams.release(ch, reusable);
    }
  }
}
