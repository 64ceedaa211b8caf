package org.filewcount.agent.telemetry;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.filewcount.agent.proxy.ExchangeObserver;

/** Drives an observer the way the proxy does, with Netty's own message objects. */
final class Exchanges {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_SPAN_ID = "00f067aa0ba902b7";
  static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";

  private Exchanges() {}

  static HttpRequest request(HttpMethod method, String uri) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    r.headers().set(HttpHeaderNames.HOST, "filewcount.example:8081");
    r.headers().set(HttpHeaderNames.USER_AGENT, "curl/7.88.1");
    return r;
  }

  static HttpRequest upload() {
    HttpRequest r = request(HttpMethod.POST, "/file_upload");
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "multipart/form-data; boundary=xyz");
    r.headers().set("traceparent", TRACEPARENT);
    r.headers().set("baggage", "tenant=acme");
    return r;
  }

  static HttpResponse response(int status, String contentType) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    if (contentType != null) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    return r;
  }

  /** The app's result page: title, notice, banner, then the stored-file list. */
  static String resultPage(String banner, int storedFiles) {
    StringBuilder b = new StringBuilder()
        .append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>File Upload</title></head><body>\n")
        .append("<p>File Word Counter. Upload if you dare. Données, Größe, 単語</p>\n")
        .append("<h2>").append(banner).append("</h2>\n<h3>Files Previously Uploaded</h3>\n<ul>\n");
    for (int i = 0; i < storedFiles; i++) {
      b.append("<li>20261125.1510").append(String.format("%02d", i % 60)).append("-2-2.txt</li>\n");
    }
    return b.append("</ul></body></html>\n").toString();
  }

  /** Splits bytes into chunks of {@code size} (the last may be shorter). */
  static List<ByteBuf> chunks(byte[] body, int size) {
    List<ByteBuf> out = new ArrayList<>();
    for (int i = 0; i < body.length; i += size) {
      out.add(Unpooled.wrappedBuffer(body, i, Math.min(size, body.length - i)));
    }
    return out;
  }

  /** Runs a whole exchange: head, body in chunks, complete. Returns the exchange. */
  static ExchangeObserver.Exchange run(ExchangeObserver observer, HttpRequest request, int requestBytes,
      HttpResponse response, byte[] body, int chunkSize) {
    ExchangeObserver.Exchange e = observer.start(request, "127.0.0.1");
    e.requestBody(requestBytes);
    e.responseHead(response);
    for (ByteBuf chunk : chunks(body, chunkSize)) {
      e.responseBody(chunk);
      chunk.release();
    }
    e.complete();
    return e;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
