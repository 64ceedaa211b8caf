package org.filewcount.agent.probe;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.filewcount.agent.app.WordCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the file each functional probe leaves in the app's upload folder, and never a user's file.
 *
 * <p>A file is the probe's only when all of these hold: its name is one the app gives an upload of the
 * probe's counts stored during that probe ({@code YYYYMMDD.HHMMSS-W-U.txt}, UTC, a second from just before
 * the upload to its end: the name is a pre-filter, never a proof); it is a regular file, not a link; and
 * its bytes are exactly the probe's, which carry a random token of this agent process. A user's file with
 * the same counts or the same name pattern has other bytes and is not touched.
 *
 * <p>The app names files by the second it writes them and overwrites a name that is written twice in
 * one second. So the agent looks only once that second is over (plus {@link #SETTLE}): from then on the
 * app never writes that name again, and the bytes read are the bytes removed.
 *
 * <p>A file that matches but cannot be removed (read-only folder, permissions) is counted through the
 * listener, logged as a warning the first time and at debug level after; the probe is never affected.
 */
public final class ProbeFileCleaner implements ProbeListener, AutoCloseable {

  /** How the result of one look at a probe's candidate files is reported (telemetry counts it). */
  public interface Listener {
    Listener NONE = new Listener() {
      @Override
      public void removed() {}

      @Override
      public void notRemoved(String errorType) {}
    };

    void removed();

    /** A file with the probe's exact bytes that stays; {@code errorType} is the exception's simple name. */
    void notRemoved(String errorType);
  }

  /** After the second of a file's name is over, this much more before looking (clock granularity). */
  static final Duration SETTLE = Duration.ofMillis(250);

  private static final Logger log = LoggerFactory.getLogger(ProbeFileCleaner.class);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd.HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Path folder;
  private final byte[] content;
  private final String suffix;
  private final Clock clock;
  private final Listener listener;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean warnedFile = new AtomicBoolean();
  private final AtomicBoolean warnedFolder = new AtomicBoolean();

  public ProbeFileCleaner(Path folder, byte[] content, WordCounts counts, Clock clock, Listener listener) {
    this.folder = folder;
    this.content = content.clone();
    this.suffix = "-" + counts.words() + "-" + counts.uniqueWords() + ".txt";
    this.clock = clock;
    this.listener = listener;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "probe-file-cleaner");
      t.setDaemon(true);
      return t;
    });
  }

  /** Every probe, passed or failed: a failed one (wrong counts, timeout) may still have stored its file. */
  @Override
  public void onProbe(ProbeResult result) {
    Instant from = result.at().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
    Instant to = result.at().plus(result.duration()).truncatedTo(ChronoUnit.SECONDS);
    long delay = Duration.between(clock.instant(), to.plusSeconds(1).plus(SETTLE)).toMillis();
    try {
      executor.schedule(() -> sweep(from, to), Math.max(0, delay), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("Agent stopping: the probe file of {} stays", result.at());
    }
  }

  /** The probe's file names for the seconds from..to, each removed if its bytes are the probe's. */
  void sweep(Instant from, Instant to) {
    for (Path candidate : candidates(from, to)) {
      try {
        if (isOurs(candidate)) {
          Files.delete(candidate);
          listener.removed();
          log.debug("Removed the probe's file {}", candidate.getFileName());
        }
      } catch (NoSuchFileException e) {
        // gone already (someone else cleaned up): nothing to do
      } catch (IOException e) {
        notRemoved(candidate, e);
      }
    }
  }

  private boolean isOurs(Path candidate) throws IOException {
    if (!Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(folder) && warnedFolder.compareAndSet(false, true)) {
        log.warn("--uploads-dir {} is not a directory the agent can see: probe files are not removed (is the app's"
            + " upload folder mounted into the agent?)", folder);
      }
      return false;
    }
    if (Files.size(candidate) != content.length) {
      return false;
    }
    return Arrays.equals(Files.readAllBytes(candidate), content);
  }

  private void notRemoved(Path candidate, IOException e) {
    String type = e.getClass().getSimpleName();
    listener.notRemoved(type);
    if (warnedFile.compareAndSet(false, true)) {
      log.warn("Cannot remove the probe's file {} ({}: {}); probe files stay in {} (each one counted in"
          + " filewcount_probe_files_not_removed_total, this warning is logged once): give the agent write"
          + " access to the folder (docs/agent.md), or drop --uploads-dir", candidate.getFileName(), type,
          reason(e), folder);
    } else {
      log.debug("Cannot remove the probe's file {}: {}", candidate.getFileName(), e.toString());
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** The names the app gives an upload of the probe's counts stored in the seconds from..to. */
  List<Path> candidates(Instant from, Instant to) {
    List<Path> out = new ArrayList<>();
    for (Instant s = from; !s.isAfter(to); s = s.plusSeconds(1)) {
      out.add(folder.resolve(STAMP.format(s) + suffix));
    }
    return out;
  }

  /** Pending looks are dropped: the last probe's file may stay (docs/agent.md). */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
