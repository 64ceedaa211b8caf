package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.filewcount.agent.infra.ScriptRun.Result;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/doctor, the read-only preflight: stub commands on PATH and a fake /proc, /sys and /opt (DOCTOR_ROOT)
 * make a ready machine and one where every check fails; then one real run on this machine, which has a docker
 * client and no daemon.
 */
class DoctorTest {

  @TempDir
  Path tmp;

  private HttpServer agents;

  @AfterEach
  void stopAgents() {
    if (agents != null) {
      agents.stop(0);
    }
  }

  /** A machine that is ready: 4 cores at 2.5 GHz, 8 GiB, cgroup v2, br_netfilter, the CNI plugins, docker. */
  private Path readyRoot() throws IOException {
    Path root = tmp.resolve("root");
    ScriptRun.file(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 2500.000\n".repeat(4));
    ScriptRun.file(root, "proc/meminfo", "MemTotal:        8388608 kB\nMemFree:         4000000 kB\n");
    ScriptRun.file(root, "proc/net/tcp", "  sl  local_address rem_address   st\n");
    ScriptRun.file(root, "sys/fs/cgroup/cgroup.controllers", "cpu memory io\n");
    Files.createDirectories(root.resolve("sys/module/br_netfilter"));
    ScriptRun.file(root, "proc/sys/net/bridge/bridge-nf-call-iptables", "1\n");
    for (String plugin : List.of("loopback", "bridge", "host-local", "firewall", "portmap")) {
      ScriptRun.stub(root.resolve("opt/cni/bin"), plugin, "exit 0");
    }
    return root;
  }

  /** Stubs that answer like a ready machine's commands. */
  private Path readyBin() throws IOException {
    Path bin = tmp.resolve("bin");
    ScriptRun.stub(bin, "docker", "echo 28.1.1");
    ScriptRun.stub(bin, "consul", "echo 'Consul v1.22.7'; echo 'Revision 1234'");
    ScriptRun.stub(bin, "nomad", "echo 'Nomad v1.10.5'; echo 'BuildDate 2025'");
    ScriptRun.stub(bin, "id", "echo 0");
    for (String tool : List.of("java", "unzip", "ip")) {
      ScriptRun.stub(bin, tool, "exit 0");
    }
    // 100 GiB free wherever asked, so the host's own disks do not decide the ready case.
    ScriptRun.stub(bin, "df", "printf 'Filesystem 1024-blocks Used Available Capacity Mounted\\n/dev/x 1 1 104857600 1%% /\\n'");
    return bin;
  }

  private Map<String, String> env(Path root, Path bin) {
    Map<String, String> env = new HashMap<>();
    env.put("DOCTOR_ROOT", root.toString());
    // /usr/bin and /bin only: the real docker client in /usr/local/bin stays out of the stubbed runs.
    env.put("PATH", bin + ":/usr/bin:/bin");
    env.put("CONSUL_HTTP_ADDR", "http://127.0.0.1:1");
    env.put("NOMAD_ADDR", "http://127.0.0.1:1");
    env.put("TMPDIR", tmp.toString());
    return env;
  }

  /**
   * scripts/doctor in a copy of what it reads (scripts/, the job files, versions.env), so a .local/ left by a
   * real make up in this checkout (downloaded consul, nomad, CNI plugins) does not decide the stubbed cases.
   */
  private String stubbedDoctor() throws IOException {
    Path copy = tmp.resolve("repo");
    if (!Files.exists(copy)) {
      for (String dir : List.of("scripts", "nomad")) {
        try (Stream<Path> files = Files.list(RepoFiles.resolve(dir))) {
          for (Path f : files.toList()) {
            Path target = Files.createDirectories(copy.resolve(dir)).resolve(f.getFileName());
            Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
      Files.copy(RepoFiles.resolve("versions.env"), copy.resolve("versions.env"));
    }
    return copy.resolve("scripts/doctor").toString();
  }

  private static List<String> failLines(Result r) {
    return r.output().lines().filter(l -> l.startsWith("FAIL")).toList();
  }

  @Test
  void aReadyMachineExitsZero() throws Exception {
    Result r = ScriptRun.bash(env(readyRoot(), readyBin()), stubbedDoctor());

    assertThat(failLines(r)).as(r.output()).isEmpty();
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("ok    docker       the daemon answers (Docker 28.1.1)")
        .contains("ok    consul       1.22.7 at ").contains("ok    cpu          10000 MHz on 4 cores")
        .contains("ok    memory       8192 MiB").contains("all of loopback bridge host-local firewall portmap")
        .endsWith("Ready for make up.\n");
  }

  @Test
  void everyProblemIsOneFailLineWithItsFix() throws Exception {
    Path root = readyRoot();
    ScriptRun.file(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 2000.000\n");
    ScriptRun.file(root, "proc/meminfo", "MemTotal:        2097152 kB\n");
    Files.delete(root.resolve("sys/fs/cgroup/cgroup.controllers"));
    Files.delete(root.resolve("sys/module/br_netfilter"));
    Files.delete(root.resolve("opt/cni/bin/firewall"));
    // 8500 (0x2134) listening, and no Consul answers there.
    ScriptRun.file(root, "proc/net/tcp", "  sl  local_address rem_address   st\n"
        + "   0: 0100007F:2134 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 1 1\n");
    Path bin = readyBin();
    ScriptRun.stub(bin, "docker", "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1");
    ScriptRun.stub(bin, "consul", "echo 'Consul v1.21.3'");
    ScriptRun.stub(bin, "id", "echo 1000");
    ScriptRun.stub(bin, "sudo", "echo 'sudo: a password is required' >&2; exit 1");
    ScriptRun.stub(bin, "modinfo", "exit 1");
    ScriptRun.stub(bin, "uname", "[ \"$1\" = -m ] && echo aarch64 || echo Linux");
    ScriptRun.stub(bin, "df", "printf 'Filesystem 1024-blocks Used Available Capacity Mounted\\n/dev/x 1000 900 100 90%% /\\n'");
    Files.delete(bin.resolve("nomad"));
    // A Docker network from Docker's 172.17-31 pools, covering Nomad's bridge subnet.
    ScriptRun.stub(bin, "ip", "echo '7: br-1a2b    inet 172.26.0.1/16 brd 172.26.255.255 scope global br-1a2b'");

    Result r = ScriptRun.bash(env(root, bin), stubbedDoctor());

    assertThat(r.exit()).as(r.output()).isEqualTo(1);
    List<String> fails = failLines(r);
    assertThat(fails).allSatisfy(line -> assertThat(line).contains("Fix: "));
    assertThat(String.join("\n", fails))
        .contains("FAIL  docker       the docker client is installed but no daemon answers (Cannot connect")
        .contains("sudo systemctl start docker")
        .contains("FAIL  root         sudo needs a password")
        .contains("FAIL  cgroup       /sys/fs/cgroup is not cgroup v2")
        .contains("FAIL  br_netfilter the kernel module is not available")
        .contains("FAIL  cni          /opt/cni/bin lacks: firewall")
        .contains("FAIL  consul       consul at " + bin.resolve("consul") + " is 1.21.3, outside the supported 1.22.x")
        .contains("FAIL  nomad        not on PATH")
        .contains("FAIL  ports        in use by something else: 8500.")
        // the reservations themselves: MachineSizeTest keeps them equal to the job files
        .containsPattern("FAIL  cpu          2000 MHz on 1 cores, the jobs reserve \\d+ MHz")
        .containsPattern("FAIL  memory       2048 MiB, the jobs reserve \\d+ MiB")
        .contains("the allocations' ephemeral disks (.local/nomad-alloc) take")
        .contains("FAIL  bridge       Nomad's bridge subnet 172.26.64.1/20 overlaps br-1a2b (172.26.0.1/16)");
    assertThat(fails).hasSize(13);
    assertThat(r.output()).contains("13 problem(s)");
  }

  @Test
  void portsHeldByThisStacksOwnAgentsAndJobsAreFineSoUpCanRunTwice() throws Exception {
    Map<String, String> jobStatus = new HashMap<>(Map.of("observability", "running", "filewcount-gateway", "running"));
    agents = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    agents.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String body = switch (path) {
        case "/v1/status/leader" -> "\"127.0.0.1:8300\"";
        case "/v1/agent/health" -> "{\"client\":{\"ok\":true},\"server\":{\"ok\":true}}";
        default -> path.startsWith("/v1/job/") && jobStatus.containsKey(path.substring(8))
            ? "{\"Status\":\"" + jobStatus.get(path.substring(8)) + "\"}" : null;
      };
      byte[] bytes = body == null ? "not found".getBytes(StandardCharsets.UTF_8) : body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    agents.start();
    String address = "http://127.0.0.1:" + agents.getAddress().getPort();
    Path root = readyRoot();
    // 8500 Consul, 4646 Nomad, 8080 the gateway job, 3000 the observability job (ports in hex).
    StringBuilder tcp = new StringBuilder("  sl  local_address rem_address   st\n");
    for (int port : List.of(8500, 4646, 8080, 3000)) {
      tcp.append(String.format("   0: 00000000:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 1 1%n", port));
    }
    ScriptRun.file(root, "proc/net/tcp6", tcp.toString());
    Path bin = readyBin();
    // Not root, and sudo would ask for a password: not needed while the stack's Nomad runs.
    ScriptRun.stub(bin, "id", "echo 1000");
    ScriptRun.stub(bin, "sudo", "exit 1");
    Map<String, String> env = env(root, bin);
    env.put("CONSUL_HTTP_ADDR", address);
    env.put("NOMAD_ADDR", address);

    Result again = ScriptRun.bash(env, stubbedDoctor());
    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.output()).contains("ok    ports ").contains("ok    root         not needed: Nomad already answers");

    jobStatus.put("observability", "dead");
    Result stopped = ScriptRun.bash(env, stubbedDoctor());
    assertThat(stopped.exit()).isEqualTo(1);
    assertThat(failLines(stopped)).containsExactly(
        "FAIL  ports        in use by something else: 3000. Fix: stop what listens there (sudo ss -ltnp | grep -E ':(3000) ' names it)");
  }

  @Test
  void argumentsAreAUsageError() throws Exception {
    Result r = ScriptRun.bash(Map.of(), "scripts/doctor --fix");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output()).contains("usage: scripts/doctor");
  }

  /** The real machine: here (and in CI) a docker client in /usr/local/bin and no daemon. */
  @Test
  void onThisMachineItNamesDockerWritesNothingAndIsQuick() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path temp = Files.createDirectories(tmp.resolve("tmp"));
    List<String> before = repoState();

    Result r = ScriptRun.bash(Map.of("HOME", home.toString(), "TMPDIR", temp.toString()), "scripts/doctor");

    if (dockerDaemonAnswers()) {
      // A reviewer's machine with Docker running: the same run, with Docker found.
      assertThat(r.output()).contains("ok    docker       the daemon answers");
    } else {
      assertThat(r.exit()).as(r.output()).isEqualTo(1);
      // A client without a daemon (this build machine) or no Docker at all (a fresh one): named, with the fix.
      assertThat(failLines(r)).anySatisfy(line -> assertThat(line).startsWith("FAIL  docker ")
          .containsAnyOf("no daemon answers", "not installed").contains("sudo systemctl start docker"));
    }
    try (Stream<Path> written = Files.list(home); Stream<Path> temps = Files.list(temp)) {
      assertThat(written).as("files written in HOME").isEmpty();
      assertThat(temps).as("files written in TMPDIR").isEmpty();
    }
    assertThat(repoState()).as("files written in the repository").isEqualTo(before);
    // The bound; a run takes about 0.2 s here.
    assertThat(r.millis()).as("scripts/doctor took %d ms", r.millis()).isLessThan(5_000);
  }

  private static boolean dockerDaemonAnswers() throws Exception {
    return ScriptRun.bash(Map.of(), "timeout 4 docker info >/dev/null 2>&1").exit() == 0;
  }

  /** Every file git sees, ignored ones too, outside the build's own output; and whether .local exists. */
  private static List<String> repoState() throws Exception {
    Result status = ScriptRun.bash(Map.of(), "git status --porcelain --ignored --untracked-files=all");
    List<String> lines = new java.util.ArrayList<>(status.output().lines()
        .filter(l -> !l.contains("/target/") && !l.contains("node_modules/")).toList());
    lines.add(".local exists: " + Files.exists(RepoFiles.resolve(".local")));
    return lines;
  }
}
