package org.filewcount.agent.rollout.state;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.rollout.RolloutCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rollout per service: a Consul session lock on {@code filewcount/rollout/<service>/lock}, the pattern
 * of Consul's "sessions and distributed locks" docs. The session has a TTL and is renewed every third of
 * it; if this process dies the renewals stop, Consul invalidates the session (after the TTL, at most twice
 * it) and releases the lock, and lock-delay keeps anyone from taking it at once. Closing releases the
 * lock explicitly first (no lock-delay follows a release) and then destroys the session.
 */
final class RolloutLock implements AutoCloseable {

  /** Consul's shortest allowed TTL is 10 s; 15 s means a dead rollout is noticed within 15-30 s. */
  public static final Duration TTL = Duration.ofSeconds(15);
  /** Consul's default; longer than a renewal period plus one Consul write, so a stalled holder stops first. */
  public static final Duration LOCK_DELAY = Duration.ofSeconds(15);

  private static final Logger LOG = LoggerFactory.getLogger(RolloutLock.class);

  private final ConsulKv kv;
  private final ConsulSessions sessions;
  private final String service;
  private final String session;
  private final String holder;
  private final ScheduledExecutorService renewer;
  private volatile Optional<String> lost = Optional.empty();
  private volatile Instant lastRenewed = Instant.now();
  private volatile Runnable onLost = () -> { };
  private boolean closed;

  private RolloutLock(ConsulHttp http, String service, String session, String holder) {
    this.kv = new ConsulKv(http);
    this.sessions = new ConsulSessions(http);
    this.service = service;
    this.session = session;
    this.holder = holder;
    this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rollout-lock-renew");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Takes the lock, waiting out a lock-delay left by a holder that died (up to {@code lockDelayWait}).
   *
   * @throws RolloutLockedException when another live process holds it (nothing was written)
   */
  public static RolloutLock acquire(ConsulHttp http, String service, String holder, Duration lockDelayWait) {
    ConsulSessions sessions = new ConsulSessions(http);
    ConsulKv kv = new ConsulKv(http);
    String session = sessions.create("filewcount-agent rollout " + service, TTL, LOCK_DELAY);
    String key = RolloutStateStore.lockKey(service);
    Instant giveUp = Instant.now().plus(lockDelayWait);
    try {
      while (!kv.acquire(key, holder, session)) {
        Optional<ConsulKv.Entry> current = kv.get(key);
        if (current.isPresent() && !current.get().session().isEmpty()) {
          throw new RolloutLockedException("a rollout of " + service + " is already running, held by "
              + current.get().value() + " (Consul session " + current.get().session() + "): see it with '"
              + RolloutCommands.verb("status", service) + "', stop it with '" + RolloutCommands.verb("abort", service)
              + "'");
        }
        if (Instant.now().isAfter(giveUp)) {
          throw new RolloutLockedException("Consul refuses the rollout lock of " + service + " (" + key + "): its last"
              + " holder's session ended less than its lock-delay (" + LOCK_DELAY.toSeconds() + "s) ago; try again");
        }
        sleep(Duration.ofMillis(500)); // lock-delay after the previous holder's session ended: Consul answers false
      }
    } catch (RuntimeException e) {
      sessions.destroy(session);
      throw e;
    }
    RolloutLock lock = new RolloutLock(http, service, session, holder);
    lock.startRenewing();
    return lock;
  }

  public String session() {
    return session;
  }

  public String holder() {
    return holder;
  }

  /** Why this process no longer holds the lock, once that happened. */
  public Optional<String> lost() {
    return lost;
  }

  /** Called (on the renewer thread) when the lock is lost, so a waiting rollout stops at once. */
  public void onLost(Runnable r) {
    this.onLost = r;
  }

  private void startRenewing() {
    long every = TTL.toMillis() / 3;
    renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      if (sessions.renew(session)) {
        lastRenewed = Instant.now();
        return;
      }
      lose("its Consul session " + session + " ended (not renewed within its " + TTL.toSeconds() + "s TTL, or destroyed)");
    } catch (RuntimeException e) {
      LOG.warn("renewing the rollout lock's Consul session failed: {}", e.getMessage());
      if (Duration.between(lastRenewed, Instant.now()).compareTo(TTL) > 0) {
        lose("its Consul session " + session + " could not be renewed for longer than its TTL: " + e.getMessage());
      }
    }
  }

  private void lose(String why) {
    if (lost.isEmpty()) {
      lost = Optional.of("this process lost the rollout lock of " + service + ": " + why);
      renewer.shutdown();
      onLost.run();
    }
  }

  /** Releases the lock and destroys the session; safe to call more than once and from a shutdown hook. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    renewer.shutdownNow();
    try {
      kv.release(RolloutStateStore.lockKey(service), holder, session);
    } catch (RuntimeException e) {
      LOG.warn("releasing the rollout lock failed (Consul frees it when the session ends): {}", e.getMessage());
    }
    try {
      sessions.destroy(session);
    } catch (RuntimeException e) {
      LOG.warn("destroying the rollout's Consul session failed (it expires after {}s): {}", TTL.toSeconds(),
          e.getMessage());
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConsulException("interrupted while waiting for the rollout lock", e);
    }
  }
}
