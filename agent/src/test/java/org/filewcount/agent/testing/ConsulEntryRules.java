package org.filewcount.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The rules Consul applies when a config entry is written (its Validate/Normalize code, the unknown-field check of
 * its decoder, and the discovery-chain compilation that follows a router, splitter or resolver write), applied to
 * our entries as JSON. The lists these rules use are facts in src/test/resources/hashicorp/
 * consul-1.22-config-entry-rules.json, whose {@code _source} cites the Consul files and commits. Each problem is one
 * line naming the entry and the field, in Consul's terms.
 */
public final class ConsulEntryRules {

  static final String RESOURCE = "consul-1.22-config-entry-rules.json";

  private final JsonNode facts;

  private ConsulEntryRules(JsonNode facts) {
    this.facts = facts;
  }

  public static ConsulEntryRules load() {
    return new ConsulEntryRules(HashiCorpFacts.load(RESOURCE));
  }

  /** Every problem of every entry, checking cross references (protocols, subsets) within {@code entries}. */
  public List<String> check(Collection<JsonNode> entries) {
    List<String> problems = new ArrayList<>();
    for (JsonNode e : entries) {
      String id = e.path("Kind").asText("?") + "/" + e.path("Name").asText("?");
      new ConsulEntryCheck(facts, id, e, entries, problems).run();
    }
    return problems;
  }
}
