package org.filewcount.agent.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Base of the two client timers that run while a connection waits for its next request head: it
 * sits right after the HTTP codec, so it sees raw reads (as {@code channelReadComplete}) before a
 * head is complete, decoded request heads, and the end of each response written. Subclasses say
 * what to do when nothing, or only part of a head, arrived in time.
 */
abstract class BetweenRequestsHandler extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private final ResponseEnds responses = new ResponseEnds();
  /** Request heads decoded and not yet answered. */
  private int unanswered;
  /** Bytes of the next head have arrived (the decoder holds them) since the last complete head. */
  private boolean headStarted;
  private ScheduledFuture<?> timer;

  BetweenRequestsHandler(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Whether this timer runs before the first byte of a head (idle) or after it (slow head). */
  abstract boolean runsWhileHeadStarted();

  abstract void expired(ChannelHandlerContext ctx);

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    rearm(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      rearm(ctx);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      unanswered++;
      headStarted = false;
      rearm(ctx);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (unanswered == 0 && !headStarted) {
      headStarted = true;
      rearm(ctx);
    }
    super.channelReadComplete(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (responses.endsFinalResponse(msg)) {
      promise = promise.unvoid();
      promise.addListener(f -> {
        if (unanswered > 0) {
          unanswered--;
        }
        rearm(ctx);
      });
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  private void rearm(ChannelHandlerContext ctx) {
    cancel();
    boolean waiting = unanswered == 0 && ctx.channel().isActive();
    if (waiting && headStarted == runsWhileHeadStarted()) {
      timer = ctx.executor().schedule(() -> {
        timer = null;
        if (unanswered == 0 && headStarted == runsWhileHeadStarted() && ctx.channel().isActive()) {
          expired(ctx);
        }
      }, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
