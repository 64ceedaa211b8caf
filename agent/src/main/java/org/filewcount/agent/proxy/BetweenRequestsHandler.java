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
  private boolean inPhase;
  private long phaseStart;

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

  /**
   * Called on every event that can change the phase. The phase's clock starts when it is entered; one
   * timer per connection re-checks on expiry instead of being cancelled and rescheduled on every
   * request, which would cost a scheduler round trip per request on the hot path.
   */
  private void rearm(ChannelHandlerContext ctx) {
    boolean nowInPhase = inPhase(ctx);
    if (nowInPhase && !inPhase) {
      phaseStart = System.nanoTime();
    }
    inPhase = nowInPhase;
    if (inPhase && timer == null) {
      schedule(ctx, timeoutNanos);
    }
  }

  private boolean inPhase(ChannelHandlerContext ctx) {
    return unanswered == 0 && headStarted == runsWhileHeadStarted() && ctx.channel().isActive();
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    timer = ctx.executor().schedule(() -> {
      timer = null;
      if (!inPhase || !inPhase(ctx)) {
        return;
      }
      long elapsed = System.nanoTime() - phaseStart;
      if (elapsed >= timeoutNanos) {
        expired(ctx);
      } else {
        schedule(ctx, timeoutNanos - elapsed);
      }
    }, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
