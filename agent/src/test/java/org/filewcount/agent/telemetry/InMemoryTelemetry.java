package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.semconv.ServiceAttributes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A {@link Telemetry} over in-memory exporters, as the SDK's own tests do it. */
final class InMemoryTelemetry implements AutoCloseable {

  static final String SERVICE = "filewcount";
  static final String VERSION = "2.0";
  static final String INSTANCE = "0b6a2f0e-alloc";

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  final PrometheusMetricReader prometheus = PrometheusEndpoint.newReader();
  final OpenTelemetrySdk sdk;
  final Telemetry telemetry;

  InMemoryTelemetry() {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        ServiceAttributes.SERVICE_NAME, SERVICE,
        ServiceAttributes.SERVICE_VERSION, VERSION,
        ServiceAttributes.SERVICE_INSTANCE_ID, INSTANCE)));
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build())
        .setMeterProvider(SdkMeterProvider.builder()
            .setResource(resource)
            .registerMetricReader(metrics)
            .registerMetricReader(prometheus)
            .build())
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
    telemetry = Telemetry.using(sdk, prometheus);
  }

  List<SpanData> finishedSpans() {
    return spans.getFinishedSpanItems();
  }

  SpanData onlySpan() {
    List<SpanData> all = finishedSpans();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one span, got " + all);
    }
    return all.get(0);
  }

  Collection<MetricData> collect() {
    return metrics.collectAllMetrics();
  }

  static Optional<MetricData> metric(Collection<MetricData> all, MetricDefinition d) {
    return all.stream().filter(m -> m.getName().equals(d.otelName())).findFirst();
  }

  /**
   * One of each outcome of the probe's files and of the uploads carry, for the tests that hold every series of
   * the catalogue against a scrape: a counter added there is exercised once here.
   */
  void recordEveryFileOutcome() {
    telemetry.probeFilesListener().removed();
    telemetry.probeFilesListener().notRemoved("AccessDeniedException");
    telemetry.uploadsCarryListener().copied();
    telemetry.uploadsCarryListener().conflict();
    telemetry.uploadsCarryListener().failed("http_403");
  }

  String scrape(String accept) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      telemetry.metricsSource().writeTo(out, accept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    sdk.close();
  }
}
