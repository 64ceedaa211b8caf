package org.filewcount.agent.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Times the app, not the client: the timer runs while the proxy is waiting on the app (the request
 * is fully sent and a read is pending, or the app is not taking the request body) and restarts on
 * every byte from the app. Waiting on a slow client to send or to read is never counted. On expiry
 * the exchange is aborted with 504.
 */
final class UpstreamResponseTimeoutHandler extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private final Duration timeout;
  private final ResponseEnds responses = new ResponseEnds();
  private boolean active;
  private boolean requestSent;
  private boolean readPending;
  private long lastProgress;
  private ScheduledFuture<?> timer;

  UpstreamResponseTimeoutHandler(Duration timeout) {
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpRequest) {
      active = true;
      requestSent = false;
    }
    if (msg instanceof LastHttpContent) {
      promise = promise.unvoid();
      promise.addListener(f -> {
        if (f.isSuccess() && active) {
          requestSent = true;
          rearm(ctx);
        }
      });
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void read(ChannelHandlerContext ctx) throws Exception {
    readPending = true;
    rearm(ctx);
    super.read(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (active && responses.endsFinalResponse(msg)) {
      active = false;
    }
    rearm(ctx);
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    // The relay asks for the next read while handling this event, unless the client is not keeping up.
    readPending = false;
    super.channelReadComplete(ctx);
    rearm(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    rearm(ctx);
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    active = false;
    cancel();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  private boolean waitingOnApp(ChannelHandlerContext ctx) {
    return active && ((requestSent && readPending) || !ctx.channel().isWritable());
  }

  /**
   * Any event is progress: remember when, and keep one timer that re-checks on expiry rather than
   * rescheduling on every slice (as Netty's IdleStateHandler does).
   */
  private void rearm(ChannelHandlerContext ctx) {
    lastProgress = System.nanoTime();
    if (!waitingOnApp(ctx)) {
      cancel();
    } else if (timer == null) {
      schedule(ctx, timeoutNanos);
    }
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    timer = ctx.executor().schedule(() -> {
      timer = null;
      if (!waitingOnApp(ctx)) {
        return;
      }
      long quiet = System.nanoTime() - lastProgress;
      if (quiet < timeoutNanos) {
        schedule(ctx, timeoutNanos - quiet);
        return;
      }
      active = false;
      ctx.fireExceptionCaught(new ExchangeAbort(504, FailureKind.UPSTREAM_TIMEOUT,
          "the app did not answer within " + timeout.toMillis() + " ms"));
    }, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
