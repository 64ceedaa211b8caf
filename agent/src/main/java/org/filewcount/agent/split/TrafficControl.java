package org.filewcount.agent.split;

import org.filewcount.agent.consul.ConsulException;

/** Reads and sets a service's traffic split. Consul in production; an in-memory fake in rollout tests. */
public interface TrafficControl {

  TrafficState read(String service);

  /**
   * Validates {@code split} against the instances (see {@link TrafficState#validate}) and makes it the
   * service's routing. Returns the split as written (versions resolved).
   *
   * @throws SplitRefusedException when the split is refused (exit 2)
   * @throws ConsulException when Consul cannot be reached or refuses the write (exit 1)
   */
  Split apply(String service, Split split, boolean force);
}
