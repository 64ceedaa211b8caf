package org.filewcount.agent.observability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The anchors GitHub generates for the headings of a Markdown file. */
final class MarkdownAnchors {

  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

  private MarkdownAnchors() {
  }

  static Set<String> of(Path markdown) {
    if (!Files.isRegularFile(markdown)) {
      throw new AssertionError(markdown + " does not exist");
    }
    Set<String> anchors = new TreeSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean inFence = false;
    for (String line : StackFiles.text(markdown).lines().toList()) {
      if (line.startsWith("```")) {
        inFence = !inFence;
        continue;
      }
      var heading = HEADING.matcher(line);
      if (inFence || !heading.matches()) {
        continue;
      }
      String slug = slug(heading.group(1));
      int count = seen.merge(slug, 1, Integer::sum);
      anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
    }
    return anchors;
  }

  /** GitHub's rule: lower case, drop everything but letters, digits, spaces, '-' and '_', spaces to '-'. */
  static String slug(String heading) {
    String text = heading.replaceAll("`", "").toLowerCase();
    return text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }
}
