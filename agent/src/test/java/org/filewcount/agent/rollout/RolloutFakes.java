package org.filewcount.agent.rollout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.rollout.metrics.MetricsUnavailableException;
import org.filewcount.agent.rollout.metrics.PrometheusMetrics;
import org.filewcount.agent.rollout.metrics.VersionMetrics;
import org.filewcount.agent.rollout.metrics.VersionStats;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficControl;
import org.filewcount.agent.split.TrafficState;
import org.filewcount.agent.split.VersionInstances;

/** In-memory stand-ins for the rollout's seams: time, Consul, metrics, Nomad. */
public final class RolloutFakes {

  private RolloutFakes() {}

  /** A clock that only moves when the rollout sleeps; onSleep lets a test act "during" a wait. */
  public static final class FakeTime extends Clock implements Sleeper {
    private Instant now = Instant.parse("2026-11-25T12:00:00Z");
    final AbortSwitch abort;
    int sleeps;
    java.util.function.IntConsumer onSleep = n -> { };

    public FakeTime(AbortSwitch abort) {
      this.abort = abort;
    }

    @Override
    public boolean sleep(Duration d) {
      sleeps++;
      onSleep.accept(sleeps);
      if (abort.isTriggered()) {
        return false;
      }
      now = now.plus(d);
      return true;
    }

    @Override
    public void pause(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** Consul as a map: instances per version and the current split; every applied split is recorded. */
  public static final class FakeTraffic implements TrafficControl {
    final Map<String, VersionInstances> instances = new LinkedHashMap<>();
    public Optional<Split> split = Optional.empty();
    final List<Split> applied = new ArrayList<>();
    int failApplies;

    public FakeTraffic version(String v, int passing, int total) {
      instances.put(v, new VersionInstances(v, total, passing));
      return this;
    }

    @Override
    public TrafficState read(String service) {
      return new TrafficState(service, split, split.map(Split::stable), instances);
    }

    @Override
    public Split apply(String service, Split requested, boolean force) {
      if (failApplies > 0) {
        failApplies--;
        throw new ConsulException("Consul at http://127.0.0.1:8500 did not answer PUT /v1/config");
      }
      Split s = read(service).validate(requested, force);
      split = Optional.of(s);
      applied.add(s);
      return s;
    }
  }

  /** Metrics from a function of (version, now); throwing from it means Prometheus is down. */
  public static final class FakeMetrics implements VersionMetrics {
    final Clock clock;
    BiFunction<String, Instant, VersionStats> source;
    int calls;

    public FakeMetrics(Clock clock, BiFunction<String, Instant, VersionStats> source) {
      this.clock = clock;
      this.source = source;
    }

    @Override
    public VersionStats stats(String service, String version, Duration window) throws MetricsUnavailableException {
      calls++;
      try {
        return source.apply(version, clock.instant());
      } catch (IllegalStateException e) {
        throw new MetricsUnavailableException(e.getMessage());
      }
    }

    @Override
    public String describe() {
      return "fake Prometheus";
    }
  }

  public static VersionStats stats(String version, double requests, double errorRatio, double p99) {
    Duration w = Duration.ofSeconds(60);
    return new VersionStats(version, requests, errorRatio, p99, Map.of(
        "requests", PrometheusMetrics.requestsQuery("filewcount", version, w),
        "error_ratio", PrometheusMetrics.errorRatioQuery("filewcount", version, w),
        "p99", PrometheusMetrics.p99Query("filewcount", version, w)));
  }

  public static final class FakeNomad implements NomadDeployments {
    final List<String> calls = new ArrayList<>();
    String status = "running";

    @Override
    public Optional<Deployment> latest(String job) {
      calls.add("latest " + job);
      return Optional.of(new Deployment("d-1234", job, 3, status, "", true));
    }

    @Override
    public void promote(String deploymentId) {
      calls.add("promote " + deploymentId);
    }

    @Override
    public void fail(String deploymentId) {
      calls.add("fail " + deploymentId);
    }

    @Override
    public String describe() {
      return "fake Nomad";
    }
  }
}
