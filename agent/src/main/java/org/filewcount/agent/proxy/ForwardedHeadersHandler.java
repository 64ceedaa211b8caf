package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Tells the app who asked: appends the client's address to {@code X-Forwarded-For} (keeping the chain
 * an edge proxy or Envoy already wrote), sets {@code X-Forwarded-Proto} to {@code http} unless a
 * proxy in front already said how the request arrived there, and keeps the client's {@code Host}, so
 * pages and redirects the app builds name the address the user typed (what nginx's
 * {@code proxy_set_header Host $host} and Envoy do). A request without Host (HTTP/1.0) gets the app's
 * address; an absolute-form target ({@code GET http://host/path}) is turned into origin form with its
 * authority as Host (RFC 9112 section 3.2.2).
 */
final class ForwardedHeadersHandler extends ChannelInboundHandlerAdapter {

  private static final String X_FORWARDED_FOR = "x-forwarded-for";
  private static final String X_FORWARDED_PROTO = "x-forwarded-proto";

  private final String upstreamAuthority;

  ForwardedHeadersHandler(String upstreamAuthority) {
    this.upstreamAuthority = upstreamAuthority;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      rewrite(request, ctx.channel().remoteAddress());
    }
    super.channelRead(ctx, msg);
  }

  void rewrite(HttpRequest request, SocketAddress peer) {
    HttpHeaders h = request.headers();
    String uri = request.uri();
    if (!uri.startsWith("/") && !uri.equals("*")) {
      URI absolute = URI.create(uri);
      String path = absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
      request.setUri(absolute.getRawQuery() == null ? path : path + "?" + absolute.getRawQuery());
      if (absolute.getRawAuthority() != null) {
        h.set(HttpHeaderNames.HOST, absolute.getRawAuthority());
      }
    }
    if (!h.contains(HttpHeaderNames.HOST)) {
      h.set(HttpHeaderNames.HOST, upstreamAuthority);
    }
    String client = peer instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : String.valueOf(peer);
    List<String> chain = h.getAll(X_FORWARDED_FOR);
    h.set(X_FORWARDED_FOR, chain.isEmpty() ? client : String.join(", ", chain) + ", " + client);
    if (!h.contains(X_FORWARDED_PROTO)) {
      h.set(X_FORWARDED_PROTO, "http");
    }
  }
}
