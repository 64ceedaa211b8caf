package org.filewcount.agent.config;

/**
 * The Connect sidecar this instance registers beside itself, when it runs in the service mesh.
 *
 * @param publicPort port the sidecar's public listener is reached at by other hosts (Nomad's host port)
 * @param bindPort port Envoy binds inside the allocation's network namespace
 */
public record MeshSettings(int publicPort, int bindPort) {

  public MeshSettings {
    if (publicPort <= 0 || publicPort > 65535 || bindPort <= 0 || bindPort > 65535) {
      throw new ConfigException("mesh ports must be 1-65535, got --mesh-port " + publicPort
          + " and --mesh-bind-port " + bindPort);
    }
  }
}
