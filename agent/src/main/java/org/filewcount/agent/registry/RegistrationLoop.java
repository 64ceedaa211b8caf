package org.filewcount.agent.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.filewcount.agent.consul.ConsulAgent;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.probe.ProbeListener;
import org.filewcount.agent.probe.ProbeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what Consul believes about this instance true.
 *
 * <ul>
 *   <li>Registers (service, then sidecar) only after the first passing probe.
 *   <li>Passes the TTL check every heartbeat interval.
 *   <li>Reads the agent's services every watch interval and re-registers when Consul lost them
 *       (agent restart, {@code -dev} restart, someone deregistered us behind our back).
 *   <li>While Consul cannot be reached, retries with {@link Backoff}, never gives up, and logs only
 *       when the state changes.
 *   <li>On shutdown: maintenance mode first ({@link #enterMaintenance}), deregistration after the
 *       drain ({@link #deregister}).
 * </ul>
 *
 * <p>All Consul calls run on one thread, so the state needs no locks and calls never overlap.
 */
public final class RegistrationLoop implements ProbeListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RegistrationLoop.class);

  /**
   * @param watchEvery how often to read the registration back (bounds re-registration delay)
   * @param heartbeatEvery how often to pass the TTL check
   */
  public record Timing(Duration watchEvery, Duration heartbeatEvery, Duration backoffInitial, Duration backoffCap) {

    /**
     * Production timing. The backoff cap stays at 4 s and the watch at 1.5 s so that a returning
     * Consul has the instance back within 5 s (issue 2 and the reliability issue's figure).
     */
    public static Timing forHeartbeat(Duration heartbeatEvery) {
      return new Timing(Duration.ofMillis(1500), heartbeatEvery, Duration.ofMillis(250), Duration.ofSeconds(4));
    }
  }

  private final ConsulAgent consul;
  private final RegistrationPayload payload;
  private final Timing timing;
  private final List<RegistrationListener> listeners;
  private final Clock clock;
  private final Backoff backoff;
  private final ScheduledExecutorService executor;

  // Confined to the executor thread.
  private RegistrationState state = RegistrationState.STARTING;
  private boolean registered;
  /** Once in Consul, always worth draining: while Consul is unreachable we cannot know it forgot us. */
  private volatile boolean everRegistered;
  private boolean shuttingDown;
  private Instant nextHeartbeat = Instant.MIN;
  private ScheduledFuture<?> next;
  private volatile boolean started;
  private volatile RegistrationState published = RegistrationState.STARTING;

  public RegistrationLoop(ConsulAgent consul, RegistrationPayload payload, Timing timing,
      List<RegistrationListener> listeners, Clock clock) {
    this.consul = consul;
    this.payload = payload;
    this.timing = timing;
    this.listeners = List.copyOf(listeners);
    this.clock = clock;
    this.backoff = new Backoff(timing.backoffInitial(), timing.backoffCap());
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "consul-registration");
      t.setDaemon(true);
      return t;
    });
  }

  /** The first passing probe starts the loop; later probes change nothing here (the HTTP check reports them). */
  @Override
  public void onProbe(ProbeResult result) {
    if (result.passed() && !started) {
      started = true;
      executor.execute(this::tick);
    }
  }

  public RegistrationState state() {
    return published;
  }

  /** Whether the instance got into Consul at least once (nothing to drain otherwise). */
  public boolean everRegistered() {
    return everRegistered;
  }

  /**
   * Stops the loop and puts the instance (and its sidecar) into maintenance, so Consul's health API
   * and Envoy stop sending it new requests while it still serves. Waits at most {@code timeout}.
   *
   * @return true when Consul confirmed maintenance for every registered ID
   */
  public boolean enterMaintenance(Duration timeout) {
    return call(() -> {
      shuttingDown = true;
      cancelNext();
      if (!everRegistered) {
        log.info("Draining before the instance was ever registered: nothing to take out of Consul");
        return false;
      }
      boolean ok = true;
      for (String id : payload.idsSidecarFirst()) {
        try {
          consul.maintenance(id, true, "filewcount-agent draining before shutdown");
        } catch (ConsulException e) {
          ok = false;
          log.warn("Could not put {} into maintenance ({}); it stays listed until deregistration or its"
              + " checks fail", id, e.getMessage());
        }
      }
      transition(RegistrationState.DRAINING);
      if (ok) {
        log.info("In maintenance: {} (Consul no longer routes new requests here)", payload.idsSidecarFirst());
      }
      return ok;
    }, timeout, false);
  }

  /**
   * Removes the sidecar and the service from Consul. Waits at most {@code timeout}.
   *
   * @return true when Consul confirmed every deregistration
   */
  public boolean deregister(Duration timeout) {
    return call(() -> {
      shuttingDown = true;
      cancelNext();
      if (!everRegistered) {
        return true;
      }
      boolean ok = true;
      for (String id : payload.idsSidecarFirst()) {
        try {
          consul.deregister(id);
        } catch (ConsulException e) {
          ok = false;
          log.warn("Could not deregister {} ({}); Consul removes it {} after its TTL check turns critical",
              id, e.getMessage(),
              org.filewcount.agent.config.Durations.format(RegistrationPayload.DEREGISTER_CRITICAL_AFTER));
        }
      }
      registered = false;
      transition(RegistrationState.DEREGISTERED);
      if (ok) {
        log.info("Deregistered {}", payload.idsSidecarFirst());
      }
      return ok;
    }, timeout, false);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private void tick() {
    if (shuttingDown) {
      return;
    }
    Duration delay;
    try {
      if (!registered) {
        register();
      } else {
        watch();
        heartbeatIfDue();
      }
      backoff.reset();
      transition(RegistrationState.REGISTERED);
      delay = timing.watchEvery();
    } catch (ConsulException e) {
      registered = false;
      delay = backoff.next();
      if (state != RegistrationState.CONSUL_UNREACHABLE) {
        log.warn("Consul unreachable or refusing the agent's calls; retrying with backoff"
            + " (next in {} ms, at most {} s apart): {}", delay.toMillis(), timing.backoffCap().toSeconds(),
            e.getMessage());
      } else {
        log.debug("Consul still unreachable (attempt {}): {}", backoff.failures(), e.getMessage());
      }
      transition(RegistrationState.CONSUL_UNREACHABLE);
    } catch (RuntimeException e) {
      // A bug must not stop the loop: the instance would silently drop out of Consul.
      registered = false;
      delay = backoff.next();
      log.error("Unexpected failure in the registration loop; retrying in {} ms", delay.toMillis(), e);
    }
    schedule(delay);
  }

  private void register() {
    consul.register(payload.service());
    payload.sidecar().ifPresent(consul::register);
    registered = true;
    everRegistered = true;
    if (!consul.passTtl(payload.ttlCheckId(), "agent alive")) {
      throw new ConsulException("Consul does not know TTL check " + payload.ttlCheckId()
          + " right after registering it");
    }
    nextHeartbeat = clock.instant().plus(timing.heartbeatEvery());
    if (state == RegistrationState.REGISTERED) {
      log.info("Re-registered {} in Consul", payload.idsSidecarFirst());
    } else {
      log.info("Registered {} in Consul", payload.idsSidecarFirst());
    }
  }

  private void watch() {
    Set<String> present = consul.registeredServiceIds();
    List<String> missing = payload.idsSidecarFirst().stream().filter(id -> !present.contains(id)).toList();
    if (!missing.isEmpty()) {
      log.warn("Consul lost the registration of {} (agent restarted or it was removed); re-registering", missing);
      register();
    }
  }

  private void heartbeatIfDue() {
    Instant now = clock.instant();
    if (now.isBefore(nextHeartbeat)) {
      return;
    }
    if (!consul.passTtl(payload.ttlCheckId(), "agent alive")) {
      log.warn("Consul no longer knows TTL check {}; re-registering", payload.ttlCheckId());
      register();
      return;
    }
    nextHeartbeat = now.plus(timing.heartbeatEvery());
  }

  private void schedule(Duration delay) {
    if (!shuttingDown && !executor.isShutdown()) {
      next = executor.schedule(this::tick, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void cancelNext() {
    if (next != null) {
      next.cancel(false);
    }
  }

  private void transition(RegistrationState to) {
    RegistrationState from = state;
    if (from == to) {
      return;
    }
    state = to;
    published = to;
    for (RegistrationListener l : listeners) {
      try {
        l.onStateChange(from, to);
      } catch (RuntimeException e) {
        log.warn("Registration listener {} failed", l, e);
      }
    }
  }

  private <T> T call(java.util.concurrent.Callable<T> task, Duration timeout, T onTimeout) {
    if (executor.isShutdown()) {
      return onTimeout;
    }
    Future<T> f = executor.submit(task);
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("Consul did not answer within {} ms during shutdown; going on without it", timeout.toMillis());
      return onTimeout;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onTimeout;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
