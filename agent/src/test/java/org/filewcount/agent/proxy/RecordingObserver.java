package org.filewcount.agent.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Records what the proxy tells the observer, per exchange, for assertions. */
final class RecordingObserver implements ExchangeObserver {

  static final class Recorded implements Exchange {
    final String method;
    final String uri;
    final String client;
    final List<String> events = new CopyOnWriteArrayList<>();
    final AtomicLong requestBytes = new AtomicLong();
    final AtomicLong responseBytes = new AtomicLong();
    volatile int status;
    volatile FailureKind failure;

    Recorded(HttpRequest request, String client) {
      this.method = request.method().name();
      this.uri = request.uri();
      this.client = client;
      events.add("start");
    }

    @Override
    public void injectUpstream(HttpHeaders upstreamHeaders) {
      upstreamHeaders.set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      events.add("inject");
    }

    @Override
    public void requestBody(int bytes) {
      requestBytes.addAndGet(bytes);
    }

    @Override
    public void responseHead(HttpResponse response) {
      status = response.status().code();
      events.add("head " + status);
    }

    @Override
    public void responseBody(ByteBuf content) {
      responseBytes.addAndGet(content.readableBytes());
    }

    @Override
    public void complete() {
      events.add("complete");
    }

    @Override
    public void fail(FailureKind kind, Throwable cause) {
      failure = kind;
      events.add("fail " + kind);
    }

    @Override
    public void runInContext(Runnable action) {
      action.run();
    }

    boolean ended() {
      return events.contains("complete") || failure != null;
    }
  }

  final List<Recorded> exchanges = new CopyOnWriteArrayList<>();

  @Override
  public Exchange start(HttpRequest request, String clientAddress) {
    Recorded r = new Recorded(request, clientAddress);
    exchanges.add(r);
    return r;
  }

  Recorded last() {
    return exchanges.get(exchanges.size() - 1);
  }
}
