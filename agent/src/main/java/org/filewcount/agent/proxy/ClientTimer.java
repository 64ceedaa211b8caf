package org.filewcount.agent.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;
import org.filewcount.agent.proxy.http.ProxyResponses;
import org.filewcount.agent.proxy.http.Refusal;

/**
 * Every timeout of a client connection, driven by its one {@link ConnectionTimer}:
 * <ul>
 *   <li>idle: no new request starts within the idle timeout after the last response (close, no answer);
 *   <li>head: a request head has started to arrive and is not complete within the header timeout,
 *       counted from its first byte, not reset by each byte (408 and close; slowloris is cut on time);
 *   <li>body: the proxy asked for more of the body and none came within the body timeout (the
 *       exchange answers 408); time spent waiting for the app to take bytes is not blamed on the client;
 *   <li>stalled reader: the outbound buffer stayed full (the client stopped reading its response)
 *       for the idle timeout (close: a client that stops reading must not pin an app connection);
 *   <li>linger: after a response that closes the connection, how long the rest of the input is read
 *       and dropped before closing.
 * </ul>
 * The connection moves between them with field writes; nothing is scheduled per request.
 */
final class ClientTimer implements ConnectionTimer.Deadlines {

  /** What the connection waits for from the client, if anything. */
  private enum Waiting { NOTHING, NEXT_REQUEST, REST_OF_HEAD, BODY }

  private final ChannelHandlerContext ctx;
  private final long idleNanos;
  private final long headNanos;
  private final long bodyNanos;
  private final long lingerNanos;
  private final ConnectionTimer timer;
  private Waiting waiting = Waiting.NEXT_REQUEST;
  private long since;
  private boolean stalled;
  private long stalledSince;
  private boolean lingering;
  private long lingerUntil;

  ClientTimer(ChannelHandlerContext ctx, ProxySettings settings) {
    this.ctx = ctx;
    this.idleNanos = settings.idleTimeout().toNanos();
    this.headNanos = settings.headerReadTimeout().toNanos();
    this.bodyNanos = settings.bodyReadTimeout().toNanos();
    this.lingerNanos = settings.lingerTimeout().toNanos();
    this.timer = new ConnectionTimer(ctx.executor(), Math.min(idleNanos, Math.min(headNanos, bodyNanos)), this);
  }

  void start() {
    awaitNextRequest();
    timer.start();
  }

  void stop() {
    timer.stop();
  }

  void exchangeStarted() {
    waiting = Waiting.NOTHING;
  }

  /** A read for more of the body is about to be asked for: the body clock runs until a slice arrives. */
  void awaitBody() {
    if (waiting != Waiting.BODY) {
      waiting = Waiting.BODY;
      since = timer.now();
    }
  }

  void bodyArrived() {
    if (waiting == Waiting.BODY) {
      waiting = Waiting.NOTHING;
    }
  }

  void awaitNextRequest() {
    waiting = Waiting.NEXT_REQUEST;
    since = timer.now();
  }

  void headStarted() {
    if (waiting == Waiting.NEXT_REQUEST) {
      waiting = Waiting.REST_OF_HEAD;
      since = timer.now();
    }
  }

  void writable(boolean writable) {
    if (writable) {
      stalled = false;
    } else if (!stalled) {
      stalled = true;
      stalledSince = timer.now();
    }
  }

  /** Stops writing, drops what still arrives, and closes when the linger time is up. */
  void linger() {
    if (LingeringClose.start(ctx.channel())) {
      waiting = Waiting.NOTHING;
      lingering = true;
      lingerUntil = timer.now() + lingerNanos;
      timer.within(lingerNanos);
    }
  }

  @Override
  public long check(long now) {
    if (lingering) {
      long left = lingerUntil - now;
      if (left <= 0) {
        ctx.close();
        return Long.MAX_VALUE;
      }
      return left;
    }
    long next = Long.MAX_VALUE;
    if (stalled) {
      long left = stalledSince + idleNanos - now;
      if (left <= 0) {
        ctx.close();
        return Long.MAX_VALUE;
      }
      next = left;
    }
    long timeout = switch (waiting) {
      case NEXT_REQUEST -> idleNanos;
      case REST_OF_HEAD -> headNanos;
      case BODY -> bodyNanos;
      case NOTHING -> 0;
    };
    if (timeout > 0) {
      long left = since + timeout - now;
      if (left > 0) {
        return Math.min(next, left);
      }
      expire();
    }
    return next;
  }

  private void expire() {
    Waiting expired = waiting;
    waiting = Waiting.NOTHING;
    ClientConnection connection = (ClientConnection) ctx.handler();
    switch (expired) {
      case NEXT_REQUEST -> {
        connection.stopReading();
        ctx.close();
      }
      case REST_OF_HEAD -> {
        connection.stopReading();
        ctx.writeAndFlush(ProxyResponses.plain(408,
            "request headers not received within " + headNanos / 1_000_000 + " ms", true))
            .addListener(ChannelFutureListener.CLOSE);
      }
      case BODY -> connection.bodyTimedOut(new Refusal(408, FailureKind.CLIENT_TIMEOUT,
          "request body stalled for " + bodyNanos / 1_000_000 + " ms"));
      case NOTHING -> { }
    }
  }
}
