package org.filewcount.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an ACL token from the environment the way HashiCorp's own CLIs do: a token file
 * ({@code CONSUL_HTTP_TOKEN_FILE}) or a token variable ({@code CONSUL_HTTP_TOKEN}). There is
 * deliberately no command-line flag: argv is visible to every user of the host through /proc.
 * When both are set the file wins, since a file is the channel an operator chose on purpose
 * (Nomad templates, Vault agent sinks).
 */
public final class TokenSource {

  private TokenSource() {}

  public static Optional<Secret> fromEnvironment(Map<String, String> env, String tokenVar, String fileVar) {
    String file = env.get(fileVar);
    if (file != null && !file.isBlank()) {
      Path path = Path.of(file.strip());
      String content;
      try {
        content = Files.readString(path, StandardCharsets.UTF_8);
      } catch (IOException e) {
        // The message names the variable and the path, never the content.
        throw new ConfigException(fileVar + " points at " + path + ", which cannot be read ("
            + e.getClass().getSimpleName() + "): fix the path or its permissions, or unset " + fileVar);
      }
      if (content.isBlank()) {
        throw new ConfigException(fileVar + " points at " + path + ", which is empty: write the token into it"
            + " or unset " + fileVar);
      }
      return Optional.of(Secret.of(content));
    }
    String token = env.get(tokenVar);
    if (token != null && !token.isBlank()) {
      return Optional.of(Secret.of(token));
    }
    return Optional.empty();
  }
}
