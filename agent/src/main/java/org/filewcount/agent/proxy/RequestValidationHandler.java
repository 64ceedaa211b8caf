package org.filewcount.agent.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Refuses what must never reach the app, with the status HTTP prescribes: unparseable requests and
 * framing the decoder rejected (400; oversized request line 414, oversized headers 431), versions
 * other than 1.x (505), methods the proxy does not forward (501), a missing, repeated or malformed
 * Host (400), request targets with bytes outside printable ASCII (400), transfer codings other than
 * a single chunked (400, or 501 for codings it does not implement), expectations other than
 * 100-continue (417). A broken chunk in a body aborts the exchange with 400.
 */
final class RequestValidationHandler extends ChannelInboundHandlerAdapter {

  /** What filewcount (and a browser) uses, plus the common safe and idempotent rest. No CONNECT, no TRACE. */
  private static final Set<HttpMethod> FORWARDED_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH);
  /** RFC 3986 host (reg-name or IP literal) with an optional port: no spaces, slashes, @ or control bytes. */
  private static final Pattern HOST = Pattern.compile(
      "(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{0,5})?");

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      String problem = null;
      int status = 400;
      DecoderResult result = request.decoderResult();
      if (result.isFailure()) {
        Throwable cause = result.cause();
        if (cause instanceof TooLongHttpLineException) {
          status = 414;
          problem = "request line longer than allowed";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
          status = 431;
          problem = "request headers larger than allowed";
        } else {
          problem = "malformed request: " + cause.getMessage();
        }
      } else {
        int[] verdict = new int[] {400};
        problem = check(request, verdict);
        status = verdict[0];
      }
      if (problem != null) {
        ctx.fireChannelRead(new RejectedRequest(request, status, FailureKind.MALFORMED_REQUEST, problem));
        return;
      }
    } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      String reason = "malformed request body: " + content.decoderResult().cause().getMessage();
      content.release();
      ctx.fireExceptionCaught(new ExchangeAbort(400, FailureKind.MALFORMED_REQUEST, reason));
      return;
    }
    super.channelRead(ctx, msg);
  }

  /** Null when the request may go on; else the reason, with the status in {@code status[0]}. */
  private static String check(HttpRequest request, int[] status) {
    HttpVersion version = request.protocolVersion();
    if (!version.protocolName().equals("HTTP") || version.majorVersion() != 1) {
      status[0] = 505;
      return "only HTTP/1.0 and HTTP/1.1 are served here, got " + version.text();
    }
    if (!FORWARDED_METHODS.contains(request.method())) {
      status[0] = 501;
      return "method " + request.method().name() + " is not forwarded";
    }
    String uri = request.uri();
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return "request target contains a byte outside printable ASCII (percent-encode it)";
      }
    }
    boolean asterisk = uri.equals("*") && request.method().equals(HttpMethod.OPTIONS);
    boolean absolute = uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8);
    if (!uri.startsWith("/") && !asterisk && !absolute) {
      return "request target must start with / (or be an absolute http URL)";
    }
    if (absolute) {
      try {
        if (new URI(uri).getRawAuthority() == null) {
          return "absolute request target has no host";
        }
      } catch (URISyntaxException e) {
        return "absolute request target is not a valid URL";
      }
    }
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return "more than one Host header";
    }
    if (hosts.isEmpty() && version.minorVersion() >= 1) {
      return "HTTP/1.1 requests need a Host header";
    }
    if (hosts.size() == 1 && !HOST.matcher(hosts.get(0).trim()).matches()) {
      return "Host header is not a host[:port]";
    }
    List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty()) {
      int chunked = 0;
      boolean other = false;
      for (String header : codings) {
        for (String token : header.split(",", -1)) {
          String t = token.trim().toLowerCase(Locale.ROOT);
          if (t.equals("chunked")) {
            chunked++;
          } else if (t.isEmpty()) {
            return "empty Transfer-Encoding element";
          } else {
            other = true;
          }
        }
      }
      if (chunked != 1) {
        return "Transfer-Encoding must name chunked exactly once";
      }
      if (other) {
        status[0] = 501;
        return "transfer codings other than chunked are not implemented";
      }
    }
    List<String> expect = request.headers().getAll(HttpHeaderNames.EXPECT);
    if (!expect.isEmpty() && !(expect.size() == 1 && expect.get(0).trim().equalsIgnoreCase("100-continue"))) {
      status[0] = 417;
      return "only Expect: 100-continue is supported";
    }
    return null;
  }
}
