package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.RepoFiles;
import org.filewcount.agent.testing.VersionsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * ansible/site.yml converged for real (not --check) into three throwaway Debian roots, one per kind of
 * host: a server, a Nomad client of provider A, an agent VM of provider B. The HashiCorp archives are
 * fakes this test builds (nothing but Debian's mirror is reachable here), given to the role as file://
 * URLs with their own SHA-256, exactly as a site with a mirror would; the agent jar is the packaged one.
 * Then: files, users and units; systemd-analyze verify on every unit the roles installed; a second run
 * that changes nothing; the real pins from versions.env refusing the fake archive; and the installed
 * agent started the way its unit starts it (same user, environment file and command line, inside the
 * root), registering with a stub Consul.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnsibleConvergeIT {

  private static final String TOKEN = "3f0c7a52-ansible-it-token-5e1d";
  private static final Pattern RECAP =
      Pattern.compile("(?m)^(\\S+)\\s+: ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)");
  private static final List<String> HOSTS = List.of("server-1", "client-a1", "vm-b1");

  private final VersionsFile versions = VersionsFile.load();
  private Path work;
  private DebianRoots roots;
  private final Map<String, Path> root = new LinkedHashMap<>();
  private Path inventory;
  private FilewcountStandIn app;
  private StubConsul consul;
  private int listenPort;
  private int adminPort;
  private Commands.Result firstRun;
  private int runs;

  @BeforeAll
  void convergeOnce() throws Exception {
    assumeTrue(new UnixSystem().getUid() == 0, "the Ansible converge test needs root (debootstrap, chroot, "
        + "mount /proc): run ./mvnw as root, as CI does (docs/testing.md)");
    Path target = Path.of(System.getProperty("agent.jar")).getParent();
    work = target.resolve("ansible-it");
    roots = new DebianRoots(target.resolve("ansible-it-cache"));
    app = FilewcountStandIn.start();
    consul = new StubConsul();
    listenPort = freePort();
    adminPort = freePort();
    Path controller = Files.createDirectories(work.resolve("controller"));
    for (String host : HOSTS) {
      root.put(host, roots.fresh(work.resolve(host)));
    }
    Map<String, String> sums = fakeReleases(controller);
    inventory = writeInventory(controller, sums);
    firstRun = playbook();
    for (Path r : root.values()) {
      roots.keepDownloadedPackages(r);
    }
    assertThat(firstRun.ok()).as("first converge:\n%s", DebianRoots.tail(firstRun.output())).isTrue();
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (roots != null) {
      roots.close();
    }
    if (app != null) {
      app.close();
    }
    if (consul != null) {
      consul.close();
    }
  }

  @Test
  @Order(1)
  void theFirstRunInstallsThePinnedBinariesWithTheirConfigurationAndUsers() throws Exception {
    assertThat(recap(firstRun.output())).allSatisfy((host, counts) -> {
      assertThat(counts[1]).as("%s failed", host).isZero();
      assertThat(counts[0]).as("%s changed", host).isPositive();
    });
    String consulVersion = versions.get("CONSUL_VERSION");
    String nomadVersion = versions.get("NOMAD_VERSION");
    for (Path r : root.values()) {
      assertThat(Files.readSymbolicLink(r.resolve("usr/local/bin/consul")))
          .isEqualTo(Path.of("/opt/hashicorp/consul/" + consulVersion + "/consul"));
      assertThat(r.resolve("opt/hashicorp/consul/" + consulVersion + "/consul")).isExecutable();
      assertThat(passwd(r)).containsKey("consul");
      assertThat(mode(r.resolve("etc/consul.d/tls/agent-key.pem"))).isEqualTo("rw-r-----");
      assertThat(enabled(r, "consul.service")).isTrue();
    }
    Path server = root.get("server-1");
    Path client = root.get("client-a1");
    Path vm = root.get("vm-b1");
    assertThat(Files.readSymbolicLink(server.resolve("usr/local/bin/nomad")))
        .isEqualTo(Path.of("/opt/hashicorp/nomad/" + nomadVersion + "/nomad"));
    assertThat(vm.resolve("usr/local/bin/nomad")).as("no Nomad on an agent VM").doesNotExist();
    assertThat(server.resolve("opt/cni/bin")).as("no CNI on a server").doesNotExist();
    assertThat(Files.readSymbolicLink(client.resolve("opt/cni/bin")))
        .isEqualTo(Path.of("/opt/hashicorp/cni-plugins/" + versions.get("CNI_PLUGINS_VERSION")));
    assertThat(client.resolve("opt/hashicorp/cni-plugins/" + versions.get("CNI_PLUGINS_VERSION") + "/bridge")).isExecutable();
    assertThat(client.resolve("usr/sbin/dockerd")).as("Docker on a Nomad client").exists();
    assertThat(vm.resolve("usr/sbin/dockerd")).as("Docker for the app container").exists();
    assertThat(server.resolve("usr/sbin/dockerd")).as("no Docker on a server").doesNotExist();

    // The rendered configurations parse with HashiCorp's HCL parser and say what each host is.
    JsonNode consulServer = hcl(server, "etc/consul.d/consul.hcl");
    assertThat(consulServer.path("server").asBoolean()).isTrue();
    assertThat(consulServer.path("bootstrap_expect").asInt()).isEqualTo(3);
    assertThat(consulServer.path("encrypt").asText()).isNotEmpty();
    assertThat(consulServer.path("acl").get(0).path("default_policy").asText()).isEqualTo("deny");
    assertThat(consulServer.path("tls").get(0).path("defaults").get(0).path("verify_incoming").asBoolean()).isTrue();
    assertThat(hcl(vm, "etc/consul.d/consul.hcl").has("server")).as("the VM's Consul is a client").isFalse();
    JsonNode nomadClient = hcl(client, "etc/nomad.d/nomad.hcl");
    JsonNode clientBlock = nomadClient.path("client").get(0);
    assertThat(clientBlock.path("meta").get(0).path("provider").asText()).isEqualTo("provider-a");
    assertThat(clientBlock.path("cni_path").asText()).isEqualTo("/opt/cni/bin");
    assertThat(nomadClient.path("tls").get(0).path("rpc").asBoolean()).isTrue();
    assertThat(nomadClient.path("acl").get(0).path("enabled").asBoolean()).isTrue();
    assertThat(hcl(server, "etc/nomad.d/nomad.hcl").path("server").get(0).path("encrypt").asText()).isNotEmpty();

    // The agent VM: its own user, code owned by root, secrets readable by root and its group only.
    assertThat(passwd(vm).get("filewcount-agent")).endsWith(":/nonexistent:/usr/sbin/nologin");
    assertThat(vm.resolve("opt/filewcount-agent/lib/filewcount-agent.jar")).hasSameBinaryContentAs(
        Path.of(System.getProperty("agent.jar")));
    assertThat(vm.resolve("opt/filewcount-agent/bin/filewcount-agent")).isExecutable();
    assertThat(mode(vm.resolve("etc/filewcount-agent/consul.token"))).isEqualTo("rw-r-----");
    assertThat(mode(vm.resolve("etc/filewcount-agent/agent.env"))).isEqualTo("rw-r-----");
    assertThat(enabled(vm, "filewcount-agent.service")).isTrue();
    assertThat(enabled(vm, "filewcount-app.service")).isTrue();
    assertThat(enabled(client, "nomad.service")).isTrue();
    assertThat(enabled(client, "docker.service")).isTrue();
  }

  @Test
  @Order(2)
  void theAgentUnitDrainsBeforeSystemdGivesUpAndRunsHardenedAsItsOwnUser() throws Exception {
    SystemdUnit unit = SystemdUnit.read(root.get("vm-b1").resolve("etc/systemd/system/filewcount-agent.service"));
    assertThat(unit.get("Service.KillSignal")).isEqualTo("SIGTERM");
    String exec = unit.get("Service.ExecStart");
    Matcher drain = Pattern.compile("--drain (\\d+)s").matcher(exec);
    assertThat(drain.find()).as(exec).isTrue();
    // docs/agent.md: the agent needs --drain plus up to 10 s for requests in flight.
    assertThat(SystemdUnit.seconds(unit.get("Service.TimeoutStopSec")))
        .isGreaterThan(Long.parseLong(drain.group(1)) + 10);
    assertThat(unit.get("Service.Restart")).isEqualTo("on-failure");
    assertThat(unit.get("Service.User")).isEqualTo("filewcount-agent");
    assertThat(unit.get("Service.NoNewPrivileges")).isEqualTo("yes");
    assertThat(unit.get("Service.ProtectSystem")).isEqualTo("strict");
    assertThat(unit.get("Service.CapabilityBoundingSet")).isEmpty();
    assertThat(unit.get("Unit.After")).contains("filewcount-app.service").contains("consul.service");
    assertThat(exec).doesNotContain(TOKEN).contains("--listen 127.0.0.1:" + listenPort);
  }

  @Test
  @Order(3)
  void systemdAcceptsEveryUnitTheRolesInstalled() throws Exception {
    List<String> verified = new ArrayList<>();
    for (Map.Entry<String, Path> host : root.entrySet()) {
      List<Path> units;
      try (Stream<Path> s = Files.list(host.getValue().resolve("etc/systemd/system"))) {
        // The unit files the roles wrote; links there are the packages' aliases, not ours.
        units = s.filter(p -> p.getFileName().toString().endsWith(".service") && !Files.isSymbolicLink(p))
            .sorted().toList();
      }
      for (Path u : units) {
        Commands.Result r = Commands.run(work, Map.of(), Duration.ofSeconds(60), "systemd", List.of(
            "systemd-analyze", "verify", "--root=" + host.getValue(), "/etc/systemd/system/" + u.getFileName()));
        assertThat(r.output()).as("systemd-analyze verify %s on %s", u.getFileName(), host.getKey()).isEmpty();
        assertThat(r.exitCode()).isZero();
        verified.add(host.getKey() + ":" + u.getFileName());
      }
    }
    assertThat(verified).contains("server-1:consul.service", "server-1:nomad.service", "client-a1:nomad.service",
        "vm-b1:consul.service", "vm-b1:filewcount-app.service", "vm-b1:filewcount-agent.service");
  }

  @Test
  @Order(4)
  void aSecondRunChangesNothing() throws Exception {
    Commands.Result second = playbook();
    assertThat(second.ok()).as(DebianRoots.tail(second.output())).isTrue();
    Map<String, int[]> recap = recap(second.output());
    assertThat(recap.keySet()).containsExactlyInAnyOrderElementsOf(HOSTS);
    recap.forEach((host, counts) -> assertThat(counts[0]).as("changed on %s:\n%s", host,
        changedTasks(second.output())).isZero());
  }

  @Test
  @Order(5)
  void theChecksumPinnedInVersionsEnvRefusesAnotherArchive() throws Exception {
    // Without the test's override the role takes versions.env's SHA-256, which the fake archive cannot match.
    Path link = root.get("server-1").resolve("usr/local/bin/consul");
    Path before = Files.readSymbolicLink(link);
    Commands.Result r = playbook("--limit", "server-1", "-e", "consul_nomad_consul_sha256="
        + versions.get("CONSUL_SHA256_LINUX_AMD64"));
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).contains("did not match").contains(versions.get("CONSUL_SHA256_LINUX_AMD64"));
    assertThat(Files.readSymbolicLink(link)).isEqualTo(before);
  }

  @Test
  @Order(6)
  void theInstalledAgentStartedAsItsUnitStartsItRegistersWithConsul() throws Exception {
    Path vm = root.get("vm-b1");
    SystemdUnit unit = SystemdUnit.read(vm.resolve("etc/systemd/system/filewcount-agent.service"));
    String user = unit.get("Service.User");
    List<String> command = new ArrayList<>(List.of("chroot", "--userspec=" + user + ":" + unit.get("Service.Group"),
        vm.toString(), "env", "-i",
        // The environment systemd gives a service with User= (systemd.exec(5)), then the EnvironmentFile.
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/nonexistent",
        "USER=" + user, "LOGNAME=" + user, "SHELL=/usr/sbin/nologin"));
    command.addAll(environmentFile(vm, unit.get("Service.EnvironmentFile")));
    String exec = unit.get("Service.ExecStart");
    assertThat(exec).as("a command line without quoting or $ expansion splits on blanks").doesNotContain("\"", "'", "$");
    command.addAll(List.of(exec.split("\\s+")));

    Path log = work.resolve("agent.log");
    Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      String id = "filewcount-127.0.0.1-" + listenPort;
      await().atMost(Duration.ofSeconds(60)).until(() -> consul.hasService(id) || !agent.isAlive());
      assertThat(consul.hasService(id)).as(Files.readString(log)).isTrue();
      assertThat(consul.service(id).path("Meta").path("version").asText()).isEqualTo(versions.get("FILEWCOUNT_VERSION"));
      assertThat(consul.service(id).path("Meta").path("node").asText()).isEqualTo("vm-b1");
      assertThat(consul.requests()).allSatisfy(r -> assertThat(r.getHeader("X-Consul-Token")).isEqualTo(TOKEN));
      assertThat(agent.info().commandLine().orElse("")).doesNotContain(TOKEN);

      agent.destroy(); // SIGTERM, the unit's KillSignal
      assertThat(agent.waitFor(SystemdUnit.seconds(unit.get("Service.TimeoutStopSec")), TimeUnit.SECONDS))
          .as("stopped within TimeoutStopSec").isTrue();
      assertThat(agent.exitValue()).as(Files.readString(log)).isZero();
      assertThat(consul.hasService(id)).as("deregistered on SIGTERM").isFalse();
      assertThat(Files.readString(log)).doesNotContain(TOKEN);
    } finally {
      agent.destroyForcibly();
    }
  }

  @Test
  @Order(7)
  void aJavaRuntimeTooOldForTheLauncherStopsThePlayWithTheFix() throws Exception {
    // Last: the stand-in launcher stays installed in vm-b1's root. It fails as `java` 17.0.8 does on
    // the launcher's -XX:TrimNativeHeapInterval (an unknown option, exit 1).
    Path oldJava = work.resolve("launcher-on-java-17.0.8");
    Files.writeString(oldJava, "#!/bin/sh\necho \"Unrecognized VM option 'TrimNativeHeapInterval=5000'\" >&2\n"
        + "echo 'Error: Could not create the Java Virtual Machine.' >&2\nexit 1\n");
    Files.setPosixFilePermissions(oldJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    Commands.Result r = playbook("--limit", "vm-b1", "-e", "filewcount_agent_launcher=" + oldJava);
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).contains("Unrecognized VM option 'TrimNativeHeapInterval=5000'")
        .contains("The launcher needs Java 17.0.9 or newer")
        .contains("apt-get install --only-upgrade openjdk-17-jre-headless");
  }

  private Commands.Result playbook(String... extra) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ansible-playbook", "-i", inventory.toString(), "site.yml",
        "-e", "filewcount_agent_jar=" + System.getProperty("agent.jar")));
    command.addAll(List.of(extra));
    // profile_tasks: each task's time in the log, kept in target/ansible-it/ to see where a slow run went.
    Commands.Result r = Commands.run(RepoFiles.resolve("ansible"), Map.of("ANSIBLE_FORCE_COLOR", "0",
        "ANSIBLE_NOCOLOR", "1", "ANSIBLE_LOCAL_TEMP", work.resolve("ansible-tmp").toString(),
        "ANSIBLE_CALLBACKS_ENABLED", "ansible.posix.profile_tasks"), Duration.ofMinutes(8), "ansible", command);
    Files.writeString(work.resolve("playbook-" + (++runs) + ".log"), String.join(" ", command) + "\n" + r.output());
    return r;
  }

  /** Fake consul and nomad zips (an executable that only prints) and a CNI tarball, inside every root. */
  private Map<String, String> fakeReleases(Path controller) throws Exception {
    Path dir = controller.resolve("releases");
    Files.createDirectories(dir);
    String script = String.join("\n",
        "import io, sys, tarfile, zipfile",
        "d = sys.argv[1]",
        "for name in ('consul', 'nomad'):",
        "    with zipfile.ZipFile(f'{d}/{name}.zip', 'w') as z:",
        "        info = zipfile.ZipInfo(name)",
        "        info.external_attr = 0o100755 << 16",
        "        z.writestr(info, f'#!/bin/sh\\necho fake {name}\\n')",
        "with tarfile.open(f'{d}/cni.tgz', 'w:gz') as t:",
        "    for name in ('bridge', 'host-local', 'portmap', 'loopback'):",
        "        data = b'#!/bin/sh\\n'",
        "        info = tarfile.TarInfo('./' + name)",
        "        info.size, info.mode = len(data), 0o755",
        "        t.addfile(info, io.BytesIO(data))");
    Commands.Result r = Commands.run(dir, Map.of(), Duration.ofSeconds(30), "python3", List.of("python3", "-c", script, dir.toString()));
    assertThat(r.ok()).as(r.output()).isTrue();
    Map<String, String> sums = new LinkedHashMap<>();
    for (String file : List.of("consul.zip", "nomad.zip", "cni.tgz")) {
      sums.put(file, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(file)))));
      for (Path r2 : root.values()) {
        Path in = Files.createDirectories(r2.resolve("var/tmp/fake-releases"));
        Files.copy(dir.resolve(file), in.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return sums;
  }

  private Path writeInventory(Path controller, Map<String, String> sums) throws IOException {
    for (String pem : List.of("ca", "consul", "consul-key", "nomad", "nomad-key")) {
      Files.writeString(controller.resolve(pem + ".pem"), "placeholder " + pem + ": the roles copy it, nothing reads it here\n");
    }
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[32];
    random.nextBytes(key);
    String gossip = Base64.getEncoder().encodeToString(key);
    String yaml = """
        all:
          vars:
            ansible_connection: community.general.chroot
            ansible_become: false
            consul_nomad_consul_gossip_key: "%1$s"
            consul_nomad_nomad_gossip_key: "%1$s"
            consul_nomad_tls_ca_file: %2$s/ca.pem
            consul_nomad_consul_tls_cert_file: %2$s/consul.pem
            consul_nomad_consul_tls_key_file: %2$s/consul-key.pem
            consul_nomad_nomad_tls_cert_file: %2$s/nomad.pem
            consul_nomad_nomad_tls_key_file: %2$s/nomad-key.pem
            consul_nomad_consul_url: file:///var/tmp/fake-releases/consul.zip
            consul_nomad_consul_sha256: %3$s
            consul_nomad_nomad_url: file:///var/tmp/fake-releases/nomad.zip
            consul_nomad_nomad_sha256: %4$s
            consul_nomad_cni_url: file:///var/tmp/fake-releases/cni.tgz
            consul_nomad_cni_sha256: %5$s
          children:
            servers:
              hosts:
                server-1: { ansible_host: %6$s, consul_nomad_advertise_address: 127.0.0.1 }
            clients:
              children:
                provider_a:
                  hosts:
                    client-a1: { ansible_host: %7$s, consul_nomad_advertise_address: 127.0.0.2 }
                  vars: { consul_nomad_provider: provider-a }
            agent_vms:
              hosts:
                vm-b1:
                  ansible_host: %8$s
                  consul_nomad_advertise_address: 127.0.0.1
                  consul_nomad_provider: provider-b
                  consul_nomad_nomad_enabled: false
                  filewcount_agent_consul_token: "%9$s"
                  filewcount_agent_consul_address: "%10$s"
                  filewcount_agent_app_port: %11$d
                  filewcount_agent_listen_port: %12$d
                  filewcount_agent_admin_port: %13$d
                  filewcount_agent_drain_seconds: 1
        """.formatted(gossip, controller, sums.get("consul.zip"), sums.get("nomad.zip"), sums.get("cni.tgz"),
        root.get("server-1"), root.get("client-a1"), root.get("vm-b1"), TOKEN, consul.address(), app.port(),
        listenPort, adminPort);
    Path file = controller.resolve("hosts.yml");
    Files.writeString(file, yaml);
    return file;
  }

  /** host -> {changed, failed} from the PLAY RECAP. */
  private static Map<String, int[]> recap(String output) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    Matcher m = RECAP.matcher(output);
    while (m.find()) {
      counts.put(m.group(1), new int[] {Integer.parseInt(m.group(3)), Integer.parseInt(m.group(5))});
    }
    return counts;
  }

  private static List<String> changedTasks(String output) {
    List<String> out = new ArrayList<>();
    String task = "";
    for (String line : output.split("\n")) {
      if (line.startsWith("TASK [") || line.startsWith("RUNNING HANDLER [")) {
        task = line;
      } else if (line.startsWith("changed:")) {
        out.add(task + " " + line);
      }
    }
    return out;
  }

  private JsonNode hcl(Path r, String file) throws IOException, InterruptedException {
    Path f = r.resolve(file);
    return Hcl2Json.parseAll(List.of(f)).get(RepoFiles.root().relativize(f.toAbsolutePath()).toString());
  }

  private static List<String> environmentFile(Path r, String file) throws IOException {
    return Files.readAllLines(r.resolve(file.substring(1))).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  private static Map<String, String> passwd(Path r) throws IOException {
    Map<String, String> users = new LinkedHashMap<>();
    for (String line : Files.readAllLines(r.resolve("etc/passwd"), StandardCharsets.UTF_8)) {
      users.put(line.substring(0, line.indexOf(':')), line);
    }
    return users;
  }

  /** Enabled for boot: the link systemctl enable makes (absolute, so it is read, not followed). */
  private static boolean enabled(Path r, String unit) throws IOException {
    Path link = r.resolve("etc/systemd/system/multi-user.target.wants/" + unit);
    return Files.isSymbolicLink(link) && Files.exists(r.resolve(Files.readSymbolicLink(link).toString().substring(1)));
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
