package org.filewcount.agent.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

/** Hop-by-hop removal, forwarded headers and framing: the head rewrites, each on its own. */
class HeadersTest {

  @Test
  void hopByHopHeadersGoAndTheOnesConnectionNamesGoTooExceptFraming() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
    r.headers().add("Connection", "X-A, content-length").add("Connection", "x-b").add("X-A", "1").add("X-B", "2")
        .add("Keep-Alive", "t").add("Proxy-Connection", "k").add("TE", "trailers").add("Upgrade", "h2c")
        .add("Trailer", "x").add("Content-Length", "3").add("X-Kept", "y");
    HopByHop.strip(r.headers());
    assertThat(r.headers().names()).containsExactlyInAnyOrder("Content-Length", "X-Kept");
  }

  @Test
  void aPlainKeepAliveOrCloseNamesNothingMoreAndAListStillDoes() {
    HttpResponse plain = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    plain.headers().add("Connection", "keep-alive").add("Keep-Alive", "timeout=5").add("Content-Type", "text/html");
    HopByHop.strip(plain.headers());
    assertThat(plain.headers().names()).containsExactly("Content-Type");
    HttpResponse listed = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    listed.headers().add("Connection", "close").add("Connection", "Keep-Alive, X-Hop").add("X-Hop", "1")
        .add("X-Kept", "2");
    HopByHop.strip(listed.headers());
    assertThat(listed.headers().names()).containsExactly("X-Kept");
  }

  @Test
  void forwardedHeadersExtendTheChainAndKeepTheProtoAProxyInFrontSet() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    r.headers().add("Host", "h").add("X-Forwarded-For", "1.1.1.1").add("X-Forwarded-For", "2.2.2.2")
        .add("X-Forwarded-Proto", "https");
    ForwardedHeaders.rewrite(r, "3.3.3.3", "app:80");
    HttpHeaders h = r.headers();
    assertThat(h.getAll("x-forwarded-for")).containsExactly("1.1.1.1, 2.2.2.2, 3.3.3.3");
    assertThat(h.get("x-forwarded-proto")).isEqualTo("https");
    assertThat(h.get("host")).isEqualTo("h");
  }

  @Test
  void anAbsoluteTargetBecomesOriginFormAndAMissingHostTheAppsAddress() {
    HttpRequest absolute = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://user.test:81/p?q=1");
    absolute.headers().add("Host", "other");
    ForwardedHeaders.rewrite(absolute, "c", "app:80");
    assertThat(absolute.uri()).isEqualTo("/p?q=1");
    assertThat(absolute.headers().get("host")).isEqualTo("user.test:81");
    HttpRequest noHost = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
    ForwardedHeaders.rewrite(noHost, "c", "app:80");
    assertThat(noHost.headers().get("host")).isEqualTo("app:80");
    assertThat(noHost.headers().get("x-forwarded-proto")).isEqualTo("http");
  }

  @Test
  void theRequestGoesToTheAppWithTheFramingTheDecoderUsed() {
    HttpRequest chunked = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, "/");
    chunked.headers().add("Content-Length", "5").add("Transfer-Encoding", "chunked");
    Framing.forApp(chunked, true);
    assertThat(chunked.headers().contains("content-length")).isFalse();
    assertThat(chunked.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
    HttpRequest sized = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
    sized.headers().add("Content-Length", "5").add("Transfer-Encoding", "gzip");
    Framing.forApp(sized, false);
    assertThat(sized.headers().contains("transfer-encoding")).isFalse();
  }

  @Test
  void anUndelimitedResponseIsChunkedExceptToHttp10WhichMustBeClosed() {
    assertThat(Framing.forClient(response(), false, false)).isFalse();
    HttpResponse r = response();
    Framing.forClient(r, false, false);
    assertThat(r.headers().get("transfer-encoding")).isEqualTo("chunked");
    HttpResponse toHttp10 = response();
    toHttp10.headers().set("Transfer-Encoding", "chunked");
    assertThat(Framing.forClient(toHttp10, false, true)).isTrue();
    assertThat(toHttp10.headers().contains("transfer-encoding")).isFalse();
    HttpResponse head = response();
    assertThat(Framing.forClient(head, true, false)).isFalse();
    assertThat(head.headers().contains("transfer-encoding")).isFalse();
  }

  @Test
  void trailersAreDroppedButTheBytesAreKept() {
    LastHttpContent last = new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {1, 2}));
    assertThat(Framing.withoutTrailers(last)).isSameAs(last);
    last.trailingHeaders().add("X-T", "1");
    LastHttpContent without = Framing.withoutTrailers(last);
    assertThat(without.trailingHeaders().isEmpty()).isTrue();
    assertThat(without.content().readableBytes()).isEqualTo(2);
    without.release();
  }

  private static HttpResponse response() {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
  }
}
