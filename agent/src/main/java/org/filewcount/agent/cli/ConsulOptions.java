package org.filewcount.agent.cli;

import java.util.Map;
import org.filewcount.agent.config.ConsulSettings;
import picocli.CommandLine.Option;

/** {@code --consul}, shared by every command that talks to Consul. The token has no flag on purpose. */
final class ConsulOptions implements EnvironmentFactory.NeedsEnvironment {

  @Option(names = "--consul", paramLabel = "URL",
      description = "Local Consul agent's HTTP address. Default: $CONSUL_HTTP_ADDR, else "
          + ConsulSettings.DEFAULT_ADDRESS + ". ACL token from $CONSUL_HTTP_TOKEN_FILE or $CONSUL_HTTP_TOKEN;"
          + " CA certificate from $CONSUL_CACERT.")
  String address;

  private Map<String, String> env = Map.of();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  public ConsulSettings settings() {
    return ConsulSettings.fromEnvironment(env, address);
  }
}
