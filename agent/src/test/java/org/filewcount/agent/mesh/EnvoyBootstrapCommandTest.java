package org.filewcount.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.filewcount.agent.cli.Main;
import org.filewcount.agent.config.EnvoyTunables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code filewcount-agent envoy-bootstrap}, run through the real CLI, and the JSON it writes read back as Envoy would. */
class EnvoyBootstrapCommandTest {

  private static final String ALLOC = "5f1e2d3c-aaaa-bbbb-cccc-000000000001";
  private static final String TOKEN = "3b1c9a7e-secret-token-value";

  @TempDir
  Path dir;

  private record Result(int exit, String out, String err) {}

  private Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(env);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] full = new String[args.length + 1];
    full[0] = "envoy-bootstrap";
    System.arraycopy(args, 0, full, 1, args.length);
    int exit = cl.execute(full);
    return new Result(exit, out.toString(), err.toString());
  }

  private Map<String, String> nomadEnv() throws IOException {
    Path tokenFile = dir.resolve("consul.token");
    Files.writeString(tokenFile, TOKEN + "\n");
    Map<String, String> env = new HashMap<>();
    env.put("NOMAD_ALLOC_ID", ALLOC);
    env.put("CONSUL_HTTP_TOKEN_FILE", tokenFile.toString());
    return env;
  }

  @Test
  void writesABootstrapThatRoundTripsThroughEnvoysTypesWithTheKeyFieldsSet() throws Exception {
    Path output = dir.resolve("alloc/envoy/bootstrap.json");
    Result r = run(nomadEnv(), "--service", "filewcount", "--consul-grpc", "10.0.0.5:8502",
        "--otel-collector", "10.0.0.5:4317", "--output", output.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    String json = Files.readString(output);
    Bootstrap b = BootstrapJson.parse(json);
    assertThat(BootstrapJson.print(b)).isEqualTo(json);

    assertThat(b.getNode().getId()).isEqualTo("filewcount-" + ALLOC + "-sidecar-proxy");
    assertThat(b.getNode().getCluster()).isEqualTo("filewcount");

    ApiConfigSource ads = b.getDynamicResources().getAdsConfig();
    assertThat(ads.getApiType()).isEqualTo(ApiConfigSource.ApiType.DELTA_GRPC);
    assertThat(b.getDynamicResources().getLdsConfig().hasAds()).isTrue();
    assertThat(b.getDynamicResources().getCdsConfig().hasAds()).isTrue();
    GrpcService grpc = ads.getGrpcServices(0);
    assertThat(grpc.getEnvoyGrpc().getClusterName()).isEqualTo("local_agent");
    assertThat(grpc.getInitialMetadataList()).singleElement().satisfies(h -> {
      assertThat(h.getKey()).isEqualTo("x-consul-token");
      assertThat(h.getValue()).isEqualTo(TOKEN);
    });

    Cluster xds = cluster(b, "local_agent");
    assertThat(endpoint(xds)).isEqualTo("10.0.0.5:8502");
    assertThat(xds.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(http2(xds)).isTrue();
    assertThat(xds.hasTransportSocket()).isFalse();

    Cluster collector = cluster(b, "otel_collector");
    assertThat(endpoint(collector)).isEqualTo("10.0.0.5:4317");
    assertThat(http2(collector)).as("OTLP/gRPC needs HTTP/2").isTrue();

    assertThat(b.getAdmin().getAddress().getSocketAddress().getAddress()).isEqualTo("127.0.0.1");
    assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(19000);
    assertThat(endpoint(cluster(b, "self_admin"))).isEqualTo("127.0.0.1:19000");

    Listener prometheus = b.getStaticResources().getListeners(0);
    assertThat(prometheus.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0");
    assertThat(prometheus.getAddress().getSocketAddress().getPortValue()).isEqualTo(9102);
    HttpConnectionManager hcm = prometheus.getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class);
    List<Route> routes = hcm.getRouteConfig().getVirtualHosts(0).getRoutesList();
    assertThat(routes.get(0).getMatch().getPath()).isEqualTo("/metrics");
    assertThat(routes.get(0).getRoute().getCluster()).isEqualTo("self_admin");
    assertThat(routes.get(0).getRoute().getPrefixRewrite()).isEqualTo("/stats/prometheus");
    assertThat(routes.get(1).getDirectResponse().getStatus()).as("nothing else of the admin API").isEqualTo(404);

    assertThat(b.getStatsConfig().getUseAllDefaultTags().getValue()).isTrue();
    assertThat(Files.getPosixFilePermissions(output)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(r.err()).contains("filewcount-" + ALLOC + "-sidecar-proxy").doesNotContain(TOKEN);
  }

  @Test
  void theParserRejectsFieldsEnvoyDoesNotKnow() throws Exception {
    Result r = run(nomadEnv(), "--consul-grpc", "127.0.0.1:8502");
    assertThat(r.exit()).isZero();
    String misspelt = r.out().replaceFirst("\"stats_flush_interval\"", "\"stats_flush_intervall\"");
    assertThat(misspelt).isNotEqualTo(r.out());
    assertThatThrownBy(() -> BootstrapJson.parse(misspelt))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("stats_flush_intervall");
    String badEnum = r.out().replace("\"DELTA_GRPC\"", "\"DELTA_GRPCX\"");
    assertThatThrownBy(() -> BootstrapJson.parse(badEnum)).isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void withoutATokenTheMetadataIsEmptyAsConsulWritesItAndTheTokenVariableWorksToo() throws Exception {
    Map<String, String> env = Map.of("NOMAD_ALLOC_ID", ALLOC);
    Bootstrap none = BootstrapJson.parse(run(env).out());
    assertThat(none.getDynamicResources().getAdsConfig().getGrpcServices(0).getInitialMetadataList()).singleElement()
        .satisfies(h -> assertThat(h.getValue()).isEmpty());

    Bootstrap viaVar = BootstrapJson.parse(run(Map.of("NOMAD_ALLOC_ID", ALLOC, "CONSUL_HTTP_TOKEN", TOKEN)).out());
    assertThat(viaVar.getDynamicResources().getAdsConfig().getGrpcServices(0).getInitialMetadata(0).getValue())
        .isEqualTo(TOKEN);
    assertThat(endpoint(cluster(viaVar, "local_agent"))).isEqualTo("127.0.0.1:8502");
  }

  @Test
  void consulGrpcAddrFromTheEnvironmentAndTlsWithItsCa() throws Exception {
    Path ca = dir.resolve("consul-ca.pem");
    String pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    Files.writeString(ca, pem);
    Map<String, String> env = new HashMap<>(Map.of("NOMAD_ALLOC_ID", ALLOC, "CONSUL_GRPC_ADDR", "https://consul.service:8503"));

    Result noCa = run(env);
    assertThat(noCa.exit()).isEqualTo(2);
    assertThat(noCa.err()).contains("CONSUL_GRPC_CACERT");

    env.put("CONSUL_CACERT", ca.toString());
    Bootstrap b = BootstrapJson.parse(run(env).out());
    Cluster xds = cluster(b, "local_agent");
    assertThat(endpoint(xds)).isEqualTo("consul.service:8503");
    assertThat(xds.getType()).as("a host name is resolved by Envoy").isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    UpstreamTlsContext tls = xds.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(tls.getCommonTlsContext().getValidationContext().getTrustedCa().getInlineString())
        .as("inline, as Consul writes it: Envoy's container has no copy of the file").isEqualTo(pem);

    Files.writeString(ca, "not a certificate");
    Result notPem = run(env);
    assertThat(notPem.exit()).isEqualTo(2);
    assertThat(notPem.err()).contains(ca.toString()).contains("CONSUL_GRPC_CACERT");
  }

  @Test
  void outsideNomadTheProxyIdMustBeGiven() {
    Result r = run(Map.of());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--proxy-id");

    Result given = run(Map.of(), "--proxy-id", "filewcount-web1-8081-sidecar-proxy");
    assertThat(given.exit()).isZero();
    assertThat(given.out()).contains("\"id\": \"filewcount-web1-8081-sidecar-proxy\"");
  }

  @Test
  void badValuesAreUsageErrorsNamingTheFlag() {
    Result r = run(Map.of("NOMAD_ALLOC_ID", ALLOC), "--otel-collector", "collector");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--otel-collector");

    Result t = run(Map.of("NOMAD_ALLOC_ID", ALLOC), "--tunables", dir.resolve("missing.properties").toString());
    assertThat(t.exit()).isEqualTo(2);
    assertThat(t.err()).contains("--tunables");
  }

  @Test
  void aTunablesFileChangesTheBootstrapAndBadValuesNameTheKey() throws Exception {
    Path file = dir.resolve("t.properties");
    Files.writeString(file, "admin.port=19001\nprometheus.bind=0.0.0.0:9200\ntracing.cluster=collector\n");
    Bootstrap b = BootstrapJson.parse(run(Map.of("NOMAD_ALLOC_ID", ALLOC), "--tunables", file.toString()).out());
    assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(19001);
    assertThat(b.getStaticResources().getListeners(0).getAddress().getSocketAddress().getPortValue()).isEqualTo(9200);
    assertThat(b.getStaticResources().getClustersList()).extracting(Cluster::getName).contains("collector");

    Files.writeString(file, "stats.flush-interval=often\n");
    Result r = run(Map.of("NOMAD_ALLOC_ID", ALLOC), "--tunables", file.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("stats.flush-interval").contains("often");
  }

  @Test
  void theShippedTunablesFileHoldsExactlyTheBuiltInDefaults() throws Exception {
    Path shipped = Path.of(System.getProperty("repo.root", "..")).resolve("envoy/bootstrap.properties");
    assertThat(EnvoyTunables.load(shipped)).isEqualTo(EnvoyTunables.defaults());
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(shipped)));
    assertThat(p.stringPropertyNames()).containsExactlyInAnyOrder("admin.address", "admin.port", "prometheus.bind",
        "tracing.cluster", "tracing.collector", "tracing.connect-timeout", "stats.use-all-default-tags",
        "stats.flush-interval", "xds.cluster", "xds.connect-timeout");
  }

  private static Cluster cluster(Bootstrap b, String name) {
    return b.getStaticResources().getClustersList().stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no static cluster " + name));
  }

  private static String endpoint(Cluster c) {
    var a = c.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress();
    return a.getAddress() + ":" + a.getPortValue();
  }

  private static boolean http2(Cluster c) throws InvalidProtocolBufferException {
    var any = c.getTypedExtensionProtocolOptionsMap().get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    return any != null && any.unpack(HttpProtocolOptions.class).getExplicitHttpConfig().hasHttp2ProtocolOptions();
  }
}
