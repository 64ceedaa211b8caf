package org.filewcount.agent.mesh;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.Secret;

/**
 * Everything one sidecar's Envoy bootstrap depends on.
 *
 * @param proxyId the sidecar proxy's Consul service ID ({@code <serviceId>-sidecar-proxy}); Envoy's node id,
 *     by which Consul's xDS server knows which proxy is asking
 * @param service the service the sidecar fronts; Envoy's node cluster (its stats and logs say so)
 * @param consulGrpc the local Consul agent's gRPC (xDS) address
 * @param consulCaCert CA certificate for a TLS gRPC port; empty for plaintext
 * @param token ACL token sent as {@code x-consul-token} gRPC metadata; empty without ACLs
 * @param tunables admin, Prometheus, tracing and stats settings (envoy/bootstrap.properties)
 */
public record SidecarBootstrap(
    String proxyId,
    String service,
    HostPort consulGrpc,
    Optional<Path> consulCaCert,
    Optional<Secret> token,
    EnvoyTunables tunables) {

  public SidecarBootstrap {
    Objects.requireNonNull(proxyId, "proxyId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(consulGrpc, "consulGrpc");
    Objects.requireNonNull(consulCaCert, "consulCaCert");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tunables, "tunables");
  }

  @Override
  public String toString() {
    return "SidecarBootstrap[proxyId=" + proxyId + ", service=" + service + ", consulGrpc=" + consulGrpc
        + ", tls=" + consulCaCert.isPresent() + ", token=" + (token.isPresent() ? "<redacted>" : "none") + "]";
  }
}
