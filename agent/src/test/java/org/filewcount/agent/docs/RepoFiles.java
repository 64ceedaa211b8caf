package org.filewcount.agent.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The repository's own files, for tests that check documentation and infrastructure files. */
public final class RepoFiles {

  private static final Set<String> SKIPPED = Set.of(".git", "target", "node_modules", ".local", ".mvn", "results");

  private RepoFiles() {}

  /** The repository root: the pom passes it as {@code repo.root}; from an IDE, the parent of agent/. */
  public static Path root() {
    String configured = System.getProperty("repo.root");
    Path root = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent();
    return root.toAbsolutePath().normalize();
  }

  /** Every file under the root whose name ends with {@code suffix}, outside build output and caches. */
  public static List<Path> withSuffix(String suffix) {
    try (Stream<Path> walk = Files.walk(root())) {
      return walk
          .filter(p -> root().relativize(p).toString().isEmpty() || !skipped(root().relativize(p)))
          .filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(suffix))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      if (SKIPPED.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }
}
