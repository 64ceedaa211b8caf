package org.filewcount.agent.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.filewcount.agent.mesh.SidecarProxyRegistration;

/**
 * The service definitions this instance registers with the local Consul agent, in the JSON of
 * Consul's {@code PUT /v1/agent/service/register} (field names as in the API docs: ID, Name, Kind,
 * Proxy, Checks[].CheckID, AliasService, DeregisterCriticalServiceAfter, Weights).
 *
 * <p>Built here rather than with consul-client's {@code Registration} because that model has no
 * Kind, Proxy or alias check (ADR 0001). The sidecar body is the mesh module's
 * {@link SidecarProxyRegistration}.
 *
 * @param service the filewcount instance itself
 * @param sidecar its Connect sidecar proxy, in mesh mode
 */
public record RegistrationPayload(
    String serviceId, ObjectNode service, Optional<String> sidecarId, Optional<ObjectNode> sidecar) {

  /** Check IDs are ours, so heartbeats and tests can name them; Consul's own scheme is service:ID:n. */
  public static String readyCheckId(String serviceId) {
    return "service:" + serviceId + ":ready";
  }

  public static String ttlCheckId(String serviceId) {
    return "service:" + serviceId + ":ttl";
  }

  /**
   * After a SIGKILL or a crash nobody deregisters: the TTL check goes critical after three missed
   * heartbeats and Consul removes the instance after this long (Consul's minimum is one minute).
   */
  public static final Duration DEREGISTER_CRITICAL_AFTER = Duration.ofMinutes(1);

  /** A heartbeat may be missed twice (GC pause, slow Consul) before the TTL check turns critical. */
  public static final int TTL_HEARTBEATS = 3;

  /** /health/ready answers from memory, so a slow answer means the agent is in trouble. */
  public static final Duration HTTP_CHECK_TIMEOUT = Duration.ofSeconds(2);

  /** Where Consul's service mesh tells Envoy to expose its Prometheus stats (shared port plan). */
  public static final String ENVOY_PROMETHEUS_BIND = "0.0.0.0:9102";

  /**
   * An instance whose checks say "warning" keeps a tenth of a passing one's share (DNS SRV answers,
   * Envoy endpoint weights); critical ones get none. Neither of our checks reports warning today.
   */
  public static final int WEIGHT_PASSING = 10;
  public static final int WEIGHT_WARNING = 1;

  /** Service meta keys the stack's Prometheus discovers the agent's /metrics by. */
  public static final String META_METRICS_PORT = "metrics_port";
  public static final String META_METRICS_PATH = "metrics_path";

  private static final ObjectMapper JSON = new ObjectMapper();

  public RegistrationPayload {
    service = service.deepCopy();
    sidecar = sidecar.map(ObjectNode::deepCopy);
  }

  public static RegistrationPayload of(AgentConfig config) {
    return of(config, config.envoyMetricsPort());
  }

  /**
   * @param envoyMetricsPort host port of Envoy's Prometheus listener, published in the sidecar's meta so
   *     Prometheus finds it (Nomad: NOMAD_HOST_PORT_envoy_metrics)
   */
  public static RegistrationPayload of(AgentConfig config, Optional<Integer> envoyMetricsPort) {
    InstanceIdentity id = config.identity();
    ObjectNode service = service(config, id);
    Optional<ObjectNode> sidecar = config.mesh().map(mesh -> sidecar(config, id, mesh, envoyMetricsPort));
    return new RegistrationPayload(id.serviceId(), service, sidecar.map(s -> id.sidecarServiceId()), sidecar);
  }

  /** The IDs to put into maintenance and to deregister: the sidecar first, so it never outlives its service. */
  public List<String> idsSidecarFirst() {
    List<String> ids = new ArrayList<>();
    sidecarId.ifPresent(ids::add);
    ids.add(serviceId);
    return ids;
  }

  public String ttlCheckId() {
    return ttlCheckId(serviceId);
  }

  private static ObjectNode service(AgentConfig config, InstanceIdentity id) {
    ObjectNode s = JSON.createObjectNode();
    s.put("ID", id.serviceId());
    s.put("Name", config.service());
    s.put("Address", config.advertised().host());
    s.put("Port", config.advertised().port());
    // Prometheus's Consul discovery scrapes <Address>:<metrics_port><metrics_path>: the admin endpoint as
    // the Consul agent reaches it (observability/prometheus/prometheus.yml).
    Map<String, String> meta = new TreeMap<>(id.meta());
    meta.put(META_METRICS_PORT, String.valueOf(config.checkAddress().port()));
    meta.put(META_METRICS_PATH, "/metrics");
    tagsAndMeta(s, id.versionTag(), meta);
    ArrayNode checks = s.putArray("Checks");
    ObjectNode ready = checks.addObject();
    ready.put("CheckID", readyCheckId(id.serviceId()));
    ready.put("Name", "filewcount functional probe");
    ready.put("Notes", "200 only while the agent's last upload of a fixed text to /file_upload returned the"
        + " expected counts and the agent is not draining");
    ready.put("HTTP", "http://" + config.checkAddress() + "/health/ready");
    ready.put("Method", "GET");
    ready.put("Interval", Durations.format(config.checkInterval()));
    ready.put("Timeout", Durations.format(HTTP_CHECK_TIMEOUT));
    // We register only after a passing probe, so starting as passing is true and lists the instance at once.
    ready.put("Status", "passing");
    ready.put("DeregisterCriticalServiceAfter", Durations.format(DEREGISTER_CRITICAL_AFTER));
    ObjectNode ttl = checks.addObject();
    ttl.put("CheckID", ttlCheckId(id.serviceId()));
    ttl.put("Name", "filewcount agent heartbeat");
    ttl.put("Notes", "Passed by the agent every --check-interval while it runs");
    ttl.put("TTL", Durations.format(config.checkInterval().multipliedBy(TTL_HEARTBEATS)));
    ttl.put("Status", "passing");
    ttl.put("DeregisterCriticalServiceAfter", Durations.format(DEREGISTER_CRITICAL_AFTER));
    return s;
  }

  /**
   * The sidecar body comes from the mesh module (one definition shared with envoy-bootstrap's tests);
   * the registrator adds what only it decides: the same Weights as the instance (Envoy balances over
   * the sidecars' endpoints) and Consul's Prometheus bind setting for Envoy.
   */
  private static ObjectNode sidecar(AgentConfig config, InstanceIdentity id, MeshSettings mesh,
      Optional<Integer> envoyMetricsPort) {
    ObjectNode s = new SidecarProxyRegistration(id, config.service(), config.advertised().host(), mesh,
        new HostPort("127.0.0.1", config.listen().port()), envoyMetricsPort, config.checkInterval())
        .toConsulJson(JSON);
    weights(s);
    ((ObjectNode) s.path("Proxy").path("Config")).put("envoy_prometheus_bind_addr", ENVOY_PROMETHEUS_BIND);
    return s;
  }

  private static void tagsAndMeta(ObjectNode s, String versionTag, Map<String, String> values) {
    s.putArray("Tags").add(versionTag);
    ObjectNode meta = s.putObject("Meta");
    // Sorted, so the register body is the same on every call and easy to compare in tests and diffs.
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      meta.put(e.getKey(), e.getValue());
    }
    weights(s);
  }

  private static void weights(ObjectNode s) {
    ObjectNode weights = s.putObject("Weights");
    weights.put("Passing", WEIGHT_PASSING);
    weights.put("Warning", WEIGHT_WARNING);
  }
}
