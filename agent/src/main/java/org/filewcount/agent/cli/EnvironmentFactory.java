package org.filewcount.agent.cli;

import java.util.Map;
import picocli.CommandLine;

/**
 * Hands every command the process environment (or a test's), so commands never call
 * {@code System.getenv} themselves and tests need no environment tricks.
 */
final class EnvironmentFactory implements CommandLine.IFactory {

  private final Map<String, String> env;
  private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

  EnvironmentFactory(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    K instance = fallback.create(cls);
    if (instance instanceof NeedsEnvironment target) {
      target.environment(env);
    }
    return instance;
  }

  /** Implemented by commands and mixins that read environment variables. */
  interface NeedsEnvironment {
    void environment(Map<String, String> env);
  }
}
