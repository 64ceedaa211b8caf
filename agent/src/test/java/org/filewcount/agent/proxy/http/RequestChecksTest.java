package org.filewcount.agent.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestChecksTest {

  private final RequestChecks checks = new RequestChecks(100);

  private static HttpRequest get(String uri, String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  private int status(HttpRequest r) {
    Refusal refusal = checks.check(r);
    return refusal == null ? 0 : refusal.status();
  }

  @Test
  void anOrdinaryRequestPasses() {
    assertThat(checks.check(get("/file_upload?x=1", "Host", "app:8080"))).isNull();
    assertThat(checks.check(get("/", "Host", "app:8080"))).as("again, from the per-connection cache").isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "a/b", "user@host", "host:80:80", "host:123456", "", "[::1", "[]", "h\u00e9"})
  void aHostThatIsNotHostPortIs400(String host) {
    Refusal r = checks.check(get("/", "Host", host));
    assertThat(r).isNotNull();
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.kind()).isEqualTo(FailureKind.MALFORMED_REQUEST);
  }

  @ParameterizedTest
  @ValueSource(strings = {"app", "app:", "app:8080", "10.0.0.1:80", "[::1]:8080", "[fe80::1]", "xn--bcher-kva.example",
      "a_b~c!$&'()*+,;=%20-d"})
  void hostsRfc3986AllowsPass(String host) {
    assertThat(checks.check(get("/", "Host", host))).isNull();
  }

  @Test
  void aRejectedHostIsNotCachedAndAnAcceptedOneDoesNotLetABadOneThrough() {
    assertThat(status(get("/", "Host", "good"))).isZero();
    assertThat(status(get("/", "Host", "bad host"))).isEqualTo(400);
    assertThat(status(get("/", "Host", "bad host"))).isEqualTo(400);
  }

  @Test
  void hostMustBePresentOnceInHttp11() {
    assertThat(checks.check(get("/")).reason()).contains("need a Host");
    assertThat(checks.check(get("/", "Host", "a", "Host", "b")).reason()).contains("more than one Host");
    HttpRequest http10 = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
    assertThat(checks.check(http10)).isNull();
  }

  @Test
  void statusesForEachKindOfRefusal() {
    assertThat(status(new DefaultHttpRequest(HttpVersion.valueOf("HTTP/2.0"), HttpMethod.GET, "/"))).isEqualTo(505);
    assertThat(status(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.TRACE, "/"))).isEqualTo(501);
    assertThat(status(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "a:443"))).isEqualTo(501);
    assertThat(status(get("/\u00e9", "Host", "a"))).isEqualTo(400);
    assertThat(status(get("relative", "Host", "a"))).isEqualTo(400);
    assertThat(status(get("http:///nohost", "Host", "a"))).isEqualTo(400);
    assertThat(status(get("http://app/x", "Host", "a"))).isZero();
    assertThat(status(get("/", "Host", "a", "Transfer-Encoding", "gzip, chunked"))).isEqualTo(501);
    assertThat(status(get("/", "Host", "a", "Transfer-Encoding", "chunked, chunked"))).isEqualTo(400);
    assertThat(status(get("/", "Host", "a", "Transfer-Encoding", "chunked,"))).isEqualTo(400);
    assertThat(status(get("/", "Host", "a", "Transfer-Encoding", "chunked"))).isZero();
    assertThat(status(get("/", "Host", "a", "Expect", "100-continue"))).isZero();
    assertThat(status(get("/", "Host", "a", "Expect", "something-else"))).isEqualTo(417);
    assertThat(status(get("/", "Host", "a", "Content-Length", "101"))).isEqualTo(413);
    assertThat(checks.check(get("/", "Host", "a", "Content-Length", "101")).kind())
        .isEqualTo(FailureKind.REQUEST_TOO_LARGE);
    assertThat(status(get("/", "Host", "a", "Content-Length", "100"))).isZero();
  }

  @Test
  void decoderFailuresGetTheirOwnStatus() {
    HttpRequest longLine = get("/");
    longLine.setDecoderResult(DecoderResult.failure(new TooLongHttpLineException("x")));
    HttpRequest bigHead = get("/");
    bigHead.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("x")));
    HttpRequest junk = get("/");
    junk.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("junk")));
    assertThat(status(longLine)).isEqualTo(414);
    assertThat(status(bigHead)).isEqualTo(431);
    assertThat(checks.check(junk).reason()).isEqualTo("malformed request: junk");
  }

  private static HttpContent slice(int bytes) {
    return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[bytes]));
  }

  @Test
  void theBodyIsRefusedOnceWhenASliceTakesItOverTheLimitAndTheCountStartsAgainPerRequest() {
    HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/file_upload");
    post.headers().set("host", "a");
    assertThat(checks.check(post)).isNull();
    assertThat(checks.bodySlice(slice(60))).isNull();
    assertThat(checks.bodySlice(slice(40))).as("exactly the limit").isNull();
    Refusal over = checks.bodySlice(slice(1));
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.kind()).isEqualTo(FailureKind.REQUEST_TOO_LARGE);
    assertThat(checks.bodySlice(slice(50))).as("refused once; the rest is dropped by the exchange").isNull();
    assertThat(checks.check(post)).isNull();
    assertThat(checks.bodySlice(slice(100))).as("a new request, a new count").isNull();
  }

  @Test
  void aBrokenSliceIs400() {
    HttpContent broken = slice(1);
    broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad chunk size")));
    Refusal r = checks.bodySlice(broken);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.reason()).contains("bad chunk size");
  }
}
