package org.filewcount.agent.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;
import org.filewcount.agent.probe.Readiness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes the three admin paths; everything else is 404, anything but GET/HEAD is 405. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
  private static final String TEXT = "text/plain; charset=utf-8";

  private final Supplier<Readiness.Verdict> readiness;
  private final Optional<MetricsSource> metrics;

  AdminHandler(Supplier<Readiness.Verdict> readiness, Optional<MetricsSource> metrics) {
    this.readiness = readiness;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "malformed request\n"), false);
      return;
    }
    boolean head = HttpMethod.HEAD.equals(request.method());
    if (!head && !HttpMethod.GET.equals(request.method())) {
      FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and HEAD\n");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      send(ctx, request, r, head);
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    FullHttpResponse response = switch (path) {
      case "/health/live" -> text(HttpResponseStatus.OK, "live\n");
      case "/health/ready" -> ready();
      case "/metrics" -> metrics();
      default -> text(HttpResponseStatus.NOT_FOUND, "not found: try /health/live, /health/ready or /metrics\n");
    };
    send(ctx, request, response, head);
  }

  private FullHttpResponse ready() {
    Readiness.Verdict v = readiness.get();
    return text(v.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, v.reason() + "\n");
  }

  private FullHttpResponse metrics() {
    if (metrics.isEmpty()) {
      return text(HttpResponseStatus.NOT_FOUND, "no metrics source configured in this agent\n");
    }
    MetricsSource source = metrics.get();
    ByteBuf buf = Unpooled.buffer();
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      source.writeTo(out);
    } catch (IOException | RuntimeException e) {
      buf.release();
      log.warn("Writing /metrics failed", e);
      return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics unavailable\n");
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, source.contentType());
    return r;
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean head) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    if (head) {
      response.content().clear();
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("Admin connection failed: {}", cause.toString());
    ctx.close();
  }
}
