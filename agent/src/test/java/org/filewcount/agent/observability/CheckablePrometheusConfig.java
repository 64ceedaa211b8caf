package org.filewcount.agent.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * The stack's prometheus.yml with each job's {@code consul_sd_configs} replaced by a
 * {@code file_sd_configs} reading {@code <job>.sd.json}, and nothing else changed: Debian's promtool
 * is built without Consul discovery and refuses the original.
 */
final class CheckablePrometheusConfig {

  private CheckablePrometheusConfig() {
  }

  static ObjectNode from(JsonNode original) {
    ObjectNode copy = original.deepCopy();
    for (JsonNode job : copy.path("scrape_configs")) {
      ObjectNode scrape = (ObjectNode) job;
      if (scrape.has("consul_sd_configs")) {
        ObjectNode rebuilt = scrape.objectNode();
        // Same key order as the original, the discovery swapped in place.
        for (Iterator<Map.Entry<String, JsonNode>> it = scrape.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          if (field.getKey().equals("consul_sd_configs")) {
            ArrayNode fileSd = rebuilt.putArray("file_sd_configs");
            fileSd.addObject().putArray("files").add(sdFileName(scrape.path("job_name").asText()));
          } else {
            rebuilt.set(field.getKey(), field.getValue());
          }
        }
        scrape.removeAll();
        scrape.setAll(rebuilt);
      }
    }
    return copy;
  }

  static String sdFileName(String jobName) {
    return jobName + ".sd.json";
  }

  /** Writes the checkable config and the rule files beside it (rule_files are relative to the config). */
  static Path writeTo(Path dir) {
    try {
      JsonNode original = StackFiles.yaml(StackFiles.prometheusConfig());
      Path config = dir.resolve("prometheus.yml");
      StackFiles.YAML.writeValue(config.toFile(), from(original));
      Path rules = Files.createDirectories(dir.resolve("rules"));
      for (Path file : StackFiles.ruleFiles()) {
        Files.copy(file, rules.resolve(file.getFileName()));
      }
      return config;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the checkable Prometheus config to " + dir, e);
    }
  }
}
