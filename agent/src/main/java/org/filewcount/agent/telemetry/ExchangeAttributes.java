package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.filewcount.agent.app.Outcome;
import org.filewcount.agent.proxy.ExchangeObserver.FailureKind;

/**
 * The attribute sets of the HTTP metrics, built once per distinct set rather than once per request.
 * Every label is bounded (RequestInfo folds methods and routes; outcomes and failures are enums;
 * status codes are three digits), so the sets are precomputed or cached in arrays indexed by them.
 * Called from both event loops: the cache is an atomic array, and a race builds the same set twice.
 */
final class ExchangeAttributes {

  private static final String SCHEME = "http";
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", RequestInfo.OTHER_METHOD);
  private static final List<String> ROUTES =
      List.of(RequestInfo.ROOT_ROUTE, RequestInfo.UPLOAD_ROUTE, RequestInfo.OTHER_ROUTE);
  private static final int STATUSES = 600;
  private static final int FAILURES = FailureKind.values().length + 1;
  private static final int OUTCOMES = Outcome.values().length;

  private final Attributes[] active = new Attributes[METHODS.size()];
  private final Map<FailureKind, Attributes> upstreamErrors = new EnumMap<>(FailureKind.class);
  private final Map<Outcome, Attributes> wordCounts = new EnumMap<>(Outcome.class);
  private final Map<FailureKind, String> failureTypes = new EnumMap<>(FailureKind.class);
  /** [method][route][outcome][failure or none] -> a lazily made array of sets by status code. */
  private final AtomicReferenceArray<AtomicReferenceArray<Attributes>> byCell =
      new AtomicReferenceArray<>(METHODS.size() * ROUTES.size() * OUTCOMES * FAILURES);

  ExchangeAttributes() {
    for (int i = 0; i < METHODS.size(); i++) {
      active[i] = Attributes.of(HttpAttributes.HTTP_REQUEST_METHOD, METHODS.get(i), UrlAttributes.URL_SCHEME, SCHEME);
    }
    for (FailureKind kind : FailureKind.values()) {
      failureTypes.put(kind, TracingExchangeObserver.failureType(kind));
      upstreamErrors.put(kind, Attributes.of(ErrorAttributes.ERROR_TYPE, failureTypes.get(kind)));
    }
    for (Outcome outcome : Outcome.values()) {
      wordCounts.put(outcome, Attributes.of(TelemetryAttributes.OUTCOME, outcome.attributeValue()));
    }
  }

  /** http.server.active_requests: method and scheme. */
  Attributes active(String method) {
    int m = METHODS.indexOf(method);
    return m >= 0 ? active[m]
        : Attributes.of(HttpAttributes.HTTP_REQUEST_METHOD, method, UrlAttributes.URL_SCHEME, SCHEME);
  }

  Attributes upstreamError(FailureKind kind) {
    return upstreamErrors.get(kind);
  }

  Attributes wordCount(Outcome outcome) {
    return wordCounts.get(outcome);
  }

  String failureType(FailureKind kind) {
    return failureTypes.get(kind);
  }

  /**
   * Duration and body-size histograms: method, scheme, route, outcome, the status when there was one,
   * and the error type, which follows from the others ({@code errorType} is asked only on a miss).
   */
  Attributes metric(String method, String route, Outcome outcome, Optional<FailureKind> failure, int status,
      Optional<String> errorType) {
    int m = METHODS.indexOf(method);
    int r = ROUTES.indexOf(route);
    if (m < 0 || r < 0 || status < 0 || status >= STATUSES) {
      return build(method, route, outcome, status, errorType);
    }
    int f = failure.map(k -> k.ordinal() + 1).orElse(0);
    int cell = ((m * ROUTES.size() + r) * OUTCOMES + outcome.ordinal()) * FAILURES + f;
    AtomicReferenceArray<Attributes> byStatus = byCell.get(cell);
    if (byStatus == null) {
      byCell.compareAndSet(cell, null, new AtomicReferenceArray<>(STATUSES));
      byStatus = byCell.get(cell);
    }
    Attributes a = byStatus.get(status);
    if (a == null) {
      a = build(method, route, outcome, status, errorType);
      byStatus.set(status, a);
    }
    return a;
  }

  private static Attributes build(String method, String route, Outcome outcome, int status,
      Optional<String> errorType) {
    AttributesBuilder b = Attributes.builder()
        .put(HttpAttributes.HTTP_REQUEST_METHOD, method)
        .put(UrlAttributes.URL_SCHEME, SCHEME)
        .put(HttpAttributes.HTTP_ROUTE, route)
        .put(TelemetryAttributes.OUTCOME, outcome.attributeValue());
    if (status > 0) {
      b.put(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, status);
    }
    errorType.ifPresent(t -> b.put(ErrorAttributes.ERROR_TYPE, t));
    return b.build();
  }
}
