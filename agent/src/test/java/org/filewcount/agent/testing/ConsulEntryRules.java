package org.filewcount.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules Consul applies when a config entry is written (its Validate/Normalize code, the unknown-field check of
 * its decoder, and the discovery-chain compilation that follows a router, splitter or resolver write), applied to
 * our entries as JSON. The lists these rules use are facts in src/test/resources/hashicorp/
 * consul-1.22-config-entry-rules.json, whose {@code _source} cites the Consul files and commits. Each problem is one
 * line naming the entry and the field, in Consul's terms.
 */
public final class ConsulEntryRules {

  static final String RESOURCE = "/hashicorp/consul-1.22-config-entry-rules.json";

  private final JsonNode facts;

  private ConsulEntryRules(JsonNode facts) {
    this.facts = facts;
  }

  public static ConsulEntryRules load() {
    try (InputStream in = ConsulEntryRules.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + RESOURCE);
      }
      return new ConsulEntryRules(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every problem of every entry, checking cross references (protocols, subsets) within {@code entries}. */
  public List<String> check(Collection<JsonNode> entries) {
    List<String> problems = new ArrayList<>();
    for (JsonNode e : entries) {
      String id = e.path("Kind").asText("?") + "/" + e.path("Name").asText("?");
      new EntryCheck(id, e, entries, problems).run();
    }
    return problems;
  }

  private final class EntryCheck {
    private final String id;
    private final JsonNode entry;
    private final Collection<JsonNode> all;
    private final List<String> problems;

    EntryCheck(String id, JsonNode entry, Collection<JsonNode> all, List<String> problems) {
      this.id = id;
      this.entry = entry;
      this.all = all;
      this.problems = problems;
    }

    void run() {
      String kind = entry.path("Kind").asText("");
      if (!contains(facts.path("kinds"), kind)) {
        problem("Kind", "'" + kind + "' is not a config entry kind");
        return;
      }
      if (entry.path("Name").asText("").isEmpty()) {
        problem("Name", "Name is required");
      }
      switch (kind) {
        case "proxy-defaults" -> {
          if (!entry.path("Name").asText().equals("global")) {
            problem("Name", "proxy-defaults must be named global");
          }
        }
        case "service-router" -> router();
        case "service-splitter" -> splitter();
        case "service-resolver" -> resolver();
        default -> { }
      }
    }

    private void router() {
      fields(entry, "service-router", "");
      requireHttpLike();
      int i = 0;
      for (JsonNode route : entry.path("Routes")) {
        String at = "Routes[" + i++ + "]";
        fields(route, "Route", at);
        JsonNode http = route.path("Match").path("HTTP");
        fields(route.path("Match"), "Match", at + ".Match");
        boolean pathMatch = false;
        if (http.isObject()) {
          fields(http, "HTTPMatch", at + ".Match.HTTP");
          int paths = 0;
          for (String p : List.of("PathExact", "PathPrefix", "PathRegex")) {
            String v = text(http, p);
            if (!v.isEmpty()) {
              paths++;
              if (!p.equals("PathRegex")) {
                pathMatch = true;
                if (!v.startsWith("/")) {
                  problem(at, p + " doesn't start with '/': " + v);
                }
              }
            }
          }
          if (paths > 1) {
            problem(at, "should only contain at most one of PathExact, PathPrefix, or PathRegex");
          }
          oneOf(http.path("Header"), "HeaderMatch", at + ".Header", List.of("Present", "Exact", "Prefix", "Suffix", "Regex"));
          oneOf(http.path("QueryParam"), "QueryParamMatch", at + ".QueryParam", List.of("Present", "Exact", "Regex"));
          Set<String> seen = new HashSet<>();
          for (JsonNode m : http.path("Methods")) {
            String method = m.asText().toUpperCase(java.util.Locale.ROOT);
            if (!contains(facts.path("http_methods"), method)) {
              problem(at, "Methods contains an invalid method " + m.asText());
            } else if (!seen.add(method)) {
              problem(at, "Methods contains " + method + " more than once");
            }
          }
        }
        JsonNode dest = route.path("Destination");
        if (dest.isObject()) {
          fields(dest, "RouteDestination", at + ".Destination");
          if (!text(dest, "PrefixRewrite").isEmpty() && !pathMatch) {
            problem(at, "cannot make use of PrefixRewrite without configuring either PathExact or PathPrefix");
          }
          for (JsonNode r : get(dest, "RetryOn")) {
            if (!contains(facts.path("retry_conditions"), r.asText())) {
              problem(at, "contains an invalid retry condition: " + r.asText());
            }
          }
          duration(dest, "RequestTimeout", at + ".Destination");
          duration(dest, "IdleTimeout", at + ".Destination");
          subsetExists(text(dest, "Service"), text(dest, "ServiceSubset"), at + ".Destination");
          modifiers(dest, at + ".Destination");
        }
      }
    }

    private void splitter() {
      fields(entry, "service-splitter", "");
      requireHttpLike();
      JsonNode splits = entry.path("Splits");
      if (!splits.isArray() || splits.isEmpty()) {
        problem("Splits", "no splits configured");
        return;
      }
      int scaled = 0;
      Set<String> destinations = new HashSet<>();
      int i = 0;
      for (JsonNode s : splits) {
        String at = "Splits[" + i++ + "]";
        fields(s, "Split", at);
        // Consul sums weights in hundredths of a percent, rounded (scaleWeight), and wants exactly 100.
        scaled += new BigDecimal(s.path("Weight").asText("0")).multiply(BigDecimal.valueOf(100))
            .setScale(0, RoundingMode.HALF_UP).intValueExact();
        String service = text(s, "Service").isEmpty() ? entry.path("Name").asText() : text(s, "Service");
        String key = service + "/" + text(s, "ServiceSubset") + "/" + text(s, "Namespace") + "/" + text(s, "Partition");
        if (!destinations.add(key)) {
          problem(at, "split destination occurs more than once: " + key);
        }
        subsetExists(text(s, "Service"), text(s, "ServiceSubset"), at);
        modifiers(s, at);
      }
      if (scaled != 10000) {
        problem("Splits", "the sum of all split weights must be 100, not " + BigDecimal.valueOf(scaled, 2));
      }
    }

    private void resolver() {
      fields(entry, "service-resolver", "");
      JsonNode subsets = entry.path("Subsets");
      for (Map.Entry<String, JsonNode> s : iterable(subsets)) {
        String name = s.getKey();
        fields(s.getValue(), "Subset", "Subsets." + name);
        if (name.isEmpty() || name.length() > facts.path("subset_name_max_length").asInt()
            || !name.matches(facts.path("subset_name_regex").asText())) {
          problem("Subsets." + name, "Subset '" + name + "' is invalid: must be 63 characters or fewer, begin or end"
              + " with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-'");
        }
        String filter = text(s.getValue(), "Filter");
        if (!filter.isEmpty()) {
          BexprFilter.problem(filter, facts.path("filter_selector_roots")).ifPresent(p ->
              problem("Subsets." + name + ".Filter", "Filter for subset '" + name + "' is not a valid expression: " + p));
        }
      }
      String defaultSubset = text(entry, "DefaultSubset");
      if (!defaultSubset.isEmpty() && !subsets.has(defaultSubset)) {
        problem("DefaultSubset", "DefaultSubset '" + defaultSubset + "' is not a valid subset");
      }
      duration(entry, "ConnectTimeout", "");
      duration(entry, "RequestTimeout", "");
      JsonNode redirect = entry.path("Redirect");
      if (redirect.isObject()) {
        fields(redirect, "Redirect", "Redirect");
        if (entry.path("Failover").size() > 0) {
          problem("Redirect", "Redirect and Failover cannot both be set");
        }
        if (!text(redirect, "ServiceSubset").isEmpty() && text(redirect, "Service").isEmpty()) {
          problem("Redirect", "Redirect.ServiceSubset defined without Redirect.Service");
        }
      }
      failover(subsets);
      loadBalancer(entry.path("LoadBalancer").isMissingNode() ? entry.path("load_balancer") : entry.path("LoadBalancer"));
    }

    private void failover(JsonNode subsets) {
      String self = entry.path("Name").asText();
      for (Map.Entry<String, JsonNode> f : iterable(entry.path("Failover"))) {
        String at = "Failover[" + f.getKey() + "]";
        JsonNode fo = f.getValue();
        fields(fo, "Failover", at);
        if (!f.getKey().equals("*") && !subsets.has(f.getKey())) {
          problem(at, "not a valid subset");
        }
        boolean empty = List.of("Service", "ServiceSubset", "Namespace", "SamenessGroup").stream()
            .allMatch(k -> text(fo, k).isEmpty()) && fo.path("Datacenters").isEmpty() && fo.path("Targets").isEmpty();
        if (empty) {
          problem(at, "one of Service, ServiceSubset, Namespace, Targets, or Datacenters is required");
        }
        String subset = text(fo, "ServiceSubset");
        if (!subset.isEmpty() && (text(fo, "Service").isEmpty() || text(fo, "Service").equals(self)) && !subsets.has(subset)) {
          problem(at, "ServiceSubset '" + subset + "' is not a valid subset of " + self);
        }
        boolean targets = fo.path("Targets").size() > 0;
        if (targets && (fo.path("Datacenters").size() > 0 || !subset.isEmpty() || !text(fo, "Service").isEmpty())) {
          problem(at, "Targets cannot be set with Datacenters, ServiceSubset or Service");
        }
        int i = 0;
        for (JsonNode t : fo.path("Targets")) {
          String tat = at + ".Targets[" + i++ + "]";
          fields(t, "FailoverTarget", tat);
          if (!text(t, "Peer").isEmpty() && (!text(t, "ServiceSubset").isEmpty() || !text(t, "Partition").isEmpty()
              || !text(t, "Datacenter").isEmpty())) {
            problem(tat, "Peer cannot be set with ServiceSubset, Partition or Datacenter");
          }
          if (!text(t, "Partition").isEmpty() && !text(t, "Datacenter").isEmpty()) {
            problem(tat, "Partition cannot be set with Datacenter");
          }
          String ts = text(t, "ServiceSubset");
          if (!ts.isEmpty() && (text(t, "Service").isEmpty() || text(t, "Service").equals(self)) && !subsets.has(ts)) {
            problem(tat, "ServiceSubset '" + ts + "' is not a valid subset of " + self);
          }
        }
        for (JsonNode dc : fo.path("Datacenters")) {
          if (dc.asText().isEmpty()) {
            problem(at, "Datacenters: found empty datacenter");
          }
        }
      }
    }

    private void loadBalancer(JsonNode lb) {
      if (!lb.isObject()) {
        return;
      }
      fields(lb, "LoadBalancer", "LoadBalancer");
      String policy = text(lb, "Policy");
      if (!contains(facts.path("lb_policies"), policy)) {
        problem("LoadBalancer", "Bad LoadBalancer policy: '" + policy + "' is not supported");
      }
      JsonNode ring = get(lb, "RingHashConfig");
      JsonNode least = get(lb, "LeastRequestConfig");
      fields(ring, "RingHashConfig", "LoadBalancer.RingHashConfig");
      fields(least, "LeastRequestConfig", "LoadBalancer.LeastRequestConfig");
      if (!ring.isMissingNode() && !policy.equals("ring_hash")) {
        problem("LoadBalancer", "RingHashConfig specified for incompatible load balancing policy '" + policy + "'");
      }
      if (!least.isMissingNode() && !policy.equals("least_request")) {
        problem("LoadBalancer", "LeastRequestConfig specified for incompatible load balancing policy '" + policy + "'");
      }
      JsonNode hashPolicies = get(lb, "HashPolicies");
      if (hashPolicies.size() > 0 && !contains(facts.path("hash_based_policies"), policy)) {
        problem("LoadBalancer", "HashPolicies specified for non-hash-based Policy: '" + policy + "'");
      }
      int i = 0;
      for (JsonNode hp : hashPolicies) {
        String at = "LoadBalancer.HashPolicies[" + i++ + "]";
        fields(hp, "HashPolicy", at);
        String field = text(hp, "Field");
        String value = text(hp, "FieldValue");
        boolean sourceIp = get(hp, "SourceIP").asBoolean(false);
        if (!field.isEmpty() && !contains(facts.path("hash_policy_fields"), field)) {
          problem(at, "'" + field + "' is not a supported field");
        }
        if (sourceIp && (!field.isEmpty() || !value.isEmpty())) {
          problem(at, "a policy hashing SourceIP cannot have a Field or FieldValue");
        }
        if (!field.isEmpty() && value.isEmpty()) {
          problem(at, "Field '" + field + "' was specified without a FieldValue");
        }
        if (!value.isEmpty() && field.isEmpty()) {
          problem(at, "FieldValue requires a Field to apply to");
        }
        JsonNode cookie = get(hp, "CookieConfig");
        if (!cookie.isMissingNode()) {
          fields(cookie, "CookieConfig", at + ".CookieConfig");
          if (!field.equals("cookie")) {
            problem(at, "cookie_config provided for '" + field + "'");
          }
          if (cookie.path("Session").asBoolean(false) && !text(cookie, "TTL").isEmpty()
              && !text(cookie, "TTL").matches("0+[a-z]*")) {
            problem(at, "a session cookie cannot have an associated TTL");
          }
          duration(cookie, "TTL", at + ".CookieConfig");
        }
      }
    }

    /** The chain of a router or splitter must have an HTTP-like protocol (discovery-chain compilation). */
    private void requireHttpLike() {
      String protocol = protocolOf(entry.path("Name").asText());
      if (!contains(facts.path("http_like_protocols"), protocol)) {
        problem("Kind", "discovery chain '" + entry.path("Name").asText() + "' uses a protocol '" + protocol
            + "' that does not permit advanced routing or splitting behavior (set Protocol = \"http\" in its"
            + " service-defaults, or protocol in proxy-defaults)");
      }
    }

    private String protocolOf(String service) {
      for (JsonNode e : all) {
        if (e.path("Kind").asText().equals("service-defaults") && e.path("Name").asText().equals(service)
            && !text(e, "Protocol").isEmpty()) {
          return text(e, "Protocol").toLowerCase(java.util.Locale.ROOT);
        }
      }
      for (JsonNode e : all) {
        if (e.path("Kind").asText().equals("proxy-defaults") && !e.path("Config").path("protocol").asText("").isEmpty()) {
          return e.path("Config").path("protocol").asText().toLowerCase(java.util.Locale.ROOT);
        }
      }
      return "tcp";
    }

    /** A subset named by a route or split must exist in the resolver of that service. */
    private void subsetExists(String service, String subset, String at) {
      if (subset.isEmpty()) {
        return;
      }
      String target = service.isEmpty() ? entry.path("Name").asText() : service;
      boolean found = all.stream().anyMatch(e -> e.path("Kind").asText().equals("service-resolver")
          && e.path("Name").asText().equals(target) && e.path("Subsets").has(subset));
      if (!found) {
        problem(at, "service '" + target + "' does not have a subset named '" + subset + "'");
      }
    }

    private void modifiers(JsonNode node, String at) {
      fields(get(node, "RequestHeaders"), "HeaderModifiers", at + ".RequestHeaders");
      fields(get(node, "ResponseHeaders"), "HeaderModifiers", at + ".ResponseHeaders");
    }

    private void oneOf(JsonNode matches, String type, String at, List<String> kinds) {
      int i = 0;
      for (JsonNode m : matches) {
        String mat = at + "[" + i++ + "]";
        fields(m, type, mat);
        if (text(m, "Name").isEmpty()) {
          problem(mat, "missing required Name field");
        }
        long set = kinds.stream().filter(k -> k.equals("Present") ? m.path(k).asBoolean(false) : !text(m, k).isEmpty())
            .count();
        if (set != 1) {
          problem(mat, "should only contain one of " + String.join(", ", kinds));
        }
      }
    }

    /** Consul's decoder refuses unknown fields (mapstructure ErrorUnused). */
    private void fields(JsonNode node, String type, String at) {
      if (!node.isObject()) {
        return;
      }
      JsonNode known = facts.path("fields").path(type);
      node.fieldNames().forEachRemaining(f -> {
        if (!contains(known, f)) {
          problem(at.isEmpty() ? f : at + "." + f, "unknown field '" + f + "' in " + type + "; Consul accepts "
              + String.join(", ", names(known)));
        }
      });
    }

    private void duration(JsonNode node, String field, String at) {
      String v = text(node, field);
      if (!v.isEmpty() && !v.matches("0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")) {
        problem(at.isEmpty() ? field : at + "." + field, "'" + v + "' is not a duration >= 0 (Go syntax, e.g. 2s, 1m30s)");
      }
    }

    private void problem(String field, String message) {
      problems.add(id + " " + field + ": " + message);
    }
  }

  /** A field by its CamelCase name or its snake_case alias. */
  private static JsonNode get(JsonNode node, String camel) {
    JsonNode v = node.path(camel);
    return v.isMissingNode() ? node.path(camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT)) : v;
  }

  private static String text(JsonNode node, String camel) {
    JsonNode v = get(node, camel);
    return v.isValueNode() ? v.asText() : "";
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode n : array) {
      if (n.asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    if (object.isObject()) {
      object.fields().forEachRemaining(out::add);
    }
    return out;
  }
}
