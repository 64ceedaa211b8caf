package org.filewcount.agent.cli;

import java.net.URI;
import java.time.Duration;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.config.HostPort;

/**
 * Turns flag values shared by several commands into typed values; every error names the flag and
 * an example of a good value (exit code 2 through {@link ConfigException}).
 */
final class FlagValues {

  private FlagValues() {}

  static String serviceName(String name) {
    if (name == null || !name.matches("[a-zA-Z0-9][a-zA-Z0-9-]*")) {
      throw new ConfigException("--service '" + name + "' is not a valid Consul service name:"
          + " use letters, digits and dashes");
    }
    return name;
  }

  static HostPort hostPort(String flag, String value) {
    try {
      return HostPort.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag + ": " + e.getMessage());
    }
  }

  static Duration duration(String flag, String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag + ": " + e.getMessage());
    }
  }

  /** A share from 0 to 1, written as a decimal ({@code 0.1}); the range is the config's to check. */
  static double ratio(String flag, String value) {
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(flag + " '" + value + "' is not a number: use a share from 0 to 1, for example 0.1");
    }
  }

  static URI httpUrl(String flag, String value) {
    URI uri;
    try {
      uri = URI.create(value.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag + " '" + value + "' is not a URL: use for example http://127.0.0.1:9090");
    }
    if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
      throw new ConfigException(flag + " '" + value + "' must be an http(s):// URL with a host,"
          + " for example http://127.0.0.1:9090");
    }
    return uri;
  }
}
