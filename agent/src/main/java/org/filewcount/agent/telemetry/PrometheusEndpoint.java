package org.filewcount.agent.telemetry;

import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.semconv.ServiceAttributes;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import org.filewcount.agent.admin.MetricsSource;

/**
 * What the admin server serves at /metrics: the OpenTelemetry metrics of this agent, collected on
 * each scrape by the exporter's Prometheus reader and written in the format the scraper asked for.
 */
final class PrometheusEndpoint implements MetricsSource {

  /**
   * Resource attributes copied onto every series (as service_name, service_version,
   * service_instance_id), so PromQL can group by version without joining target_info.
   */
  static final Set<String> RESOURCE_LABELS = Set.of(
      ServiceAttributes.SERVICE_NAME.getKey(),
      ServiceAttributes.SERVICE_VERSION.getKey(),
      ServiceAttributes.SERVICE_INSTANCE_ID.getKey());

  private final PrometheusMetricReader reader;
  private final ExpositionFormats formats = ExpositionFormats.init();

  PrometheusEndpoint(PrometheusMetricReader reader) {
    this.reader = reader;
  }

  /** A reader configured the way the agent exports: resource labels on every series. */
  public static PrometheusMetricReader newReader() {
    return PrometheusMetricReader.builder()
        .setAllowedResourceAttributesFilter(RESOURCE_LABELS::contains)
        .build();
  }

  @Override
  public String contentType() {
    return formats.getPrometheusTextFormatWriter().getContentType();
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    formats.getPrometheusTextFormatWriter().write(out, reader.collect());
  }

  @Override
  public String contentType(String acceptHeader) {
    return writer(acceptHeader).getContentType();
  }

  @Override
  public void writeTo(OutputStream out, String acceptHeader) throws IOException {
    writer(acceptHeader).write(out, reader.collect());
  }

  private ExpositionFormatWriter writer(String acceptHeader) {
    // Only the two text formats: the protobuf writer depends on which protobuf-java the shaded jar
    // ends up with (Envoy's API brings its own), and text carries everything the agent exports.
    ExpositionFormatWriter openMetrics = formats.getOpenMetricsTextFormatWriter();
    return acceptHeader != null && openMetrics.accepts(acceptHeader)
        ? openMetrics
        : formats.getPrometheusTextFormatWriter();
  }
}
