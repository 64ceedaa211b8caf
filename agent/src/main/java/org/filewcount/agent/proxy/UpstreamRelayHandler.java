package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an app connection: hands what the app sends to the exchange that borrowed the
 * connection. While the connection is parked in the pool it keeps one read pending, so an app that
 * closes it is noticed at once, and anything the app sends unasked marks the connection as broken.
 */
final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {

  private ProxiedExchange exchange;

  void bind(ProxiedExchange e) {
    this.exchange = e;
  }

  void unbind() {
    this.exchange = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ProxiedExchange e = exchange;
    if (e == null || !(msg instanceof HttpObject object)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    e.fromUpstream(object);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ProxiedExchange e = exchange;
    if (e != null) {
      e.upstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ProxiedExchange e = exchange;
    if (e != null && ctx.channel().isWritable()) {
      e.upstreamWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ProxiedExchange e = exchange;
    exchange = null;
    if (e != null) {
      e.upstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ProxiedExchange e = exchange;
    if (e != null) {
      e.upstreamFailed(cause);
    } else {
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ProxyEvent.UPSTREAM_RELEASED) {
      exchange = null;
      ctx.read();
    }
    super.userEventTriggered(ctx, evt);
  }
}
