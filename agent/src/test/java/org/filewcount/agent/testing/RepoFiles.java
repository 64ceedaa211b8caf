package org.filewcount.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The repository the tests check: {@code repo.root} (set by the pom), else the parent of the module. */
public final class RepoFiles {

  private static final Set<String> SKIPPED_DIRS =
      Set.of(".git", "target", "node_modules", ".local", ".mvn", "results");

  private RepoFiles() {}

  public static Path root() {
    String configured = System.getProperty("repo.root");
    Path root = (configured != null && !configured.isBlank() ? Path.of(configured) : Path.of(".."))
        .toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("versions.env"))) {
      throw new IllegalStateException("repo.root " + root + " holds no versions.env: run the tests through ./mvnw");
    }
    return root;
  }

  public static Path resolve(String relative) {
    return root().resolve(relative);
  }

  public static String read(String relative) {
    try {
      return Files.readString(resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file under the repository (build output, dependencies and local state excluded) with that suffix. */
  public static List<Path> filesEndingWith(String suffix) {
    Path root = root();
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .filter(p -> Stream.of(root.relativize(p).toString().split("/")).noneMatch(SKIPPED_DIRS::contains))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
