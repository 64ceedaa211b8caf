package org.filewcount.agent.proxy.http;

import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/** How a message's body is delimited on the other side of the proxy, set in place on the decoded head. */
public final class Framing {

  private Framing() {}

  /**
   * The request as it goes to the app: HTTP/1.1, with the framing the decoder used (chunked or a
   * Content-Length), never a header a client could have smuggled in beside it.
   */
  public static void forApp(HttpRequest request, boolean chunked) {
    HttpHeaders headers = request.headers();
    if (chunked) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    } else {
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    }
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
  }

  /**
   * The app's response as it goes to the client: a body the app did not delimit is chunked, except to
   * an HTTP/1.0 client, which cannot read chunks: it gets the body as is, ended by closing the
   * connection. True when the connection must close after this response for that reason.
   */
  public static boolean forClient(HttpResponse response, boolean headRequest, boolean http10) {
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    int code = response.status().code();
    boolean bodyless = headRequest || code == 204 || code == 304;
    if (!bodyless && !http10 && !HttpUtil.isContentLengthSet(response)
        && !HttpUtil.isTransferEncodingChunked(response)) {
      HttpUtil.setTransferEncodingChunked(response, true);
    }
    if (http10 && HttpUtil.isTransferEncodingChunked(response)) {
      HttpUtil.setTransferEncodingChunked(response, false);
      return true;
    }
    return false;
  }

  /** Trailer fields are not forwarded either way (RFC 9110 lets a proxy drop them); the buffer is handed over. */
  public static LastHttpContent withoutTrailers(LastHttpContent last) {
    return last.trailingHeaders().isEmpty() ? last : new DefaultLastHttpContent(last.content());
  }
}
