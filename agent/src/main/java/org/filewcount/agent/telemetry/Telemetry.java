package org.filewcount.agent.telemetry;

import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.filewcount.agent.admin.MetricsSource;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.AgentVersion;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.probe.ProbeFileCleaner;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeTracer;
import org.filewcount.agent.proxy.ExchangeObserver;
import org.filewcount.agent.registry.RegistrationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's OpenTelemetry: one SDK, configured the standard way from OTEL_* variables, that
 * pushes traces over OTLP and serves metrics for Prometheus to scrape at the admin endpoint's
 * /metrics. Hands out the implementations of the seams the other parts report through.
 *
 * <p>Defaults that differ from plain autoconfigure, each overridable by its OTEL_* variable:
 * OTLP over http/protobuf (http://localhost:4318); metrics are pulled through /metrics, so
 * {@code OTEL_METRICS_EXPORTER} defaults to {@code none} (set {@code otlp} to push them as well);
 * log records go over OTLP as traces do ({@code OTEL_LOGS_EXPORTER=none} keeps them on stderr only,
 * where they always go too; see {@link LogExport}); span attribute values cut at 2048 characters
 * ({@code OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT}). {@code prometheus} as a metrics exporter is
 * ignored: it would start a second HTTP server on the admin port.
 */
public final class Telemetry implements AutoCloseable {

  /** Instrumentation scope of everything the agent records. */
  public static final String SCOPE = "org.filewcount.agent";

  private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
  private static final String DISABLED_PROVIDERS = "otel.java.disabled.resource.providers";
  private static final String INSTANCE_ID_PROVIDER = "io.opentelemetry.sdk.autoconfigure.ServiceInstanceIdResourceProvider";

  private final OpenTelemetrySdk sdk;
  private final PrometheusEndpoint metricsSource;
  private final ExchangeObserver exchangeObserver;
  private final ProbeMetrics probeMetrics;
  private final ProbeSpans probeSpans;
  private final RegistrationMetrics registrationMetrics;
  private final TrafficWeights trafficWeights;

  private Telemetry(OpenTelemetrySdk sdk, PrometheusMetricReader prometheus, ExportedSpans exported) {
    this.sdk = sdk;
    this.metricsSource = new PrometheusEndpoint(prometheus);
    Meter meter = sdk.getMeterProvider().meterBuilder(SCOPE).setInstrumentationVersion(AgentVersion.get()).build();
    Tracer tracer = sdk.getTracerProvider().tracerBuilder(SCOPE).setInstrumentationVersion(AgentVersion.get()).build();
    Instruments instruments = new Instruments(meter);
    this.exchangeObserver = new TracingExchangeObserver(tracer, sdk.getPropagators().getTextMapPropagator(),
        TracingExchangeObserver.HttpInstruments.create(instruments), exported);
    this.probeMetrics = new ProbeMetrics(instruments);
    this.probeSpans = new ProbeSpans(tracer);
    this.registrationMetrics = new RegistrationMetrics(instruments);
    this.trafficWeights = new TrafficWeights(instruments);
  }

  /** The agent's telemetry for {@code run}: identity from the config, OTEL_* settings from {@code env}. */
  public static Telemetry create(AgentConfig config, Map<String, String> env) {
    return builder().service(config.service()).identity(config.identity()).env(env)
        .traceSuccessRatio(config.traceSuccessRatio()).build();
  }

  /**
   * Telemetry over an SDK someone else built (tests with in-memory exporters). {@code prometheus}
   * must be registered with that SDK's meter provider; make it with {@link PrometheusEndpoint#newReader()}.
   * The SDK's resource is used as it is.
   */
  public static Telemetry using(OpenTelemetrySdk sdk, PrometheusMetricReader prometheus) {
    return new Telemetry(Objects.requireNonNull(sdk, "sdk"), Objects.requireNonNull(prometheus, "prometheus"),
        ExportedSpans.ALL);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** For the proxy: one span and metric points per request. */
  public ExchangeObserver exchangeObserver() {
    return exchangeObserver;
  }

  /** For the probe loop: filewcount.probe.runs and filewcount.probe.duration. */
  public ProbeListener probeListener() {
    return probeMetrics;
  }

  /** For the probe file cleaner: filewcount.probe.files.removed and .not_removed. */
  public ProbeFileCleaner.Listener probeFilesListener() {
    return probeMetrics;
  }

  /** For the probe loop: a span current around each probe round, so its log lines carry a trace id. */
  public ProbeTracer probeTracer() {
    return probeSpans;
  }

  /** For the uploads carry: filewcount.uploads.carried, .carry.conflicts and .carry.failures. */
  public org.filewcount.agent.uploads.UploadsCarry.Listener uploadsCarryListener() {
    return probeMetrics;
  }

  /** For the registrator: filewcount.registration.state and .changes. */
  public RegistrationListener registrationListener() {
    return registrationMetrics;
  }

  /** For the split watcher: each split Consul holds replaces filewcount.traffic.weight. */
  public Consumer<Map<String, Double>> trafficWeightsListener() {
    return trafficWeights::setWeights;
  }

  /** The gauge behind {@link #trafficWeightsListener()}, for this package's tests. */
  TrafficWeights trafficWeights() {
    return trafficWeights;
  }

  /** For the admin server's /metrics. */
  public MetricsSource metricsSource() {
    return metricsSource;
  }

  /** Exports what is buffered (spans, log records, and metrics when pushed), waiting at most {@code timeout}. */
  public boolean flush(Duration timeout) {
    CompletableResultCode result = CompletableResultCode.ofAll(List.of(
        sdk.getSdkTracerProvider().forceFlush(),
        sdk.getSdkLoggerProvider().forceFlush(),
        sdk.getSdkMeterProvider().forceFlush()));
    return result.join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }

  /** Flushes and stops the exporters; bounded, so shutdown cannot hang on an absent collector. */
  @Override
  public void close() {
    LogExport.detach();
    CompletableResultCode result = sdk.shutdown().join(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (!result.isSuccess()) {
      LOG.warn("telemetry: could not export everything within {} at shutdown (is the OTLP endpoint reachable?)",
          SHUTDOWN_TIMEOUT);
    }
  }

  /** Options for {@link #create}; tests and other commands set only what they need. */
  public static final class Builder {
    private String service = "filewcount";
    private InstanceIdentity identity;
    private Map<String, String> env = Map.of();
    private double traceSuccessRatio = 1.0;

    private Builder() {}

    public Builder service(String v) { this.service = Objects.requireNonNull(v, "service"); return this; }
    public Builder identity(InstanceIdentity v) { this.identity = Objects.requireNonNull(v, "identity"); return this; }
    /** The process environment (OTEL_* variables are read from it; they win over the JVM's own env). */
    public Builder env(Map<String, String> v) { this.env = Map.copyOf(v); return this; }
    /** Share of successful requests whose spans are exported ({@link ExportedSpans}); 1, every span, by default. */
    public Builder traceSuccessRatio(double v) { this.traceSuccessRatio = v; return this; }

    public Telemetry build() {
      Objects.requireNonNull(identity, "identity");
      PrometheusMetricReader prometheus = PrometheusEndpoint.newReader();
      ExportedSpans exported = new ExportedSpans(traceSuccessRatio);
      AtomicReference<ConfigProperties> used = new AtomicReference<>();
      OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
          .addPropertiesSupplier(Builder::defaults)
          .addPropertiesCustomizer(config -> identityProperties(config, overrides(config, env)))
          .addResourceCustomizer((resource, config) -> {
            used.set(config);
            return TelemetryResource.of(resource, service, identity);
          })
          // Around the batch processor autoconfigure builds: the spans it drops never reach its queue.
          .addSpanProcessorCustomizer((processor, config) -> exported.around(processor))
          .addMeterProviderCustomizer((meterProvider, config) ->
              LogExport.views(meterProvider.registerMetricReader(prometheus)))
          .disableShutdownHook()
          .build()
          .getOpenTelemetrySdk();
      ConfigProperties config = used.get();
      if (config != null && !"none".equals(config.getString("otel.logs.exporter", "none"))) {
        LogExport.attach(sdk);
      }
      if (config != null) {
        LOG.info("telemetry: traces -> {}, logs -> stderr and {}, metrics -> /metrics{}, OTLP endpoint {} ({})",
            config.getString("otel.traces.exporter"),
            config.getString("otel.logs.exporter"),
            "none".equals(config.getString("otel.metrics.exporter")) ? "" : " and " + config.getString("otel.metrics.exporter"),
            config.getString("otel.exporter.otlp.endpoint", "http://localhost:4318"),
            config.getString("otel.exporter.otlp.protocol"));
      }
      return new Telemetry(sdk, prometheus, exported);
    }

    private static Map<String, String> defaults() {
      Map<String, String> d = new LinkedHashMap<>();
      d.put("otel.exporter.otlp.protocol", "http/protobuf");
      d.put("otel.traces.exporter", "otlp");
      d.put("otel.metrics.exporter", "none");
      d.put("otel.logs.exporter", "otlp");
      // Paths and user agents come from clients; keep a hostile one from bloating every span.
      d.put("otel.attribute.value.length.limit", "2048");
      // One span per request: at the SDK's 2048/512 the queue overflowed between exports above ~5k
      // requests/s (bench/run). Four times the room and twice the batch; at most ~8 MiB of heap when full.
      d.put("otel.bsp.max.queue.size", "8192");
      d.put("otel.bsp.max.export.batch.size", "1024");
      return d;
    }

    /**
     * Puts the agent's identity into the settings autoconfigure builds its resource from, so the
     * SDK's service entity carries our values from the start instead of being overwritten later.
     */
    private Map<String, String> identityProperties(ConfigProperties config, Map<String, String> overrides) {
      Map<String, String> o = new LinkedHashMap<>(overrides);
      String configured = o.getOrDefault("otel.resource.attributes", config.getString("otel.resource.attributes", ""));
      String ours = "service.version=" + encode(identity.version()) + ",service.instance.id=" + encode(identity.instanceId());
      o.put("otel.resource.attributes", configured.isBlank() ? ours : configured + "," + ours);
      o.put("otel.service.name", service);
      // It would invent a random service.instance.id that ours then replaces (with a warning).
      String disabled = config.getString(DISABLED_PROVIDERS, "");
      o.put(DISABLED_PROVIDERS, disabled.isBlank() ? INSTANCE_ID_PROVIDER : disabled + "," + INSTANCE_ID_PROVIDER);
      return o;
    }

    private static String encode(String value) {
      return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The OTEL_* entries of {@code env} in autoconfigure's property form (OTEL_FOO_BAR = otel.foo.bar). */
    static Map<String, String> otelProperties(Map<String, String> env) {
      Map<String, String> o = new LinkedHashMap<>();
      env.forEach((k, v) -> {
        if (k.startsWith("OTEL_") && v != null) {
          o.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
        }
      });
      return o;
    }

    /** OTEL_* entries of the given env, in property form, plus the guard against a second server. */
    static Map<String, String> overrides(ConfigProperties config, Map<String, String> env) {
      Map<String, String> o = otelProperties(env);
      String metrics = o.getOrDefault("otel.metrics.exporter", config.getString("otel.metrics.exporter", "none"));
      List<String> exporters = Arrays.stream(metrics.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      if (exporters.contains("prometheus")) {
        LOG.warn("telemetry: ignoring 'prometheus' in OTEL_METRICS_EXPORTER: the agent always serves /metrics on"
            + " its admin address (--admin); use 'otlp' to push metrics as well, or 'none'");
        String rest = exporters.stream().filter(e -> !e.equals("prometheus")).collect(Collectors.joining(","));
        o.put("otel.metrics.exporter", rest.isEmpty() ? "none" : rest);
      }
      return o;
    }
  }
}
