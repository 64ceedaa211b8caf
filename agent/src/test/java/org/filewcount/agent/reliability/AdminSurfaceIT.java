package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8, item 8: the agent's own endpoints (/health/*, /metrics) are reachable from this host only
 * unless an operator says otherwise, and the proxy port is the app and nothing else.
 */
class AdminSurfaceIT {

  private static final int DEFAULT_ADMIN_PORT = 9464;
  private static final List<String> AGENT_PATHS = List.of("/metrics", "/health/ready", "/health/live");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedByTest();

  private FilewcountStandIn app;
  private StubConsul consul;

  @BeforeEach
  void start() throws Exception {
    app = fixture.startApp();
    consul = fixture.startConsul();
  }

  @Test
  void byDefaultEveryListeningSocketOfTheAgentIsOnLoopback() throws Exception {
    Assumptions.assumeTrue(portFree(DEFAULT_ADMIN_PORT),
        "port " + DEFAULT_ADMIN_PORT + " (the default --admin) is taken by another process on this machine");
    AgentUnderTest agent = fixture.startAgent(AgentUnderTest.Builder::defaultAdmin);
    agent.awaitRegistered(consul, Duration.ofSeconds(30));
    assertThat(status("http://127.0.0.1:" + DEFAULT_ADMIN_PORT + "/health/ready")).isEqualTo(200);

    List<String> listening = listeningAddresses(agent.pid());
    System.out.println("FIGURE: admin surface: agent with default --admin listens on " + listening
        + " (every socket loopback: " + listening.stream().allMatch(AdminSurfaceIT::loopback) + ")");
    assertThat(listening).as("listening sockets of the agent").isNotEmpty()
        .anySatisfy(a -> assertThat(a).endsWith(":" + DEFAULT_ADMIN_PORT))
        .allSatisfy(a -> assertThat(loopback(a)).as(a + " is a loopback address").isTrue());

    List<InetAddress> external = externalAddresses();
    for (InetAddress address : external) {
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(address, DEFAULT_ADMIN_PORT), 1000);
        }
      }).as("admin port reachable on " + address).isInstanceOf(IOException.class);
    }
    System.out.println("FIGURE: admin surface: connecting to the admin port on the host's other addresses "
        + external + ": refused on all " + external.size());
  }

  @Test
  void theProxyPortServesTheAppsPathsNotTheAgents() throws Exception {
    AgentUnderTest agent = fixture.startAgent(a -> a);
    agent.awaitRegistered(consul, Duration.ofSeconds(30));
    for (String path : AGENT_PATHS) {
      assertThat(status(agent.adminUrl(path).toString())).as("admin " + path).isEqualTo(200);
    }

    long before = app.requestCount();
    List<String> answers = new ArrayList<>();
    for (String path : AGENT_PATHS) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(agent.proxyUrl(path)).build(),
          HttpResponse.BodyHandlers.ofString());
      answers.add(path + " -> " + r.statusCode());
      assertThat(r.statusCode()).as("proxy " + path).isEqualTo(404);
      assertThat(r.body()).as("the app's own 404 page, not the agent's").contains("<h1>Not Found</h1>")
          .doesNotContain("filewcount_").doesNotContain("ready");
    }
    long reached = app.requestCount() - before;
    System.out.println("FIGURE: admin surface: through the proxy port " + answers + ", " + reached + " of "
        + AGENT_PATHS.size() + " answered by the app");
    assertThat(reached).as("every one went to the app").isEqualTo(AGENT_PATHS.size());
  }

  private int status(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(java.net.URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean loopback(String hostPort) {
    String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
    return host.startsWith("127.") || host.equals("::1") || host.equals("::ffff:127.0.0.1");
  }

  /** Non-loopback IPv4 addresses of this host (eth0 and the like). */
  private static List<InetAddress> externalAddresses() throws IOException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          out.add(a);
        }
      }
    }
    return out;
  }

  /**
   * The local addresses of the process's listening TCP sockets, read from the kernel: socket inodes
   * from /proc/PID/fd, matched against /proc/PID/net/tcp and tcp6 (state 0A = LISTEN).
   */
  static List<String> listeningAddresses(int pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Integer.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException e) {
          // closed between list and read
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String table : List.of("tcp", "tcp6")) {
      Path p = Path.of("/proc", Integer.toString(pid), "net", table);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f[3].equals("0A") && inodes.contains(f[9])) {
          out.add(ProcNet.address(f[1]));
        }
      }
    }
    return out;
  }
}
