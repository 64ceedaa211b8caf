package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Notes whether the app will keep its connection open after the current response
 * ({@code Connection: close}, or HTTP/1.0 without keep-alive). It must look before the hop-by-hop
 * handler removes the Connection header; the relay asks it before handing the connection back.
 */
final class UpstreamKeepAliveHandler extends ChannelInboundHandlerAdapter {

  private boolean reusable = true;

  boolean reusable() {
    return reusable;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL
        && (!HttpUtil.isKeepAlive(r) || r.decoderResult().isFailure())) {
      reusable = false;
    }
    super.channelRead(ctx, msg);
  }
}
