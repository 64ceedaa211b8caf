package org.filewcount.agent.mesh;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.filewcount.agent.config.EnvoyTunables;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.Secret;

/**
 * Everything one sidecar's Envoy bootstrap depends on.
 *
 * @param proxyId the sidecar proxy's Consul service ID ({@code <serviceId>-sidecar-proxy}); Envoy's node id,
 *     by which Consul's xDS server knows which proxy is asking
 * @param service the service the sidecar fronts; Envoy's node cluster (its stats and logs say so)
 * @param datacenter the Consul datacenter the proxy is registered in (the {@code consul.source.datacenter} stats tag)
 * @param consulGrpc the local Consul agent's gRPC (xDS) address
 * @param consulCaPem PEM of the CA certificate of a TLS gRPC port, inlined into the bootstrap as
 *     {@code consul connect envoy} does, so Envoy's container needs no copy of the file; empty for plaintext
 * @param token ACL token sent as {@code x-consul-token} gRPC metadata; empty without ACLs
 * @param tunables admin, Prometheus, tracing and stats settings (envoy/bootstrap.properties)
 */
public record SidecarBootstrap(
    String proxyId,
    String service,
    String datacenter,
    HostPort consulGrpc,
    Optional<String> consulCaPem,
    Optional<Secret> token,
    EnvoyTunables tunables) {

  public SidecarBootstrap {
    Objects.requireNonNull(proxyId, "proxyId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(datacenter, "datacenter");
    Objects.requireNonNull(consulGrpc, "consulGrpc");
    Objects.requireNonNull(consulCaPem, "consulCaPem");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tunables, "tunables");
  }

  /** This sidecar's Envoy bootstrap, as the JSON Envoy reads with {@code -c}. */
  public String json() {
    return BootstrapJson.print(EnvoyBootstrapBuilder.build(this));
  }

  /**
   * Writes {@code json} (this bootstrap's {@link #json()}) to {@code target}, readable by its owner only (it may
   * hold the ACL token), through a temporary file and a rename so Envoy never reads half a bootstrap.
   */
  public static void write(Path target, String json) {
    BootstrapJson.write(target, json);
  }

  @Override
  public String toString() {
    return "SidecarBootstrap[proxyId=" + proxyId + ", service=" + service + ", datacenter=" + datacenter
        + ", consulGrpc=" + consulGrpc + ", tls=" + consulCaPem.isPresent() + ", token=" + (token.isPresent() ? "<redacted>" : "none") + "]";
  }
}
