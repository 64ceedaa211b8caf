package org.filewcount.agent.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/** Every relative link in the repository's Markdown resolves to a file, and to a heading when it names one. */
class MarkdownLinksTest {

  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$", Pattern.MULTILINE);
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```");

  @Test
  void relativeLinksResolve() throws IOException {
    List<Path> markdown = RepoFiles.filesEndingWith(".md");
    assertThat(markdown).as("Markdown files under %s", RepoFiles.root()).isNotEmpty();
    List<String> broken = new ArrayList<>();
    for (Path file : markdown) {
      String text = FENCE.matcher(Files.readString(file)).replaceAll("");
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // http:, https:, mailto:
        }
        String where = RepoFiles.root().relativize(file) + " -> " + target;
        int hash = target.indexOf('#');
        String pathPart = hash >= 0 ? target.substring(0, hash) : target;
        String anchor = hash >= 0 ? target.substring(hash + 1) : null;
        Path resolved = pathPart.isEmpty() ? file : file.getParent().resolve(pathPart).normalize();
        if (!Files.exists(resolved)) {
          broken.add(where + " (no such file)");
        } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
          broken.add(where + " (no heading with that anchor)");
        }
      }
    }
    assertThat(broken).as("broken relative links").isEmpty();
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
  static Set<String> anchors(Path markdown) throws IOException {
    String text = FENCE.matcher(Files.readString(markdown)).replaceAll("");
    Set<String> anchors = new HashSet<>();
    Matcher m = HEADING.matcher(text);
    while (m.find()) {
      String slug = m.group(1).toLowerCase(Locale.ROOT)
          .replaceAll("`", "")
          .replaceAll("[^\\p{L}\\p{N} _-]", "")
          .replace(' ', '-');
      String candidate = slug;
      for (int i = 1; !anchors.add(candidate); i++) {
        candidate = slug + "-" + i;
      }
    }
    return anchors;
  }
}
