package org.filewcount.agent.split;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;

/** JSON renderings the CLI prints (dry-run plans, events), kept beside the types they render. */
public final class TrafficJson {

  private TrafficJson() {}

  /**
   * A --dry-run plan: the entries in write order, each exactly as it would be PUT to /v1/config (the
   * resolver can appear twice: subsets added before the splitter, unused ones removed after it).
   */
  public static ArrayNode entries(List<EntryWrite> plan) {
    ArrayNode arr = Json.MAPPER.createArrayNode();
    plan.forEach(w -> arr.add(w.entry()));
    return arr;
  }

  public static String pretty(Object value) {
    return Json.pretty(value);
  }

  public static String compact(Object value) {
    return Json.write(value);
  }
}
