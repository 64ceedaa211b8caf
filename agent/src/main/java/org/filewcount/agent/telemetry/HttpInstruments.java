package org.filewcount.agent.telemetry;

import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;

/** The instruments one proxied exchange records into. */
record HttpInstruments(
    DoubleHistogram duration,
    LongUpDownCounter activeRequests,
    LongHistogram requestBodySize,
    LongHistogram responseBodySize,
    LongHistogram wordCount,
    LongCounter upstreamConnectionErrors) {

  static HttpInstruments create(Instruments i) {
    return new HttpInstruments(
        i.doubleHistogram(MetricDefinition.HTTP_SERVER_REQUEST_DURATION),
        i.upDownCounter(MetricDefinition.HTTP_SERVER_ACTIVE_REQUESTS),
        i.longHistogram(MetricDefinition.HTTP_SERVER_REQUEST_BODY_SIZE),
        i.longHistogram(MetricDefinition.HTTP_SERVER_RESPONSE_BODY_SIZE),
        i.longHistogram(MetricDefinition.UPLOAD_WORD_COUNT),
        i.counter(MetricDefinition.UPSTREAM_CONNECTION_ERRORS));
  }
}
