package org.filewcount.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves something new in {@code java.io.tmpdir}. Registered for every class through
 * JUnit's extension auto-detection (src/test/resources/META-INF/services and junit-platform.properties).
 *
 * <p>The pom points {@code java.io.tmpdir} of the test JVMs at {@code target/test-tmp}, so a leak lands under
 * target/ and no other build on the machine can add entries that would be blamed on this one. Tests keep what
 * they want to read afterwards under target/ ({@link TargetFiles}) and delete what they put in tmpdir; JUnit's
 * own {@code @TempDir} folders ({@code junit*}) are deleted by JUnit after this check runs, so they are skipped.
 */
public final class TmpLeakCheck implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TmpLeakCheck.class);

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    context.getStore(NS).put("before", entries());
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    @SuppressWarnings("unchecked")
    Set<String> before = context.getStore(NS).get("before", Set.class);
    Set<String> left = new TreeSet<>(entries());
    left.removeAll(before);
    if (!left.isEmpty()) {
      throw new AssertionError(context.getRequiredTestClass().getSimpleName() + " left " + left + " in "
          + tmpdir() + ": delete what a test creates there, or create it under target/ (TargetFiles.folder())"
          + " or in a @TempDir");
    }
  }

  static Path tmpdir() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /** Names in tmpdir but JUnit's @TempDir folders; creates tmpdir when the pom's target/test-tmp is not there yet. */
  static Set<String> entries() throws IOException {
    Path dir = Files.createDirectories(tmpdir());
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("junit"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
