package org.filewcount.agent.telemetry;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import java.util.List;
import java.util.Set;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The agent's log records over OTLP: OpenTelemetry's logback appender on the root logger, beside the
 * stderr appender (which stays as it is, for {@code nomad alloc logs}). The appender reads the
 * current OpenTelemetry context when a line is written, so a line logged while a request's span is
 * current carries that trace and span id. It hands each record to the SDK's batch processor, whose
 * queue is bounded ({@code OTEL_BLRP_MAX_QUEUE_SIZE}, 2048 by default): a full queue drops the
 * record instead of blocking the thread that logged, and the drop is counted (see {@link #views}).
 */
final class LogExport {

  static final String APPENDER_NAME = "otlp";

  /**
   * Loggers whose lines are not exported: the SDK and its HTTP client report export failures
   * through them, and exporting those reports would feed a failing export with more records.
   */
  private static final List<String> NOT_EXPORTED = List.of("io.opentelemetry", "okhttp3");

  private LogExport() {}

  /** Attaches the appender to the root logger of logback, bound to {@code openTelemetry}. */
  static void attach(OpenTelemetry openTelemetry) {
    LoggerContext context = loggerContext();
    if (context == null) {
      return; // another slf4j binding: nothing to attach to
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    if (root.getAppender(APPENDER_NAME) != null) {
      return;
    }
    OpenTelemetryAppender appender = new OpenTelemetryAppender();
    appender.setContext(context);
    appender.setName(APPENDER_NAME);
    // thread.name and thread.id: which event loop or probe thread wrote the line.
    appender.setCaptureExperimentalAttributes(true);
    // Attached after the SDK exists, so nothing needs buffering until install (0 is refused).
    appender.setNumLogsCapturedBeforeOtelInstall(1);
    appender.addFilter(new Filter<>() {
      @Override
      public FilterReply decide(ILoggingEvent event) {
        String name = event.getLoggerName();
        return NOT_EXPORTED.stream().anyMatch(p -> name.equals(p) || name.startsWith(p + "."))
            ? FilterReply.DENY : FilterReply.NEUTRAL;
      }
    });
    appender.start();
    appender.setOpenTelemetry(openTelemetry);
    root.addAppender(appender);
  }

  /** Removes the appender again (before the SDK shuts down, so no line goes to a closed provider). */
  static void detach() {
    LoggerContext context = loggerContext();
    if (context != null) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(APPENDER_NAME);
    }
  }

  /**
   * The SDK counts what its batch processors handle in instruments named {@code processedLogs} and
   * {@code processedSpans} (attribute {@code dropped}: true when the queue was full). Renamed here
   * to Prometheus-style names: {@code otel_sdk_log_records_processed_total{dropped="true"}} counts
   * the log records dropped, {@code otel_sdk_spans_processed_total} the same for spans. Instrument
   * and meter names: opentelemetry-java 1.68.0, sdk/logs LegacyLogRecordProcessorInstrumentation and
   * sdk/trace LegacySpanProcessorInstrumentation (the default, "legacy", internal telemetry).
   */
  static SdkMeterProviderBuilder views(SdkMeterProviderBuilder builder) {
    return builder
        .registerView(
            InstrumentSelector.builder().setMeterName("io.opentelemetry.sdk.logs").setName("processedLogs").build(),
            View.builder().setName("otel.sdk.log_records.processed")
                .setDescription("Log records handed to the batch processor; dropped=true: queue full, not exported")
                .setAttributeFilter(Set.of("dropped")).build())
        .registerView(
            InstrumentSelector.builder().setMeterName("io.opentelemetry.sdk.trace").setName("processedSpans").build(),
            View.builder().setName("otel.sdk.spans.processed")
                .setDescription("Spans handed to the batch processor; dropped=true: queue full, not exported")
                .setAttributeFilter(Set.of("dropped")).build());
  }

  private static LoggerContext loggerContext() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    return factory instanceof LoggerContext c ? c : null;
  }
}
