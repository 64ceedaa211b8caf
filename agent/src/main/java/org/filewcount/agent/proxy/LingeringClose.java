package org.filewcount.agent.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection the way HTTP servers must when they answer before reading the whole
 * request (RFC 9112 section 9.6): stop writing (FIN), then read and drop what the client still sends
 * for a short while. Closing at once would make the kernel answer the unread upload with a reset,
 * and many clients then lose the 413 or 400 that was already sent.
 */
final class LingeringClose {

  private LingeringClose() {}

  static void start(Channel ch, Duration linger) {
    if (!ch.isActive()) {
      return;
    }
    if (ch.pipeline().get(Discard.class) != null) {
      return;
    }
    ch.pipeline().addFirst(new Discard());
    if (ch instanceof DuplexChannel duplex) {
      duplex.shutdownOutput();
    }
    ch.config().setAutoRead(true);
    ch.read();
    ch.eventLoop().schedule(() -> {
      ch.close();
    }, linger.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Drops raw input before the HTTP decoder sees it; the client's end of input closes the channel. */
  private static final class Discard extends ChannelInboundHandlerAdapter {
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
