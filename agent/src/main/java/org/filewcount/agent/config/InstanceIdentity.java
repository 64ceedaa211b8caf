package org.filewcount.agent.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Who this instance is, for Consul (service ID, meta) and for telemetry (service.instance.id).
 *
 * <p>Inside Nomad the allocation ID names the instance: it is unique, survives agent restarts
 * within the allocation, and lets an operator go from a Consul entry to {@code nomad alloc status}.
 * Outside Nomad (a VM under systemd) the advertised host and port name it, which is stable across
 * restarts of the same unit and unique per host.
 *
 * @param serviceId Consul service ID
 * @param instanceId value of the {@code service.instance.id} resource attribute
 * @param meta Consul service meta (also used for telemetry resource attributes)
 */
public record InstanceIdentity(String serviceId, String instanceId, Map<String, String> meta) {

  public static final String META_VERSION = "version";
  public static final String META_ALLOC_ID = "nomad_alloc_id";
  public static final String META_JOB = "nomad_job";
  public static final String META_GROUP = "nomad_group";
  public static final String META_DC = "nomad_dc";
  public static final String META_NODE = "node";
  public static final String META_AGENT_VERSION = "agent_version";

  /** Nomad has no node-name variable; the job passes {@code ${node.unique.name}} in this one. */
  public static final String NODE_NAME_ENV = "NODE_NAME";

  public InstanceIdentity {
    meta = Map.copyOf(meta);
  }

  public static InstanceIdentity derive(
      String service, String serviceVersion, HostPort advertised, Map<String, String> env, String agentVersion) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(META_VERSION, serviceVersion);
    meta.put(META_AGENT_VERSION, agentVersion);
    meta.put(META_NODE, nonBlank(env.get(NODE_NAME_ENV)).orElseGet(InstanceIdentity::hostName));
    Optional<String> allocId = nonBlank(env.get("NOMAD_ALLOC_ID"));
    if (allocId.isPresent()) {
      meta.put(META_ALLOC_ID, allocId.get());
      nonBlank(env.get("NOMAD_JOB_NAME")).ifPresent(v -> meta.put(META_JOB, v));
      nonBlank(env.get("NOMAD_GROUP_NAME")).ifPresent(v -> meta.put(META_GROUP, v));
      nonBlank(env.get("NOMAD_DC")).ifPresent(v -> meta.put(META_DC, v));
      return new InstanceIdentity(service + "-" + allocId.get(), allocId.get(), meta);
    }
    String hostPart = advertised.host().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    String instanceId = advertised.toString();
    return new InstanceIdentity(service + "-" + hostPart + "-" + advertised.port(), instanceId, meta);
  }

  /** Consul's naming convention for a service's Connect sidecar; also the Envoy node id. */
  public String sidecarServiceId() {
    return serviceId + "-sidecar-proxy";
  }

  public String version() {
    return meta.get(META_VERSION);
  }

  /** The Consul tag of this instance's version: {@link #versionTag(String)}. */
  public String versionTag() {
    return versionTag(version());
  }

  /**
   * {@code 1.0} is tagged {@code v1.0}; a version already written with its {@code v} ({@code v1}) is
   * tagged as it is, not {@code vv1}. The nomad job's service tag applies the same rule (trimprefix).
   */
  public static String versionTag(String version) {
    return version.startsWith("v") ? version : "v" + version;
  }

  public boolean inNomad() {
    return meta.containsKey(META_ALLOC_ID);
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
