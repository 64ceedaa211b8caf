package org.filewcount.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class KeepAliveTest {

  private static KeepAlive.Wish wish(HttpVersion v, HttpMethod m, String connection) {
    HttpRequest r = new DefaultHttpRequest(v, m, "/");
    if (connection != null) {
      r.headers().set("Connection", connection);
    }
    return KeepAlive.Wish.of(r);
  }

  private static HttpResponse framed() {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set("Content-Length", "1");
    return r;
  }

  @Test
  void http11StaysOpenUnlessSomethingSaysClose() {
    KeepAlive.Wish w = wish(HttpVersion.HTTP_1_1, HttpMethod.GET, null);
    HttpResponse r = framed();
    assertThat(KeepAlive.decide(w, false, false, r)).isTrue();
    assertThat(r.headers().contains("connection")).isFalse();
    HttpResponse drained = framed();
    assertThat(KeepAlive.decide(w, true, false, drained)).isFalse();
    assertThat(drained.headers().get("connection")).isEqualTo("close");
    assertThat(KeepAlive.decide(w, false, true, framed())).isFalse();
    assertThat(KeepAlive.decide(wish(HttpVersion.HTTP_1_1, HttpMethod.GET, "close"), false, false, framed()))
        .isFalse();
  }

  @Test
  void aBodyThatOnlyACloseCanEndClosesUnlessTheRequestWasHead() {
    HttpResponse unframed = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    assertThat(KeepAlive.decide(wish(HttpVersion.HTTP_1_1, HttpMethod.GET, null), false, false, unframed)).isFalse();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    assertThat(KeepAlive.decide(wish(HttpVersion.HTTP_1_1, HttpMethod.HEAD, null), false, false, head)).isTrue();
    HttpResponse noContent = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    assertThat(KeepAlive.decide(wish(HttpVersion.HTTP_1_1, HttpMethod.GET, null), false, false, noContent)).isTrue();
  }

  @Test
  void http10KeepsAliveOnlyWhenAskedAndIsToldSo() {
    HttpResponse r = framed();
    assertThat(KeepAlive.decide(wish(HttpVersion.HTTP_1_0, HttpMethod.GET, "keep-alive"), false, false, r)).isTrue();
    assertThat(r.headers().get("connection")).isEqualTo("keep-alive");
    assertThat(KeepAlive.decide(wish(HttpVersion.HTTP_1_0, HttpMethod.GET, null), false, false, framed())).isFalse();
    assertThat(KeepAlive.decide(KeepAlive.Wish.CLOSE, false, false, framed())).isFalse();
  }
}
