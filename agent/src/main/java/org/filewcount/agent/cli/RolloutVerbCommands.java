package org.filewcount.agent.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.nomad.NomadClient;
import org.filewcount.agent.rollout.NomadDeployments;
import org.filewcount.agent.rollout.OperatorRequest;
import org.filewcount.agent.rollout.state.RolloutStatus;
import org.filewcount.agent.rollout.state.RolloutVerbs;
import org.filewcount.agent.split.ConsulTrafficControl;
import org.filewcount.agent.split.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code rollout status|pause|resume|promote|abort}: the verbs that see and steer a rollout from any
 * terminal, through its state in Consul. Same --service and Consul variables as every other command.
 */
final class RolloutVerbCommands {

  private RolloutVerbCommands() {}

  /** What every verb shares: the service and how to reach Consul. */
  abstract static class Base implements Callable<Integer>, EnvironmentFactory.NeedsEnvironment {
    @Option(names = "--service", defaultValue = "filewcount", description = "Consul service name. Default: ${DEFAULT-VALUE}.")
    String service;

    @Mixin
    ConsulOptions consul;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Map<String, String> env = Map.of();

    @Override
    public void environment(Map<String, String> env) {
      this.env = env;
    }

    RolloutVerbs verbs(boolean nomad, String nomadJob) {
      FlagValues.serviceName(service);
      ConsulHttp http = new ConsulHttp(consul.settings());
      Optional<NomadDeployments> n = nomad ? Optional.of(NomadClient.fromEnvironment(env)) : Optional.empty();
      return new RolloutVerbs(http, new ConsulTrafficControl(http, Sleeper.REAL_TIME), n, Optional.ofNullable(nomadJob), Clock.systemUTC());
    }

    int print(RolloutVerbs.Outcome o) {
      PrintWriter w = o.exitCode() == 0 ? spec.commandLine().getOut() : spec.commandLine().getErr();
      w.println(o.message());
      w.flush();
      return o.exitCode();
    }
  }

  /** A verb that asks the running rollout (or ends an orphan itself). */
  abstract static class Verb extends Base {
    abstract OperatorRequest.Action action();

    boolean nomad() {
      return false;
    }

    String nomadJob() {
      return null;
    }

    @Override
    public Integer call() {
      return print(verbs(nomad(), nomadJob()).request(service, action(), Operator.describe(env)));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Where the service's rollout is: running, paused, finished, or orphaned (its process died)"
          + " and at which step. Exit 0 whenever Consul answers.")
  static final class Status extends Base {
    enum Output { text, json }

    @Option(names = "--watch", description = "Print again on every change until the rollout ends (Ctrl-C stops).")
    boolean watch;

    @Option(names = "--output", defaultValue = "text", description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Output output;

    @Override
    public Integer call() {
      RolloutVerbs verbs = verbs(false, null);
      PrintWriter out = spec.commandLine().getOut();
      String last = "";
      long index = 0;
      while (true) {
        RolloutStatus s = verbs.status(service);
        String line = output == Output.json ? s.json().toString() : s.text();
        if (!line.equals(last)) {
          out.println(line);
          out.flush();
          last = line;
        }
        if (!watch || s.over()) {
          return Main.EXIT_OK;
        }
        index = verbs.awaitChange(service, index);
      }
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Hold the running rollout at its current split until 'rollout resume' (or promote/abort).")
  static final class Pause extends Verb {
    @Override
    OperatorRequest.Action action() {
      return OperatorRequest.Action.PAUSE;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Continue a paused rollout, or one waiting at a 'pause' gate in --steps.")
  static final class Resume extends Verb {
    @Override
    OperatorRequest.Action action() {
      return OperatorRequest.Action.RESUME;
    }
  }

  /** promote and abort can also act on Nomad. */
  abstract static class Ending extends Verb {
    @Option(names = "--nomad", description = "Also promote / fail the Nomad deployment ($NOMAD_ADDR, $NOMAD_TOKEN,"
        + " $NOMAD_NAMESPACE, $NOMAD_CACERT).")
    boolean nomad;

    @Option(names = "--nomad-job", paramLabel = "JOB", description = "Nomad job of the service. Default: the --service name.")
    String nomadJob;

    @Override
    boolean nomad() {
      return nomad;
    }

    @Override
    String nomadJob() {
      return nomadJob;
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Skip the remaining steps: 100%% to the canary now (with --nomad, then promote the deployment).")
  static final class Promote extends Ending {
    @Override
    OperatorRequest.Action action() {
      return OperatorRequest.Action.PROMOTE;
    }
  }

  @Command(name = "abort", mixinStandardHelpOptions = true,
      description = "100%% back to the stable version now (with --nomad, fail the deployment so auto_revert"
          + " removes the canaries). Also ends an orphaned rollout.")
  static final class Abort extends Ending {
    @Override
    OperatorRequest.Action action() {
      return OperatorRequest.Action.ABORT;
    }
  }
}
