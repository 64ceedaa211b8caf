package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import java.util.List;

/**
 * Every instrument the agent creates, in one place: the production code builds its instruments from
 * these, and {@link MetricCatalog} derives the Prometheus names from them, so a name is never typed
 * twice.
 */
enum MetricDefinition {
  HTTP_SERVER_REQUEST_DURATION("http.server.request.duration", Kind.DOUBLE_HISTOGRAM, "s",
      "Duration of HTTP requests through the proxy, from request head to last response byte.",
      List.of(HttpAttributes.HTTP_REQUEST_METHOD, UrlAttributes.URL_SCHEME, HttpAttributes.HTTP_RESPONSE_STATUS_CODE,
          HttpAttributes.HTTP_ROUTE, TelemetryAttributes.OUTCOME, ErrorAttributes.ERROR_TYPE),
      Buckets.SECONDS),
  HTTP_SERVER_ACTIVE_REQUESTS("http.server.active_requests", Kind.LONG_UP_DOWN_COUNTER, "{request}",
      "Requests in flight through the proxy.",
      List.of(HttpAttributes.HTTP_REQUEST_METHOD, UrlAttributes.URL_SCHEME), List.of()),
  HTTP_SERVER_REQUEST_BODY_SIZE("http.server.request.body.size", Kind.LONG_HISTOGRAM, "By",
      "Request body bytes forwarded upstream.",
      List.of(HttpAttributes.HTTP_REQUEST_METHOD, UrlAttributes.URL_SCHEME, HttpAttributes.HTTP_RESPONSE_STATUS_CODE,
          HttpAttributes.HTTP_ROUTE, TelemetryAttributes.OUTCOME, ErrorAttributes.ERROR_TYPE),
      Buckets.BYTES),
  HTTP_SERVER_RESPONSE_BODY_SIZE("http.server.response.body.size", Kind.LONG_HISTOGRAM, "By",
      "Response body bytes written to the client.",
      List.of(HttpAttributes.HTTP_REQUEST_METHOD, UrlAttributes.URL_SCHEME, HttpAttributes.HTTP_RESPONSE_STATUS_CODE,
          HttpAttributes.HTTP_ROUTE, TelemetryAttributes.OUTCOME, ErrorAttributes.ERROR_TYPE),
      Buckets.BYTES),
  UPLOAD_WORD_COUNT("filewcount.upload.word_count", Kind.LONG_HISTOGRAM, "{word}",
      "Word Count the app reported for each upload it counted (success and empty outcomes).",
      List.of(TelemetryAttributes.OUTCOME), Buckets.WORDS),
  UPSTREAM_CONNECTION_ERRORS("filewcount.upstream.connection.errors", Kind.LONG_COUNTER, "{error}",
      "Exchanges that failed between the proxy and the app: connect failures, timeouts, resets.",
      List.of(ErrorAttributes.ERROR_TYPE), List.of()),
  PROBE_RUNS("filewcount.probe.runs", Kind.LONG_COUNTER, "{run}",
      "Functional probes (a real upload whose counts must match), by result.",
      List.of(TelemetryAttributes.PROBE_RESULT), List.of()),
  PROBE_DURATION("filewcount.probe.duration", Kind.DOUBLE_HISTOGRAM, "s",
      "Duration of functional probes, by result.",
      List.of(TelemetryAttributes.PROBE_RESULT), Buckets.SECONDS),
  PROBE_FILES_REMOVED("filewcount.probe.files.removed", Kind.LONG_COUNTER, "{file}",
      "Files of the agent's own probes removed from the app's upload folder (--uploads-dir).",
      List.of(), List.of()),
  PROBE_FILES_NOT_REMOVED("filewcount.probe.files.not_removed", Kind.LONG_COUNTER, "{file}",
      "Files with the probe's exact bytes the agent could not remove (read-only folder, permissions), by error.",
      List.of(ErrorAttributes.ERROR_TYPE), List.of()),
  UPLOADS_CARRIED("filewcount.uploads.carried", Kind.LONG_COUNTER, "{file}",
      "Uploads copied from another allocation of this instance's name across an upgrade (ADR 0017).",
      List.of(), List.of()),
  UPLOADS_CARRY_CONFLICTS("filewcount.uploads.carry.conflicts", Kind.LONG_COUNTER, "{file}",
      "Names the other allocation holds that this folder already has with other bytes: this folder's file is kept.",
      List.of(), List.of()),
  UPLOADS_CARRY_FAILURES("filewcount.uploads.carry.failures", Kind.LONG_COUNTER, "{failure}",
      "Failed Nomad calls and file copies of the uploads carry (each retried on the next pass), by error.",
      List.of(ErrorAttributes.ERROR_TYPE), List.of()),
  REGISTRATION_STATE("filewcount.registration.state", Kind.LONG_GAUGE, "{state}",
      "1 for the registration state the agent is in, 0 for the others.",
      List.of(TelemetryAttributes.REGISTRATION_STATE), List.of()),
  REGISTRATION_CHANGES("filewcount.registration.changes", Kind.LONG_COUNTER, "{change}",
      "Registration state changes, by the state entered.",
      List.of(TelemetryAttributes.REGISTRATION_STATE), List.of()),
  // "{percent}" rather than "%": the exporter would append _percent to the agreed Prometheus name.
  TRAFFIC_WEIGHT("filewcount.traffic.weight", Kind.DOUBLE_GAUGE, "{percent}",
      "Share of traffic (0..100) the splitter sends to each version, as this agent last read it from Consul.",
      List.of(TelemetryAttributes.TRAFFIC_VERSION), List.of());

  /** How the instrument aggregates, which decides the Prometheus type and suffixes. */
  public enum Kind { DOUBLE_HISTOGRAM, LONG_HISTOGRAM, LONG_COUNTER, LONG_UP_DOWN_COUNTER, LONG_GAUGE, DOUBLE_GAUGE }

  private final String otelName;
  private final Kind kind;
  private final String unit;
  private final String description;
  private final List<AttributeKey<?>> attributes;
  private final List<Double> buckets;

  MetricDefinition(String otelName, Kind kind, String unit, String description,
      List<AttributeKey<?>> attributes, List<Double> buckets) {
    this.otelName = otelName;
    this.kind = kind;
    this.unit = unit;
    this.description = description;
    this.attributes = attributes;
    this.buckets = buckets;
  }

  public String otelName() { return otelName; }
  public Kind kind() { return kind; }
  public String unit() { return unit; }
  public String description() { return description; }
  /** Every attribute key a point of this metric may carry (some are conditional). */
  public List<AttributeKey<?>> attributes() { return attributes; }
  /** Explicit histogram bucket boundaries; empty for non-histograms. */
  public List<Double> buckets() { return buckets; }

  /** Bucket boundaries chosen for what filewcount does. */
  private static final class Buckets {
    // Semconv's advice for http.server.request.duration.
    static final List<Double> SECONDS =
        List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
    // Up to the app's 10 MiB limit, which sits on a boundary so 413s land in their own bucket.
    static final List<Double> BYTES =
        List.of(0.0, 256.0, 1024.0, 8192.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 10485760.0, 16777216.0);
    static final List<Double> WORDS =
        List.of(0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, 10000000.0);
  }
}
