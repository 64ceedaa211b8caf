package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import org.filewcount.agent.proxy.http.ForwardedHeaders;
import org.filewcount.agent.proxy.http.Framing;
import org.filewcount.agent.proxy.http.HopByHop;
import org.filewcount.agent.proxy.http.ProxyResponses;
import org.filewcount.agent.proxy.http.Refusal;
import org.filewcount.agent.proxy.http.RequestChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one handler of a client connection, right after the codec (see {@link ClientPipeline}). It
 * hands the current {@link ProxiedExchange} exactly one decoded message per read the exchange asks
 * for (auto-read is off: every read is a demand, which is how backpressure reaches the client),
 * checks each request head and counts its body against the limit, owns the keep-alive decision and
 * the drain, and keeps the connection's deadlines for {@link ClientTimer}.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  private final ProxySettings settings;
  private final ExchangeObserver observer;
  private final UpstreamConnections upstreams;
  private final InFlight inFlight;
  private final RequestChecks checks;
  private final ArrayDeque<Object> queued = new ArrayDeque<>(4);
  private ChannelHandlerContext ctx;
  private ClientTimer timer;
  private String clientAddress;
  private int demand;
  private boolean delivering;
  private ProxiedExchange current;
  private KeepAlive.Wish wish = KeepAlive.Wish.CLOSE;
  private boolean inBody;
  private boolean draining;
  /** The connection closes after the current response: nothing more is read from it, pipelined or not. */
  private boolean closing;
  /** Inside one read from the socket: body slices written to the app meanwhile are flushed at its end. */
  private boolean reading;

  ClientConnection(ProxySettings settings, ExchangeObserver observer, UpstreamConnections upstreams, InFlight inFlight) {
    this.settings = settings;
    this.observer = observer;
    this.upstreams = upstreams;
    this.inFlight = inFlight;
    this.checks = new RequestChecks(settings.maxRequestBodyBytes());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new ClientTimer(ctx, settings);
    if (ctx.channel().isActive()) {
      activate();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    activate();
    super.channelActive(ctx);
  }

  /** Once: a child channel is already active when its handlers are added, and channelActive follows. */
  private void activate() {
    if (clientAddress != null) {
      return;
    }
    clientAddress = ForwardedHeaders.clientAddress(ctx.channel().remoteAddress());
    timer.start();
    readNext();
  }

  ProxiedExchange current() {
    return current;
  }

  /** The exchange (or the connection, between requests) wants the next decoded message. */
  void readNext() {
    demand++;
    deliver();
    if (demand > 0 && queued.isEmpty()) {
      if (current != null && inBody) {
        timer.awaitBody();
      }
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    queued.add(msg);
    deliver();
  }

  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      while (demand > 0 && !queued.isEmpty()) {
        demand--;
        handle(queued.poll());
      }
    } finally {
      delivering = false;
    }
  }

  private void handle(Object msg) {
    if (closing && current == null) {
      ReferenceCountUtil.release(msg);
    } else if (msg instanceof HttpRequest request && current == null) {
      begin(request);
    } else if (msg instanceof HttpRequest) {
      // Cannot happen while reads are asked for one at a time; refuse to guess.
      ReferenceCountUtil.release(msg);
      ctx.close();
    } else if (msg instanceof HttpContent content && current != null) {
      body(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void begin(HttpRequest request) {
    timer.exchangeStarted();
    Refusal refusal = checks.check(request);
    wish = refusal == null ? KeepAlive.Wish.of(request) : KeepAlive.Wish.CLOSE;
    inBody = !(request instanceof LastHttpContent);
    if (refusal == null) {
      HopByHop.strip(request.headers());
      ForwardedHeaders.rewrite(request, clientAddress, settings.upstreamAuthority());
      if (HttpUtil.is100ContinueExpected(request)) {
        // The limits passed: the client may send the body. The app never sees the expectation.
        ctx.writeAndFlush(ProxyResponses.continue100(), ctx.voidPromise());
        request.headers().remove(HttpHeaderNames.EXPECT);
      }
    }
    inFlight.increment();
    current = new ProxiedExchange(this, ctx, request, GuardedExchange.start(observer, request, clientAddress),
        upstreams);
    if (refusal != null) {
      // An unparseable request line arrives as a full placeholder request: nothing of it is forwarded.
      ReferenceCountUtil.release(request);
      current.reject(refusal);
    } else {
      current.forward();
    }
  }

  private void body(HttpContent content) {
    timer.bodyArrived();
    if (content instanceof LastHttpContent) {
      inBody = false;
    }
    Refusal refusal = checks.bodySlice(content);
    if (refusal != null) {
      // A broken slice, or the one that crosses the limit, is not forwarded; the app connection is
      // closed mid-request.
      content.release();
      current.abort(refusal);
    } else {
      current.fromClient(content, reading);
    }
  }

  /** The app's response head, on its way to the client: framed for it; true when the connection stays open. */
  boolean appResponse(HttpResponse head, boolean exchangeMustClose) {
    boolean unframed = Framing.forClient(head, wish.head(), wish.http10());
    return KeepAlive.decide(wish, draining, exchangeMustClose || unframed, head);
  }

  /** The proxy's own answer, on its way to the client: true when the connection stays open. */
  boolean ownResponse(HttpResponse answer, boolean exchangeMustClose) {
    return KeepAlive.decide(wish, draining, exchangeMustClose, answer);
  }

  /** {@code keep}: the response said the connection stays open and the request was read to its end. */
  void exchangeFinished(ProxiedExchange exchange, boolean cut, boolean keep) {
    if (current != exchange) {
      return;
    }
    current = null;
    inBody = false;
    inFlight.decrement();
    // Whatever the exchange asked for and did not get is not carried over to the next request.
    demand = 0;
    if (cut || keep && draining) {
      closing = true;
      ctx.close();
    } else if (!keep) {
      closing = true;
      timer.linger();
    } else {
      timer.awaitNextRequest();
      readNext();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    reading = false;
    if (current != null) {
      current.clientReadComplete();
    } else if (!closing && queued.isEmpty()) {
      // Bytes arrived, and no complete head: the head timeout runs from its first byte.
      timer.headStarted();
    }
    super.channelReadComplete(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt != ClientPipeline.DRAIN) {
      super.userEventTriggered(ctx, evt);
      return;
    }
    draining = true;
    if (current == null) {
      closing = true;
      ctx.close();
    }
  }

  /** The body timer expired while the exchange waited for more of the body. */
  void bodyTimedOut(Refusal timeout) {
    if (current != null) {
      current.abort(timeout);
    }
  }

  /** The head timer or the idle timer expired: nothing more is read. */
  void stopReading() {
    closing = true;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    boolean writable = ctx.channel().isWritable();
    timer.writable(writable);
    if (writable && current != null) {
      current.clientWritable();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    if (current != null) {
      current.clientClosed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    timer.stop();
    Object msg;
    while ((msg = queued.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      log.debug("client connection {} failed", ctx.channel().remoteAddress(), cause);
    }
    if (current != null) {
      current.clientFailed(cause);
    } else {
      ctx.close();
    }
  }
}
