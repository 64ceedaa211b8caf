package org.filewcount.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks up a fact's path in a JSON document: a JSON pointer whose segments may also be {@code name[key=value]}, the
 * element of array {@code name} whose field {@code key} equals {@code value} (array order is not a fact worth
 * pinning when the element has a name). The cross-checks against HashiCorp's artefacts state their facts this way.
 */
public final class FactPath {

  private static final Pattern SELECTOR = Pattern.compile("([^\\[]+)\\[([^=\\]]+)=([^\\]]*)]");

  private FactPath() {}

  /** The node at {@code path}, or a missing node when any segment does not resolve. */
  public static JsonNode find(JsonNode root, String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("a fact path starts with '/': " + path);
    }
    JsonNode node = root;
    for (String segment : path.substring(1).split("/")) {
      node = step(node, segment);
      if (node.isMissingNode()) {
        return node;
      }
    }
    return node;
  }

  private static JsonNode step(JsonNode node, String segment) {
    Matcher m = SELECTOR.matcher(segment);
    if (m.matches()) {
      JsonNode array = node.path(m.group(1));
      for (JsonNode element : array) {
        if (element.path(m.group(2)).asText().equals(m.group(3)) && element.has(m.group(2))) {
          return element;
        }
      }
      return MissingNode.getInstance();
    }
    if (node.isArray() && segment.chars().allMatch(Character::isDigit)) {
      return node.path(Integer.parseInt(segment));
    }
    return node.path(segment);
  }
}
