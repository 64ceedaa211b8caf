package org.filewcount.agent.observability;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The keys a configuration file may use, as a tree: a {@code Map} lists the keys of an object (key
 * {@code "*"}: any key, with that subtree), a one-element {@code List} says "a list of these", and
 * {@link #ANY} accepts any value. Neither Loki, Grafana nor the collector runs on the build machines,
 * so their files are checked against the keys their documentation lists at the pinned version.
 */
final class AllowedKeys {

  static final Object ANY = new Object();

  private AllowedKeys() {
  }

  /** Every key of {@code node} that {@code spec} does not allow, as a path. */
  static List<String> unknown(JsonNode node, Object spec, String path) {
    List<String> problems = new ArrayList<>();
    check(node, spec, path, problems);
    return problems;
  }

  @SuppressWarnings("unchecked")
  private static void check(JsonNode node, Object spec, String path, List<String> problems) {
    if (spec == ANY) {
      return;
    }
    if (spec instanceof List<?> list) {
      if (!node.isArray()) {
        problems.add(path + ": a list is expected");
        return;
      }
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), list.get(0), path + "[" + i + "]", problems);
      }
      return;
    }
    Map<String, Object> keys = (Map<String, Object>) spec;
    if (!node.isObject()) {
      problems.add(path + ": a mapping is expected");
      return;
    }
    node.fields().forEachRemaining(field -> {
      Object child = keys.containsKey(field.getKey()) ? keys.get(field.getKey()) : keys.get("*");
      if (child == null) {
        problems.add(path + "." + field.getKey() + ": not a key the pinned version documents here " + keys.keySet());
      } else {
        check(field.getValue(), child, path + "." + field.getKey(), problems);
      }
    });
  }
}
