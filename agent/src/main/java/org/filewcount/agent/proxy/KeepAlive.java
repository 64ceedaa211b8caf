package org.filewcount.agent.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Whether a client connection stays open after a response, decided in one place, once per response,
 * when its head is written: the request asked for it (HTTP/1.1 by default, HTTP/1.0 with
 * {@code Connection: keep-alive}), the response can be delimited without closing, the exchange has
 * no reason to close (a refusal, an early answer, an HTTP/1.0 client reading an unframed body), and
 * the server is not draining. The head then says {@code Connection: close} (or {@code keep-alive}
 * to an HTTP/1.0 client), and once a connection is going to close nothing more is read from it.
 */
final class KeepAlive {

  /** What the request asked for, noted before its hop-by-hop headers are removed. */
  record Wish(boolean keepAlive, boolean http10, boolean head) {
    static final Wish CLOSE = new Wish(false, false, false);
    private static final Wish[] ALL = new Wish[8];

    static {
      for (int i = 0; i < ALL.length; i++) {
        ALL[i] = new Wish((i & 1) != 0, (i & 2) != 0, (i & 4) != 0);
      }
    }

    static Wish of(HttpRequest r) {
      boolean keep = HttpUtil.isKeepAlive(r);
      boolean http10 = r.protocolVersion().equals(HttpVersion.HTTP_1_0);
      boolean head = r.method().equals(HttpMethod.HEAD);
      return ALL[(keep ? 1 : 0) | (http10 ? 2 : 0) | (head ? 4 : 0)];
    }
  }

  private KeepAlive() {}

  /** Decides and writes the Connection header; true when the connection stays open. */
  static boolean decide(Wish wish, boolean draining, boolean exchangeMustClose, HttpResponse response) {
    boolean keep = wish.keepAlive() && !draining && !exchangeMustClose && (wish.head() || selfDelimited(response));
    if (!keep) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (wish.http10()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return keep;
  }

  /** A body the client can find the end of without the connection closing. */
  private static boolean selfDelimited(HttpResponse r) {
    int code = r.status().code();
    return code == 204 || code == 304
        || HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r);
  }
}
