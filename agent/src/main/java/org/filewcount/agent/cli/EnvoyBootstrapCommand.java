package org.filewcount.agent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.filewcount.agent.config.AgentVersion;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.config.EnvoyTunables;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.TokenSource;
import org.filewcount.agent.mesh.SidecarBootstrap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "envoy-bootstrap", mixinStandardHelpOptions = true,
    description = {
      "Write the Envoy bootstrap of this instance's service mesh sidecar: ADS over gRPC to the local Consul",
      "agent, node id = the sidecar proxy's service ID, admin on loopback, a Prometheus listener and the",
      "tracing cluster. Run it before Envoy starts (a Nomad prestart task); `run --mesh` registers the proxy.",
      "ACL token from $CONSUL_HTTP_TOKEN_FILE or $CONSUL_HTTP_TOKEN (sent as x-consul-token metadata)."
    })
final class EnvoyBootstrapCommand implements Callable<Integer>, EnvironmentFactory.NeedsEnvironment {

  static final String DEFAULT_GRPC = "127.0.0.1:8502";

  @Option(names = "--service", defaultValue = "filewcount",
      description = "Service the sidecar fronts (Envoy's node cluster). Default: ${DEFAULT-VALUE}.")
  String service;

  @Option(names = "--proxy-id", paramLabel = "ID",
      description = "Sidecar proxy service ID (Envoy's node id). Default inside Nomad: <service>-$NOMAD_ALLOC_ID-sidecar-proxy,"
          + " the ID `run --mesh` registers.")
  String proxyId;

  @Option(names = "--datacenter", paramLabel = "NAME", defaultValue = "dc1",
      description = "Consul datacenter of the proxy: the consul.source.datacenter label of Envoy's metrics, as"
          + " `consul connect envoy` sets it. Default: ${DEFAULT-VALUE} (Consul's default datacenter name).")
  String datacenter;

  @Option(names = "--consul-grpc", paramLabel = "HOST:PORT",
      description = "Local Consul agent's gRPC (xDS) address. Default: $CONSUL_GRPC_ADDR, else " + DEFAULT_GRPC + "."
          + " An https:// address turns on TLS with $CONSUL_GRPC_CACERT (else $CONSUL_CACERT).")
  String consulGrpc;

  @Option(names = "--otel-collector", paramLabel = "HOST:PORT",
      description = "OTLP/gRPC address of the OpenTelemetry Collector that Envoy sends spans to."
          + " Default: tracing.collector of the tunables file.")
  String otelCollector;

  @Option(names = "--tunables", paramLabel = "FILE",
      description = "Tunables file (envoy/bootstrap.properties). Default: " + "/etc/filewcount/envoy/bootstrap.properties"
          + " when it exists, else built-in defaults with the same values.")
  Path tunables;

  @Option(names = "--output", paramLabel = "FILE", defaultValue = "-",
      description = "Where to write the bootstrap JSON (created owner-readable only); - for stdout. Default: ${DEFAULT-VALUE}.")
  String output;

  @Spec
  CommandSpec spec;

  private Map<String, String> env = Map.of();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    SidecarBootstrap bootstrap = bootstrap();
    String json = bootstrap.json();
    if (output.equals("-")) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(json);
      out.flush();
    } else {
      try {
        SidecarBootstrap.write(Path.of(output), json);
      } catch (UncheckedIOException e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        return Main.EXIT_FAILURE;
      }
      spec.commandLine().getErr().println("wrote the Envoy bootstrap of " + bootstrap.proxyId() + " to " + output);
    }
    return Main.EXIT_OK;
  }

  SidecarBootstrap bootstrap() {
    FlagValues.serviceName(service);
    EnvoyTunables t = tunables();
    if (otelCollector != null) {
      t = t.withTracingCollector(FlagValues.hostPort("--otel-collector", otelCollector));
    }
    String grpcRaw = firstNonBlank(consulGrpc, env.get("CONSUL_GRPC_ADDR")).orElse(DEFAULT_GRPC);
    boolean tls = grpcRaw.startsWith("https://");
    HostPort grpc = grpcAddress(grpcRaw);
    Optional<String> ca = Optional.empty();
    if (tls) {
      String caFile = firstNonBlank(env.get("CONSUL_GRPC_CACERT"), env.get("CONSUL_CACERT")).orElseThrow(() ->
          new ConfigException("--consul-grpc " + grpcRaw + " uses TLS: set CONSUL_GRPC_CACERT (or CONSUL_CACERT)"
              + " to the CA certificate of Consul's gRPC port"));
      ca = Optional.of(caPem(caFile));
    }
    if (datacenter.isBlank()) {
      throw new ConfigException("--datacenter is empty: pass the Consul datacenter name, for example dc1");
    }
    return new SidecarBootstrap(proxyId(), service, datacenter.strip(), grpc, ca,
        TokenSource.fromEnvironment(env, "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE"), t);
  }

  private String proxyId() {
    if (proxyId != null && !proxyId.isBlank()) {
      return proxyId.strip();
    }
    if (env.get("NOMAD_ALLOC_ID") == null || env.get("NOMAD_ALLOC_ID").isBlank()) {
      throw new ConfigException("--proxy-id is needed outside Nomad: pass the sidecar proxy's service ID,"
          + " <serviceId>-sidecar-proxy, where <serviceId> is the ID `status` lists for this instance");
    }
    // Same derivation as `run`, so the node id is exactly the proxy ID the agent registers.
    return InstanceIdentity.derive(service, "unknown", new HostPort("127.0.0.1", 0), env, AgentVersion.get())
        .sidecarServiceId();
  }

  /** Consul's bootstrap inlines the CA too: Envoy runs in another container, which has no copy of the file. */
  private static String caPem(String caFile) {
    try {
      String pem = Files.readString(Path.of(caFile));
      if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
        throw new ConfigException("CA file " + caFile + " holds no PEM certificate: point CONSUL_GRPC_CACERT"
            + " (or CONSUL_CACERT) at the CA certificate of Consul's gRPC port");
      }
      return pem;
    } catch (IOException e) {
      throw new ConfigException("CA file " + caFile + " cannot be read (" + e.getClass().getSimpleName()
          + "): fix CONSUL_GRPC_CACERT (or CONSUL_CACERT)");
    }
  }

  private EnvoyTunables tunables() {
    if (tunables != null) {
      return EnvoyTunables.load(tunables);
    }
    return Files.isReadable(EnvoyTunables.IMAGE_PATH) ? EnvoyTunables.load(EnvoyTunables.IMAGE_PATH)
        : EnvoyTunables.defaults();
  }

  /** CONSUL_GRPC_ADDR may be host:port or a URL (http:// plaintext, https:// TLS), as the consul CLI takes it. */
  static HostPort grpcAddress(String raw) {
    String value = raw.strip();
    if (value.contains("://")) {
      URI uri;
      try {
        uri = URI.create(value);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("Consul gRPC address '" + raw + "' is not host:port or a URL: use for example " + DEFAULT_GRPC);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
        throw new ConfigException("Consul gRPC address '" + raw + "' must be http(s)://host:port or host:port,"
            + " for example " + DEFAULT_GRPC);
      }
      return new HostPort(uri.getHost().replace("[", "").replace("]", ""), uri.getPort());
    }
    return FlagValues.hostPort("--consul-grpc", value);
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
