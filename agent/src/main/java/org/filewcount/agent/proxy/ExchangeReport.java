package org.filewcount.agent.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.proxy.ExchangeObserver.Exchange;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an exchange tells the observer and the log: the status it answered with, the failure it met
 * (the first one counts), and exactly one {@code complete} or {@code fail} at the end. The log line
 * costs nothing when it is off: no trace context is made current and no message is built.
 */
final class ExchangeReport {

  private static final Logger log = LoggerFactory.getLogger(ProxiedExchange.class);

  private final Exchange observed;
  private final HttpRequest request;
  private final long startNanos = System.nanoTime();
  private int status;
  private FailureKind failure;
  private Throwable cause;
  private boolean ended;

  ExchangeReport(Exchange observed, HttpRequest request) {
    this.observed = observed;
    this.request = request;
  }

  void injectUpstream(HttpHeaders headers) {
    observed.injectUpstream(headers);
  }

  void requestBody(int bytes) {
    if (bytes > 0) {
      observed.requestBody(bytes);
    }
  }

  void responseHead(HttpResponse response) {
    status = response.status().code();
    observed.responseHead(response);
  }

  void responseBody(ByteBuf content) {
    observed.responseBody(content);
  }

  /**
   * The failure the exchange is answering or ending for. The first one recorded is reported: a client
   * that leaves while the proxy's 502 is on its way must not hide that the app could not be reached.
   */
  void failed(FailureKind kind, Throwable why) {
    if (failure == null) {
      failure = kind;
      cause = why;
    }
  }

  /** Ends the exchange: {@code complete} without a failure, else {@code fail}; then the log line. */
  void end(boolean cut) {
    if (ended) {
      return;
    }
    ended = true;
    if (failure == null) {
      observed.complete();
    } else {
      observed.fail(failure, cause);
    }
    log(cut);
  }

  private void log(boolean cut) {
    FailureKind kind = failure;
    boolean upstreamFault = kind == FailureKind.UPSTREAM_CONNECT || kind == FailureKind.UPSTREAM_RESET
        || kind == FailureKind.UPSTREAM_TIMEOUT;
    if (upstreamFault ? !log.isWarnEnabled() : !log.isDebugEnabled()) {
      return;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    Object shown = cut && status == 0 ? "cut" : status;
    String why = cause == null ? "" : cause.getMessage();
    observed.runInContext(() -> {
      if (kind == null) {
        log.debug("{} {} -> {} in {} ms", request.method(), request.uri(), shown, ms);
      } else if (upstreamFault) {
        log.warn("{} {} -> {} after {} ms: {} ({})", request.method(), request.uri(), shown, ms, kind, why);
      } else {
        log.debug("{} {} -> {} after {} ms: {} ({})", request.method(), request.uri(), shown, ms, kind, why);
      }
    });
  }

  /** The cause recorded for a failure the proxy detected itself: a signal, so no stack trace. */
  static final class Aborted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Aborted(String message) {
      super(message, null, false, false);
    }
  }
}
