package org.filewcount.agent.nomad;

/** Nomad could not be reached or refused a call: a runtime failure (exit 1). */
class NomadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NomadException(String message) {
    super(message);
  }

  public NomadException(String message, Throwable cause) {
    super(message, cause);
  }
}
