package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's test command (make test = scripts/test, and .ci/run is exactly that), run in a sandbox: a copy of
 * the script beside a stub ./mvnw, and a PATH that holds bash and the few programs the script uses plus stubs
 * of id, java, apt-get and sudo that record how they were called. "Installing" copies stubs of every tool
 * of the script's table onto that PATH, as apt-get would put the real ones there.
 */
class TestCommandTest {

  @TempDir
  Path tmp;

  private Path repo;
  private Path bin;
  private Path log;
  private Path installable;

  private record Run(int exit, String output) {}

  /** command | package | why: the script's own table, so that a new line there needs no change here. */
  private record Tool(String command, String pkg) {}

  @BeforeEach
  void sandbox() throws IOException {
    repo = Files.createDirectories(tmp.resolve("repo/scripts")).getParent();
    Files.copy(RepoFiles.resolve("scripts/test"), repo.resolve("scripts/test"));
    bin = Files.createDirectories(tmp.resolve("bin"));
    log = Files.createDirectories(tmp.resolve("log"));
    installable = Files.createDirectories(tmp.resolve("installable"));
    for (String real : List.of("bash", "env", "dirname", "sed", "tr", "cp")) {
      Path found = Path.of("/usr/bin", real);
      Files.createSymbolicLink(bin.resolve(real), Files.exists(found) ? found : Path.of("/bin", real));
    }
    stub(repo.resolve("mvnw"), "echo \"$*\" >> '" + log.resolve("mvnw") + "'; echo 'mvnw stub ran'");
    stub(bin.resolve("apt-get"), "echo \"$*\" >> '" + log.resolve("apt-get") + "'\n"
        + "[ \"$1\" != install ] || cp '" + installable + "'/* '" + bin + "'/");
    stub(bin.resolve("sudo"), "echo \"$*\" >> '" + log.resolve("sudo") + "'\n"
        + "[ \"$1\" = -n ] && shift\n"
        + "if [ \"$1\" = true ]; then [ -z \"${SUDO_NEEDS_PASSWORD:-}\" ] && exit 0; echo 'sudo: a password is required' >&2; exit 1; fi\n"
        + "exec \"$@\"");
    stub(bin.resolve("id"), "[ \"$1\" = -u ] && echo \"${STUB_UID:-0}\"");
    stub(bin.resolve("java"), "echo \"    java.specification.version = ${STUB_JAVA:-17}\" >&2");
    stub(bin.resolve("javac"), "exit 0");
    for (Tool t : tools()) {
      stub(installable.resolve(t.command()), t.command().equals("node") ? "echo v18.19.0" : "exit 0");
    }
  }

  @Test
  void theTableHoldsEveryToolTheSuiteRuns() throws IOException {
    assertThat(tools()).extracting(Tool::command).contains("promtool", "prometheus", "amtool",
        "prometheus-alertmanager", "shellcheck", "nginx", "wrk", "node", "npm", "ansible-playbook", "ansible-lint",
        "debootstrap", "jq", "systemd-analyze");
    assertThat(tools()).contains(new Tool("amtool", "prometheus-alertmanager"), new Tool("node", "nodejs"),
        new Tool("ansible-playbook", "ansible"), new Tool("systemd-analyze", "systemd"));
  }

  @Test
  void asRootTheMissingToolsComeFromAptGetDirectlyThenMavenVerifies() throws Exception {
    Run r = run(Map.of("STUB_UID", "0"));

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(calls("apt-get")).containsExactly("update -qq",
        "install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends " + String.join(" ", packages()));
    assertThat(calls("sudo")).isEmpty();
    for (Tool t : tools()) {
      assertThat(r.output()).contains("missing " + t.command() + " (Debian package " + t.pkg() + "): ");
    }
    assertThat(calls("mvnw")).containsExactly("-B verify");
  }

  @Test
  void notRootTheInstallGoesThroughSudoWithoutAPrompt() throws Exception {
    Run r = run(Map.of("STUB_UID", "1000"));

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(calls("sudo")).containsExactly("-n true", "-n apt-get update -qq",
        "-n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "
            + String.join(" ", packages()));
    assertThat(calls("apt-get")).hasSize(2);
    assertThat(calls("mvnw")).containsExactly("-B verify");
  }

  @Test
  void whenSudoWantsAPasswordItStopsWithTheExactCommandToRun() throws Exception {
    Run r = run(Map.of("STUB_UID", "1000", "SUDO_NEEDS_PASSWORD", "yes"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("sudo asks for a password")
        .contains("fix: sudo apt-get update && sudo apt-get install -y --no-install-recommends "
            + String.join(" ", packages()) + "; then run make test again");
    assertThat(calls("apt-get")).isEmpty();
    assertThat(calls("mvnw")).isEmpty();
  }

  @Test
  void notRootWithoutSudoItSaysWhatToRunAsRoot() throws Exception {
    Files.delete(bin.resolve("sudo"));
    Run r = run(Map.of("STUB_UID", "1000"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("sudo is not installed")
        .contains("fix: as root: apt-get update && apt-get install -y --no-install-recommends "
            + String.join(" ", packages()));
    assertThat(calls("apt-get")).isEmpty();
  }

  @Test
  void aFailedInstallStopsItBeforeMaven() throws Exception {
    stub(bin.resolve("apt-get"), "echo \"$*\" >> '" + log.resolve("apt-get") + "'; [ \"$1\" != install ]");
    Run r = run(Map.of("STUB_UID", "0"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("FAILED: apt-get install prometheus").contains("failed (its message is above)");
    assertThat(calls("mvnw")).isEmpty();
  }

  @Test
  void withNothingMissingItInstallsNothingAndPassesArgumentsToMaven() throws Exception {
    installAll();
    Run r = run(Map.of("STUB_UID", "1000"));

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).doesNotContain("missing");
    assertThat(calls("apt-get")).isEmpty();
    assertThat(calls("sudo")).isEmpty();
    assertThat(calls("mvnw")).containsExactly("-B verify");

    Run withArgs = run(Map.of(), "-Dtest=FooTest", "-o");
    assertThat(withArgs.exit()).isZero();
    assertThat(calls("mvnw")).containsExactly("-B verify", "-B verify -Dtest=FooTest -o");
  }

  @Test
  void withoutAptGetItNamesWhatIsMissingAndInstallsNothing() throws Exception {
    Files.delete(bin.resolve("apt-get"));
    Run r = run(Map.of("STUB_UID", "0"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("FAILED: missing promtool prometheus amtool")
        .contains("no apt-get").contains("fix: install promtool");
    assertThat(calls("mvnw")).isEmpty();
  }

  @Test
  void javaOlderThan17StopsItBeforeAnythingIsInstalled() throws Exception {
    Run old = run(Map.of("STUB_JAVA", "11"));
    assertThat(old.exit()).isEqualTo(1);
    assertThat(old.output()).contains("FAILED: Java 17 or newer is needed to build and test (found: 11)")
        .contains("fix: sudo apt-get install -y openjdk-17-jdk-headless");

    Files.delete(bin.resolve("java"));
    Run none = run(Map.of());
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.output()).contains("(found: none)");
    assertThat(calls("apt-get")).isEmpty();
    assertThat(calls("mvnw")).isEmpty();
  }

  @Test
  void nodeOlderThan18IsRefusedWithTheFix() throws Exception {
    installAll();
    stub(bin.resolve("node"), "echo v12.22.9");
    Run r = run(Map.of());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("node v12.22.9 is too old").contains("Node 18 or newer");
    assertThat(calls("mvnw")).isEmpty();
  }

  @Test
  void ciRunsExactlyTheReadmeTestCommand() throws IOException {
    List<String> commands = RepoFiles.read(".ci/run").lines().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(commands).containsExactly("set -euo pipefail", "cd \"$(dirname \"$0\")/..\"", "exec make test");
    assertThat(RepoFiles.read("Makefile")).contains("\ntest: ", "\n\tscripts/test\n");
    assertThat(RepoFiles.read("README.md").lines().limit(6)).anyMatch(l -> l.startsWith("make test "));
  }

  private void installAll() throws IOException {
    try (var files = Files.list(installable)) {
      for (Path f : files.toList()) {
        Files.copy(f, bin.resolve(f.getFileName()));
      }
    }
  }

  private Run run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(repo.resolve("scripts/test").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(Map.of("PATH", bin.toString(), "SBIN_DIRS", "", "HOME", tmp.toString()));
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private List<String> calls(String stub) throws IOException {
    Path f = log.resolve(stub);
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  private static void stub(Path path, String body) throws IOException {
    Files.writeString(path, "#!/bin/sh\n" + body + "\n");
    assertThat(path.toFile().setExecutable(true)).isTrue();
  }

  private static List<Tool> tools() throws IOException {
    String script = RepoFiles.read("scripts/test");
    String table = script.substring(script.indexOf("TOOLS='") + 7, script.indexOf("\n'\n", script.indexOf("TOOLS='")));
    return table.lines().filter(l -> l.contains("|")).map(l -> l.split("\\|"))
        .map(cols -> new Tool(cols[0].strip(), cols[1].strip())).toList();
  }

  private static List<String> packages() throws IOException {
    Set<String> unique = new LinkedHashSet<>();
    tools().forEach(t -> unique.add(t.pkg()));
    return List.copyOf(unique);
  }
}
