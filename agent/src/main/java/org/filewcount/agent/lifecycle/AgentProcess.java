package org.filewcount.agent.lifecycle;

import org.filewcount.agent.config.AgentConfig;

/**
 * Wires probe, proxy, admin endpoint, telemetry and Consul registration together for {@code run},
 * and owns the shutdown sequence. (Being filled in by the foundation work.)
 */
public final class AgentProcess {

  private final AgentConfig config;

  public AgentProcess(AgentConfig config) {
    this.config = config;
  }

  /** Blocks until the agent has drained and deregistered after a signal; returns the exit code. */
  public int run() {
    throw new UnsupportedOperationException("run is not wired yet for " + config.service());
  }
}
