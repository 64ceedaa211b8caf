package org.filewcount.agent.mesh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;

/**
 * The Consul registration of an instance's Connect sidecar proxy (body of {@code PUT
 * /v1/agent/service/register}), registered by {@code run --mesh} right after the service itself and
 * deregistered right before it. Its ID is also Envoy's node id in the bootstrap {@code envoy-bootstrap}
 * writes, so both derive it from {@link InstanceIdentity#sidecarServiceId()}.
 *
 * @param identity the instance the sidecar fronts
 * @param service the service name (the sidecar is {@code <service>-sidecar-proxy})
 * @param advertisedHost the address other hosts reach the sidecar at (the instance's advertised host)
 * @param mesh public port (registered) and bind port (Envoy's listener inside the namespace)
 * @param localApp where Envoy hands requests on: the agent's proxy ({@code --listen})
 * @param envoyMetricsPort the host port of Envoy's Prometheus listener, published as service meta so
 *     Prometheus finds it (Nomad: {@code NOMAD_HOST_PORT_envoy_metrics})
 * @param checkInterval interval of the TCP check on the sidecar's public port
 */
public record SidecarProxyRegistration(
    InstanceIdentity identity,
    String service,
    String advertisedHost,
    MeshSettings mesh,
    HostPort localApp,
    Optional<Integer> envoyMetricsPort,
    Duration checkInterval) {

  /** Nomad's variable for the host side of the job's {@code envoy_metrics} port. */
  public static final String ENVOY_METRICS_PORT_ENV = "NOMAD_HOST_PORT_envoy_metrics";

  public SidecarProxyRegistration {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(advertisedHost, "advertisedHost");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(localApp, "localApp");
    Objects.requireNonNull(envoyMetricsPort, "envoyMetricsPort");
    Objects.requireNonNull(checkInterval, "checkInterval");
  }

  public String id() {
    return identity.sidecarServiceId();
  }

  public String name() {
    return service + "-sidecar-proxy";
  }

  /** The registration body, field names as Consul's agent API documents them. */
  public ObjectNode toConsulJson(ObjectMapper json) {
    ObjectNode body = json.createObjectNode()
        .put("Kind", "connect-proxy")
        .put("ID", id())
        .put("Name", name())
        .put("Address", advertisedHost)
        .put("Port", mesh.publicPort());
    body.putArray("Tags").add(identity.versionTag());
    ObjectNode meta = body.putObject("Meta");
    meta(identity).forEach(meta::put);
    envoyMetricsPort.ifPresent(p -> {
      meta.put("envoy_metrics_port", Integer.toString(p));
      meta.put("envoy_metrics_path", EnvoyBootstrapBuilder.PROMETHEUS_PATH);
    });

    ObjectNode proxy = body.putObject("Proxy")
        .put("DestinationServiceName", service)
        .put("DestinationServiceID", identity.serviceId())
        .put("LocalServiceAddress", localApp.host())
        .put("LocalServicePort", localApp.port());
    // Envoy binds inside the allocation's namespace on its own port; Nomad maps the registered one to it.
    proxy.putObject("Config")
        .put("bind_address", "0.0.0.0")
        .put("bind_port", mesh.bindPort());

    String interval = Durations.format(checkInterval);
    var checks = body.putArray("Checks");
    // Consul's own sidecar checks: the public listener accepts connections, and the sidecar is only as
    // healthy as the instance it fronts (so a draining instance takes its sidecar out too).
    checks.addObject()
        .put("Name", "Connect Sidecar Listening")
        .put("TCP", new HostPort(advertisedHost, mesh.publicPort()).toString())
        .put("Interval", interval)
        .put("DeregisterCriticalServiceAfter", "1m");
    checks.addObject()
        .put("Name", "Connect Sidecar Aliasing " + identity.serviceId())
        .put("AliasService", identity.serviceId());
    return body;
  }

  private static Map<String, String> meta(InstanceIdentity identity) {
    return new LinkedHashMap<>(identity.meta());
  }
}
