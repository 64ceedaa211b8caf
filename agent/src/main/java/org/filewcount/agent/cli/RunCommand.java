package org.filewcount.agent.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.AgentVersion;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.filewcount.agent.lifecycle.AgentRun;
import org.filewcount.agent.mesh.SidecarProxyRegistration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
      "Run beside one filewcount instance: probe it, proxy its traffic with telemetry, register it in Consul",
      "while it really works, and drain and deregister it on SIGTERM/SIGINT."
    })
final class RunCommand implements Callable<Integer>, EnvironmentFactory.NeedsEnvironment {

  @Option(names = "--service", defaultValue = "filewcount", description = "Consul service name. Default: ${DEFAULT-VALUE}.")
  String service;

  @Option(names = "--service-version", paramLabel = "VERSION",
      description = "Version of the app this agent fronts (Consul meta 'version'). Default: $NOMAD_META_version, else unknown.")
  String serviceVersion;

  @Option(names = "--app-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:80",
      description = "Where the filewcount app listens. Default: ${DEFAULT-VALUE}.")
  String appUrl;

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8081",
      description = "Address of the in-path proxy; its port is the one registered in Consul. Default: ${DEFAULT-VALUE}.")
  String listen;

  @Option(names = "--advertise-address", paramLabel = "HOST",
      description = "Address registered in Consul, as other hosts reach this instance. Default: the --listen host;"
          + " required when --listen is a wildcard address (0.0.0.0, ::).")
  String advertiseAddress;

  @Option(names = "--advertise-port", paramLabel = "PORT",
      description = "Port registered in Consul when it differs from the --listen port (port mapping)."
          + " Default: the --listen port.")
  Integer advertisePort;

  @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
      description = "Admin endpoint: /health/live, /health/ready, /metrics. Default: ${DEFAULT-VALUE} (loopback only).")
  String admin;

  @Option(names = "--check-address", paramLabel = "HOST:PORT",
      description = "Address Consul's HTTP check uses to reach /health/ready, when the local Consul agent cannot"
          + " reach --admin as is (Nomad bridge mode: Consul checks from the host). Default: $NOMAD_HOST_ADDR_admin"
          + " (the host side of a port labelled 'admin'), else the --admin address (with the --advertise-address"
          + " host when --admin binds a wildcard).")
  String checkAddress;

  @Option(names = "--check-interval", paramLabel = "DURATION", defaultValue = "10s",
      description = "Interval of Consul's HTTP check and of the TTL heartbeat. Default: ${DEFAULT-VALUE}.")
  String checkInterval;

  @Option(names = "--probe-interval", paramLabel = "DURATION", defaultValue = "30s",
      description = "Interval between functional probes (each stores one small file on the instance)."
          + " Default: ${DEFAULT-VALUE}.")
  String probeInterval;

  @Option(names = "--trace-success-ratio", paramLabel = "RATIO",
      defaultValue = "" + AgentConfig.DEFAULT_TRACE_SUCCESS_RATIO, // one default, in AgentConfig
      description = "Share of successful requests whose spans are exported, 0 to 1; every failed request's span,"
          + " and every request of a trace its caller sampled, is exported anyway. 1 exports every span."
          + " Default: ${DEFAULT-VALUE}.")
  String traceSuccessRatio;

  @Option(names = "--uploads-dir", paramLabel = "DIR",
      description = "The app's upload folder as this agent sees it: the agent removes the files its own probes"
          + " stored there (matched by their exact bytes, never a user's file). Default: $NOMAD_ALLOC_DIR/data/uploads"
          + " inside Nomad, else none (nothing is removed); an empty value turns removal off.")
  String uploadsDir;

  @Option(names = "--uploads-carry-wait", paramLabel = "DURATION", defaultValue = "60s",
      description = "Inside Nomad, how long /health/ready waits for the first pass copying this instance's uploads"
          + " from the other allocations of its name (an upgrade's canary takes over no data directory, ADR 0017);"
          + " 0s: do not wait. The carry goes on in the background either way. Default: ${DEFAULT-VALUE}.")
  String uploadsCarryWait;

  @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "5s",
      description = "How long to keep serving after leaving the load balancers, before deregistering. Default: ${DEFAULT-VALUE}.")
  String drain;

  @Option(names = "--mesh", description = "Also register a Consul service mesh (Connect) sidecar proxy for this instance.")
  boolean mesh;

  @Option(names = "--mesh-port", paramLabel = "PORT",
      description = "Port other hosts reach the sidecar's public listener at. Default: $NOMAD_HOST_PORT_mesh.")
  Integer meshPort;

  @Option(names = "--mesh-bind-port", paramLabel = "PORT",
      description = "Port Envoy's public listener binds inside the allocation. Default: $NOMAD_ALLOC_PORT_mesh, else --mesh-port.")
  Integer meshBindPort;

  @Mixin
  ConsulOptions consul;

  @Mixin
  LoggingOptions logging;

  private Map<String, String> env = Map.of();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    AgentConfig config = config();
    logging.apply();
    return AgentRun.run(config, env);
  }

  AgentConfig config() {
    String version = firstNonBlank(serviceVersion, env.get("NOMAD_META_version"), env.get("NOMAD_META_VERSION"))
        .orElse("unknown");
    HostPort listenAt = FlagValues.hostPort("--listen", listen);
    HostPort adminAt = FlagValues.hostPort("--admin", admin);
    String advertiseHost = firstNonBlank(advertiseAddress).orElseGet(() -> defaultAdvertiseHost(listenAt));
    HostPort advertised = new HostPort(advertiseHost, advertisePort != null ? advertisePort : listenAt.port());
    AgentConfig.Builder b = AgentConfig.builder()
        .service(FlagValues.serviceName(service))
        .serviceVersion(version)
        .appUrl(AgentConfig.parseAppUrl(appUrl))
        .listen(listenAt)
        .advertised(advertised)
        .admin(adminAt)
        .checkAddress(checkAddress(adminAt, advertiseHost))
        .consul(consul.settings())
        .checkInterval(FlagValues.duration("--check-interval", checkInterval))
        .probeInterval(FlagValues.duration("--probe-interval", probeInterval))
        .drain(FlagValues.duration("--drain", drain))
        .traceSuccessRatio(FlagValues.ratio("--trace-success-ratio", traceSuccessRatio))
        .uploadsDir(uploadsDir().orElse(null))
        .uploadsCarryWait(FlagValues.duration("--uploads-carry-wait", uploadsCarryWait))
        .envoyMetricsPort(intEnv(SidecarProxyRegistration.ENVOY_METRICS_PORT_ENV))
        .identity(InstanceIdentity.derive(service, version, advertised, env, AgentVersion.get()));
    if (mesh) {
      b.mesh(meshSettings());
    }
    return b.build();
  }

  /**
   * The job mounts the allocation's shared data directory {@code alloc/data/uploads} into the app
   * (nomad/filewcount.nomad.hcl), and Nomad mounts the same allocation directory into every task at
   * {@code $NOMAD_ALLOC_DIR}: so inside Nomad the agent finds the app's files there without a flag.
   */
  private Optional<Path> uploadsDir() {
    if (uploadsDir != null) {
      if (uploadsDir.isBlank()) {
        return Optional.empty();
      }
      Path dir = Path.of(uploadsDir);
      if (!Files.isDirectory(dir)) {
        throw new ConfigException("--uploads-dir " + uploadsDir + " is not a directory: pass the folder the app"
            + " stores uploads in (as this agent sees it), or leave the flag out to remove nothing");
      }
      return Optional.of(dir);
    }
    return firstNonBlank(env.get("NOMAD_ALLOC_DIR")).map(alloc -> Path.of(alloc, "data", "uploads"));
  }

  /**
   * Consul's HTTP check runs in the Consul agent, which in Nomad bridge mode sits outside the
   * allocation's network namespace: it needs the host side of the admin port mapping.
   */
  private HostPort checkAddress(HostPort adminAt, String advertiseHost) {
    if (checkAddress != null) {
      return FlagValues.hostPort("--check-address", checkAddress);
    }
    String nomad = env.get("NOMAD_HOST_ADDR_admin");
    if (nomad != null && !nomad.isBlank()) {
      try {
        return HostPort.parse(nomad);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("NOMAD_HOST_ADDR_admin='" + nomad + "' is not host:port: " + e.getMessage());
      }
    }
    String h = adminAt.host();
    if (h.equals("0.0.0.0") || h.equals("::")) {
      return new HostPort(advertiseHost, adminAt.port());
    }
    return adminAt;
  }

  private MeshSettings meshSettings() {
    Integer publicPort = meshPort != null ? meshPort : intEnv("NOMAD_HOST_PORT_mesh");
    if (publicPort == null) {
      throw new ConfigException("--mesh needs the sidecar's port: pass --mesh-port or run under Nomad with a"
          + " network port labelled 'mesh' (NOMAD_HOST_PORT_mesh)");
    }
    Integer bindPort = meshBindPort != null ? meshBindPort : intEnv("NOMAD_ALLOC_PORT_mesh");
    return new MeshSettings(publicPort, bindPort != null ? bindPort : publicPort);
  }

  private Integer intEnv(String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + "='" + v + "' is not a port number");
    }
  }

  private static String defaultAdvertiseHost(HostPort listenAt) {
    String h = listenAt.host();
    if (h.equals("0.0.0.0") || h.equals("::")) {
      throw new ConfigException("--listen " + listenAt + " is a wildcard address, which cannot be registered:"
          + " pass --advertise-address with the address other hosts reach this instance at");
    }
    return h;
  }

  private static Optional<String> firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return Optional.of(v.strip());
      }
    }
    return Optional.empty();
  }
}
