package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Enforces the app's upload limit in front of it. A declared Content-Length over the limit is
 * refused with 413 before anything goes upstream (and before a 100 Continue is sent). A chunked body
 * is counted as it streams; the slice that crosses the limit is not forwarded and the exchange is
 * aborted, which closes the app connection mid-request, so the app never stores a partial upload.
 */
final class RequestSizeLimitHandler extends ChannelInboundHandlerAdapter {

  private final long maxBytes;
  private long received;
  private boolean discarding;

  RequestSizeLimitHandler(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      received = 0;
      discarding = false;
      long declared = HttpUtil.getContentLength(request, -1L);
      if (declared > maxBytes) {
        discarding = true;
        ctx.fireChannelRead(new RejectedRequest(request, 413, FailureKind.REQUEST_TOO_LARGE,
            "request body of " + declared + " bytes is over the limit of " + maxBytes + " bytes"));
        return;
      }
    } else if (msg instanceof HttpContent content) {
      if (discarding) {
        content.release();
        return;
      }
      received += content.content().readableBytes();
      if (received > maxBytes) {
        discarding = true;
        content.release();
        ctx.fireExceptionCaught(new ExchangeAbort(413, FailureKind.REQUEST_TOO_LARGE,
            "request body grew over the limit of " + maxBytes + " bytes"));
        return;
      }
    }
    super.channelRead(ctx, msg);
  }
}
