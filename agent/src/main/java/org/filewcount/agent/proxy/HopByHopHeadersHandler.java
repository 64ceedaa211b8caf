package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Removes hop-by-hop headers (RFC 9110 section 7.6.1) from every message entering a pipeline: the
 * request from the client, and on the app side the response from the app. They describe one
 * connection and must not be forwarded: Connection and every header it names, Keep-Alive,
 * Proxy-Connection, TE, Upgrade, Trailer. Transfer-Encoding is left for the codecs, which de-chunk
 * on the way in and re-chunk on the way out. Headers that frame or route the message
 * (Content-Length, Transfer-Encoding, Host) are never removed even if Connection names them,
 * or a client could strip a body's length and smuggle its bytes to the app as a second request.
 */
@Sharable
final class HopByHopHeadersHandler extends ChannelInboundHandlerAdapter {

  static final HopByHopHeadersHandler INSTANCE = new HopByHopHeadersHandler();

  private static final List<AsciiString> ALWAYS = List.of(HttpHeaderNames.KEEP_ALIVE,
      AsciiString.cached("proxy-connection"), HttpHeaderNames.TE, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRAILER);
  private static final Set<String> PROTECTED = Set.of("content-length", "transfer-encoding", "host");

  private HopByHopHeadersHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpMessage message) {
      strip(message.headers());
    }
    super.channelRead(ctx, msg);
  }

  static void strip(HttpHeaders headers) {
    List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
    if (!connection.isEmpty()) {
      List<String> named = new ArrayList<>();
      for (String value : connection) {
        for (String token : value.split(",")) {
          String name = token.trim().toLowerCase(Locale.ROOT);
          if (!name.isEmpty() && !PROTECTED.contains(name)) {
            named.add(name);
          }
        }
      }
      headers.remove(HttpHeaderNames.CONNECTION);
      for (String name : named) {
        headers.remove(name);
      }
    }
    for (AsciiString name : ALWAYS) {
      headers.remove(name);
    }
  }
}
