package org.filewcount.agent.proxy.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Refuses what must never reach the app, with the status HTTP prescribes: unparseable requests and
 * framing the decoder rejected (400; oversized request line 414, oversized headers 431), versions
 * other than 1.x (505), methods the proxy does not forward (501), a missing, repeated or malformed
 * Host (400), request targets with bytes outside printable ASCII (400), transfer codings other than
 * a single chunked (400, or 501 for codings it does not implement), expectations other than
 * 100-continue (417), and a declared Content-Length over the app's limit (413, before anything goes
 * upstream or a 100 Continue is sent). One instance per client connection: it remembers the last
 * Host it accepted, since a connection almost always repeats it.
 */
public final class RequestChecks {

  /** What filewcount (and a browser) uses, plus the common safe and idempotent rest. No CONNECT, no TRACE. */
  private static final Set<HttpMethod> FORWARDED_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH);

  private final long maxBodyBytes;
  private String lastValidHost;
  private long bodyBytes;

  public RequestChecks(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Null when the request may go on; else the refusal to answer it with. Starts the count of its body. */
  public Refusal check(HttpRequest request) {
    bodyBytes = 0;
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return malformed(414, "request line longer than allowed");
      }
      if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
        return malformed(431, "request headers larger than allowed");
      }
      return malformed(400, "malformed request: " + cause.getMessage());
    }
    Refusal refusal = checkHead(request);
    if (refusal != null) {
      return refusal;
    }
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > maxBodyBytes) {
      return new Refusal(413, FailureKind.REQUEST_TOO_LARGE,
          "request body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes");
    }
    return null;
  }

  /** A body slice took the body over the limit (chunked bodies are counted as they stream). */
  private Refusal bodyOverLimit() {
    return new Refusal(413, FailureKind.REQUEST_TOO_LARGE,
        "request body grew over the limit of " + maxBodyBytes + " bytes");
  }

  /**
   * Checks a slice of the current request's body and counts it ({@link #check} starts the count): the
   * refusal when the slice is broken or takes the body over the limit, else null (also for the slices
   * after the one that crossed it).
   */
  public Refusal bodySlice(HttpContent slice) {
    if (slice.decoderResult().isFailure()) {
      return malformed(400, "malformed request body: " + slice.decoderResult().cause().getMessage());
    }
    long before = bodyBytes;
    bodyBytes += slice.content().readableBytes();
    return bodyBytes > maxBodyBytes && before <= maxBodyBytes ? bodyOverLimit() : null;
  }

  private Refusal checkHead(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1 || !version.protocolName().equals("HTTP")) {
      return malformed(505, "only HTTP/1.0 and HTTP/1.1 are served here, got " + version.text());
    }
    if (!FORWARDED_METHODS.contains(request.method())) {
      return malformed(501, "method " + request.method().name() + " is not forwarded");
    }
    String uri = request.uri();
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return malformed(400, "request target contains a byte outside printable ASCII (percent-encode it)");
      }
    }
    String problem = uri.startsWith("/") ? null : checkOtherTarget(request, uri);
    HttpHeaders headers = request.headers();
    if (problem == null) {
      problem = checkHost(headers, version);
    }
    if (problem == null && headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      Refusal coding = checkCodings(headers);
      if (coding != null) {
        return coding;
      }
    }
    if (problem != null) {
      return malformed(400, problem);
    }
    if (headers.contains(HttpHeaderNames.EXPECT)) {
      Iterator<String> expect = headers.valueStringIterator(HttpHeaderNames.EXPECT);
      if (!expect.next().trim().equalsIgnoreCase("100-continue") || expect.hasNext()) {
        return malformed(417, "only Expect: 100-continue is supported");
      }
    }
    return null;
  }

  private static String checkOtherTarget(HttpRequest request, String uri) {
    if (uri.equals("*") && request.method().equals(HttpMethod.OPTIONS)) {
      return null;
    }
    if (!uri.regionMatches(true, 0, "http://", 0, 7) && !uri.regionMatches(true, 0, "https://", 0, 8)) {
      return "request target must start with / (or be an absolute http URL)";
    }
    try {
      return new URI(uri).getRawAuthority() == null ? "absolute request target has no host" : null;
    } catch (URISyntaxException e) {
      return "absolute request target is not a valid URL";
    }
  }

  private String checkHost(HttpHeaders headers, HttpVersion version) {
    Iterator<String> hosts = headers.valueStringIterator(HttpHeaderNames.HOST);
    if (!hosts.hasNext()) {
      return version.minorVersion() >= 1 ? "HTTP/1.1 requests need a Host header" : null;
    }
    String host = hosts.next();
    if (hosts.hasNext()) {
      return "more than one Host header";
    }
    if (host.equals(lastValidHost)) {
      return null;
    }
    if (!HostSyntax.valid(host.trim())) {
      return "Host header is not a host[:port]";
    }
    lastValidHost = host;
    return null;
  }

  private static Refusal checkCodings(HttpHeaders headers) {
    int chunked = 0;
    boolean other = false;
    for (Iterator<String> it = headers.valueStringIterator(HttpHeaderNames.TRANSFER_ENCODING); it.hasNext(); ) {
      for (String token : it.next().split(",", -1)) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (t.equals("chunked")) {
          chunked++;
        } else if (t.isEmpty()) {
          return malformed(400, "empty Transfer-Encoding element");
        } else {
          other = true;
        }
      }
    }
    if (chunked != 1) {
      return malformed(400, "Transfer-Encoding must name chunked exactly once");
    }
    return other ? malformed(501, "transfer codings other than chunked are not implemented") : null;
  }

  private static Refusal malformed(int status, String reason) {
    return new Refusal(status, FailureKind.MALFORMED_REQUEST, reason);
  }
}
