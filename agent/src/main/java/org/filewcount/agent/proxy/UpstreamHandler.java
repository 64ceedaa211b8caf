package org.filewcount.agent.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.filewcount.agent.proxy.ProxySettings;
import org.filewcount.agent.proxy.http.HopByHop;

/**
 * The one handler of an app connection, after the client codec ({@link #install} is the only way to
 * build that pipeline). While lent to an exchange it relays the app's final response to it with the
 * hop-by-hop headers removed (1xx responses are dropped: the proxy answers Expect itself) and notes
 * whether the app keeps the connection open. Its timer times the app, not the client: it runs while
 * the request is fully sent and a read is pending, or while the app does not take the request body,
 * and restarts on every event; waiting on a slow client is never counted. Parked in the pool, it
 * keeps one read pending, so an app that closes the connection is noticed at once, treats anything
 * the app sends unasked as a broken connection, and closes the connection after the pool idle
 * timeout, before the app's own keep-alive timeout could race a new request.
 */
final class UpstreamHandler extends ChannelDuplexHandler implements ConnectionTimer.Deadlines {

  static final String NAME = "app";

  private final long responseTimeoutNanos;
  private final long idleNanos;
  private final long tickNanos;
  private ChannelHandlerContext ctx;
  private ConnectionTimer timer;
  private UpstreamListener listener;
  private boolean reusable = true;
  private boolean informational;
  /** The final response has not ended yet: the app is being timed. */
  private boolean awaitingResponse;
  private boolean requestSent;
  private boolean readPending;
  /** Request body slices written and not flushed yet. */
  private boolean unflushed;
  private long lastProgress;
  private long parkedSince = -1;

  private UpstreamHandler(ProxySettings settings) {
    this.responseTimeoutNanos = settings.upstreamResponseTimeout().toNanos();
    this.idleNanos = settings.upstreamIdleTimeout().toNanos();
    this.tickNanos = Math.min(responseTimeoutNanos, idleNanos);
  }

  /** The app connection's pipeline: client codec, then this handler. */
  public static void install(ChannelPipeline pipeline, ProxySettings settings) {
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(8 * 1024)
        // The app's pages carry few headers; this is generous and still bounded.
        .setMaxHeaderSize(64 * 1024)
        .setMaxChunkSize(16 * 1024)
        .setValidateHeaders(true);
    pipeline.addLast("codec", new HttpClientCodec(decoder, false, false))
        .addLast(NAME, new UpstreamHandler(settings));
  }

  public static UpstreamHandler of(Channel channel) {
    return (UpstreamHandler) channel.pipeline().get(NAME);
  }

  /** Lent to an exchange: everything the app sends goes to {@code l} until {@link #unbind}. */
  public void bind(UpstreamListener l) {
    listener = l;
    parkedSince = -1;
    awaitingResponse = true;
    requestSent = false;
    lastProgress = timer.now();
  }

  public void unbind() {
    listener = null;
  }

  /**
   * Writes a slice of the request body, flushed now or, when {@code batch} (more of the client's read
   * follows), by {@link #flushBody}: one writev per read from the client, not one per 16 KiB slice.
   * Unflushed bytes count against the write buffer, so a full buffer is flushed at once. Returns
   * whether the connection can take more.
   */
  boolean bodySlice(HttpContent slice, boolean batch) {
    ctx.write(slice, ctx.voidPromise());
    unflushed = true;
    if (!batch || !ctx.channel().isWritable()) {
      flushBody();
    }
    return ctx.channel().isWritable();
  }

  void flushBody() {
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
  }

  /** Writes and flushes the last piece of the request: from now on the app is timed. */
  void requestSent(LastHttpContent last) {
    unflushed = false;
    ctx.writeAndFlush(last, ctx.voidPromise());
    requestSent = true;
    lastProgress = timer.now();
  }

  /** Whether the app will keep this connection open after the current response. */
  public boolean reusable() {
    return reusable;
  }

  /** Back in the pool: watch for the app closing it, and for how long it sits unused. */
  void parked() {
    listener = null;
    parkedSince = timer.now();
    ctx.read();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new ConnectionTimer(ctx.executor(), tickNanos, this);
    if (ctx.channel().isActive()) {
      timer.start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    timer.start();
    super.channelActive(ctx);
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    readPending = true;
    lastProgress = timer.now();
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastProgress = timer.now();
    UpstreamListener l = listener;
    if (l == null || !(msg instanceof HttpObject object)) {
      ReferenceCountUtil.release(msg);
      reusable = false;
      ctx.close();
      return;
    }
    if (msg instanceof HttpResponse r) {
      informational = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (informational) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (!HttpUtil.isKeepAlive(r) || r.decoderResult().isFailure()) {
        reusable = false;
      }
      HopByHop.strip(r.headers());
    } else if (informational) {
      ReferenceCountUtil.release(msg);
      informational = !(msg instanceof LastHttpContent);
      return;
    }
    if (msg instanceof LastHttpContent || msg instanceof HttpContent c && c.decoderResult().isFailure()) {
      awaitingResponse = false;
    }
    l.fromUpstream(object);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // The exchange asks for the next read while handling this, unless the client is not keeping up.
    readPending = false;
    lastProgress = timer.now();
    UpstreamListener l = listener;
    if (l != null) {
      l.upstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    lastProgress = timer.now();
    UpstreamListener l = listener;
    if (l != null && ctx.channel().isWritable()) {
      l.upstreamWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.stop();
    UpstreamListener l = listener;
    listener = null;
    if (l != null) {
      l.upstreamClosed();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timer.stop();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    reusable = false;
    UpstreamListener l = listener;
    if (l != null) {
      l.upstreamFailed(cause);
    } else {
      ctx.close();
    }
  }

  @Override
  public long check(long now) {
    UpstreamListener l = listener;
    if (l != null) {
      if (!awaitingResponse || !(requestSent && readPending || !ctx.channel().isWritable())) {
        return Long.MAX_VALUE;
      }
      long left = lastProgress + responseTimeoutNanos - now;
      if (left > 0) {
        return left;
      }
      awaitingResponse = false;
      l.upstreamTimedOut("the app did not answer within " + responseTimeoutNanos / 1_000_000 + " ms");
      return Long.MAX_VALUE;
    }
    if (parkedSince >= 0) {
      long left = parkedSince + idleNanos - now;
      if (left > 0) {
        return left;
      }
      ctx.close();
    }
    return Long.MAX_VALUE;
  }
}
