package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the stack scripts do before they need Docker, Consul or Nomad: usage, failures that say what to check, sums. */
class ScriptsBehaviourTest {

  @TempDir
  Path tmp;

  private record Result(int exit, String output) {}

  private static Result bash(Map<String, String> env, String script) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script)
        .directory(RepoFiles.root().toFile())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  @Test
  void upgradeWithoutAVersionIsAUsageError() throws Exception {
    Result r = bash(Map.of(), "scripts/upgrade");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output()).contains("usage: scripts/upgrade VERSION");

    Result badInterval = bash(Map.of("INTERVAL", "1m"), "scripts/upgrade 2.0");
    assertThat(badInterval.exit()).isEqualTo(2);
    assertThat(badInterval.output()).contains("INTERVAL must be whole seconds");
  }

  @Test
  void aDownloadWhoseSumDiffersFromThePinIsRefusedAndDeleted() throws Exception {
    Path archive = tmp.resolve("consul.zip");
    Files.writeString(archive, "not the real consul");
    String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
    Path target = tmp.resolve("downloaded.zip");
    String call = ". scripts/lib.sh && step 'test download' && download_verified 'file://" + archive + "' '" + target + "' ";

    Result wrong = bash(Map.of(), call + "0000000000000000000000000000000000000000000000000000000000000000");
    assertThat(wrong.exit()).isEqualTo(1);
    assertThat(wrong.output()).contains("FAILED: SHA-256 of downloaded.zip is " + sum)
        .contains("versions.env pins 0000").contains("check:");
    assertThat(target).doesNotExist();

    Result right = bash(Map.of(), call + sum);
    assertThat(right.exit()).as(right.output()).isZero();
    assertThat(right.output()).contains("verified SHA-256 of downloaded.zip");
    assertThat(target).hasContent("not the real consul");
  }

  @Test
  void upRunsThePreflightFirstAndStopsThereWhenItFails() throws Exception {
    // A docker whose daemon never answers, whatever this machine has: the preflight fails on it.
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path docker = bin.resolve("docker");
    Files.writeString(docker, "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n");
    docker.toFile().setExecutable(true);
    boolean localBefore = Files.exists(RepoFiles.resolve(".local"));

    Result r = bash(Map.of("PATH", bin + ":/usr/bin:/bin"), "scripts/up");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("==> Preflight (scripts/doctor")
        .contains("FAIL  docker       the docker client is installed but no daemon answers")
        .contains("FAILED: the preflight found problems")
        .contains("make diag")
        .doesNotContain("==> Consul");
    assertThat(Files.exists(RepoFiles.resolve(".local"))).as(".local created").isEqualTo(localBefore);
  }
}
