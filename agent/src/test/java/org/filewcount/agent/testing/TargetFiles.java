package org.filewcount.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests keep files they create outside a {@code @TempDir}: {@code target/test-files} of the module (the
 * test JVM's working folder), so {@code mvn clean} removes them and nothing piles up in /tmp. Logs of child
 * processes go here so a failure can still be read after the run.
 */
public final class TargetFiles {

  private TargetFiles() {}

  public static Path folder() {
    try {
      return Files.createDirectories(Path.of("target", "test-files"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
