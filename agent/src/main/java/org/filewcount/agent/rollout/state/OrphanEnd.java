package org.filewcount.agent.rollout.state;

import java.time.Clock;
import java.util.Optional;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.rollout.OperatorRequest.Action;
import org.filewcount.agent.rollout.RolloutCommands;
import org.filewcount.agent.rollout.state.RolloutState.Phase;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficControl;

/**
 * Ends a rollout whose process died: take its lock (waiting out Consul's lock-delay), read the state
 * again under the lock, set the split (stable 100 % for abort, canary 100 % for promote), then record the
 * end with check-and-set. If the split cannot be written the state is left as it was (still orphaned), so
 * nothing claims an end that did not happen.
 */
final class OrphanEnd {

  private final ConsulHttp http;
  private final RolloutStateStore store;
  private final TrafficControl traffic;
  private final Clock clock;

  OrphanEnd(ConsulHttp http, RolloutStateStore store, TrafficControl traffic, Clock clock) {
    this.http = http;
    this.store = store;
    this.traffic = traffic;
    this.clock = clock;
  }

  RolloutVerbs.Outcome end(String service, Action action, String by,
      Optional<RolloutVerbs.NomadAction> nomad) {
    try (RolloutLock lock = RolloutLock.acquire(http, service, by + " (rollout " + action.verb() + ")",
        RolloutLock.LOCK_DELAY.plusSeconds(5))) {
      Optional<RolloutStateStore.Versioned> v = store.read(service);
      if (v.isEmpty() || v.get().state().phase().terminal()) {
        return new RolloutVerbs.Outcome(1, service + ": the rollout ended meanwhile; see '"
            + RolloutCommands.verb("status", service) + "'");
      }
      RolloutState s = v.get().state();
      boolean promote = action == Action.PROMOTE;
      String version = promote ? s.canary() : s.stable();
      try {
        // Abort forces: stable must get its traffic back even if its checks flap right now.
        traffic.apply(service, Split.all(version), !promote);
      } catch (RuntimeException e) {
        return new RolloutVerbs.Outcome(1, "could not set 100% of " + service + " to " + version + ": " + e.getMessage()
            + "; the rollout stays orphaned, nothing else changed");
      }
      String verdict = (promote ? "promoted" : "aborted") + " by 'rollout " + action.verb() + "' from " + by
          + " after its process died: 100% of " + service + " on " + version;
      RolloutState end = s.withProgress(s.step(), promote ? Split.HUNDRED : java.math.BigDecimal.ZERO, verdict,
          clock.instant()).withRequest(Optional.empty()).withPhase(promote ? Phase.PROMOTED : Phase.ABORTED);
      if (!store.write(end, v.get().modifyIndex())) {
        return new RolloutVerbs.Outcome(1, service + ": 100% is on " + version + " but the rollout state changed while"
            + " this ran; see '" + RolloutCommands.verb("status", service) + "'");
      }
      String line = service + ": " + verdict;
      if (nomad.isPresent()) {
        line += "; " + nomad.get().run(end, action);
      }
      return new RolloutVerbs.Outcome(0, line);
    }
  }
}
