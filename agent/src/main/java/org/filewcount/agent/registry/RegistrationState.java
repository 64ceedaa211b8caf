package org.filewcount.agent.registry;

import java.util.Locale;

/** What Consul believes about this instance, as far as the agent knows. */
public enum RegistrationState {
  /** Waiting for the first passing probe; not in Consul yet. */
  STARTING,
  /** Registered with both checks. */
  REGISTERED,
  /** Consul cannot be reached; retrying with backoff. */
  CONSUL_UNREACHABLE,
  /** Shutting down: in maintenance, still serving for the drain period. */
  DRAINING,
  /** Removed from Consul. */
  DEREGISTERED;

  public String attributeValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
