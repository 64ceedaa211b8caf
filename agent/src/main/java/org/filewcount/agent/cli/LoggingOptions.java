package org.filewcount.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Option;

/**
 * Logging flags shared by long-running commands. Logs go to stderr so that stdout stays clean for
 * command output ({@code status --output json}, {@code shift --dry-run}).
 */
final class LoggingOptions {

  public enum Format { text, json }

  @Option(names = "--log-format", defaultValue = "text",
      description = "Log format: ${COMPLETION-CANDIDATES} (json = one JSON object per line). Default: ${DEFAULT-VALUE}.")
  Format format = Format.text;

  @Option(names = "--log-level", defaultValue = "info",
      description = "Log level: error, warn, info, debug, trace. Default: ${DEFAULT-VALUE}.")
  String level = "info";

  /** Replaces whatever logback.xml set up, once, before the command does any work. */
  public void apply() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    Encoder<ILoggingEvent> encoder = format == Format.json ? jsonEncoder(context) : textEncoder(context);
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("stderr");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(appender);
    // OkHttp and Netty are chatty at debug; their warnings still come through.
    context.getLogger("okhttp3").setLevel(Level.WARN);
    context.getLogger("io.netty").setLevel(Level.WARN);
    // The OpenTelemetry SDK reports export failures through java.util.logging; without the bridge those
    // lines bypass this format (and break --log-format json).
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    LevelChangePropagator propagator = new LevelChangePropagator();
    propagator.setContext(context);
    propagator.setResetJUL(true);
    context.addListener(propagator);
    propagator.start();
  }

  private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    // trace_id/span_id come from the MDC the proxy sets per request; empty elsewhere.
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} -"
        + " %msg%replace( trace_id=%X{trace_id} span_id=%X{span_id}){' trace_id= span_id=', ''}%n");
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.start();
    return encoder;
  }
}
