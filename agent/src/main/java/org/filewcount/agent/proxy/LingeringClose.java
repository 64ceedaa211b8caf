package org.filewcount.agent.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Closes a client connection the way HTTP servers must when they answer before reading the whole
 * request (RFC 9112 section 9.6): stop writing (FIN), then read and drop what the client still sends
 * for a short while (the connection's timer closes it when the linger time is up). Closing at once
 * would make the kernel answer the unread upload with a reset, and many clients then lose the 413 or
 * 400 that was already sent.
 */
final class LingeringClose {

  private LingeringClose() {}

  /** False when there is nothing to linger on (the connection is already closed). */
  static boolean start(Channel ch) {
    if (!ch.isActive()) {
      return false;
    }
    if (ch.pipeline().get(Discard.class) == null) {
      ch.pipeline().addFirst(new Discard());
      if (ch instanceof DuplexChannel duplex) {
        duplex.shutdownOutput();
      }
      ch.config().setAutoRead(true);
      ch.read();
    }
    return true;
  }

  /** Drops raw input before the HTTP decoder sees it; the client's end of input closes the channel. */
  static final class Discard extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
