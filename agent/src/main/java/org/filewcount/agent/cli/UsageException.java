package org.filewcount.agent.cli;

/** Bad input found after parsing (values that conflict, unknown versions): exit code 2. */
class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
