package org.filewcount.agent.config;

/** A configuration value that cannot work. The CLI turns it into exit code 2 with this message. */
public class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
