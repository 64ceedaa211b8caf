package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;

/** Closes a keep-alive connection on which no new request starts within the idle timeout (no answer is due). */
final class IdleConnectionHandler extends BetweenRequestsHandler {

  IdleConnectionHandler(Duration idleTimeout) {
    super(idleTimeout);
  }

  @Override
  boolean runsWhileHeadStarted() {
    return false;
  }

  @Override
  void expired(ChannelHandlerContext ctx) {
    ctx.channel().close();
  }
}
