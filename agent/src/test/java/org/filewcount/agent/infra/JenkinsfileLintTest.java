package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * The Jenkinsfile through a real Groovy/Jenkinsfile linter: npm-groovy-lint (CodeNarc with its Jenkins
 * rules), pinned by tools/groovy-lint's lock file and installed by this test into target/ with npm ci.
 * Errors fail the build; warnings (style) are printed by the linter and left to review.
 */
class JenkinsfileLintTest {

  @Test
  void theJenkinsfileHasNoLintErrors() throws Exception {
    Path lint = install();
    Commands.Result r = Commands.run(RepoFiles.root(), Map.of(), Duration.ofMinutes(8), "nodejs npm",
        List.of(lint.resolve("node_modules/.bin/npm-groovy-lint").toString(),
            "--failon", "error", "--noserver", "--output", "txt", "Jenkinsfile"));
    assertThat(r.output()).as("npm-groovy-lint ran").contains("linted files");
    assertThat(r.exitCode()).as("npm-groovy-lint --failon error:\n%s", r.output()).isZero();
  }

  /** npm ci into target/groovy-lint from the committed package.json and lock file, once per clean build. */
  private static Path install() throws IOException, InterruptedException {
    Path dir = Path.of("target", "groovy-lint").toAbsolutePath();
    Path tool = RepoFiles.resolve("tools/groovy-lint");
    if (Files.isExecutable(dir.resolve("node_modules/.bin/npm-groovy-lint"))
        && Files.mismatch(tool.resolve("package-lock.json"), dir.resolve("package-lock.json")) == -1) {
      return dir;
    }
    Files.createDirectories(dir);
    for (String f : List.of("package.json", "package-lock.json")) {
      Files.copy(tool.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    Commands.Result npm = Commands.run(dir, Map.of(), Duration.ofMinutes(5), "nodejs npm",
        List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
    assertThat(npm.exitCode()).as("npm ci of npm-groovy-lint (is the npm registry reachable?):\n%s", npm.output()).isZero();
    return dir;
  }
}
