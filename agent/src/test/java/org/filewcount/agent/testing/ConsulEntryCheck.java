package org.filewcount.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** One config entry under ConsulEntryRules: the checks common to every kind, and the router's and splitter's. */
final class ConsulEntryCheck {

  final JsonNode facts;
  private final String id;
  final JsonNode entry;
  private final Collection<JsonNode> all;
  private final List<String> problems;

  ConsulEntryCheck(JsonNode facts, String id, JsonNode entry, Collection<JsonNode> all, List<String> problems) {
    this.facts = facts;
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
      case "service-resolver" -> new ConsulResolverCheck(this).run();
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
          String method = m.asText().toUpperCase(Locale.ROOT);
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
        return text(e, "Protocol").toLowerCase(Locale.ROOT);
      }
    }
    for (JsonNode e : all) {
      if (e.path("Kind").asText().equals("proxy-defaults") && !e.path("Config").path("protocol").asText("").isEmpty()) {
        return e.path("Config").path("protocol").asText().toLowerCase(Locale.ROOT);
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
  void fields(JsonNode node, String type, String at) {
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

  void duration(JsonNode node, String field, String at) {
    String v = text(node, field);
    if (!v.isEmpty() && !v.matches("0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")) {
      problem(at.isEmpty() ? field : at + "." + field, "'" + v + "' is not a duration >= 0 (Go syntax, e.g. 2s, 1m30s)");
    }
  }

  void problem(String field, String message) {
    problems.add(id + " " + field + ": " + message);
  }

  /** A field by its CamelCase name or its snake_case alias. */
  static JsonNode get(JsonNode node, String camel) {
    JsonNode v = node.path(camel);
    return v.isMissingNode() ? node.path(camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT)) : v;
  }

  static String text(JsonNode node, String camel) {
    JsonNode v = get(node, camel);
    return v.isValueNode() ? v.asText() : "";
  }

  static boolean contains(JsonNode array, String value) {
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

  static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    if (object.isObject()) {
      object.fields().forEachRemaining(out::add);
    }
    return out;
  }
}
