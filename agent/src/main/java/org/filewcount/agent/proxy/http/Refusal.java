package org.filewcount.agent.proxy.http;

import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Why the proxy answers a request itself instead of forwarding (or finishing) it: the status it
 * answers with, the failure the observer sees, and a reason for the client and the log.
 */
public record Refusal(int status, FailureKind kind, String reason) {

  /** The app connection failed mid-exchange, or the app sent something that is not HTTP. */
  public static final Refusal APP_RESET = new Refusal(502, FailureKind.UPSTREAM_RESET,
      "the app closed the connection or sent an invalid response");
  private static final Refusal NO_FREE_CONNECTION = new Refusal(503, FailureKind.UPSTREAM_CONNECT,
      "no connection to the app became free in time");
  private static final Refusal CANNOT_CONNECT = new Refusal(502, FailureKind.UPSTREAM_CONNECT,
      "cannot connect to the app");

  /** No app connection: 503 when the pool had none free in time, 502 when connecting failed. */
  public static Refusal noAppConnection(boolean poolTimedOut) {
    return poolTimedOut ? NO_FREE_CONNECTION : CANNOT_CONNECT;
  }

  /** The app was silent too long while the proxy waited on it. */
  public static Refusal appTimeout(String reason) {
    return new Refusal(504, FailureKind.UPSTREAM_TIMEOUT, reason);
  }
}
