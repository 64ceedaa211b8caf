package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * Counts the flushes that reach the socket end of embedded channels' pipelines: add it first. Sharable,
 * so one counter sums several channels (all on the test thread).
 */
@ChannelHandler.Sharable
final class FlushCounter extends ChannelOutboundHandlerAdapter {

  int flushes;

  @Override
  public void flush(ChannelHandlerContext ctx) {
    flushes++;
    ctx.flush();
  }
}
