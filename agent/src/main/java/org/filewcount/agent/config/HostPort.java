package org.filewcount.agent.config;

/**
 * A host and port as written on the command line ({@code 127.0.0.1:8081}, {@code [::1]:9464}).
 * Parsing errors name the expected form, because these values usually come from Nomad templates
 * where a missing port variable shows up as {@code "10.0.0.5:"}.
 */
public record HostPort(String host, int port) {

  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  public static HostPort parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expected host:port, got an empty value");
    }
    String value = text.trim();
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException("expected host:port (for example 127.0.0.1:8081), got '" + value + "'");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("IPv6 addresses need brackets, as in [::1]:8081; got '" + value + "'");
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port in '" + value + "' is not a number");
    }
    return new HostPort(host, port);
  }

  /** The form that goes back into a URL or a log line: IPv6 hosts get their brackets again. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
