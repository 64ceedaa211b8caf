package org.filewcount.agent.consul;

/** Consul could not be reached or refused a request: a runtime failure (exit 1), never a usage error. */
public class ConsulException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConsulException(String message) {
    super(message);
  }

  public ConsulException(String message, Throwable cause) {
    super(message, cause);
  }
}
