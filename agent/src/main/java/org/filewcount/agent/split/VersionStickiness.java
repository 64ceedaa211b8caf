package org.filewcount.agent.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a browser on one version while a split sends traffic to several (ADR 0018). Consul's splitter
 * picks a version per request by weight; so while two or more versions get traffic, every split adds a
 * {@code Set-Cookie: filewcount-version=<subset>} to its responses (the splitter's ResponseHeaders), and
 * the service-router gets one route per such version, ahead of the static routes, that sends a request
 * whose Cookie header names that subset straight to it. A request without the cookie, or naming a
 * version that no longer gets traffic, falls through to the splitter and gets the cookie of the version
 * the weights picked. With one version at 100 % there are no such routes and no cookie.
 *
 * <p>The routes and the cookie are the agent's: a route is recognised by its one Cookie header match of
 * exactly {@link #cookieRegex(String)}'s form, a response header by its value's cookie name; anything
 * else in the router or the splits is kept as it is.
 */
final class VersionStickiness {

  static final String COOKIE = "filewcount-version";
  static final String SERVICE_ROUTER = "service-router";
  /** A day: longer than any rollout, short enough that a stale cookie does not outlive many releases. */
  static final long MAX_AGE_SECONDS = 86_400;

  /** Subset names are DNS labels (a-z, 0-9, '-'): nothing in them needs escaping in a regex or a cookie. */
  private static final Pattern OWNED_REGEX =
      Pattern.compile("^\\(\\.\\*;\\\\s\\*\\)\\?" + COOKIE + "=([a-z0-9-]+)\\(;\\.\\*\\)\\?$");

  private VersionStickiness() {}

  /** Versions that need a sticky route: those with traffic, when there are at least two of them. */
  static Set<String> stickyVersions(Split split) {
    Set<String> out = new LinkedHashSet<>();
    split.weights().forEach((version, weight) -> {
      if (weight.compareTo(BigDecimal.ZERO) > 0) {
        out.add(version);
      }
    });
    return out.size() >= 2 ? out : Set.of();
  }

  /**
   * Envoy matches the whole Cookie header value (RE2): the cookie first, in the middle or last. Consul
   * passes the Regex of a router header match to Envoy's safe_regex.
   */
  static String cookieRegex(String subset) {
    return "(.*;\\s*)?" + COOKIE + "=" + subset + "(;.*)?";
  }

  static String setCookie(String subset) {
    return COOKIE + "=" + subset + "; Path=/; Max-Age=" + MAX_AGE_SECONDS + "; HttpOnly; SameSite=Lax";
  }

  /** The subset an agent-owned route sends to, or empty for a route someone else wrote. */
  static Optional<String> ownedRouteSubset(JsonNode route) {
    JsonNode headers = route.path("Match").path("HTTP").path("Header");
    if (!headers.isArray() || headers.size() != 1 || !"Cookie".equals(headers.get(0).path("Name").asText())) {
      return Optional.empty();
    }
    Matcher m = OWNED_REGEX.matcher(headers.get(0).path("Regex").asText(""));
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The router with one route per sticky version first, then every route the agent does not own. */
  static Optional<ObjectNode> router(String service, Optional<ObjectNode> current, Split split) {
    Set<String> sticky = stickyVersions(split);
    if (current.isEmpty() && sticky.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode next = SplitEntries.base(current, SERVICE_ROUTER, service);
    List<JsonNode> others = new ArrayList<>();
    next.path("Routes").forEach(r -> {
      if (ownedRouteSubset(r).isEmpty()) {
        others.add(r);
      }
    });
    // The sticky routes behave like the static catch-all route (retries, timeouts), only with a subset.
    ObjectNode template = others.isEmpty() ? Json.MAPPER.createObjectNode()
        : ((ObjectNode) others.get(others.size() - 1).path("Destination")).deepCopy();
    ArrayNode routes = next.putArray("Routes");
    for (String version : sticky) {
      String subset = Subsets.name(version);
      ObjectNode route = routes.addObject();
      ObjectNode http = route.putObject("Match").putObject("HTTP");
      http.put("PathPrefix", "/");
      http.putArray("Header").addObject().put("Name", "Cookie").put("Regex", cookieRegex(subset));
      ObjectNode destination = template.deepCopy();
      destination.put("Service", service);
      destination.put("ServiceSubset", subset);
      route.set("Destination", destination);
    }
    others.forEach(routes::add);
    return SplitEntries.changed(current, next);
  }

  /** Adds (sticky) or removes (not sticky) the split's Set-Cookie, keeping every other header modifier. */
  static void cookieHeader(ObjectNode split, String subset, boolean sticky) {
    ObjectNode headers = split.has("ResponseHeaders") && split.get("ResponseHeaders").isObject()
        ? (ObjectNode) split.get("ResponseHeaders") : null;
    if (sticky) {
      if (headers == null) {
        headers = split.putObject("ResponseHeaders");
      }
      ObjectNode add = headers.has("Add") && headers.get("Add").isObject()
          ? (ObjectNode) headers.get("Add") : headers.putObject("Add");
      add.put("Set-Cookie", setCookie(subset));
      return;
    }
    if (headers == null || !headers.path("Add").isObject()) {
      return;
    }
    ObjectNode add = (ObjectNode) headers.get("Add");
    if (add.path("Set-Cookie").asText("").startsWith(COOKIE + "=")) {
      add.remove("Set-Cookie");
      if (add.isEmpty()) {
        headers.remove("Add");
      }
      if (headers.isEmpty()) {
        split.remove("ResponseHeaders");
      }
    }
  }

  /** Subsets any route sends to (the agent's or not): the resolver must keep them. */
  static Set<String> routedSubsets(Optional<ObjectNode> router) {
    Set<String> out = new LinkedHashSet<>();
    router.map(r -> r.path("Routes")).filter(JsonNode::isArray).ifPresent(routes -> routes.forEach(r -> {
      String subset = r.path("Destination").path("ServiceSubset").asText("");
      if (!subset.isEmpty()) {
        out.add(subset);
      }
    }));
    return out;
  }
}
