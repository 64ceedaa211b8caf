/**
 * The Consul Connect sidecar (ADR 0006): {@code EnvoyBootstrapBuilder}, the Envoy bootstrap that
 * {@code envoy-bootstrap} writes, built from Envoy's own v3 API types with what {@code consul connect envoy}
 * puts into one (its stats tags in {@code ConsulStatsTags}); {@code BootstrapJson}, which renders it as
 * protobuf JSON and writes the file owner-readable only, through a temporary file and a rename; its inputs
 * ({@code SidecarBootstrap}); and {@code SidecarProxyRegistration}, the sidecar's Consul registration body,
 * whose ID is also Envoy's node id.
 *
 * <p>May not: talk to Consul or Envoy ({@code registry} registers what this builds), put the ACL token
 * anywhere but the bootstrap's {@code x-consul-token} metadata, or depend on any agent package but
 * {@code config}.
 */
package org.filewcount.agent.mesh;
