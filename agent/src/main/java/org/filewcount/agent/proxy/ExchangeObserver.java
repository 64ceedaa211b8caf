package org.filewcount.agent.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The seam between the proxy (which moves bytes) and telemetry (which understands them). The proxy
 * calls it on its event loop for every request; implementations must not block and must not retain
 * the buffers they are shown.
 */
public interface ExchangeObserver {

  /** Called when a request's head has arrived, before anything goes upstream. */
  Exchange start(HttpRequest request, String clientAddress);

  /** One request/response pair as it passes through the proxy. */
  interface Exchange {

    /** Adds trace context (traceparent, baggage) to the request going upstream. */
    void injectUpstream(HttpHeaders upstreamHeaders);

    /** Request body bytes forwarded upstream. */
    void requestBody(int bytes);

    /** The upstream's response head, or the proxy's own answer (408, 413, 502, 504). */
    void responseHead(HttpResponse response);

    /** A slice of the response body on its way to the client: read it, do not keep it. */
    void responseBody(ByteBuf content);

    /** The last byte of the response has been written to the client. */
    void complete();

    /** The exchange ended without a complete response (upstream refused, timed out, client gone). */
    void fail(FailureKind kind, Throwable cause);

    /** Runs {@code action} with this exchange's trace context current (log lines carry trace_id). */
    void runInContext(Runnable action);
  }

  /** Why an exchange failed, as the proxy saw it. */
  enum FailureKind {
    UPSTREAM_CONNECT,
    UPSTREAM_TIMEOUT,
    UPSTREAM_RESET,
    CLIENT_TIMEOUT,
    CLIENT_CLOSED,
    REQUEST_TOO_LARGE,
    MALFORMED_REQUEST
  }

  /** For tests and for running without telemetry. */
  ExchangeObserver NOOP = (request, client) -> new Exchange() {
    @Override public void injectUpstream(HttpHeaders h) {}
    @Override public void requestBody(int bytes) {}
    @Override public void responseHead(HttpResponse r) {}
    @Override public void responseBody(ByteBuf c) {}
    @Override public void complete() {}
    @Override public void fail(FailureKind kind, Throwable cause) {}
    @Override public void runInContext(Runnable action) { action.run(); }
  };
}
