package org.filewcount.agent.proxy;

import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * Raised through a pipeline (as {@code exceptionCaught}) by a handler that detected why the current
 * exchange cannot go on: the forwarding side turns it into the proxy's own answer (or a cut connection
 * when the response has already started). Carries no stack trace: it is a signal, not a bug.
 */
final class ExchangeAbort extends RuntimeException {

  private final int status;
  private final FailureKind kind;

  ExchangeAbort(int status, FailureKind kind, String message) {
    super(message, null, false, false);
    this.status = status;
    this.kind = kind;
  }

  int status() {
    return status;
  }

  FailureKind kind() {
    return kind;
  }
}
