package org.filewcount.agent.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;

/**
 * Answers 408 and closes when a request head has started to arrive but is not complete within the
 * header timeout, counted from its first byte, not reset by each byte: a client sending one byte a
 * second (slowloris) is cut off on time.
 */
final class RequestHeadTimeoutHandler extends BetweenRequestsHandler {

  private final Duration timeout;

  RequestHeadTimeoutHandler(Duration headerReadTimeout) {
    super(headerReadTimeout);
    this.timeout = headerReadTimeout;
  }

  @Override
  boolean runsWhileHeadStarted() {
    return true;
  }

  @Override
  void expired(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(ProxyResponses.plain(408, "request headers not received within " + timeout.toMillis() + " ms", true))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
