package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.semconv.ServiceAttributes;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus names the agent exports at /metrics, derived rather than typed: each
 * {@link MetricDefinition} is built into a real instrument on a scratch meter provider, given one
 * point carrying every attribute it can have, and written by the same exporter and writer that
 * serve /metrics. Dashboard and alert checks use this list; a test compares it with a real scrape.
 *
 * <p>{@code java -cp filewcount-agent.jar org.filewcount.agent.telemetry.MetricCatalog} prints the
 * series names, one a line, for checks outside Java.
 */
public final class MetricCatalog {

  /**
   * One metric family as Prometheus sees it.
   *
   * @param definition the instrument it comes from; empty for the exporter's own target_info
   * @param family the name in the {@code # TYPE} line
   * @param type counter, gauge, histogram, ...
   * @param series the sample names PromQL uses ({@code _total}, {@code _bucket}, {@code _sum}, ...)
   * @param labels every label a series may carry (le for buckets, resource and scope labels included);
   *     for target_info only the service labels, as its other labels are whatever resource attributes
   *     the deployment sets
   */
  public record Metric(Optional<MetricDefinition> definition, String family, String type, List<String> series,
      List<String> labels) {}

  private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s");
  private static final Pattern LABEL_NAME = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
  private static final String TARGET_INFO = "target_info";

  private static final class Holder {
    static final List<Metric> METRICS = derive();
  }

  private MetricCatalog() {}

  /** Every metric family, in definition order, then target_info. */
  public static List<Metric> metrics() {
    return Holder.METRICS;
  }

  /** Every sample name, sorted: what a PromQL expression or a panel may reference. */
  public static Set<String> seriesNames() {
    Set<String> names = new TreeSet<>();
    metrics().forEach(m -> names.addAll(m.series()));
    return names;
  }

  /**
   * Family names and series names together (for example both {@code http_server_request_duration_seconds}
   * and {@code http_server_request_duration_seconds_bucket}), for checks that accept either form.
   */
  public static Set<String> prometheusNames() {
    Set<String> names = new TreeSet<>(seriesNames());
    metrics().forEach(m -> names.add(m.family()));
    return names;
  }

  /** The family of one definition. */
  public static Metric of(MetricDefinition definition) {
    return metrics().stream()
        .filter(m -> m.definition().filter(definition::equals).isPresent())
        .findFirst()
        .orElseThrow();
  }

  public static void main(String[] args) {
    seriesNames().forEach(System.out::println);
  }

  private static List<Metric> derive() {
    List<Metric> metrics = new ArrayList<>();
    Map<String, Metric> lastText = Map.of();
    for (MetricDefinition d : MetricDefinition.values()) {
      Map<String, Metric> families = families(exposition(d));
      Metric own = families.values().stream()
          .filter(m -> !m.family().equals(TARGET_INFO))
          .reduce((a, b) -> {
            throw new IllegalStateException(d + " exported more than one family: " + a.family() + ", " + b.family());
          })
          .orElseThrow(() -> new IllegalStateException(d + " exported no family"));
      metrics.add(new Metric(Optional.of(d), own.family(), own.type(), own.series(), own.labels()));
      lastText = families;
    }
    Metric targetInfo = lastText.get(TARGET_INFO);
    if (targetInfo != null) {
      metrics.add(targetInfo);
    }
    return List.copyOf(metrics);
  }

  /** The /metrics text for one instrument with one point, through the production code paths. */
  private static String exposition(MetricDefinition d) {
    PrometheusMetricReader reader = PrometheusEndpoint.newReader();
    Resource resource = Resource.create(Attributes.of(
        ServiceAttributes.SERVICE_NAME, "catalog",
        ServiceAttributes.SERVICE_VERSION, "catalog",
        ServiceAttributes.SERVICE_INSTANCE_ID, "catalog"));
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build()) {
      Instruments instruments = new Instruments(provider.meterBuilder(Telemetry.SCOPE).setInstrumentationVersion("catalog").build());
      Attributes attributes = everyAttribute(d);
      switch (d.kind()) {
        case DOUBLE_HISTOGRAM -> instruments.doubleHistogram(d).record(1, attributes);
        case LONG_HISTOGRAM -> instruments.longHistogram(d).record(1, attributes);
        case LONG_COUNTER -> instruments.counter(d).add(1, attributes);
        case LONG_UP_DOWN_COUNTER -> instruments.upDownCounter(d).add(1, attributes);
        case LONG_GAUGE -> instruments.longGauge(d, m -> m.record(1, attributes));
        case DOUBLE_GAUGE -> instruments.doubleGauge(d, m -> m.record(1, attributes));
        default -> throw new IllegalStateException(d.kind().toString());
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, reader.collect());
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Attributes everyAttribute(MetricDefinition d) {
    AttributesBuilder b = Attributes.builder();
    for (AttributeKey<?> key : d.attributes()) {
      switch (key.getType()) {
        case STRING -> b.put(key.getKey(), "x");
        case LONG -> b.put(key.getKey(), 1L);
        case DOUBLE -> b.put(key.getKey(), 1.0);
        case BOOLEAN -> b.put(key.getKey(), true);
        default -> throw new IllegalStateException("no placeholder for " + key);
      }
    }
    return b.build();
  }

  /** Families of a text exposition: TYPE lines name them, sample lines give series and labels. */
  static Map<String, Metric> families(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, Set<String>> series = new LinkedHashMap<>();
    Map<String, Set<String>> labels = new LinkedHashMap<>();
    String current = null;
    for (String line : text.split("\n")) {
      Matcher type = TYPE_LINE.matcher(line);
      if (type.matches()) {
        current = type.group(1);
        types.put(current, type.group(2));
        series.put(current, new LinkedHashSet<>());
        labels.put(current, new TreeSet<>());
        continue;
      }
      if (line.startsWith("#") || line.isBlank() || current == null) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (sample.find()) {
        series.get(current).add(sample.group(1));
        if (sample.group(3) != null) {
          Matcher label = LABEL_NAME.matcher(sample.group(3));
          while (label.find()) {
            labels.get(current).add(label.group(1));
          }
        }
      }
    }
    Map<String, Metric> families = new LinkedHashMap<>();
    types.forEach((family, type) -> families.put(family, new Metric(Optional.empty(), family, type,
        List.copyOf(series.get(family)), List.copyOf(labels.get(family)))));
    return families;
  }
}
