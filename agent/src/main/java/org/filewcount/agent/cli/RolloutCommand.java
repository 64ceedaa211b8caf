package org.filewcount.agent.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.nomad.NomadClient;
import org.filewcount.agent.rollout.AbortSwitch;
import org.filewcount.agent.rollout.NomadDeployments;
import org.filewcount.agent.rollout.Rollout;
import org.filewcount.agent.rollout.RolloutPlan;
import org.filewcount.agent.rollout.RolloutSteps;
import org.filewcount.agent.rollout.Thresholds;
import org.filewcount.agent.rollout.metrics.PrometheusMetrics;
import org.filewcount.agent.rollout.report.RolloutReports;
import org.filewcount.agent.rollout.state.RolloutSession;
import org.filewcount.agent.split.ConsulTrafficControl;
import org.filewcount.agent.split.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "rollout", mixinStandardHelpOptions = true,
    subcommands = {
      RolloutVerbCommands.Status.class,
      RolloutVerbCommands.Pause.class,
      RolloutVerbCommands.Resume.class,
      RolloutVerbCommands.Promote.class,
      RolloutVerbCommands.Abort.class,
    },
    description = {
      "Move traffic to a canary version step by step, judging it after each step on the agents' metrics in"
          + " Prometheus (error ratio including app errors, p99, request count, compared with stable) and on its"
          + " Consul health.",
      "Healthy: next step; after 100%% promote (with --nomad, the Nomad deployment too). Unhealthy past"
          + " --failure-limit, or no evidence for longer than --interval: 100%% back to stable, exit 1."
          + " Ctrl-C: 100%% back to stable, exit 130.",
      "One rollout per service at a time (a Consul session lock); its state lives in Consul KV, so status, pause,"
          + " resume, promote and abort work from any terminal that reaches Consul.",
    })
final class RolloutCommand implements Callable<Integer>, EnvironmentFactory.NeedsEnvironment {

  enum Output { text, json }

  @Option(names = "--service", defaultValue = "filewcount", description = "Consul service name. Default: ${DEFAULT-VALUE}.")
  String service;

  @Option(names = "--to", paramLabel = "VERSION", description = "The canary version (Service.Meta.version). Required.")
  String to;

  @Option(names = "--steps", defaultValue = "10,25,50,100", paramLabel = "P1,P2,...",
      description = "Canary percentages, increasing, ending at 100; 'pause' waits there for 'rollout resume'"
          + " (10,pause,50,100). Default: ${DEFAULT-VALUE}.")
  String steps;

  @Option(names = "--interval", defaultValue = "60s", paramLabel = "DURATION",
      description = "Time per step before judging; also the metrics window. Default: ${DEFAULT-VALUE}.")
  String interval;

  @Option(names = "--prometheus", paramLabel = "URL",
      description = "Prometheus that scrapes the agents' /metrics, for example http://127.0.0.1:9090. Required.")
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

  @Option(names = "--resume", description = "Continue the rollout whose process died (rollout status says orphaned)"
      + " from its recorded step; same --to and --steps as it had.")
  boolean resume;

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
    if (to == null || prometheus == null) {
      throw new UsageException("Missing required options: " + (to == null ? "--to VERSION " : "")
          + (prometheus == null ? "--prometheus URL " : "") + "(or a verb: rollout status|pause|resume|promote|abort)");
    }
    FlagValues.serviceName(service);
    RolloutPlan plan = plan();
    URI prometheusUri = FlagValues.httpUrl("--prometheus", prometheus);
    Optional<URI> notify = Optional.ofNullable(notifyUrl).map(u -> FlagValues.httpUrl("--notify-url", u));
    logging.apply();

    ConsulHttp http = new ConsulHttp(consul.settings());
    ConsulTrafficControl traffic = new ConsulTrafficControl(http, Sleeper.REAL_TIME);
    Optional<NomadDeployments> deployments = nomad ? Optional.of(NomadClient.fromEnvironment(env)) : Optional.empty();
    PrintWriter out = spec.commandLine().getOut();
    RolloutReports reports = RolloutReports.builder(out).jsonLines(output == Output.json)
        .logLines(logging.format == LoggingOptions.Format.json) // log pipelines get every event on stderr
        .webhook(notify).environment(env).build();

    AbortSwitch abort = new AbortSwitch();
    // One rollout per service: refused here (exit 1, naming the holder) before anything is written.
    RolloutSession session = RolloutSession.open(http, service,
        Operator.describe(env) + " pid " + ProcessHandle.current().pid(), abort, Clock.systemUTC());
    CountDownLatch finished = new CountDownLatch(1);
    // Ctrl-C / SIGTERM: the JVM runs this hook while main carries on; hold the exit until stable is restored
    // and the lock released.
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
      Rollout rollout = session.rollout(plan, traffic, new PrometheusMetrics(prometheusUri), deployments,
          List.of(reports));
      return session.run(rollout, plan, resume).outcome().exitCode;
    } finally {
      session.close();
      reports.close();
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
    RolloutSteps parsed = RolloutSteps.parse(steps);
    Thresholds thresholds = new Thresholds(maxErrorRatio, FlagValues.duration("--max-p99", maxP99),
        maxErrorRatioVsStable == null ? OptionalDouble.empty() : OptionalDouble.of(maxErrorRatioVsStable), minRequests);
    Duration every = FlagValues.duration("--interval", interval);
    return new RolloutPlan(service, to, parsed.percents(), every, thresholds, failureLimit,
        nomad ? Optional.of(nomadJob != null ? nomadJob : service) : Optional.empty(), parsed.gatesAfter());
  }
}
