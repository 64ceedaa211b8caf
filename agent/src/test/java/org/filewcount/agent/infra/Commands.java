package org.filewcount.agent.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.testing.TargetFiles;

/** Runs the external tools the IaC tests check with (ansible, debootstrap, systemd-analyze, npm) and keeps their output. */
final class Commands {

  private Commands() {}

  /** What a finished command left: exit code and stdout+stderr together. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /**
   * Runs the command in dir with extra environment, output to a log file (long runs print a lot), and
   * fails naming the Debian package when the program is missing.
   */
  static Result run(Path dir, Map<String, String> env, Duration timeout, String debianPackage, List<String> command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(TargetFiles.folder(), "cmd-", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new AssertionError(command.get(0) + " is not installed: apt-get install " + debianPackage
            + " (make test installs it: scripts/test)", e);
      }
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout.toSeconds()
            + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

}
