package org.filewcount.agent.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.filewcount.agent.config.Durations;

/**
 * What the gateway's Envoy does with filewcount's discovery chain, extending the model of
 * RolloutUnderFailureIT (weights, then a passing instance of the subset) with the router and the
 * resolver's hash policy:
 *
 * <ol>
 *   <li>router: the first route whose PathPrefix and header matches hold (a header Regex must match the
 *       whole value, as Envoy's safe_regex does); a route with a ServiceSubset goes straight to it, skips
 *       the splitter; no match: the default route, through the splitter;
 *   <li>splitter: a subset by weight, and the split's ResponseHeaders added to the response;
 *   <li>resolver: the subset's instances by its filter, only passing ones when OnlyPassing;
 *   <li>load balancer: ring_hash over those instances keyed on the hash policy's cookie; without the cookie
 *       and with a TTL, Envoy makes one up from the downstream address and sets it on the response
 *       (Consul maps CookieConfig to RouteAction.HashPolicy.Cookie name/ttl/path).
 * </ol>
 * The ring is consistent hashing like Envoy's (a host leaving moves only its own keys); its hash function
 * is not Envoy's, which no assertion depends on.
 */
final class EnvoyRoutingModel {

  /** One instance as Consul's health API lists it. */
  record Instance(String address, String version, boolean passing) {}

  /** Where a request went and the cookies the response set (name to value). */
  record Routed(Instance instance, Map<String, String> setCookies) {}

  private final ObjectNode router;
  private final Optional<ObjectNode> splitter;
  private final ObjectNode resolver;
  private final List<Instance> instances;
  private final Random random;
  private final Map<List<Instance>, TreeMap<Long, Instance>> rings = new java.util.HashMap<>();

  EnvoyRoutingModel(ObjectNode router, Optional<ObjectNode> splitter, ObjectNode resolver, List<Instance> instances,
      long seed) {
    this.router = router;
    this.splitter = splitter;
    this.resolver = resolver;
    this.instances = List.copyOf(instances);
    this.random = new Random(seed);
  }

  Routed route(String path, Map<String, String> cookies, String clientAddress) {
    Map<String, String> setCookies = new LinkedHashMap<>();
    String cookieHeader = String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    String subset = null;
    boolean matched = false;
    for (JsonNode route : router.path("Routes")) {
      JsonNode http = route.path("Match").path("HTTP");
      if (!path.startsWith(http.path("PathPrefix").asText("/")) || !headersMatch(http.path("Header"), cookieHeader)) {
        continue;
      }
      matched = true;
      String s = route.path("Destination").path("ServiceSubset").asText("");
      if (!s.isEmpty()) {
        subset = s;
      }
      break;
    }
    if (subset == null) {
      subset = splitter.map(s -> pickSplit(s, setCookies)).orElse(resolver.path("DefaultSubset").asText(""));
    }
    List<Instance> endpoints = endpoints(subset);
    if (endpoints.isEmpty()) {
      throw new IllegalStateException("503 no healthy upstream in subset " + subset + (matched ? " (routed)" : ""));
    }
    return new Routed(hashPick(endpoints, cookies, clientAddress, setCookies), setCookies);
  }

  private static boolean headersMatch(JsonNode headers, String cookieHeader) {
    for (JsonNode h : headers) {
      if (!h.path("Name").asText().equalsIgnoreCase("Cookie")) {
        throw new IllegalArgumentException("the model knows only Cookie header matches: " + h);
      }
      if (cookieHeader.isEmpty() || !Pattern.compile(h.path("Regex").asText()).matcher(cookieHeader).matches()) {
        return false;
      }
    }
    return true;
  }

  private String pickSplit(ObjectNode splitter, Map<String, String> setCookies) {
    double r = random.nextDouble() * 100;
    double acc = 0;
    JsonNode chosen = null;
    for (JsonNode s : splitter.path("Splits")) {
      acc += s.path("Weight").asDouble();
      chosen = s;
      if (r < acc) {
        break;
      }
    }
    String header = chosen.path("ResponseHeaders").path("Add").path("Set-Cookie").asText("");
    if (!header.isEmpty()) {
      String nameValue = header.split(";", 2)[0];
      setCookies.put(nameValue.substring(0, nameValue.indexOf('=')), nameValue.substring(nameValue.indexOf('=') + 1));
    }
    return chosen.path("ServiceSubset").asText("");
  }

  private List<Instance> endpoints(String subset) {
    JsonNode def = resolver.path("Subsets").path(subset);
    String version = Subsets.versionOf(def.path("Filter").asText(null))
        .orElseThrow(() -> new IllegalArgumentException("no agent-owned subset " + subset + " in " + resolver));
    boolean onlyPassing = def.path("OnlyPassing").asBoolean(false);
    return instances.stream().filter(i -> i.version().equals(version) && (!onlyPassing || i.passing())).toList();
  }

  private Instance hashPick(List<Instance> endpoints, Map<String, String> cookies, String clientAddress,
      Map<String, String> setCookies) {
    JsonNode lb = resolver.path("LoadBalancer");
    if (!List.of("ring_hash", "maglev").contains(lb.path("Policy").asText())) {
      return endpoints.get(random.nextInt(endpoints.size()));
    }
    JsonNode policy = lb.path("HashPolicies").get(0);
    String name = policy.path("FieldValue").asText();
    String key = cookies.get(name);
    if (key == null) {
      Duration ttl = Durations.parse(policy.path("CookieConfig").path("TTL").asText("0s"));
      if (ttl.isZero()) {
        return endpoints.get(random.nextInt(endpoints.size())); // no hash: Envoy picks at random
      }
      key = HexFormat.of().toHexDigits(hash(clientAddress));
      setCookies.put(name, key);
    }
    int perHost = Math.max(1, lb.path("RingHashConfig").path("MinimumRingSize").asInt(1024) / endpoints.size());
    TreeMap<Long, Instance> ring = rings.computeIfAbsent(endpoints, eps -> {
      TreeMap<Long, Instance> r = new TreeMap<>();
      for (Instance i : eps) {
        for (int p = 0; p < perHost; p++) {
          r.put(hash(i.address() + "_" + p), i);
        }
      }
      return r;
    });
    Map.Entry<Long, Instance> at = ring.ceilingEntry(hash(key));
    return (at != null ? at : ring.firstEntry()).getValue();
  }

  private static long hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int k = 0; k < 8; k++) {
        h = (h << 8) | (d[k] & 0xff);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A browser: keeps every cookie a response sets and sends them all back. */
  static final class Browser {
    final Map<String, String> cookies = new LinkedHashMap<>();
    final List<Instance> visited = new ArrayList<>();
    private final String address;

    Browser(String address) {
      this.address = address;
    }

    Instance get(EnvoyRoutingModel envoy, String path) {
      Routed r = envoy.route(path, cookies, address);
      cookies.putAll(r.setCookies());
      visited.add(r.instance());
      return r.instance();
    }
  }
}
