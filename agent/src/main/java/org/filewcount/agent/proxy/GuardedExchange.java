package org.filewcount.agent.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a failing observer from breaking traffic: telemetry is worth less than the request it
 * describes, so an exception from it is logged (once per process) and the bytes keep flowing.
 */
final class GuardedExchange implements ExchangeObserver.Exchange {

  private static final Logger log = LoggerFactory.getLogger(GuardedExchange.class);
  private static final AtomicBoolean warned = new AtomicBoolean();

  private final ExchangeObserver.Exchange delegate;

  private GuardedExchange(ExchangeObserver.Exchange delegate) {
    this.delegate = delegate;
  }

  static ExchangeObserver.Exchange start(ExchangeObserver observer, io.netty.handler.codec.http.HttpRequest request,
      String clientAddress) {
    try {
      ExchangeObserver.Exchange e = observer.start(request, clientAddress);
      return new GuardedExchange(e != null ? e : ExchangeObserver.NOOP.start(request, clientAddress));
    } catch (RuntimeException e) {
      report(e);
      return new GuardedExchange(ExchangeObserver.NOOP.start(request, clientAddress));
    }
  }

  private static void report(RuntimeException e) {
    if (warned.compareAndSet(false, true)) {
      log.warn("the exchange observer failed; requests are still served, telemetry may be incomplete", e);
    }
  }

  @Override
  public void injectUpstream(HttpHeaders upstreamHeaders) {
    try {
      delegate.injectUpstream(upstreamHeaders);
    } catch (RuntimeException e) {
      report(e);
    }
  }

  @Override
  public void requestBody(int bytes) {
    try {
      delegate.requestBody(bytes);
    } catch (RuntimeException e) {
      report(e);
    }
  }

  @Override
  public void responseHead(HttpResponse response) {
    try {
      delegate.responseHead(response);
    } catch (RuntimeException e) {
      report(e);
    }
  }

  @Override
  public void responseBody(ByteBuf content) {
    int reader = content.readerIndex();
    try {
      delegate.responseBody(content);
    } catch (RuntimeException e) {
      report(e);
    } finally {
      // Whatever the observer read, the client gets every byte.
      content.readerIndex(reader);
    }
  }

  @Override
  public void complete() {
    try {
      delegate.complete();
    } catch (RuntimeException e) {
      report(e);
    }
  }

  @Override
  public void fail(ExchangeObserver.FailureKind kind, Throwable cause) {
    try {
      delegate.fail(kind, cause);
    } catch (RuntimeException e) {
      report(e);
    }
  }

  @Override
  public void runInContext(Runnable action) {
    try {
      delegate.runInContext(action);
    } catch (RuntimeException e) {
      report(e);
    }
  }
}
