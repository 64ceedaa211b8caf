package org.filewcount.agent.rollout.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.filewcount.agent.rollout.RolloutCommands;
import org.filewcount.agent.rollout.RolloutSteps;
import org.filewcount.agent.split.Json;

/**
 * What {@code rollout status} reports: the recorded state (if any) and whether a live process holds its
 * lock. Not final and not held by the session that recorded it: orphaned. The CLI sees only its renderings
 * and its questions; the state itself stays inside this package.
 */
public final class RolloutStatus {

  private final String service;
  private final Optional<RolloutState> state;
  /** The lock key's holder while some session holds it. */
  private final Optional<String> heldBy;
  private final boolean heldByRecorder;

  RolloutStatus(String service, Optional<RolloutState> state, Optional<String> heldBy, boolean heldByRecorder) {
    this.service = service;
    this.state = state;
    this.heldBy = heldBy;
    this.heldByRecorder = heldByRecorder;
  }

  static RolloutStatus read(RolloutStateStore store, String service) {
    Optional<RolloutState> state = store.read(service).map(RolloutStateStore.Versioned::state);
    Optional<ConsulKv.Entry> lock = store.lock(service);
    Optional<String> heldBy = lock.filter(l -> !l.session().isEmpty()).map(ConsulKv.Entry::value);
    boolean recorder = state.isPresent() && lock.isPresent() && lock.get().session().equals(state.get().session());
    return new RolloutStatus(service, state, heldBy, recorder);
  }

  Optional<RolloutState> state() {
    return state;
  }

  /** No rollout was ever recorded, or the recorded one has ended: nothing more will change by itself. */
  public boolean over() {
    return state.isEmpty() || state.get().phase().terminal();
  }

  public boolean orphaned() {
    return state.isPresent() && !state.get().phase().terminal() && heldBy.isEmpty();
  }

  /** Held at a gate or by {@code rollout pause}, with its process alive. */
  public boolean paused() {
    return state.isPresent() && state.get().phase() == RolloutState.Phase.PAUSED && !orphaned();
  }

  public boolean live() {
    return state.isPresent() && !state.get().phase().terminal() && heldByRecorder;
  }

  public String text() {
    if (state.isEmpty()) {
      return service + ": no rollout recorded in Consul (" + RolloutStateStore.stateKey(service) + ")";
    }
    RolloutState s = state.get();
    int total = RolloutSteps.parse(s.steps()).percents().size();
    String where = "step " + s.step() + "/" + total + " (" + s.canaryWeight().toPlainString() + "% on " + s.canary()
        + "), steps " + s.steps() + " every " + s.interval();
    String head = service + ": rollout " + s.stable() + " -> " + s.canary() + " ";
    String last = s.lastVerdict().isEmpty() ? "" : "\n  last: " + s.lastVerdict();
    if (s.phase().terminal()) {
      return head + s.phase().label() + " at " + s.updatedAt() + last;
    }
    if (orphaned()) {
      return head + "ORPHANED at " + where + ": its process (" + s.holder() + ") is gone, its Consul session "
          + s.session() + " ended. Traffic stays as it is until someone acts:\n  restore stable: "
          + RolloutCommands.verb("abort", service) + "\n  or continue it: " + RolloutCommands.LAUNCHER
          + " rollout --service " + service + " --to " + s.canary() + " --steps " + s.steps() + " --interval "
          + s.interval() + " --resume --prometheus URL ..." + last;
    }
    String holder = heldByRecorder ? s.holder() : heldBy.orElse("?") + " (taking it over)";
    return head + s.phase().label() + " at " + where + "\n  run by " + holder + " since " + s.startedAt()
        + ", updated " + s.updatedAt() + s.request().map(r -> "\n  waiting to be handled: " + r.describe()).orElse("")
        + last;
  }

  public ObjectNode json() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("service", service);
    state.ifPresent(s -> n.set("rollout", Json.parse(s.toJson())));
    n.put("orphaned", orphaned());
    // For scripts and the CI manual gate: a live rollout holding at a gate (or paused by an operator),
    // i.e. one that `rollout resume` would move on. An orphan at a gate is not: nobody is there to resume.
    n.put("paused", paused());
    heldBy.ifPresentOrElse(h -> n.put("held_by", h), () -> n.putNull("held_by"));
    return n;
  }
}
