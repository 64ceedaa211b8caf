package org.filewcount.agent.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Decides, per response, whether the client connection stays open: the request asked for it
 * (HTTP/1.1 by default, HTTP/1.0 with {@code Connection: keep-alive}), the response can be delimited
 * without closing, nobody marked the response {@code Connection: close}, and the server is not
 * draining. Otherwise it says {@code Connection: close} and closes (lingering) after the last byte.
 * It must see the request's Connection header before the hop-by-hop handler removes it.
 */
final class ClientKeepAliveHandler extends ChannelDuplexHandler {

  private record Wish(boolean keepAlive, boolean http10, boolean head) {}

  private final Duration linger;
  private final ArrayDeque<Wish> wishes = new ArrayDeque<>();
  private final ResponseEnds responses = new ResponseEnds();
  private boolean draining;
  private boolean closeAfterResponse;

  ClientKeepAliveHandler(Duration linger) {
    this.linger = linger;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest r) {
      wishes.add(new Wish(HttpUtil.isKeepAlive(r), r.protocolVersion().equals(HttpVersion.HTTP_1_0),
          r.method().equals(HttpMethod.HEAD)));
    } else if (msg instanceof RejectedRequest) {
      wishes.add(new Wish(false, false, false));
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
      Wish wish = wishes.peek();
      boolean keep = wish != null && wish.keepAlive() && !draining
          && HttpUtil.isKeepAlive(r) && (wish.head() || selfDelimited(r));
      closeAfterResponse = !keep;
      if (!keep) {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (wish.http10()) {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
    }
    if (msg instanceof LastHttpContent && responses.endsFinalResponse(msg)) {
      wishes.poll();
      if (closeAfterResponse) {
        closeAfterResponse = false;
        promise = promise.unvoid();
        promise.addListener(f -> LingeringClose.start(ctx.channel(), linger));
      }
    } else if (msg instanceof HttpResponse) {
      responses.endsFinalResponse(msg);
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ProxyEvent.DRAIN) {
      draining = true;
      if (wishes.isEmpty()) {
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  /** A body the client can find the end of without the connection closing. */
  private static boolean selfDelimited(HttpResponse r) {
    int code = r.status().code();
    return code == 204 || code == 304
        || HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r);
  }
}
