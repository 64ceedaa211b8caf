package org.filewcount.agent.uploads;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.probe.Readiness;
import org.filewcount.agent.uploads.NomadAllocFs.Allocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies into this allocation's upload folder every upload that another allocation of the same name
 * (the same job, group and index) holds and this one does not (ADR 0017). Nomad v1.10.5 places a canary
 * under the name of an allocation it replaces but without a previous allocation, so ephemeral_disk sticky
 * and migrate give it an empty folder, and stops the old one at promotion without migrating it
 * (scheduler/reconcile.go computeCanaries, computeStop); this is what keeps that instance's uploads.
 *
 * <p>Every {@link #interval} it lists the job's allocations; for each one of the same name that is not this
 * one, it copies the files it lacks ({@link CarryPass}). One still running is looked at again on the next
 * pass (it may store more); one whose client status is terminal gets one more pass after that status was
 * seen (its folder stays readable until the client garbage-collects it) and is then done. Nothing is
 * overwritten or removed: a name this folder holds keeps this folder's file.
 *
 * <p>Readiness waits for the first complete pass, at most {@code wait}; when Nomad is unreachable or
 * refuses, the pass fails (logged, counted), is retried each interval, and readiness stops waiting after
 * {@code wait} all the same. The old allocation keeps running until promotion, so a late pass loses nothing.
 */
public final class UploadsCarry implements AutoCloseable {

  /** What telemetry counts: filewcount.uploads.carried / .carry.conflicts / .carry.failures. */
  public interface Listener {
    Listener NONE = new Listener() {
      @Override
      public void copied() {}

      @Override
      public void conflict() {}

      @Override
      public void failed(String errorType) {}
    };

    void copied();

    /** A name this folder already holds with other bytes: ours is kept, theirs is not copied. */
    void conflict();

    void failed(String errorType);
  }

  static final Duration INTERVAL = Duration.ofSeconds(15);
  /** A terminal allocation whose folder cannot be read is given up after this many passes (a dead node). */
  static final int TERMINAL_ATTEMPTS = 20;

  private static final Logger log = LoggerFactory.getLogger(UploadsCarry.class);

  private final NomadAllocFs nomad;
  private final String job;
  private final String allocId;
  private final String allocName;
  private final String sourceDir;
  private final Duration wait;
  private final Duration interval;
  private final CarryPass copier;
  private final Map<String, Peer> peers = new HashMap<>();
  private final AtomicBoolean firstPassDone = new AtomicBoolean();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "uploads-carry");
    t.setDaemon(true);
    return t;
  });
  private volatile Readiness readiness;
  private volatile Listener sink = Listener.NONE;
  /** Handed to the copier; forwards to whatever {@link #listener} set (telemetry is created after the config). */
  private final Listener forward = new Listener() {
    @Override
    public void copied() {
      sink.copied();
    }

    @Override
    public void conflict() {
      sink.conflict();
    }

    @Override
    public void failed(String errorType) {
      sink.failed(errorType);
    }
  };
  private boolean failing;

  /** Per other allocation: what is settled, and how often a terminal one could not be read. */
  static final class Peer {
    final java.util.Set<String> settled = new java.util.HashSet<>();
    int terminalFailures;
    boolean done;
  }

  UploadsCarry(NomadAllocFs nomad, String job, String allocId, String allocName, Path uploads, String sourceDir,
      Duration wait, Duration interval, Clock clock) {
    this.nomad = nomad;
    this.job = job;
    this.allocId = allocId;
    this.allocName = allocName;
    this.sourceDir = sourceDir;
    this.wait = wait;
    this.interval = interval;
    this.copier = new CarryPass(nomad, uploads, sourceDir, forward, clock);
  }

  /** Where copies, conflicts and failures are counted. */
  public UploadsCarry listener(Listener l) {
    this.sink = java.util.Objects.requireNonNull(l);
    return this;
  }

  /**
   * The carry inside Nomad, empty outside it (no NOMAD_ALLOC_ID, NOMAD_ALLOC_NAME, NOMAD_JOB_ID), without a
   * Nomad address or when the folder is not inside the allocation directory (its place in the other
   * allocations would be unknown). Config errors (bad NOMAD_ADDR, unreadable token file) throw.
   */
  public static Optional<UploadsCarry> fromEnvironment(Map<String, String> env, Optional<Path> uploads,
      Duration wait) {
    String id = env.get("NOMAD_ALLOC_ID");
    String name = env.get("NOMAD_ALLOC_NAME");
    String job = env.get("NOMAD_JOB_ID");
    String allocDir = env.get("NOMAD_ALLOC_DIR");
    if (uploads.isEmpty() || blank(id) || blank(name) || blank(job) || blank(allocDir)) {
      return Optional.empty();
    }
    Path root = Path.of(allocDir).toAbsolutePath().normalize();
    Path dir = uploads.get().toAbsolutePath().normalize();
    if (!dir.startsWith(root) || dir.equals(root)) {
      log.info("Uploads are not carried across upgrades: --uploads-dir {} is outside $NOMAD_ALLOC_DIR {}", dir, root);
      return Optional.empty();
    }
    Optional<NomadAllocFs> nomad = NomadAllocFs.fromEnvironment(env);
    if (nomad.isEmpty()) {
      log.warn("Uploads are not carried across upgrades: no NOMAD_ADDR (the job sets it to the Task API socket,"
          + " docs/agent.md)");
      return Optional.empty();
    }
    // Nomad's fs paths are relative to the allocation directory, whose shared part is "alloc".
    String source = "alloc/" + root.relativize(dir).toString().replace('\\', '/');
    return Optional.of(new UploadsCarry(nomad.get(), job.strip(), id.strip(), name.strip(), dir, source, wait,
        INTERVAL, Clock.systemUTC()));
  }

  /** Starts the passes; readiness is held until the first complete one, at most {@code wait}. */
  public void start(Readiness r) {
    this.readiness = r;
    if (!wait.isZero()) {
      r.hold("starting: carrying this instance's uploads from the allocation(s) named " + allocName
          + " (at most " + Durations.format(wait) + ")");
      executor.schedule(() -> {
        if (firstPassDone.compareAndSet(false, true)) {
          log.warn("Taking traffic before this instance's uploads were carried ({} passed); the carry goes on every"
              + " {} in the background", Durations.format(wait), Durations.format(interval));
          r.release();
        }
      }, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
    log.info("Carrying uploads: allocations named {} of job {} into {} ({}, every {})", allocName, job,
        copier.folder(), nomad.describe(), Durations.format(interval));
    executor.scheduleWithFixedDelay(this::passQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void passQuietly() {
    try {
      if (pass() && firstPassDone.compareAndSet(false, true) && readiness != null) {
        readiness.release();
      }
    } catch (RuntimeException e) {
      log.warn("Uploads carry pass failed: {}", e.toString());
    }
  }

  /** One pass; true when every allocation of the same name could be read (or is gone). */
  boolean pass() {
    List<Allocation> all;
    try {
      all = nomad.allocations(job);
    } catch (NomadAllocFs.CallException e) {
      failure(e);
      return false;
    }
    boolean complete = true;
    List<Allocation> same = all.stream()
        .filter(a -> a.name().equals(allocName) && !a.id().equals(allocId))
        // Newest first: where two of them hold a name with other bytes, the one that served last wins (a
        // stopped allocation of an earlier upgrade may still hold the file its successor kept out).
        .sorted(Comparator.comparingLong(Allocation::createIndex).reversed())
        .toList();
    for (Allocation a : same) {
      Peer peer = peers.computeIfAbsent(a.id(), k -> new Peer());
      if (peer.done) {
        continue;
      }
      // Read before the listing: a pass begun after the status was terminal saw everything it stored.
      boolean terminal = a.terminal();
      try {
        boolean present = copier.carryFrom(a, peer.settled);
        if (terminal) {
          peer.done = true;
          log.info("Uploads carry: allocation {} ({}) is {}; {}", a.shortId(), a.name(), a.clientStatus(),
              present ? "its last pass is done" : "its folder is gone, nothing more to carry");
        }
      } catch (NomadAllocFs.CallException e) {
        failure(e);
        complete = false;
        if (terminal && ++peer.terminalFailures >= TERMINAL_ATTEMPTS) {
          peer.done = true;
          log.warn("Uploads carry: giving up on allocation {} ({}, {}) after {} passes: the uploads it has and this"
              + " folder lacks are not carried", a.shortId(), a.name(), a.clientStatus(), TERMINAL_ATTEMPTS);
        }
      }
    }
    if (complete && failing) {
      failing = false;
      log.info("Uploads carry: {} answers again", nomad.describe());
    }
    return complete;
  }

  private void failure(NomadAllocFs.CallException e) {
    forward.failed(e.errorType);
    if (!failing) {
      failing = true;
      log.warn("Uploads carry: {}; retrying every {} (counted in filewcount_uploads_carry_failures_total)",
          e.getMessage(), Durations.format(interval));
    } else {
      log.debug("Uploads carry: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  String sourceDir() {
    return sourceDir;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
