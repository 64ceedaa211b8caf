package org.filewcount.agent.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Removes hop-by-hop headers (RFC 9110 section 7.6.1) from a message in place: the request from the
 * client, and the response from the app. They describe one connection and must not be forwarded:
 * Connection and every header it names, Keep-Alive, Proxy-Connection, TE, Upgrade, Trailer.
 * Transfer-Encoding is left for the codecs, which de-chunk on the way in and re-chunk on the way out.
 * Headers that frame or route the message (Content-Length, Transfer-Encoding, Host) are never removed
 * even if Connection names them, or a client could strip a body's length and smuggle its bytes to the
 * app as a second request.
 */
public final class HopByHop {

  private static final AsciiString[] ALWAYS = {HttpHeaderNames.KEEP_ALIVE,
      AsciiString.cached("proxy-connection"), HttpHeaderNames.TE, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRAILER};
  private static final Set<String> PROTECTED = Set.of("content-length", "transfer-encoding", "host");
  /** Connection values that name no header beyond those removed anyway (Keep-Alive is in ALWAYS). */
  private static final Set<String> NAMES_NOTHING_ELSE = Set.of("keep-alive", "Keep-Alive", "close", "Close");

  private HopByHop() {}

  public static void strip(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      List<String> named = new ArrayList<>(2);
      for (Iterator<String> it = headers.valueStringIterator(HttpHeaderNames.CONNECTION); it.hasNext(); ) {
        String value = it.next();
        if (NAMES_NOTHING_ELSE.contains(value)) {
          // The common case (the app's "keep-alive", a client's "close"): no header to look for.
          continue;
        }
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
