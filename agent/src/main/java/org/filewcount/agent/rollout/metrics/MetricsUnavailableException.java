package org.filewcount.agent.rollout.metrics;

/** The metrics source did not answer or answered something unusable. */
public class MetricsUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  public MetricsUnavailableException(String message) {
    super(message);
  }

  public MetricsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
