package org.filewcount.agent.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach the local Consul agent: address, ACL token and CA certificate, read from the same
 * environment variables the {@code consul} CLI uses, so one Nomad template serves both.
 */
public record ConsulSettings(URI address, Optional<Secret> token, Optional<Path> caCert) {

  public static final String DEFAULT_ADDRESS = "http://127.0.0.1:8500";

  public ConsulSettings {
    if (address == null || address.getHost() == null) {
      throw new ConfigException("Consul address '" + address + "' has no host: use a URL such as " + DEFAULT_ADDRESS);
    }
  }

  /**
   * @param addressFlag the value of {@code --consul}, or null to use {@code CONSUL_HTTP_ADDR}
   */
  public static ConsulSettings fromEnvironment(Map<String, String> env, String addressFlag) {
    String raw = addressFlag != null ? addressFlag : env.getOrDefault("CONSUL_HTTP_ADDR", DEFAULT_ADDRESS);
    boolean ssl = "true".equalsIgnoreCase(env.get("CONSUL_HTTP_SSL"));
    URI address = parseAddress(raw, ssl);
    Optional<Path> caCert = Optional.ofNullable(env.get("CONSUL_CACERT")).filter(s -> !s.isBlank()).map(Path::of);
    caCert.ifPresent(p -> {
      if (!Files.isReadable(p)) {
        throw new ConfigException("CONSUL_CACERT points at " + p + ", which cannot be read: fix the path or unset it");
      }
    });
    Optional<Secret> token = TokenSource.fromEnvironment(env, "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE");
    return new ConsulSettings(address, token, caCert);
  }

  /** CONSUL_HTTP_ADDR may be a bare host:port (Consul's own default form) or a URL. */
  static URI parseAddress(String raw, boolean ssl) {
    String value = raw.strip();
    if (value.startsWith("unix://")) {
      throw new ConfigException("Consul address '" + value + "': unix sockets are not supported, use http(s)://host:port");
    }
    if (!value.contains("://")) {
      value = (ssl ? "https://" : "http://") + value;
    }
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Consul address '" + raw + "' is not a URL: use for example " + DEFAULT_ADDRESS);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new ConfigException("Consul address '" + raw + "' must use http or https");
    }
    if (uri.getHost() == null) {
      throw new ConfigException("Consul address '" + raw + "' has no host: use for example " + DEFAULT_ADDRESS);
    }
    return uri;
  }

  @Override
  public String toString() {
    return "ConsulSettings[address=" + address + ", token=" + (token.isPresent() ? "<redacted>" : "none")
        + ", caCert=" + caCert.map(Path::toString).orElse("none") + "]";
  }
}
