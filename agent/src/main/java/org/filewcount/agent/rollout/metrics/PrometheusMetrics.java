package org.filewcount.agent.rollout.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.filewcount.agent.net.HttpClients;
import org.filewcount.agent.split.Json;

/**
 * Per-version evidence from Prometheus's instant-query API ({@code GET /api/v1/query}) over the agents'
 * {@code http.server.request.duration} histogram, exported as {@code http_server_request_duration_seconds_*}
 * with the resource labels {@code service_name} and {@code service_version} and the attribute
 * {@code filewcount_outcome}. Errors are {@code app_error} (failures the app hides inside 200 pages) and
 * {@code upstream_error} (5xx, refused, timeouts); {@code rejected} (4xx) is the client's doing and
 * {@code empty} is a successful upload of an empty file.
 */
public final class PrometheusMetrics implements VersionMetrics {

  static final String METRIC = "http_server_request_duration_seconds";
  static final String ERROR_OUTCOMES = "app_error|upstream_error";

  private final URI base;
  private final HttpClient client;
  private final Duration timeout;

  public PrometheusMetrics(URI base) {
    this(base, Duration.ofSeconds(10));
  }

  public PrometheusMetrics(URI base, Duration timeout) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
    this.client = HttpClients.plain(Duration.ofSeconds(5));
    this.timeout = timeout;
  }

  @Override
  public String describe() {
    return "Prometheus at " + base;
  }

  static String selector(String service, String version, String extra) {
    return "{service_name=\"" + escape(service) + "\",service_version=\"" + escape(version) + "\"" + extra + "}";
  }

  static String range(Duration window) {
    return "[" + Math.max(1, window.toSeconds()) + "s]";
  }

  public static String requestsQuery(String service, String version, Duration window) {
    return "sum(increase(" + METRIC + "_count" + selector(service, version, "") + range(window) + "))";
  }

  public static String errorRatioQuery(String service, String version, Duration window) {
    return "sum(rate(" + METRIC + "_count"
        + selector(service, version, ",filewcount_outcome=~\"" + ERROR_OUTCOMES + "\"") + range(window) + "))"
        + " / sum(rate(" + METRIC + "_count" + selector(service, version, "") + range(window) + "))";
  }

  public static String p99Query(String service, String version, Duration window) {
    return "histogram_quantile(0.99, sum by (le) (rate(" + METRIC + "_bucket" + selector(service, version, "")
        + range(window) + ")))";
  }

  @Override
  public VersionStats stats(String service, String version, Duration window) throws MetricsUnavailableException {
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("requests", requestsQuery(service, version, window));
    queries.put("error_ratio", errorRatioQuery(service, version, window));
    queries.put("p99", p99Query(service, version, window));
    double requests = query(queries.get("requests"));
    double ratio = query(queries.get("error_ratio"));
    double p99 = query(queries.get("p99"));
    if (Double.isNaN(requests)) {
      requests = 0; // no series yet: the version has served nothing
    }
    // With some requests but no errors, the numerator's series may not exist: the ratio is 0, not unknown.
    if (Double.isNaN(ratio) && requests > 0) {
      ratio = 0;
    }
    return new VersionStats(version, requests, ratio, p99, queries);
  }

  /** One instant query; an empty vector or a NaN sample is NaN. */
  double query(String promql) throws MetricsUnavailableException {
    URI uri = URI.create(base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
    HttpResponse<String> r;
    try {
      r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new MetricsUnavailableException(describe() + " did not answer (" + e.getClass().getSimpleName()
          + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetricsUnavailableException("interrupted while querying " + describe(), e);
    }
    JsonNode body;
    try {
      body = Json.parse(r.body());
    } catch (RuntimeException e) {
      throw new MetricsUnavailableException(describe() + " answered " + r.statusCode() + " without JSON");
    }
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new MetricsUnavailableException(describe() + " answered " + r.statusCode() + " to " + promql + ": "
          + body.path("errorType").asText("") + " " + body.path("error").asText(""));
    }
    JsonNode result = body.path("data").path("result");
    if (!result.isArray() || result.isEmpty()) {
      return Double.NaN;
    }
    String value = result.get(0).path("value").path(1).asText("NaN");
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return Double.NaN; // "NaN", "+Inf" parse; anything else is not a sample
    }
  }

  private static String escape(String labelValue) {
    return labelValue.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
