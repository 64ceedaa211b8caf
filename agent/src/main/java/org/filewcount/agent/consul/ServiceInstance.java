package org.filewcount.agent.consul;

import java.util.List;
import java.util.Map;

/**
 * One instance of a service as Consul's health API reports it.
 *
 * @param address the service address, or the node's when the service has none
 */
public record ServiceInstance(
    String id, String node, String address, int port, Map<String, String> meta, List<String> tags,
    List<Check> checks) {

  public ServiceInstance {
    meta = Map.copyOf(meta);
    tags = List.copyOf(tags);
    checks = List.copyOf(checks);
  }

  /** One health check: status is passing, warning, critical or maintenance. */
  public record Check(String id, String name, String status, String output) {}

  public String version() {
    return meta.getOrDefault("version", "");
  }

  /** Consul's own aggregation: the worst check wins (critical over warning over passing). */
  public String aggregateStatus() {
    String worst = "passing";
    for (Check c : checks) {
      if ("critical".equals(c.status()) || "maintenance".equals(c.status())) {
        return "critical";
      }
      if ("warning".equals(c.status())) {
        worst = "warning";
      }
    }
    return worst;
  }
}
