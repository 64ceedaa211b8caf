package org.filewcount.agent.uploads;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.config.TokenSource;

/**
 * How the running agent reaches Nomad for the uploads carry, read like the {@code nomad} CLI: NOMAD_ADDR
 * ({@code http(s)://} or, for the Task API socket, {@code unix://}; NOMAD_UNIX_ADDR, which Nomad sets with
 * {@code identity { env = true }}, when NOMAD_ADDR is unset: client/taskenv/env.go), NOMAD_TOKEN_FILE or
 * NOMAD_TOKEN, NOMAD_CACERT, NOMAD_NAMESPACE and NOMAD_REGION (both in every task's environment). Here,
 * not in {@code config}, because the carry's {@code NomadAllocFs} is its only reader.
 *
 * @param address {@code http(s)://host[:port]} or {@code unix:///path}
 */
record NomadSettings(String address, Optional<Secret> token, Optional<Path> caCert,
    Optional<String> namespace, Optional<String> region) {

  /** Empty when no Nomad address is set (NOMAD_ADDR, NOMAD_UNIX_ADDR); a bad one is a usage error. */
  static Optional<NomadSettings> fromEnvironment(Map<String, String> env) {
    Optional<String> addr = nonBlank(env.get("NOMAD_ADDR")).or(() -> nonBlank(env.get("NOMAD_UNIX_ADDR")));
    if (addr.isEmpty()) {
      return Optional.empty();
    }
    String a = addr.get();
    if (!a.startsWith("unix://")) {
      URI uri;
      try {
        uri = URI.create(a.contains("://") ? a : "http://" + a);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("NOMAD_ADDR '" + a + "' is not a URL: use for example unix:///secrets/api.sock"
            + " (the Task API) or http://127.0.0.1:4646");
      }
      if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new ConfigException("NOMAD_ADDR '" + a + "' needs http://, https:// or unix://, for example"
            + " unix:///secrets/api.sock");
      }
      a = uri.toString();
    } else if (a.length() == "unix://".length()) {
      throw new ConfigException("NOMAD_ADDR '" + a + "' names no socket: use for example unix:///secrets/api.sock");
    }
    return Optional.of(new NomadSettings(a, TokenSource.fromEnvironment(env, "NOMAD_TOKEN", "NOMAD_TOKEN_FILE"),
        nonBlank(env.get("NOMAD_CACERT")).map(Path::of), nonBlank(env.get("NOMAD_NAMESPACE")),
        nonBlank(env.get("NOMAD_REGION"))));
  }

  private static Optional<String> nonBlank(String v) {
    return Optional.ofNullable(v).map(String::strip).filter(s -> !s.isEmpty());
  }
}
