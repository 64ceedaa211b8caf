package org.filewcount.agent.consul;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * The local Consul agent's HTTP API, as far as the agent uses it. The seam exists so the
 * registration loop can be tested against a stub Consul and so {@code status} shares one client.
 *
 * <p>Every method throws {@link ConsulException} when Consul cannot be reached or
 * answers with an error the caller cannot act on; "not found" is a normal answer, not an error.
 */
public interface ConsulAgent extends AutoCloseable {

  /** PUT /v1/agent/service/register with a full service definition (idempotent: replaces it). */
  void register(ObjectNode serviceDefinition);

  /** PUT /v1/agent/service/deregister/:id. Unknown IDs are not an error. */
  void deregister(String serviceId);

  /**
   * PUT /v1/agent/check/pass/:check_id.
   *
   * @return false when Consul does not know the check (the registration was lost)
   */
  boolean passTtl(String checkId, String note);

  /** PUT /v1/agent/service/maintenance/:id?enable=...&reason=... */
  void maintenance(String serviceId, boolean enable, String reason);

  /** IDs of the services registered with this Consul agent (GET /v1/agent/services). */
  Set<String> registeredServiceIds();

  /** GET /v1/health/service/:name: every instance with its checks, passing or not. */
  List<ServiceInstance> instances(String serviceName);

  @Override
  void close();
}
