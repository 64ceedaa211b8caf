package org.filewcount.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code run} needs, validated once at start-up so the loops never meet a bad value.
 *
 * @param advertised the address and port registered in Consul (the proxy's port, on the address
 *     other hosts reach this instance at)
 * @param checkAddress where the local Consul agent reaches the admin endpoint for the HTTP check on
 *     /health/ready: the admin address unless Consul checks from outside the network namespace
 *     (Nomad bridge mode)
 * @param appUrl the app ({@code --app-url}): plain {@code http://host[:port]}, no path or query; checked
 *     here and nowhere else
 * @param uploadsDir the app's upload folder as the agent sees it, where it removes its own probes'
 *     files; empty: nothing is removed
 * @param uploadsCarryWait inside Nomad, how long /health/ready waits for the first uploads carry pass
 * @param envoyMetricsPort host port of Envoy's Prometheus listener, put in the sidecar's meta (mesh mode)
 * @param traceSuccessRatio the share of successful requests whose spans are exported, 0 to 1 (failed
 *     requests' spans always are: {@code telemetry.ExportedSpans})
 */
public record AgentConfig(
    String service,
    String serviceVersion,
    URI appUrl,
    HostPort listen,
    HostPort advertised,
    HostPort admin,
    ConsulSettings consul,
    Duration checkInterval,
    Duration probeInterval,
    Duration drain,
    InstanceIdentity identity,
    Optional<MeshSettings> mesh,
    HostPort checkAddress,
    Optional<Path> uploadsDir,
    Duration uploadsCarryWait,
    Optional<Integer> envoyMetricsPort,
    double traceSuccessRatio) {

  /** One successful request in ten exported as a span (docs/performance.md: the span export's cost). */
  public static final double DEFAULT_TRACE_SUCCESS_RATIO = 0.1;

  public AgentConfig {
    Objects.requireNonNull(service, "service");
    checkAppUrl(Objects.requireNonNull(appUrl, "appUrl").toString(), appUrl);
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(advertised, "advertised");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(consul, "consul");
    Objects.requireNonNull(identity, "identity");
    mesh = mesh == null ? Optional.empty() : mesh;
    checkAddress = checkAddress == null ? admin : checkAddress;
    uploadsDir = uploadsDir == null ? Optional.empty() : uploadsDir;
    envoyMetricsPort = envoyMetricsPort == null ? Optional.empty() : envoyMetricsPort;
    Objects.requireNonNull(uploadsCarryWait, "uploadsCarryWait");
    requirePositive("--check-interval", checkInterval);
    requirePositive("--probe-interval", probeInterval);
    if (drain == null || drain.isNegative()) {
      throw new ConfigException("--drain must be zero or more, for example 5s");
    }
    if (!(traceSuccessRatio >= 0.0 && traceSuccessRatio <= 1.0)) {
      throw new ConfigException("--trace-success-ratio must be between 0 (failed requests only) and 1 (every"
          + " request), for example 0.1");
    }
  }

  /**
   * The one check of {@code --app-url}: the proxy speaks plain HTTP/1.1 to the app (filewcount has no TLS)
   * and forwards each request's own path, so a scheme other than http, a missing host, a path or a query
   * cannot be served.
   */
  private static URI checkAppUrl(String value, URI uri) {
    boolean servable = uri != null && "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null
        && (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
        && uri.getRawQuery() == null;
    if (!servable) {
      throw new ConfigException("--app-url '" + value + "' must be a plain http://host[:port] URL without a path"
          + " or query (filewcount serves plain HTTP; requests keep their own path), for example http://127.0.0.1:80");
    }
    return uri;
  }

  /** Parses {@code --app-url}; a value that is not a URL gets the same message as one the proxy cannot serve. */
  public static URI parseAppUrl(String value) {
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    return checkAppUrl(value, uri);
  }

  private static void requirePositive(String flag, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new ConfigException(flag + " must be more than zero, for example 10s");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder used by the CLI and by tests, which set only what they care about. */
  public static final class Builder {
    private String service = "filewcount";
    private String serviceVersion = "unknown";
    private URI appUrl = URI.create("http://127.0.0.1:80");
    private HostPort listen = new HostPort("127.0.0.1", 8081);
    private HostPort advertised;
    private HostPort admin = new HostPort("127.0.0.1", 9464);
    private ConsulSettings consul;
    private Duration checkInterval = Duration.ofSeconds(10);
    private Duration probeInterval = Duration.ofSeconds(30);
    private Duration drain = Duration.ofSeconds(5);
    private InstanceIdentity identity;
    private MeshSettings mesh;
    private HostPort checkAddress;
    private Path uploadsDir;
    private Duration uploadsCarryWait = Duration.ofSeconds(60);
    private Integer envoyMetricsPort;
    private double traceSuccessRatio = DEFAULT_TRACE_SUCCESS_RATIO;

    private Builder() {}

    public Builder service(String v) { this.service = v; return this; }
    public Builder serviceVersion(String v) { this.serviceVersion = v; return this; }
    public Builder appUrl(URI v) { this.appUrl = v; return this; }
    public Builder listen(HostPort v) { this.listen = v; return this; }
    public Builder advertised(HostPort v) { this.advertised = v; return this; }
    public Builder admin(HostPort v) { this.admin = v; return this; }
    public Builder consul(ConsulSettings v) { this.consul = v; return this; }
    public Builder checkInterval(Duration v) { this.checkInterval = v; return this; }
    public Builder probeInterval(Duration v) { this.probeInterval = v; return this; }
    public Builder drain(Duration v) { this.drain = v; return this; }
    public Builder identity(InstanceIdentity v) { this.identity = v; return this; }
    public Builder mesh(MeshSettings v) { this.mesh = v; return this; }
    public Builder checkAddress(HostPort v) { this.checkAddress = v; return this; }
    public Builder uploadsDir(Path v) { this.uploadsDir = v; return this; }
    public Builder uploadsCarryWait(Duration v) { this.uploadsCarryWait = v; return this; }
    public Builder envoyMetricsPort(Integer v) { this.envoyMetricsPort = v; return this; }
    public Builder traceSuccessRatio(double v) { this.traceSuccessRatio = v; return this; }

    public AgentConfig build() {
      HostPort adv = advertised != null ? advertised : listen;
      ConsulSettings c = consul != null ? consul
          : new ConsulSettings(URI.create(ConsulSettings.DEFAULT_ADDRESS), Optional.empty(), Optional.empty());
      InstanceIdentity id = identity != null ? identity
          : InstanceIdentity.derive(service, serviceVersion, adv, java.util.Map.of(), AgentVersion.get());
      return new AgentConfig(service, serviceVersion, appUrl, listen, adv, admin, c, checkInterval, probeInterval,
          drain, id, Optional.ofNullable(mesh), checkAddress, Optional.ofNullable(uploadsDir), uploadsCarryWait,
          Optional.ofNullable(envoyMetricsPort), traceSuccessRatio);
    }
  }
}
