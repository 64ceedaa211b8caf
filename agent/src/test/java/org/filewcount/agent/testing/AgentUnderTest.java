package org.filewcount.agent.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.filewcount.agent.registry.RegistrationPayload;
import org.filewcount.agent.registry.StubConsul;

/**
 * The packaged jar ({@code agent.jar}, set by failsafe) running {@code run} as a child process, the way
 * Nomad or systemd runs it: its own JVM, its own file descriptors, SIGTERM through {@link Process#destroy()}.
 * Reliability figures are measured against this process, never against an agent inside the test JVM.
 */
public final class AgentUnderTest implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final int listenPort;
  private final int adminPort;
  private final String serviceId;

  private AgentUnderTest(Process process, Path log, int listenPort, int adminPort) {
    this.process = process;
    this.log = log;
    this.listenPort = listenPort;
    this.adminPort = adminPort;
    this.serviceId = "filewcount-127.0.0.1-" + listenPort;
  }

  public static Builder builder(URI appUrl, URI consul, Path workDir) {
    return new Builder(appUrl, consul, workDir);
  }

  public int pid() {
    return Math.toIntExact(process.pid());
  }

  public Process process() {
    return process;
  }

  public int listenPort() {
    return listenPort;
  }

  public int adminPort() {
    return adminPort;
  }

  public URI proxyUrl(String path) {
    return URI.create("http://127.0.0.1:" + listenPort + path);
  }

  public URI adminUrl(String path) {
    return URI.create("http://127.0.0.1:" + adminPort + path);
  }

  public String serviceId() {
    return serviceId;
  }

  public String readyCheckId() {
    return RegistrationPayload.readyCheckId(serviceId);
  }

  public String ttlCheckId() {
    return RegistrationPayload.ttlCheckId(serviceId);
  }

  /** Registered with both checks, and the TTL check already passed once: the agent is fully up. */
  public void awaitRegistered(StubConsul consul, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
      assertAlive();
      return registeredWithBothChecks(consul);
    });
  }

  public boolean registeredWithBothChecks(StubConsul consul) {
    return consul.hasService(serviceId) && consul.checkStatus(readyCheckId()) != null
        && "passing".equals(consul.checkStatus(ttlCheckId()));
  }

  /** Open file descriptors of the agent process (sockets included), from /proc. */
  public long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Integer.toString(pid()), "fd"))) {
      return fds.count();
    }
  }

  /** The agent's argv as the kernel shows it to every user of the host. */
  public String commandLine() throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid()), "cmdline"));
    return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
  }

  public String environment() throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid()), "environ"));
    return new String(raw, StandardCharsets.UTF_8).replace('\0', '\n');
  }

  /** The sum of a metric's samples at /metrics (every label set), 0 when it has none yet. */
  public double metric(String name) throws IOException, InterruptedException {
    String body = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(adminUrl("/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  public void assertAlive() throws IOException {
    if (!process.isAlive()) {
      throw new AssertionError("the agent exited with " + process.exitValue() + ":\n" + log());
    }
  }

  /** SIGTERM on Linux. */
  public void sigterm() {
    process.destroy();
  }

  public boolean waitFor(Duration d) throws InterruptedException {
    return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String testName() {
    for (StackTraceElement e : new Throwable().getStackTrace()) {
      if (e.getClassName().endsWith("IT")) {
        return e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1);
      }
    }
    return "agent";
  }

  public Path logFile() {
    return log;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public static final class Builder {
    private final URI appUrl;
    private final URI consul;
    private final Path workDir;
    private final Map<String, String> options = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvm = new ArrayList<>(List.of("-Xmx128m"));
    private boolean defaultAdmin;
    private String logName = testName();

    private Builder(URI appUrl, URI consul, Path workDir) {
      this.appUrl = appUrl;
      this.consul = consul;
      this.workDir = workDir;
      options.put("--service-version", "1.0");
      options.put("--check-interval", "1s");
      options.put("--probe-interval", "30s");
      options.put("--drain", "2s");
      options.put("--log-level", "info");
    }

    public Builder option(String flag, String value) {
      options.put(flag, value);
      return this;
    }

    /** The agent's log file starts with this name (by default the *IT class found on the stack). */
    public Builder logName(String name) {
      logName = name;
      return this;
    }

    /** Replaces the default heap limit (-Xmx128m), e.g. to show the agent runs in less. */
    public Builder maxHeap(String size) {
      jvm.removeIf(o -> o.startsWith("-Xmx"));
      jvm.add("-Xmx" + size);
      return this;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** Leaves --admin out, so the agent binds its documented default (127.0.0.1:9464). */
    public Builder defaultAdmin() {
      defaultAdmin = true;
      return this;
    }

    public AgentUnderTest start() throws IOException {
      String jar = System.getProperty("agent.jar");
      if (jar == null || !Files.isRegularFile(Path.of(jar))) {
        throw new IllegalStateException("system property agent.jar must name the packaged jar (failsafe sets it;"
            + " run these tests with ./mvnw -pl agent verify), got " + jar);
      }
      int listen = freePort();
      int admin = defaultAdmin ? 9464 : freePort();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvm);
      cmd.addAll(List.of("-jar", jar, "run",
          "--app-url", appUrl.toString(),
          "--listen", "127.0.0.1:" + listen,
          "--consul", consul.toString()));
      if (!defaultAdmin) {
        cmd.addAll(List.of("--admin", "127.0.0.1:" + admin));
      }
      options.forEach((k, v) -> {
        cmd.add(k);
        cmd.add(v);
      });
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().remove("CONSUL_HTTP_TOKEN");
      pb.environment().remove("CONSUL_HTTP_TOKEN_FILE");
      pb.environment().remove("NOMAD_ALLOC_ID");
      pb.environment().remove("NOMAD_HOST_ADDR_admin");
      pb.environment().remove("NOMAD_ALLOC_DIR"); // would turn on probe file removal in a folder of the host
      // No OTLP collector on this machine: keep the exporter quiet instead of retrying into the log.
      pb.environment().put("OTEL_METRICS_EXPORTER", "none");
      pb.environment().put("OTEL_TRACES_EXPORTER", "none");
      pb.environment().put("OTEL_LOGS_EXPORTER", "none");
      pb.environment().put("NODE_NAME", "reliability-node");
      pb.environment().putAll(env);
      // Kept after the test (target/reliability-logs) so a failure can be read afterwards.
      Path logs = Files.createDirectories(Path.of("target", "reliability-logs"));
      Path log = Files.createTempFile(logs, logName + "-", ".log");
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      return new AgentUnderTest(pb.start(), log, listen, admin);
    }
  }
}
