package org.filewcount.agent.telemetry;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import java.util.Optional;

/**
 * A trace-only SDK for a short command (the rollout), configured from the same OTEL_* mapping as the
 * running agent's {@link Telemetry}. A CLI run is too short to scrape or push metrics usefully, so only
 * traces are exported.
 */
public final class CommandTracing {

  private CommandTracing() {}

  /**
   * An SDK when the OTEL_* variables name an OTLP endpoint and do not turn tracing off; otherwise empty
   * (no telemetry, no background threads). The caller shuts it down.
   */
  public static Optional<OpenTelemetrySdk> fromEnvironment(Map<String, String> env, String defaultServiceName) {
    boolean endpoint = env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    boolean off = "none".equalsIgnoreCase(env.getOrDefault("OTEL_TRACES_EXPORTER", ""))
        || "true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", ""));
    if (!endpoint || off) {
      return Optional.empty();
    }
    Map<String, String> props = Telemetry.Builder.otelProperties(env);
    props.put("otel.metrics.exporter", "none");
    props.put("otel.logs.exporter", "none");
    props.putIfAbsent("otel.service.name", defaultServiceName);
    return Optional.of(AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> props)
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk());
  }
}
