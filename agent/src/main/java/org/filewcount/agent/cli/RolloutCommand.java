package org.filewcount.agent.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.traffic.AbortSwitch;
import org.filewcount.agent.traffic.ConsoleReporter;
import org.filewcount.agent.traffic.ConsulHttp;
import org.filewcount.agent.traffic.ConsulTrafficControl;
import org.filewcount.agent.traffic.NomadClient;
import org.filewcount.agent.traffic.NomadDeployments;
import org.filewcount.agent.traffic.PrometheusMetrics;
import org.filewcount.agent.traffic.Rollout;
import org.filewcount.agent.traffic.RolloutListener;
import org.filewcount.agent.traffic.RolloutPlan;
import org.filewcount.agent.traffic.RolloutResult;
import org.filewcount.agent.traffic.RolloutTrace;
import org.filewcount.agent.traffic.Split;
import org.filewcount.agent.traffic.Thresholds;
import org.filewcount.agent.traffic.WebhookNotifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = {
      "Move traffic to a canary version step by step, judging it after each step on the agents' metrics in"
          + " Prometheus (error ratio including app errors, p99, request count, compared with stable) and on its"
          + " Consul health.",
      "Healthy: next step; after 100%% promote (with --nomad, the Nomad deployment too). Unhealthy past"
          + " --failure-limit, or no evidence for longer than --interval: 100%% back to stable, exit 1."
          + " Ctrl-C: 100%% back to stable, exit 130.",
    })
final class RolloutCommand implements Callable<Integer>, EnvironmentFactory.NeedsEnvironment {

  enum Output { text, json }

  @Option(names = "--service", defaultValue = "filewcount", description = "Consul service name. Default: ${DEFAULT-VALUE}.")
  String service;

  @Option(names = "--to", required = true, paramLabel = "VERSION", description = "The canary version (Service.Meta.version).")
  String to;

  @Option(names = "--steps", defaultValue = "10,25,50,100", paramLabel = "P1,P2,...",
      description = "Canary percentages, increasing, ending at 100. Default: ${DEFAULT-VALUE}.")
  String steps;

  @Option(names = "--interval", defaultValue = "60s", paramLabel = "DURATION",
      description = "Time per step before judging; also the metrics window. Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--prometheus", required = true, paramLabel = "URL",
      description = "Prometheus that scrapes the agents' /metrics, for example http://127.0.0.1:9090.")
  String prometheus;

  @Option(names = "--max-error-ratio", defaultValue = "0.01", paramLabel = "RATIO",
      description = "Highest share of app_error + upstream_error outcomes (0-1). Default: ${DEFAULT-VALUE}.")
  double maxErrorRatio;

  @Option(names = "--max-p99", defaultValue = "800ms", paramLabel = "DURATION",
      description = "Highest 99th percentile request duration. Default: ${DEFAULT-VALUE}.")
  String maxP99;

  @Option(names = "--max-error-ratio-vs-stable", paramLabel = "FACTOR",
      description = "Also fail when the canary's error ratio exceeds FACTOR x stable's over the same window"
          + " (2.0 = twice). Off by default.")
  Double maxErrorRatioVsStable;

  @Option(names = "--min-requests", defaultValue = "50", paramLabel = "N",
      description = "Fewest canary requests per window to judge on; fewer is a failed check. Default: ${DEFAULT-VALUE}.")
  long minRequests;

  @Option(names = "--failure-limit", defaultValue = "0", paramLabel = "N",
      description = "Failed checks tolerated (the step is judged again) before rolling back. Default: ${DEFAULT-VALUE}.")
  int failureLimit;

  @Option(names = "--nomad", description = "Promote the Nomad job's canary deployment after 100%%, fail it on rollback"
      + " (auto_revert). Uses $NOMAD_ADDR, $NOMAD_TOKEN, $NOMAD_NAMESPACE, $NOMAD_CACERT.")
  boolean nomad;

  @Option(names = "--nomad-job", paramLabel = "JOB", description = "Nomad job of the service. Default: the --service name.")
  String nomadJob;

  @Option(names = "--notify-url", paramLabel = "URL",
      description = "POST each step, promotion, rollback and abort as JSON (Slack-compatible {\"text\": ...}).")
  String notifyUrl;

  @Option(names = "--output", defaultValue = "text",
      description = "Progress on stdout: ${COMPLETION-CANDIDATES} (json = one JSON event per line). Default: ${DEFAULT-VALUE}.")
  Output output;

  @Mixin
  ConsulOptions consul;

  @Mixin
  LoggingOptions logging;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private Map<String, String> env = Map.of();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    RolloutPlan plan = plan();
    URI prometheusUri = FlagValues.httpUrl("--prometheus", prometheus);
    Optional<URI> notify = Optional.ofNullable(notifyUrl).map(u -> FlagValues.httpUrl("--notify-url", u));
    logging.apply();

    ConsulTrafficControl traffic = new ConsulTrafficControl(new ConsulHttp(consul.settings()));
    Optional<NomadDeployments> deployments = nomad ? Optional.of(NomadClient.fromEnvironment(env)) : Optional.empty();
    PrintWriter out = spec.commandLine().getOut();
    List<RolloutListener> listeners = new ArrayList<>();
    listeners.add(new ConsoleReporter(out, output == Output.json));
    if (logging.format == LoggingOptions.Format.json) {
      listeners.add(RolloutListener.log()); // log pipelines get every event as a JSON line on stderr
    }
    notify.ifPresent(u -> listeners.add(new WebhookNotifier(u)));
    Optional<RolloutTrace> trace = RolloutTrace.fromEnvironment(env);
    trace.ifPresent(listeners::add);

    AbortSwitch abort = new AbortSwitch();
    CountDownLatch finished = new CountDownLatch(1);
    // Ctrl-C / SIGTERM: the JVM runs this hook while main carries on; hold the exit until stable is restored.
    Thread hook = new Thread(() -> {
      abort.trigger();
      try {
        finished.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "rollout-abort");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      RolloutResult result = new Rollout(plan, traffic, new PrometheusMetrics(prometheusUri), deployments,
          Clock.systemUTC(), abort, abort, RolloutListener.all(listeners)).run();
      return result.outcome().exitCode;
    } finally {
      trace.ifPresent(RolloutTrace::close);
      out.flush();
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and returns now that finished is counted down.
      }
    }
  }

  RolloutPlan plan() {
    List<BigDecimal> stepList = new ArrayList<>();
    for (String s : steps.split(",")) {
      if (!s.isBlank()) {
        stepList.add(Split.percent("--steps", s));
      }
    }
    Thresholds thresholds = new Thresholds(maxErrorRatio, FlagValues.duration("--max-p99", maxP99),
        maxErrorRatioVsStable == null ? OptionalDouble.empty() : OptionalDouble.of(maxErrorRatioVsStable), minRequests);
    Duration every = FlagValues.duration("--interval", interval);
    return new RolloutPlan(service, to, stepList, every, thresholds, failureLimit,
        nomad ? Optional.of(nomadJob != null ? nomadJob : service) : Optional.empty());
  }
}
