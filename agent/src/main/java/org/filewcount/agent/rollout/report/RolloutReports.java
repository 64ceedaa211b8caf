package org.filewcount.agent.rollout.report;

import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.filewcount.agent.rollout.RolloutEvent;
import org.filewcount.agent.rollout.RolloutListener;

/**
 * Every place one rollout is reported, as a single listener: the console (always), the log (for log
 * pipelines), a webhook and an OpenTelemetry trace (each when asked for). The rollout command builds one,
 * hands it to the session, and closes it when the rollout is over, which ends and flushes the trace.
 *
 * <p>Each destination is isolated as the engine isolates listeners: one that throws is logged and the
 * others still get the event (a failed notification never stops a rollout).
 */
public final class RolloutReports implements RolloutListener, AutoCloseable {

  private final RolloutListener all;
  private final Optional<RolloutTrace> trace;

  private RolloutReports(List<RolloutListener> destinations, Optional<RolloutTrace> trace) {
    this.all = RolloutListener.all(List.copyOf(destinations));
    this.trace = trace;
  }

  /** Reports to {@code console}, one line per event; the builder adds the other destinations. */
  public static Builder builder(PrintWriter console) {
    return new Builder(console);
  }

  @Override
  public void on(RolloutEvent event) {
    all.on(event);
  }

  /** Ends an unfinished trace span and flushes its exporter; the other destinations hold nothing open. */
  @Override
  public void close() {
    trace.ifPresent(RolloutTrace::close);
  }

  /** The options of {@code rollout --to}: {@code --output}, {@code --log-format}, {@code --notify-url}, OTEL_*. */
  public static final class Builder {

    private final PrintWriter console;
    private boolean jsonLines;
    private boolean logLines;
    private Optional<URI> webhook = Optional.empty();
    private Map<String, String> environment = Map.of();

    private Builder(PrintWriter console) {
      this.console = Objects.requireNonNull(console);
    }

    /** One JSON object per line on the console instead of text ({@code --output json}). */
    public Builder jsonLines(boolean on) {
      this.jsonLines = on;
      return this;
    }

    /** Every event also as a log line, for log pipelines ({@code --log-format json}). */
    public Builder logLines(boolean on) {
      this.logLines = on;
      return this;
    }

    /** A Slack-style POST per event ({@code --notify-url}). */
    public Builder webhook(Optional<URI> url) {
      this.webhook = Objects.requireNonNull(url);
      return this;
    }

    /** The variables that may name an OTLP endpoint (OTEL_*): a trace of the rollout is exported when they do. */
    public Builder environment(Map<String, String> env) {
      this.environment = Map.copyOf(env);
      return this;
    }

    public RolloutReports build() {
      List<RolloutListener> destinations = new ArrayList<>();
      destinations.add(new ConsoleReporter(console, jsonLines));
      if (logLines) {
        destinations.add(RolloutListener.log());
      }
      webhook.ifPresent(u -> destinations.add(new WebhookNotifier(u)));
      Optional<RolloutTrace> trace = RolloutTrace.fromEnvironment(environment);
      trace.ifPresent(destinations::add);
      return new RolloutReports(destinations, trace);
    }
  }
}
