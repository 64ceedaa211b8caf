package org.filewcount.agent.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.filewcount.agent.testing.RepoFiles;

/**
 * A config entry file of consul/ as the JSON body of Consul's {@code PUT /v1/config}, for tests that write
 * the real entries into a real Consul: HCL files go through HashiCorp's parser, whose single blocks
 * ({@code Config { }}) come back as one-element arrays and are unwrapped here.
 */
public final class ConsulEntryFiles {

  /** Keys written as blocks in our HCL entries; lists of objects (Sources, Routes, Listeners) stay lists. */
  private static final Set<String> BLOCKS = Set.of("Config", "AccessLogs", "UpstreamConfig", "Defaults",
      "PassiveHealthCheck", "Limits", "LoadBalancer", "LeastRequestConfig", "RingHashConfig", "CookieConfig");

  private ConsulEntryFiles() {}

  public static ObjectNode read(String relativePath) throws Exception {
    JsonNode raw = relativePath.endsWith(".json")
        ? new ObjectMapper().readTree(RepoFiles.read(relativePath))
        : Hcl2Json.parse(relativePath);
    if (raw == null || !raw.isObject()) {
      throw new IllegalArgumentException(relativePath + " is not a config entry file");
    }
    return (ObjectNode) unwrapBlocks(raw.deepCopy());
  }

  private static JsonNode unwrapBlocks(JsonNode node) {
    if (node.isObject()) {
      ObjectNode obj = (ObjectNode) node;
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode value = e.getValue();
        if (BLOCKS.contains(e.getKey()) && value.isArray() && value.size() == 1 && value.get(0).isObject()) {
          value = value.get(0);
        }
        e.setValue(unwrapBlocks(value));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, unwrapBlocks(node.get(i)));
      }
    }
    return node;
  }
}
