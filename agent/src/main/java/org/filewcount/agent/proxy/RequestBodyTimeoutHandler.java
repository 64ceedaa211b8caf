package org.filewcount.agent.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Gives up on a request body that stops arriving: the timer runs only while the proxy has asked for
 * more of the body (a read is pending), so time the proxy spends waiting for the app to take the
 * bytes it already has is not blamed on the client. On expiry the exchange is aborted with 408.
 */
final class RequestBodyTimeoutHandler extends ChannelDuplexHandler {

  private final long timeoutNanos;
  private final Duration timeout;
  private boolean inBody;
  private ScheduledFuture<?> timer;

  RequestBodyTimeoutHandler(Duration bodyReadTimeout) {
    this.timeout = bodyReadTimeout;
    this.timeoutNanos = bodyReadTimeout.toNanos();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      inBody = true;
      cancel();
    }
    if (msg instanceof HttpContent) {
      cancel();
      if (msg instanceof LastHttpContent) {
        inBody = false;
      }
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void read(ChannelHandlerContext ctx) throws Exception {
    if (inBody && timer == null) {
      timer = ctx.executor().schedule(() -> {
        timer = null;
        if (inBody && ctx.channel().isActive()) {
          inBody = false;
          ctx.fireExceptionCaught(new ExchangeAbort(408, FailureKind.CLIENT_TIMEOUT,
              "request body stalled for " + timeout.toMillis() + " ms"));
        }
      }, timeoutNanos, TimeUnit.NANOSECONDS);
    }
    super.read(ctx);
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

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
