package org.filewcount.agent.proxy;

/** The proxy could not start (the listen address is taken or invalid). The message says what to change. */
final class ProxyStartException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  ProxyStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
