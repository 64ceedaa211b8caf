package org.filewcount.agent.rollout.state;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.rollout.AbortSwitch;
import org.filewcount.agent.rollout.NomadDeployments;
import org.filewcount.agent.rollout.Rollout;
import org.filewcount.agent.rollout.RolloutListener;
import org.filewcount.agent.rollout.RolloutPlan;
import org.filewcount.agent.rollout.RolloutResult;
import org.filewcount.agent.rollout.metrics.VersionMetrics;
import org.filewcount.agent.split.TrafficControl;

/**
 * One {@code rollout --to} under the service's lock, in the order that keeps the record in Consul true:
 * the lock first ({@link #open}: refused, naming the holder, before anything is written); then, for a
 * recorded rollout that never ended, a refusal or with {@code --resume} its step to continue from; the
 * initial state written with check-and-set; steering from Consul while the rollout runs (operator requests,
 * a lost lock, every event recorded); and on {@link #close} steering stopped and the lock released,
 * whatever happened.
 */
public final class RolloutSession implements AutoCloseable {

  private final String service;
  private final RolloutLock lock;
  private final RolloutStateStore store;
  private final ConsulSteering steering;
  private final AbortSwitch abort;
  private final Clock clock;

  private RolloutSession(String service, RolloutLock lock, RolloutStateStore store, AbortSwitch abort, Clock clock) {
    this.service = service;
    this.lock = lock;
    this.store = store;
    this.abort = abort;
    this.clock = clock;
    this.steering = new ConsulSteering(store, lock, service, abort, clock);
  }

  /**
   * Takes the rollout lock of {@code service} for {@code holder} (who and where, shown to anyone refused),
   * waiting out the lock delay of a lock just released; refused with {@link RolloutLockedException} while
   * another rollout holds it.
   */
  public static RolloutSession open(ConsulHttp http, String service, String holder, AbortSwitch abort, Clock clock) {
    RolloutLock lock = RolloutLock.acquire(http, service, holder, RolloutLock.LOCK_DELAY.plusSeconds(2));
    return new RolloutSession(service, lock, new RolloutStateStore(http), abort, clock);
  }

  /** The rollout of {@code plan}, steered by this session; its events go to {@code listeners}, then to Consul. */
  public Rollout rollout(RolloutPlan plan, TrafficControl traffic, VersionMetrics metrics,
      Optional<NomadDeployments> nomad, List<RolloutListener> listeners) {
    List<RolloutListener> all = new ArrayList<>(listeners);
    all.add(steering);
    return new Rollout(plan, traffic, metrics, nomad, clock, steering, abort, RolloutListener.all(all), steering);
  }

  /**
   * Runs {@code rollout} (made by {@link #rollout}) to its end. An unfinished rollout on record is refused
   * unless {@code resume}, which continues it from its step; the initial state is written only after the
   * rollout's starting point checked out, and only if nobody changed the record meanwhile.
   */
  public RolloutResult run(Rollout rollout, RolloutPlan plan, boolean resume) {
    Optional<RolloutStateStore.Versioned> recorded = store.read(service);
    Optional<RolloutState> orphan = recorded.map(RolloutStateStore.Versioned::state).filter(s -> !s.phase().terminal());
    int first = resume ? RolloutResumption.firstStep(orphan, plan) : RolloutResumption.refuseOrphan(orphan);
    rollout.prepare();
    Instant now = clock.instant();
    RolloutState initial = orphan.filter(o -> resume)
        .map(o -> o.withHolder(lock.session(), lock.holder()).withRequest(Optional.empty()))
        .orElseGet(() -> new RolloutState(service, rollout.stable(), rollout.canary(), plan.describeSteps(),
            Durations.format(plan.interval()), 0, BigDecimal.ZERO, RolloutState.Phase.RUNNING, lock.session(),
            lock.holder(), now, now, "", rollout.deploymentId(), Optional.empty()));
    if (!store.write(initial, recorded.map(RolloutStateStore.Versioned::modifyIndex).orElse(0L))) {
      throw new ConsulException("the rollout state of " + service + " changed while this rollout started: run"
          + " 'rollout status' and try again");
    }
    steering.start();
    return rollout.runFrom(first);
  }

  /** Stops steering and releases the lock (Consul's lock delay then holds the next rollout back briefly). */
  @Override
  public void close() {
    try {
      steering.close();
    } finally {
      lock.close();
    }
  }
}
