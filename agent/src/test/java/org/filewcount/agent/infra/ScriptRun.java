package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.testing.RepoFiles;

/** Runs a repository script with bash, and writes the stub commands that stand in for docker, consul, sudo, .... */
final class ScriptRun {

  record Result(int exit, String output, long millis) {}

  private ScriptRun() {
  }

  /** bash -c SCRIPT in the repository root, stdout and stderr together; ENV is added to (or replaces) ours. */
  static Result bash(Map<String, String> env, String script) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script)
        .directory(RepoFiles.root().toFile())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("script finished: " + script).isTrue();
    return new Result(p.exitValue(), out, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** An executable bash stub BIN/NAME whose body is BODY (it sees its arguments as "$@"). */
  static Path stub(Path bin, String name, String body) throws IOException {
    Files.createDirectories(bin);
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** Writes TEXT to DIR/RELATIVE, creating the folders. */
  static Path file(Path dir, String relative, String text) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }
}
