package org.filewcount.agent.observability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.testing.TargetFiles;

/**
 * Runs the real promtool (Debian package {@code prometheus}). A missing promtool fails the test with the
 * fix in the message instead of skipping it: these checks are the only proof the rules and alerts work.
 */
final class Promtool {

  /** {@code output} is stdout then stderr, for messages; {@code stdout} alone for what promtool prints as data. */
  record Result(int exitCode, String stdout, String stderr) {
    String output() {
      return stdout + stderr;
    }
  }

  private static final long TIMEOUT_SECONDS = 120;

  private final Path executable;

  private Promtool(Path executable) {
    this.executable = executable;
  }

  /** promtool from {@code PROMTOOL} if set, else from PATH. */
  static Promtool locate() {
    String configured = System.getenv("PROMTOOL");
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      if (!Files.isExecutable(path)) {
        throw new AssertionError("PROMTOOL=" + configured + " is not an executable file");
      }
      return new Promtool(path);
    }
    String pathVariable = System.getenv().getOrDefault("PATH", "");
    for (String dir : pathVariable.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return new Promtool(candidate);
      }
    }
    throw new AssertionError("promtool not found on PATH. Install it with `apt-get install -y prometheus` "
        + "(Debian package, as .ci/run does) or point PROMTOOL at the binary.");
  }

  Result run(Path workDir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(List.of(args));
    try {
      // stderr to a file: promtool logs there while the data goes to stdout, and two pipes read
      // one after the other could fill up and block it.
      Path stderrFile = Files.createTempFile(TargetFiles.folder(), "promtool", ".stderr");
      try {
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
            .redirectError(stderrFile.toFile()).start();
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
            Files.readString(stderrFile, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(stderrFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running promtool", e);
    }
  }
}
