package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an app connection that has sat unused in the pool for the idle timeout. Closing it before
 * the app's nginx does avoids the race where the proxy sends a request on a connection the app is
 * just closing, which would turn into a 502 for a request that never reached the app.
 */
final class PooledConnectionIdleHandler extends ChannelInboundHandlerAdapter {

  private final long idleNanos;
  private ScheduledFuture<?> timer;

  PooledConnectionIdleHandler(Duration idle) {
    this.idleNanos = idle.toNanos();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ProxyEvent.UPSTREAM_RELEASED) {
      cancel();
      timer = ctx.executor().schedule(() -> {
        ctx.close();
      }, idleNanos, TimeUnit.NANOSECONDS);
    } else if (evt == ProxyEvent.UPSTREAM_ACQUIRED) {
      cancel();
    }
    super.userEventTriggered(ctx, evt);
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
