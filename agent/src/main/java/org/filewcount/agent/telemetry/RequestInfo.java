package org.filewcount.agent.telemetry;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Optional;
import java.util.Set;

/**
 * What telemetry needs from a request head, normalised once: semconv's method rules (unknown
 * methods become {@code _OTHER}) and filewcount's two routes, with everything else folded into
 * {@link #OTHER_ROUTE} so that static paths and scanners cannot blow up metric cardinality.
 */
record RequestInfo(
    String method,
    Optional<String> originalMethod,
    String path,
    Optional<String> route,
    Optional<String> serverAddress,
    Optional<Long> serverPort,
    Optional<String> userAgent,
    String protocolVersion) {

  static final String ROOT_ROUTE = "/";
  static final String UPLOAD_ROUTE = "/file_upload";
  /** http.route on metrics for any path that is not one of the app's routes (static files, 404s). */
  static final String OTHER_ROUTE = "other";
  static final String OTHER_METHOD = "_OTHER";

  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  static RequestInfo of(HttpRequest request) {
    String rawMethod = request.method().name();
    boolean known = KNOWN_METHODS.contains(rawMethod);
    String path = pathOf(request.uri());
    Optional<String> route = routeOf(path);
    String host = request.headers().get(HttpHeaderNames.HOST);
    return new RequestInfo(
        known ? rawMethod : OTHER_METHOD,
        known ? Optional.empty() : Optional.of(rawMethod),
        path,
        route,
        hostOf(host),
        portOf(host),
        Optional.ofNullable(request.headers().get(HttpHeaderNames.USER_AGENT)),
        request.protocolVersion().majorVersion() + "." + request.protocolVersion().minorVersion());
  }

  /** The route for metrics: never absent, so every series has the label. */
  String metricRoute() {
    return route.orElse(OTHER_ROUTE);
  }

  boolean isUpload() {
    return HttpMethod.POST.name().equals(method) && route.filter(UPLOAD_ROUTE::equals).isPresent();
  }

  /** Semconv span name: "{method} {route}" when the route is known, else the method alone. */
  String spanName() {
    String m = OTHER_METHOD.equals(method) ? "HTTP" : method;
    return route.map(r -> m + " " + r).orElse(m);
  }

  private static String pathOf(String uri) {
    String u = uri;
    // Absolute-form request targets (proxies may send them) carry scheme and authority first.
    int scheme = u.indexOf("://");
    if (scheme > 0 && scheme < 10) {
      int slash = u.indexOf('/', scheme + 3);
      u = slash < 0 ? "/" : u.substring(slash);
    }
    int end = u.length();
    for (int i = 0; i < u.length(); i++) {
      char c = u.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    return u.substring(0, end);
  }

  private static Optional<String> routeOf(String path) {
    if (ROOT_ROUTE.equals(path)) {
      return Optional.of(ROOT_ROUTE);
    }
    if (UPLOAD_ROUTE.equals(path)) {
      return Optional.of(UPLOAD_ROUTE);
    }
    return Optional.empty();
  }

  private static Optional<String> hostOf(String host) {
    if (host == null || host.isBlank()) {
      return Optional.empty();
    }
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return Optional.of(close > 0 ? host.substring(1, close) : host);
    }
    int colon = host.lastIndexOf(':');
    return Optional.of(colon >= 0 ? host.substring(0, colon) : host);
  }

  private static Optional<Long> portOf(String host) {
    if (host == null) {
      return Optional.empty();
    }
    int colon = host.lastIndexOf(':');
    if (colon < 0 || colon < host.lastIndexOf(']')) {
      return Optional.empty();
    }
    try {
      long port = Long.parseLong(host.substring(colon + 1));
      return port > 0 && port < 65536 ? Optional.of(port) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
