package org.filewcount.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.filewcount.agent.config.EnvoyTunables;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.filewcount.agent.infra.ConsulEntryFiles;
import org.filewcount.agent.testing.ConsulContainers;
import org.filewcount.agent.testing.ContainerLogsOnFailure;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.VersionsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.Testcontainers;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * End to end through the real mesh (runs where Docker exists; skipped with a reason elsewhere): a real
 * Consul (CONSUL_IMAGE) and real Envoys (ENVOY_IMAGE) bootstrapped by {@link EnvoyBootstrapBuilder}, two
 * filewcount stand-ins labelled 1.0 and 2.0 behind their sidecars, the config entries of consul/ as they
 * are, and requests through a client sidecar following the splitter as it moves 100/0, 50/50, 0/100.
 *
 * <p>The services are registered here through Consul's agent API with the same IDs and meta the agent
 * uses, and the resolver subsets and splitter are written the way the traffic code writes them.
 *
 * <p>Order matters, and each step waits for a condition, never a fixed time:
 * <ol>
 *   <li>Consul ready = a leader elected ({@link ConsulContainers}).
 *   <li>Every config entry before any service is registered: a sidecar registered first gets a snapshot
 *       without proxy-defaults' {@code protocol = "http"}, i.e. plain TCP forwarding, and a keep-alive
 *       connection opened then stays pinned to one version whatever the splitter says.
 *   <li>Envoys start, then their services are registered (their addresses are known only once they run).
 *   <li>{@link MeshReadiness}: both sidecars passing in Consul and a 200 through the client sidecar.
 *   <li>After each splitter write, requests are sent until the new weights show: Consul coalesces proxy
 *       snapshot updates for 200 ms before sending them (hashicorp/consul agent/proxycfg/state.go,
 *       {@code coalesceTimeout}), and Envoy applies them after that.
 * </ol>
 * Every container's log is attached to any failure ({@link ContainerLogsOnFailure}).
 */
@org.testcontainers.junit.jupiter.Testcontainers(disabledWithoutDocker = true)
class MeshSplitIT {

  private static final VersionsFile VERSIONS = VersionsFile.load();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final int SIDECAR_PORT = 21000;
  private static final int UPSTREAM_PORT = 9191;
  private static final int REQUESTS = 200;
  private static final Set<String> SIDECARS = Set.of("filewcount-v1-sidecar-proxy", "filewcount-v2-sidecar-proxy");

  @RegisterExtension
  static final ContainerLogsOnFailure LOGS = new ContainerLogsOnFailure();

  private static Network network;
  private static ConsulContainer consul;
  private static FilewcountStandIn v1;
  private static FilewcountStandIn v2;
  private static GenericContainer<?> envoyV1;
  private static GenericContainer<?> envoyV2;
  private static GenericContainer<?> envoyClient;

  @BeforeAll
  static void startMesh() throws Exception {
    v1 = FilewcountStandIn.start();
    v2 = FilewcountStandIn.start();
    Testcontainers.exposeHostPorts(v1.port(), v2.port());
    network = Network.newNetwork();
    consul = LOGS.watch("consul", ConsulContainers.pinned().withNetwork(network).withNetworkAliases("consul"));
    consul.start();

    writeConfigEntries();

    envoyV1 = LOGS.watch("envoy-v1", envoy("filewcount-v1-sidecar-proxy", "filewcount"));
    envoyV2 = LOGS.watch("envoy-v2", envoy("filewcount-v2-sidecar-proxy", "filewcount"));
    envoyClient = LOGS.watch("envoy-client", envoy("e2e-client-sidecar-proxy", "e2e-client").withExposedPorts(UPSTREAM_PORT));
    envoyV1.start();
    envoyV2.start();
    envoyClient.start();

    // Envoy's endpoints and local app must be IP addresses; host.testcontainers.internal is the test JVM.
    String hostIp = envoyV1.execInContainer("getent", "hosts", "host.testcontainers.internal").getStdout().trim().split("\\s+")[0];
    registerInstance("filewcount-v1", "1.0", hostIp, v1.port(), ipOnTestNetwork(envoyV1));
    registerInstance("filewcount-v2", "2.0", hostIp, v2.port(), ipOnTestNetwork(envoyV2));
    registerClient(ipOnTestNetwork(envoyClient));

    MeshReadiness.awaitReady(HTTP, consulUri("/v1/health/connect/filewcount?passing"), SIDECARS, throughClient(),
        Duration.ofMinutes(2));
  }

  /** proxy-defaults first (protocol http), then what depends on it; the splitter needs the resolver's subsets. */
  private static void writeConfigEntries() throws Exception {
    for (String file : new String[] {"consul/proxy-defaults.hcl", "consul/service-defaults.hcl",
        "consul/service-intentions.hcl"}) {
      putConfig(ConsulEntryFiles.read(file));
    }
    ObjectNode allow = ConsulEntryFiles.read("consul/service-intentions-filewcount.hcl");
    ((ArrayNode) allow.get("Sources")).addObject().put("Name", "e2e-client").put("Action", "allow");
    putConfig(allow);

    ObjectNode resolver = ConsulEntryFiles.read("consul/service-resolver.json");
    ObjectNode subsets = resolver.putObject("Subsets");
    for (String[] s : new String[][] {{"v1", "1.0"}, {"v2", "2.0"}}) {
      subsets.putObject(s[0]).put("Filter", "Service.Meta.version == \"" + s[1] + "\"").put("OnlyPassing", true);
    }
    resolver.put("DefaultSubset", "v1");
    putConfig(resolver);
    split(100, 0);
    putConfig(ConsulEntryFiles.read("consul/service-router.hcl"));
  }

  @AfterAll
  static void stopMesh() {
    for (AutoCloseable c : new AutoCloseable[] {envoyClient, envoyV2, envoyV1, consul, network, v1, v2}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void requestsThroughEnvoyFollowTheSplitAsItMoves() throws Exception {
    split(100, 0);
    awaitOnly(v1);
    assertThat(measure()).isEqualTo(Map.of("1.0", (long) REQUESTS, "2.0", 0L));

    split(50, 50);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class)
        .untilAsserted(() -> assertThat(measureOf(40).get("2.0")).isPositive());
    Map<String, Long> half = measure();
    assertThat(half.get("1.0") + half.get("2.0")).isEqualTo(REQUESTS);
    // 200 fair coin flips land within 60..140 far beyond any flake (p < 1e-8).
    assertThat(half.get("1.0")).isBetween(60L, 140L);

    split(0, 100);
    awaitOnly(v2);
    assertThat(measure()).isEqualTo(Map.of("1.0", 0L, "2.0", (long) REQUESTS));
  }

  private static GenericContainer<?> envoy(String proxyId, String service) {
    SidecarBootstrap spec = new SidecarBootstrap(proxyId, service, "dc1", new HostPort("consul", 8502), Optional.empty(),
        Optional.empty(), EnvoyTunables.defaults());
    String bootstrap = BootstrapJson.print(EnvoyBootstrapBuilder.build(spec));
    return new GenericContainer<>(DockerImageName.parse(VERSIONS.get("ENVOY_IMAGE")))
        .withNetwork(network)
        .withCopyToContainer(Transferable.of(bootstrap, 0644), "/etc/envoy/bootstrap.json")
        .withCommand("-c", "/etc/envoy/bootstrap.json", "--disable-hot-restart", "--log-level", "info")
        // Listeners arrive only once the proxy is registered, so wait for Envoy itself, not a port.
        .waitingFor(Wait.forLogMessage(".*starting main dispatch loop.*", 1).withStartupTimeout(Duration.ofMinutes(2)));
  }

  /**
   * The container's address on this test's network. Not the first network it has: after exposeHostPorts,
   * Testcontainers also connects every container to its port-forwarding container's network
   * (testcontainers-java 2.0.5, GenericContainer#connectToPortForwardingNetwork).
   */
  private static String ipOnTestNetwork(GenericContainer<?> c) {
    return c.getContainerInfo().getNetworkSettings().getNetworks().values().stream()
        .filter(n -> network.getId().equals(n.getNetworkID()))
        .map(ContainerNetwork::getIpAddress)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(c.getContainerName() + " is not on network " + network.getId()));
  }

  private static void registerInstance(String id, String version, String hostIp, int appPort, String envoyIp) throws Exception {
    ObjectNode service = JSON.createObjectNode().put("ID", id).put("Name", "filewcount").put("Address", hostIp)
        .put("Port", appPort);
    service.putObject("Meta").put("version", version);
    service.putArray("Tags").add("v" + version);
    put("/v1/agent/service/register", service);

    // The sidecar's registration is the agent's own (run --mesh): same ID as the bootstrap's node id.
    InstanceIdentity identity = new InstanceIdentity(id, id, Map.of("version", version));
    put("/v1/agent/service/register", new SidecarProxyRegistration(identity, "filewcount", envoyIp,
        new MeshSettings(SIDECAR_PORT, SIDECAR_PORT), new HostPort(hostIp, appPort), Optional.empty(),
        Duration.ofSeconds(2)).toConsulJson(JSON));
  }

  private static void registerClient(String envoyIp) throws Exception {
    put("/v1/agent/service/register", JSON.createObjectNode().put("ID", "e2e-client").put("Name", "e2e-client")
        .put("Address", envoyIp).put("Port", 1));
    ObjectNode sidecar = JSON.createObjectNode().put("Kind", "connect-proxy").put("ID", "e2e-client-sidecar-proxy")
        .put("Name", "e2e-client-sidecar-proxy").put("Address", envoyIp).put("Port", SIDECAR_PORT);
    ObjectNode proxy = sidecar.putObject("Proxy").put("DestinationServiceName", "e2e-client")
        .put("DestinationServiceID", "e2e-client").put("LocalServiceAddress", "127.0.0.1").put("LocalServicePort", 1);
    proxy.putObject("Config").put("bind_address", "0.0.0.0").put("bind_port", SIDECAR_PORT);
    proxy.putArray("Upstreams").addObject().put("DestinationName", "filewcount")
        .put("LocalBindAddress", "0.0.0.0").put("LocalBindPort", UPSTREAM_PORT);
    put("/v1/agent/service/register", sidecar);
  }

  private static void split(int v1Weight, int v2Weight) throws Exception {
    ObjectNode splitter = JSON.createObjectNode().put("Kind", "service-splitter").put("Name", "filewcount");
    ArrayNode splits = splitter.putArray("Splits");
    splits.addObject().put("Weight", v1Weight).put("ServiceSubset", "v1");
    splits.addObject().put("Weight", v2Weight).put("ServiceSubset", "v2");
    putConfig(splitter);
  }

  private static void putConfig(ObjectNode entry) throws Exception {
    put("/v1/config", entry);
  }

  private static URI consulUri(String path) {
    return URI.create("http://" + consul.getHost() + ":" + consul.getMappedPort(8500) + path);
  }

  private static URI throughClient() {
    return URI.create("http://" + envoyClient.getHost() + ":" + envoyClient.getMappedPort(UPSTREAM_PORT) + "/");
  }

  private static void put(String path, ObjectNode body) throws Exception {
    URI uri = consulUri(path);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("PUT %s %s -> %s", path, body, r.body()).isEqualTo(200);
  }

  /** Waits until the mesh sends ten requests in a row to this stand-in only (xDS updates take a moment). */
  private static void awaitOnly(FilewcountStandIn expected) {
    FilewcountStandIn other = expected == v1 ? v2 : v1;
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsInstanceOf(IOException.class).untilAsserted(() -> {
      long before = other.requestCount();
      Map<String, Long> m = measureOf(10);
      assertThat(other.requestCount()).isEqualTo(before);
      assertThat(m.get(expected == v1 ? "1.0" : "2.0")).isEqualTo(10L);
    });
  }

  private static Map<String, Long> measure() throws Exception {
    return measureOf(REQUESTS);
  }

  /** Sends n requests through the client sidecar and returns how many reached each version. */
  private static Map<String, Long> measureOf(int n) throws Exception {
    long b1 = v1.requestCount();
    long b2 = v2.requestCount();
    URI uri = throughClient();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("response through the mesh: %s", r.body()).isEqualTo(200);
    }
    return Map.of("1.0", v1.requestCount() - b1, "2.0", v2.requestCount() - b2);
  }
}
