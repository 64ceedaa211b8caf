package org.filewcount.agent.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.rollout.metrics.MetricsUnavailableException;
import org.filewcount.agent.rollout.metrics.VersionMetrics;
import org.filewcount.agent.rollout.metrics.VersionStats;
import org.filewcount.agent.split.Json;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficControl;
import org.filewcount.agent.split.TrafficState;
import org.filewcount.agent.split.VersionInstances;

/**
 * The traffic part of {@code status}: per version its split weight, instance health and, with a metrics
 * source ({@code --prometheus URL}), request rate, app-error-aware error ratio and p99 over a window.
 * StatusCommand appends {@link #table()} to its instance table, or {@link #json()} under "traffic".
 */
final class TrafficStatus {

  /** One version's line; weight is empty when there is no splitter. */
  public record Row(String version, Optional<Double> weight, int passing, int total, Optional<VersionStats> stats) {}

  private final TrafficState state;
  private final List<Row> rows;
  private final Duration window;
  private final Optional<String> metricsProblem;
  private final Optional<String> metricsSource;

  private TrafficStatus(TrafficState state, List<Row> rows, Duration window, Optional<String> metricsProblem,
      Optional<String> metricsSource) {
    this.state = state;
    this.rows = List.copyOf(rows);
    this.window = window;
    this.metricsProblem = metricsProblem;
    this.metricsSource = metricsSource;
  }

  /**
   * Reads Consul (and the metrics source, when given). Metrics that cannot be fetched leave the numbers
   * out and say why; Consul errors propagate (status without Consul has nothing to show).
   */
  public static TrafficStatus read(TrafficControl traffic, Optional<VersionMetrics> metrics, String service,
      Duration window) {
    TrafficState state = traffic.read(service);
    Set<String> versions = new LinkedHashSet<>(state.instances().keySet());
    state.split().ifPresent(s -> versions.addAll(s.versions()));
    List<Row> rows = new ArrayList<>();
    Optional<String> problem = Optional.empty();
    for (String v : versions) {
      Optional<VersionStats> stats = Optional.empty();
      if (metrics.isPresent() && problem.isEmpty()) {
        try {
          stats = Optional.of(metrics.get().stats(service, v, window));
        } catch (MetricsUnavailableException e) {
          problem = Optional.of(e.getMessage());
        }
      }
      VersionInstances vi = state.instances(v).orElse(new VersionInstances(v, 0, 0));
      Optional<Double> weight = state.split().map(s -> s.weight(v).doubleValue());
      rows.add(new Row(v, weight, vi.passing(), vi.total(), stats));
    }
    return new TrafficStatus(state, rows, window, problem, metrics.map(VersionMetrics::describe));
  }

  public TrafficState state() {
    return state;
  }

  public List<Row> rows() {
    return rows;
  }

  public String table() {
    boolean withMetrics = metricsSource.isPresent();
    StringBuilder sb = new StringBuilder();
    sb.append("Traffic split of ").append(state.service()).append(": ")
        .append(state.split().map(Split::describe).orElse("no splitter (every passing instance shares the traffic)"))
        .append(state.defaultVersion().map(d -> "; stable (default subset): " + d).orElse("")).append('\n');
    List<String[]> lines = new ArrayList<>();
    lines.add(withMetrics
        ? new String[] {"VERSION", "WEIGHT", "PASSING", "REQ/S", "ERROR RATIO", "P99"}
        : new String[] {"VERSION", "WEIGHT", "PASSING"});
    for (Row r : rows) {
      String weight = r.weight().map(w -> VersionStats.format(w) + "%").orElse("-");
      String passing = r.passing() + "/" + r.total();
      if (withMetrics) {
        lines.add(new String[] {r.version(), weight, passing,
            r.stats().map(s -> VersionStats.format(s.requestRate(window))).orElse("-"),
            r.stats().map(s -> VersionStats.format(s.errorRatio())).orElse("-"),
            r.stats().map(s -> Double.isNaN(s.p99Seconds()) ? "-" : VersionStats.format(s.p99Seconds()) + "s").orElse("-")});
      } else {
        lines.add(new String[] {r.version(), weight, passing});
      }
    }
    int[] widths = new int[lines.get(0).length];
    lines.forEach(l -> {
      for (int i = 0; i < l.length; i++) {
        widths[i] = Math.max(widths[i], l[i].length());
      }
    });
    for (String[] l : lines) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < l.length; i++) {
        line.append(i == l.length - 1 ? l[i] : String.format("%-" + (widths[i] + 2) + "s", l[i]));
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    if (withMetrics) {
      sb.append("Metrics over the last ").append(Durations.format(window)).append(" from ").append(metricsSource.get())
          .append(metricsProblem.map(p -> ": unavailable (" + p + ")").orElse("")).append('\n');
    }
    return sb.toString();
  }

  public ObjectNode json() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("service", state.service());
    if (state.split().isPresent()) {
      ObjectNode split = n.putObject("split");
      state.split().get().weights().forEach(split::put);
    } else {
      n.putNull("split");
    }
    state.defaultVersion().ifPresentOrElse(v -> n.put("stable", v), () -> n.putNull("stable"));
    ArrayNode versions = n.putArray("versions");
    for (Row r : rows) {
      ObjectNode o = versions.addObject();
      o.put("version", r.version());
      r.weight().ifPresentOrElse(w -> o.put("weight", w), () -> o.putNull("weight"));
      o.put("passing", r.passing());
      o.put("total", r.total());
      r.stats().ifPresent(s -> {
        o.put("requests_per_second", s.requestRate(window));
        putNumber(o, "error_ratio", s.errorRatio());
        putNumber(o, "p99_seconds", s.p99Seconds());
      });
    }
    metricsSource.ifPresent(src -> {
      ObjectNode m = n.putObject("metrics");
      m.put("source", src);
      m.put("window_seconds", window.toSeconds());
      metricsProblem.ifPresentOrElse(p -> m.put("error", p), () -> m.putNull("error"));
    });
    return n;
  }

  private static void putNumber(ObjectNode o, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(field);
    } else {
      o.put(field, v);
    }
  }
}
