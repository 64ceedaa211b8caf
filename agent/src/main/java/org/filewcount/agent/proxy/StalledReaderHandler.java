package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection that has stopped reading its response: once the connection's outbound
 * buffer is full (unwritable) for longer than the timeout, the client is gone in all but name, and
 * the app connection it pins is needed elsewhere. A timer exists only while the client is behind,
 * unlike Netty's WriteTimeoutHandler, which schedules one per write.
 */
final class StalledReaderHandler extends ChannelInboundHandlerAdapter {

  private final long timeoutNanos;
  private ScheduledFuture<?> timer;

  StalledReaderHandler(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      cancel();
    } else if (timer == null) {
      timer = ctx.executor().schedule(() -> {
        timer = null;
        if (!ctx.channel().isWritable()) {
          ctx.close();
        }
      }, timeoutNanos, TimeUnit.NANOSECONDS);
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
