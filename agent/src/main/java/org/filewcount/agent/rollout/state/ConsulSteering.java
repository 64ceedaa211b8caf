package org.filewcount.agent.rollout.state;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.filewcount.agent.rollout.AbortSwitch;
import org.filewcount.agent.rollout.OperatorRequest;
import org.filewcount.agent.rollout.RolloutEvent;
import org.filewcount.agent.rollout.RolloutListener;
import org.filewcount.agent.rollout.Steering;
import org.filewcount.agent.split.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running rollout's side of its Consul state: records every event into the state key (check-and-set),
 * follows the key with blocking queries so a request from another terminal ends the current wait within
 * a second, and tells the rollout when its lock is gone. Also its {@link Sleeper}: a wait ends on time, on
 * Ctrl-C, on a request or on a lost lock.
 */
final class ConsulSteering implements Steering, RolloutListener, Sleeper, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConsulSteering.class);
  /** Consul holds a blocking query at most this long; a change ends it at once. */
  private static final Duration WATCH_WAIT = Duration.ofSeconds(10);

  private final RolloutStateStore store;
  private final RolloutLock lock;
  private final String service;
  private final AbortSwitch abort;
  private final Clock clock;
  private final Object wake = new Object();
  private final Set<String> handled = new HashSet<>();
  private final Thread watcher;
  private volatile Optional<OperatorRequest> pending = Optional.empty();
  private volatile Optional<String> takenOver = Optional.empty();
  private volatile boolean closed;

  public ConsulSteering(RolloutStateStore store, RolloutLock lock, String service, AbortSwitch abort, Clock clock) {
    this.store = store;
    this.lock = lock;
    this.service = service;
    this.abort = abort;
    this.clock = clock;
    abort.onTrigger(this::wakeUp);
    lock.onLost(this::wakeUp);
    this.watcher = new Thread(this::watch, "rollout-steering");
    watcher.setDaemon(true);
  }

  /** Starts following the key; call once the state names this process's session. */
  public void start() {
    watcher.start();
  }

  // --- Steering ---

  @Override
  public Optional<OperatorRequest> pending() {
    return pending;
  }

  @Override
  public void handled(OperatorRequest request) {
    synchronized (handled) {
      handled.add(request.id());
    }
    pending = Optional.empty();
    write(s -> s.request().filter(r -> r.id().equals(request.id())).isPresent() ? s.withRequest(Optional.empty()) : s);
  }

  @Override
  public Optional<String> lockLost() {
    return lock.lost().or(() -> takenOver);
  }

  // --- RolloutListener: the state follows the events ---

  @Override
  public void on(RolloutEvent e) {
    RolloutState.Phase phase = switch (e.type()) {
      case PAUSED -> RolloutState.Phase.PAUSED;
      case PROMOTED -> RolloutState.Phase.PROMOTED;
      case ROLLED_BACK -> RolloutState.Phase.ROLLED_BACK;
      case ABORTED -> RolloutState.Phase.ABORTED;
      case STEP, RESUMED -> RolloutState.Phase.RUNNING;
      default -> null;
    };
    if (e.type() == RolloutEvent.Type.ABORTED && lockLost().isPresent()) {
      return; // someone else is in charge of the state now
    }
    write(s -> {
      RolloutState next = s.withProgress(e.step(), e.canaryWeight(), e.text(), clock.instant());
      return phase == null || phase == s.phase() ? next : next.withPhase(phase);
    });
  }

  private void write(java.util.function.UnaryOperator<RolloutState> change) {
    try {
      store.update(service, s -> s.session().equals(lock.session()) && !s.phase().terminal() ? change.apply(s) : s);
    } catch (RuntimeException e) {
      LOG.warn("recording the rollout state in Consul failed: {}", e.getMessage());
    }
  }

  // --- Following the key ---

  private void watch() {
    long index = 0;
    while (!closed) {
      try {
        ConsulKv.Read read = store.await(service, index, WATCH_WAIT);
        // Consul's blocking-query docs: an index that goes backwards means start over from 0.
        index = read.index() < index ? 0 : read.index();
        read.entry().map(en -> RolloutState.fromJson(en.value())).ifPresent(this::seen);
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.debug("watching the rollout state failed, retrying: {}", e.getMessage());
          pause();
        }
      }
    }
  }

  private void seen(RolloutState s) {
    if (!s.session().equals(lock.session())) {
      takenOver = Optional.of("the rollout state now names another process (" + s.holder() + ")");
      wakeUp();
      return;
    }
    if (s.request().isPresent()) {
      boolean fresh;
      synchronized (handled) {
        fresh = !handled.contains(s.request().get().id());
      }
      if (fresh && pending.isEmpty()) {
        pending = s.request();
        wakeUp();
      }
    }
  }

  // --- Sleeper ---

  @Override
  public boolean sleep(Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    synchronized (wake) {
      while (!interrupted()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          wake.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }
  }

  @Override
  public void pause(Duration d) {
    abort.pause(d);
  }

  private boolean interrupted() {
    return abort.isTriggered() || pending.isPresent() || lockLost().isPresent();
  }

  private void wakeUp() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void pause() {
    try {
      Thread.sleep(1000); // Consul unreachable: the next blocking query in a second
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    watcher.interrupt();
  }
}
