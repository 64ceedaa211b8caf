package org.filewcount.agent.rollout.state;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.rollout.NomadDeployments;
import org.filewcount.agent.rollout.OperatorRequest.Action;
import org.filewcount.agent.rollout.OperatorRequest;
import org.filewcount.agent.rollout.RolloutCommands;
import org.filewcount.agent.rollout.state.RolloutState.Phase;
import org.filewcount.agent.split.TrafficControl;

/**
 * {@code rollout status|pause|resume|promote|abort} from any terminal. A live rollout is asked through its
 * state key (check-and-set) and obeys within a second; the verb waits until the state shows it did. An
 * orphaned rollout (its process died) has nobody to ask: {@code abort} and {@code promote} take its lock
 * themselves, set the split and record the end.
 */
public final class RolloutVerbs {

  /** What a verb did, for the CLI: its line and exit code (0 done, 1 refused or not confirmed). */
  public record Outcome(int exitCode, String message) {}

  private static final Duration CONFIRM = Duration.ofSeconds(60);

  private final ConsulHttp http;
  private final RolloutStateStore store;
  private final TrafficControl traffic;
  private final Optional<NomadDeployments> nomad;
  private final Optional<String> nomadJob;
  private final Clock clock;

  public RolloutVerbs(ConsulHttp http, TrafficControl traffic, Optional<NomadDeployments> nomad,
      Optional<String> nomadJob, Clock clock) {
    this.http = http;
    this.store = new RolloutStateStore(http);
    this.traffic = traffic;
    this.nomad = nomad;
    this.nomadJob = nomadJob;
    this.clock = clock;
  }

  public RolloutStatus status(String service) {
    return RolloutStatus.read(store, service);
  }

  /** Blocks until the recorded state changes after {@code index} (or a while passes); returns the new index. */
  public long awaitChange(String service, long index) {
    return store.await(service, index, Duration.ofSeconds(30)).index();
  }

  public Outcome request(String service, Action action, String by) {
    RolloutStatus status = status(service);
    if (status.state().isEmpty()) {
      return new Outcome(1, status.text() + ": nothing to " + action.verb() + ". Start one with "
          + RolloutCommands.LAUNCHER + " rollout --service " + service + " --to VERSION ...");
    }
    RolloutState s = status.state().get();
    if (s.phase().terminal()) {
      return new Outcome(1, "the last rollout of " + service + " (" + s.stable() + " -> " + s.canary() + ") already"
          + " ended: " + s.phase().name().toLowerCase(java.util.Locale.ROOT) + " at " + s.updatedAt() + "; nothing to "
          + action.verb());
    }
    if (status.orphaned()) {
      return switch (action) {
        case ABORT, PROMOTE -> new OrphanEnd(http, store, traffic, clock).end(service, action, by, nomadAction());
        default -> new Outcome(1, status.text() + "\n'rollout " + action.verb() + "' needs a running rollout.");
      };
    }
    if (action == Action.PAUSE && s.phase() == Phase.PAUSED) {
      return new Outcome(0, service + ": already paused at step " + s.step() + "; nothing changed");
    }
    if (action == Action.RESUME && s.phase() == Phase.RUNNING) {
      return new Outcome(0, service + ": running, not paused; nothing changed");
    }
    OperatorRequest r = new OperatorRequest(action, by, clock.instant(), UUID.randomUUID().toString(),
        nomad.isPresent());
    Optional<RolloutState> written = store.update(service, cur -> cur.phase().terminal() || cur.request().isPresent()
        ? cur : cur.withRequest(Optional.of(r)));
    if (written.isEmpty() || !written.get().request().map(x -> x.id().equals(r.id())).orElse(false)) {
      return new Outcome(1, service + ": the rollout ended or another request is waiting; see '"
          + RolloutCommands.verb("status", service) + "' and try again");
    }
    return confirm(service, r);
  }

  /** Waits for the running rollout to show it obeyed. */
  private Outcome confirm(String service, OperatorRequest r) {
    Instant giveUp = clock.instant().plus(CONFIRM);
    long index = 0;
    while (clock.instant().isBefore(giveUp)) {
      ConsulKv.Read read = store.await(service, index, Duration.ofSeconds(5));
      index = read.index() < index ? 0 : read.index();
      RolloutStatus now = status(service);
      if (now.state().isEmpty()) {
        return new Outcome(1, service + ": the rollout state disappeared from Consul");
      }
      RolloutState s = now.state().get();
      boolean done = switch (r.action()) {
        case PAUSE -> s.phase() == Phase.PAUSED || s.phase().terminal();
        case RESUME -> s.phase() == Phase.RUNNING && s.request().isEmpty() || s.phase().terminal();
        case PROMOTE, ABORT -> s.phase().terminal();
      };
      if (done) {
        return finished(s, r);
      }
      if (now.orphaned()) {
        return new Outcome(1, now.text() + "\nIts process died before it obeyed " + r.describe() + ".");
      }
    }
    return new Outcome(1, service + ": the rollout has not shown it obeyed " + r.describe() + " within "
        + CONFIRM.toSeconds() + "s; see '" + RolloutCommands.verb("status", service) + "'");
  }

  private Outcome finished(RolloutState s, OperatorRequest r) {
    String line = s.service() + ": " + s.phase().name().toLowerCase(java.util.Locale.ROOT) + " - " + s.lastVerdict();
    boolean ok = switch (r.action()) {
      case PROMOTE -> s.phase() == Phase.PROMOTED;
      case ABORT -> s.phase() == Phase.ABORTED || s.phase() == Phase.ROLLED_BACK;
      default -> true;
    };
    if (ok && s.phase().terminal() && s.deployment().isEmpty()) {
      Optional<String> n = nomadAction().map(a -> a.run(s, r.action()));
      if (n.isPresent()) {
        line += "; " + n.get();
      }
    }
    return new Outcome(ok ? 0 : 1, line);
  }

  /** The verb's own Nomad call, with --nomad, when the rollout did not manage a deployment itself. */
  private Optional<NomadAction> nomadAction() {
    return nomad.map(n -> new NomadAction(n, nomadJob));
  }

  /** Promote or fail the job's latest deployment, reporting instead of throwing: traffic is already set. */
  record NomadAction(NomadDeployments nomad, Optional<String> job) {
    String run(RolloutState s, Action action) {
      String name = job.orElse(s.service());
      try {
        Optional<String> id = s.deployment().or(() -> nomad.latest(name).map(NomadDeployments.Deployment::id));
        if (id.isEmpty()) {
          return "Nomad job " + name + " has no deployment to " + (action == Action.PROMOTE ? "promote" : "fail");
        }
        if (action == Action.PROMOTE) {
          nomad.promote(id.get());
          return "promoted Nomad deployment " + id.get();
        }
        nomad.fail(id.get());
        return "Nomad deployment " + id.get() + " marked failed (auto_revert returns the job to its last stable version)";
      } catch (RuntimeException e) {
        return "the Nomad call failed: " + e.getMessage() + "; run nomad deployment " + (action == Action.PROMOTE
            ? "promote" : "fail") + " by hand";
      }
    }
  }
}
