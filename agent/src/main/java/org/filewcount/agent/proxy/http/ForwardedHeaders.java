package org.filewcount.agent.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;

/**
 * Tells the app who asked, in place on the decoded request (no copy of its headers): appends the
 * client's address to {@code X-Forwarded-For} (keeping the chain an edge proxy or Envoy already
 * wrote), sets {@code X-Forwarded-Proto} to {@code http} unless a proxy in front already said how the
 * request arrived there, and keeps the client's {@code Host}, so pages and redirects the app builds
 * name the address the user typed (what nginx's {@code proxy_set_header Host $host} and Envoy do). A
 * request without Host (HTTP/1.0) gets the app's address; an absolute-form target
 * ({@code GET http://host/path}) is turned into origin form with its authority as Host (RFC 9112
 * section 3.2.2).
 */
public final class ForwardedHeaders {

  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  private static final AsciiString HTTP = AsciiString.cached("http");

  private ForwardedHeaders() {}

  /** The client's IP address as X-Forwarded-For carries it (computed once per connection). */
  public static String clientAddress(SocketAddress peer) {
    return peer instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : String.valueOf(peer);
  }

  public static void rewrite(HttpRequest request, String clientAddress, String upstreamAuthority) {
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
    if (h.contains(X_FORWARDED_FOR)) {
      h.set(X_FORWARDED_FOR, String.join(", ", h.getAll(X_FORWARDED_FOR)) + ", " + clientAddress);
    } else {
      h.set(X_FORWARDED_FOR, clientAddress);
    }
    if (!h.contains(X_FORWARDED_PROTO)) {
      h.set(X_FORWARDED_PROTO, HTTP);
    }
  }
}
