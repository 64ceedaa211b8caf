package org.filewcount.agent.registry;

/**
 * Consul did not do what was asked: connection refused, timeout, 5xx, or an ACL denial. The
 * message names the operation and the cause, never the token.
 */
public class ConsulUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConsulUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public ConsulUnavailableException(String message) {
    super(message);
  }
}
