package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.filewcount.agent.testing.ConsulEntryRules;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every config entry file in consul/ against the rules Consul 1.22 applies when it is written (ConsulEntryRules:
 * kinds, required fields, unknown fields, router/splitter protocol, subset names and filters, weights, load
 * balancer, header matches, failover). The files are found by name, so a new entry is covered without a change here.
 */
class ConsulConfigEntriesCrossCheckTest {

  private static final ConsulEntryRules RULES = ConsulEntryRules.load();
  private static final Map<String, ObjectNode> FILES = new TreeMap<>();

  @BeforeAll
  static void readEntries() throws Exception {
    List<String> candidates = new ArrayList<>();
    RepoFiles.filesEndingWith(".hcl").forEach(p -> candidates.add(RepoFiles.root().relativize(p).toString()));
    RepoFiles.filesEndingWith(".json").forEach(p -> candidates.add(RepoFiles.root().relativize(p).toString()));
    for (String file : candidates) {
      if (file.startsWith("consul/") && !file.equals("consul/agent-dev.hcl")) {
        FILES.put(file, ConsulEntryFiles.read(file));
      }
    }
  }

  @Test
  void everyEntryFilePassesConsulsOwnChecks() {
    assertThat(FILES).containsKeys("consul/service-router.hcl", "consul/service-resolver.json",
        "consul/service-defaults.hcl", "consul/proxy-defaults.hcl");
    assertThat(RULES.check(new ArrayList<>(FILES.values()))).isEmpty();
  }

  /** A planted mistake of each kind, in a copy of the real entries, is reported naming the entry and field. */
  @Test
  void eachKindOfPlantedMistakeIsReported() {
    assertThat(mutated("consul/service-router.hcl", e -> e.put("Kind", "service-routr")))
        .anyMatch(p -> p.contains("'service-routr' is not a config entry kind"));
    assertThat(mutated("consul/service-router.hcl", e -> e.remove("Name")))
        .anyMatch(p -> p.contains("Name is required"));
    assertThat(mutated("consul/service-router.hcl", e -> destination(e).put("NumRetrys", 2)))
        .anyMatch(p -> p.contains("unknown field 'NumRetrys' in RouteDestination"));
    assertThat(mutated("consul/service-router.hcl", e -> destination(e).putArray("RetryOn").add("refused_stream")))
        .anyMatch(p -> p.contains("invalid retry condition: refused_stream"));
    assertThat(mutated("consul/service-router.hcl", e -> http(e).put("PathPrefix", "api")))
        .anyMatch(p -> p.contains("PathPrefix doesn't start with '/'"));
    assertThat(mutated("consul/service-router.hcl", e -> http(e).putArray("Header").addObject()
        .put("Name", "x-canary").put("Exact", "1").put("Prefix", "1")))
        .anyMatch(p -> p.contains("Header[0]: should only contain one of"));
    assertThat(mutated("consul/service-router.hcl", e -> destination(e).put("ServiceSubset", "v3")))
        .anyMatch(p -> p.contains("does not have a subset named 'v3'"));
    assertThat(mutated("consul/service-defaults.hcl", e -> e.put("Protocol", "tcp")))
        .anyMatch(p -> p.contains("service-router/filewcount Kind: discovery chain 'filewcount' uses a protocol 'tcp'"));

    assertThat(mutated("consul/service-resolver.json", e -> e.putObject("Subsets").putObject("V2")
        .put("Filter", "Service.Meta.version == \"2.0\"")))
        .anyMatch(p -> p.contains("Subset 'V2' is invalid"));
    assertThat(mutated("consul/service-resolver.json", e -> e.putObject("Subsets").putObject("v2")
        .put("Filter", "Service.Meta.version = \"2.0\"")))
        .anyMatch(p -> p.contains("Filter for subset 'v2' is not a valid expression"));
    assertThat(mutated("consul/service-resolver.json", e -> e.putObject("Subsets").putObject("v2")
        .put("Filter", "Service.Mta.version == \"2.0\"")))
        .anyMatch(p -> p.contains("Service has no field Mta"));
    assertThat(mutated("consul/service-resolver.json", e -> e.put("DefaultSubset", "v1")))
        .anyMatch(p -> p.contains("DefaultSubset 'v1' is not a valid subset"));
    assertThat(mutated("consul/service-resolver.json", e -> e.putObject("LoadBalancer").put("Policy", "ring_hash")
        .putObject("LeastRequestConfig").put("ChoiceCount", 2)))
        .anyMatch(p -> p.contains("LeastRequestConfig specified for incompatible load balancing policy 'ring_hash'"));
    assertThat(mutated("consul/service-resolver.json", e -> loadBalancer(e).put("Policy", "least_conn")))
        .anyMatch(p -> p.contains("'least_conn' is not supported"));
    assertThat(mutated("consul/service-resolver.json", e -> e.putObject("LoadBalancer").put("Policy", "least_request")
        .putArray("HashPolicies").addObject().put("Field", "cookie").put("FieldValue", "route")))
        .anyMatch(p -> p.contains("HashPolicies specified for non-hash-based Policy: 'least_request'"));
    assertThat(mutated("consul/service-resolver.json", e -> {
      ObjectNode lb = e.putObject("LoadBalancer").put("Policy", "ring_hash");
      ObjectNode hp = lb.putArray("HashPolicies").addObject().put("Field", "header").put("FieldValue", "x-user");
      hp.putObject("CookieConfig").put("Session", true);
    })).anyMatch(p -> p.contains("cookie_config provided for 'header'"));
    assertThat(mutated("consul/service-resolver.json", e -> e.putObject("LoadBalancer").put("Policy", "maglev")
        .putArray("HashPolicies").addObject().put("Field", "cookie")))
        .anyMatch(p -> p.contains("Field 'cookie' was specified without a FieldValue"));
    assertThat(mutated("consul/service-resolver.json", e -> e.putObject("Failover").putObject("v9")
        .put("Service", "other")))
        .anyMatch(p -> p.contains("Failover[v9]: not a valid subset"));
    assertThat(mutated("consul/service-resolver.json", e -> e.put("ConnectTimeout", "2 seconds")))
        .anyMatch(p -> p.contains("'2 seconds' is not a duration"));
  }

  private List<String> mutated(String file, java.util.function.Consumer<ObjectNode> mutation) {
    List<JsonNode> copy = new ArrayList<>();
    FILES.forEach((name, entry) -> {
      ObjectNode c = entry.deepCopy();
      if (name.equals(file)) {
        mutation.accept(c);
      }
      copy.add(c);
    });
    List<String> problems = RULES.check(copy);
    assertThat(problems).as("a planted mistake in " + file).isNotEmpty();
    return problems;
  }

  private static ObjectNode firstRoute(ObjectNode router) {
    return (ObjectNode) router.path("Routes").get(0);
  }

  private static ObjectNode destination(ObjectNode router) {
    return (ObjectNode) firstRoute(router).path("Destination");
  }

  private static ObjectNode http(ObjectNode router) {
    return (ObjectNode) firstRoute(router).path("Match").path("HTTP");
  }

  private static ObjectNode loadBalancer(ObjectNode resolver) {
    return (ObjectNode) resolver.path("LoadBalancer");
  }
}
