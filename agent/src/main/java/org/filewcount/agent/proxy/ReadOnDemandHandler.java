package org.filewcount.agent.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Hands on exactly one decoded message per {@code read()} the handlers after it ask for, queueing
 * the rest of what one socket read produced (a head and the first body slice often arrive together).
 * With auto-read off this makes every read an explicit demand, which is how backpressure reaches the
 * client. Netty's FlowControlHandler does the same job, but with 4.2.18 in this pipeline it stopped
 * delivering after a few body slices when the next read was asked for from inside channelRead
 * (which a streaming proxy does on every slice): uploads hung. This one is re-entrant by design
 * (one delivery loop, nested reads only add demand).
 */
final class ReadOnDemandHandler extends ChannelDuplexHandler {

  private final ArrayDeque<Object> queue = new ArrayDeque<>(4);
  private int demand;
  private boolean delivering;

  @Override
  public void read(ChannelHandlerContext ctx) {
    demand++;
    deliver(ctx);
    if (demand > 0 && queue.isEmpty()) {
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    queue.add(msg);
    deliver(ctx);
  }

  private void deliver(ChannelHandlerContext ctx) {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      while (demand > 0 && !queue.isEmpty()) {
        demand--;
        ctx.fireChannelRead(queue.poll());
      }
    } finally {
      delivering = false;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseQueued();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseQueued();
  }

  private void releaseQueued() {
    Object msg;
    while ((msg = queue.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
