package org.filewcount.agent.mesh;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.bootstrap.v3.LayeredRuntime;
import io.envoyproxy.envoy.config.bootstrap.v3.RuntimeLayer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.regex.Pattern;
import org.filewcount.agent.config.EnvoyTunables;
import org.filewcount.agent.config.HostPort;

/**
 * Builds a sidecar's Envoy bootstrap from Envoy's own v3 API types with everything {@code consul connect envoy}
 * puts into one (node metadata, Consul's stats tags, the re2 program-size runtime layer those tags need, ADS
 * over delta gRPC to the local Consul agent, the {@code x-consul-token} metadata, the Prometheus listener in front
 * of the admin API's {@code /stats/prometheus}), plus our additions: the collector cluster for traces and a stats
 * flush interval. ConsulBootstrapCrossCheckTest compares the result with Consul's own bootstrap, field by field;
 * the deliberate differences are listed in envoy/README.md. A field that Envoy 1.34 does not know cannot be
 * written.
 */
final class EnvoyBootstrapBuilder {

  /** Consul reads the ACL token of an xDS stream from this gRPC metadata key. */
  static final String TOKEN_METADATA_KEY = "x-consul-token";
  static final String PROMETHEUS_LISTENER = "envoy_prometheus_metrics_listener";
  static final String SELF_ADMIN_CLUSTER = "self_admin";
  static final String PROMETHEUS_PATH = "/metrics";

  /** Consul's defaults outside Consul Enterprise: every proxy is in the default namespace and partition. */
  static final String DEFAULT_NAMESPACE = "default";
  static final String DEFAULT_PARTITION = "default";
  /**
   * Consul raises Envoy's limit on the size of a compiled regex (its default, 100, is below what Consul's
   * stats-tag regexes compile to) in a runtime layer named "base"; same value as Consul's template.
   */
  static final String RE2_ERROR_LEVEL_KEY = "re2.max_program_size.error_level";
  static final int RE2_ERROR_LEVEL = 1048576;

  private static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  private EnvoyBootstrapBuilder() {}

  public static Bootstrap build(SidecarBootstrap spec) {
    EnvoyTunables t = spec.tunables();
    Bootstrap.Builder b = Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId(spec.proxyId()).setCluster(spec.service())
            .setMetadata(Struct.newBuilder()
                .putFields("namespace", text(DEFAULT_NAMESPACE))
                .putFields("partition", text(DEFAULT_PARTITION))))
        .setLayeredRuntime(LayeredRuntime.newBuilder()
            .addLayers(RuntimeLayer.newBuilder()
                .setName("base")
                .setStaticLayer(Struct.newBuilder()
                    .putFields(RE2_ERROR_LEVEL_KEY, Value.newBuilder().setNumberValue(RE2_ERROR_LEVEL).build()))))
        .setAdmin(Admin.newBuilder().setAddress(address(t.admin())))
        .setDynamicResources(Bootstrap.DynamicResources.newBuilder()
            .setLdsConfig(ads())
            .setCdsConfig(ads())
            .setAdsConfig(ApiConfigSource.newBuilder()
                // Incremental xDS, as Consul's own bootstraps use since 1.10: updates carry only what changed.
                .setApiType(ApiConfigSource.ApiType.DELTA_GRPC)
                .setTransportApiVersion(ApiVersion.V3)
                .addGrpcServices(xdsGrpcService(spec))))
        .setStaticResources(Bootstrap.StaticResources.newBuilder()
            .addClusters(xdsCluster(spec))
            .addClusters(http2Cluster(t.tracingCluster(), t.tracingCollector(), t.tracingConnectTimeout()))
            .addClusters(http1Cluster(SELF_ADMIN_CLUSTER, t.admin(), java.time.Duration.ofSeconds(5)))
            .addListeners(prometheusListener(t.prometheusBind())))
        .setStatsConfig(StatsConfig.newBuilder()
            .addAllStatsTags(ConsulStatsTags.forSidecar(spec.service(), DEFAULT_NAMESPACE, DEFAULT_PARTITION,
                spec.datacenter()))
            .setUseAllDefaultTags(BoolValue.of(t.useAllDefaultTags())))
        .setStatsFlushInterval(duration(t.statsFlushInterval()));
    return b.build();
  }

  private static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        // 0s: no timeout, as in Consul's bootstraps. Until the agent registers the proxy (after the first
        // passing probe) Consul sends nothing, and Envoy must keep waiting rather than start without listeners.
        .setInitialFetchTimeout(Duration.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  private static GrpcService xdsGrpcService(SidecarBootstrap spec) {
    GrpcService.Builder g = GrpcService.newBuilder()
        .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(spec.tunables().xdsCluster()));
    // The token travels as stream metadata, as Consul expects; it is in the bootstrap file (written 0600),
    // never on a command line. Without a token the key is sent empty, as consul connect envoy does.
    g.addInitialMetadata(HeaderValue.newBuilder().setKey(TOKEN_METADATA_KEY)
        .setValue(spec.token().map(token -> token.reveal()).orElse("")));
    return g.build();
  }

  private static Cluster xdsCluster(SidecarBootstrap spec) {
    Cluster.Builder c = http2Cluster(spec.tunables().xdsCluster(), spec.consulGrpc(),
        spec.tunables().xdsConnectTimeout()).toBuilder();
    // The CA goes in inline (Consul's template does the same): the bootstrap is written by another task than
    // the one Envoy runs in, whose container has no copy of the CA file.
    spec.consulCaPem().ifPresent(pem -> c.setTransportSocket(TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(CommonTlsContext.newBuilder()
                .setValidationContext(CertificateValidationContext.newBuilder()
                    .setTrustedCa(DataSource.newBuilder().setInlineString(pem))))
            .build()))));
    return c.build();
  }

  /** gRPC needs HTTP/2 to the upstream. */
  private static Cluster http2Cluster(String name, HostPort target, java.time.Duration connectTimeout) {
    HttpProtocolOptions h2 = HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
        .build();
    return http1Cluster(name, target, connectTimeout).toBuilder()
        .putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Any.pack(h2))
        .build();
  }

  private static Cluster http1Cluster(String name, HostPort target, java.time.Duration connectTimeout) {
    return Cluster.newBuilder()
        .setName(name)
        // STATIC needs an IP literal; a host name is resolved (and re-resolved) by Envoy.
        .setType(isIpLiteral(target.host()) ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(duration(connectTimeout))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder()
            .setClusterName(name)
            .addEndpoints(LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress(address(target))))))
        .build();
  }

  /** GET /metrics answers with the admin API's /stats/prometheus; every other path of the admin API stays closed. */
  private static Listener prometheusListener(HostPort bind) {
    RouteConfiguration routes = RouteConfiguration.newBuilder()
        .setName("self_admin_route")
        .addVirtualHosts(VirtualHost.newBuilder()
            .setName("self_admin")
            .addDomains("*")
            .addRoutes(Route.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPath(PROMETHEUS_PATH))
                .setRoute(RouteAction.newBuilder()
                    .setCluster(SELF_ADMIN_CLUSTER)
                    .setPrefixRewrite("/stats/prometheus")))
            .addRoutes(Route.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setDirectResponse(DirectResponseAction.newBuilder().setStatus(404))))
        .build();
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("envoy_prometheus_metrics")
        .setCodecType(HttpConnectionManager.CodecType.HTTP1)
        .setRouteConfig(routes)
        .addHttpFilters(HttpFilter.newBuilder()
            .setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder()
        .setName(PROMETHEUS_LISTENER)
        .setAddress(address(bind))
        .addFilterChains(FilterChain.newBuilder()
            .addFilters(Filter.newBuilder()
                .setName("envoy.filters.network.http_connection_manager")
                .setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private static Address address(HostPort hp) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(hp.host()).setPortValue(hp.port()))
        .build();
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Duration duration(java.time.Duration d) {
    return Durations.fromNanos(d.toNanos());
  }

  static boolean isIpLiteral(String host) {
    return IP_LITERAL.matcher(host).matches();
  }
}
