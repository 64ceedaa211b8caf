package org.filewcount.agent.uploads;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.filewcount.agent.probe.FunctionalProbe;
import org.filewcount.agent.uploads.NomadAllocFs.Allocation;
import org.filewcount.agent.uploads.NomadAllocFs.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the files one other allocation holds and this folder lacks; never overwrites, never removes.
 *
 * <p>A file is written to a staging folder beside the upload folder, then hard-linked under its name:
 * {@code link(2)} fails when the name exists, so a file the app stored meanwhile wins, and the app never
 * lists a half-written copy. The copy keeps the source's modification time.
 */
final class CarryPass {

  /** What one look at a name ended in. */
  enum Outcome { COPIED, ALREADY_HERE, CONFLICT, PROBE_FILE, GONE, CHANGING, FAILED }

  /** Files younger than this are left for the next pass: the app may still rewrite that name in its second. */
  static final Duration SETTLE = Duration.ofSeconds(2);
  /** The app stores text uploads; anything larger is not one of its files and is not carried. */
  static final long MAX_FILE = 64L << 20;
  private static final int PROGRESS_EVERY = 100;
  private static final Logger log = LoggerFactory.getLogger(CarryPass.class);

  private final NomadAllocFs nomad;
  private final Path folder;
  private final Path staging;
  private final String sourceDir;
  private final UploadsCarry.Listener listener;
  private final Clock clock;
  private boolean warned;

  CarryPass(NomadAllocFs nomad, Path folder, String sourceDir, UploadsCarry.Listener listener, Clock clock) {
    this.nomad = nomad;
    this.folder = folder;
    this.staging = folder.resolveSibling("." + folder.getFileName() + "-carry");
    this.sourceDir = sourceDir;
    this.listener = listener;
    this.clock = clock;
  }

  Path folder() {
    return folder;
  }

  /**
   * Copies what {@code from} holds beyond {@code settled} (names already decided, updated here).
   * False when its folder does not exist (404: gone, not created yet, or its node unreachable).
   */
  boolean carryFrom(Allocation from, Set<String> settled) throws NomadAllocFs.CallException {
    Optional<List<Entry>> listing = nomad.list(from.id(), sourceDir);
    if (listing.isEmpty()) {
      return false;
    }
    List<Entry> todo = listing.get().stream()
        .filter(e -> e.regularFile() && plainName(e.name()) && !settled.contains(e.name()))
        .toList();
    if (todo.isEmpty()) {
      return true;
    }
    warned = false;
    log.info("Uploads carry: {} file(s) of allocation {} ({}, {}) to look at", todo.size(), from.shortId(),
        from.name(), from.clientStatus());
    int[] counts = new int[Outcome.values().length];
    for (int i = 0; i < todo.size(); i++) {
      Entry e = todo.get(i);
      Outcome o = carry(from, e);
      counts[o.ordinal()]++;
      if (o != Outcome.CHANGING && o != Outcome.FAILED) {
        settled.add(e.name());
      }
      if ((i + 1) % PROGRESS_EVERY == 0 && i + 1 < todo.size()) {
        log.info("Uploads carry: {} of {} from allocation {}", i + 1, todo.size(), from.shortId());
      }
    }
    log.info("Uploads carry from allocation {}: {} copied, {} already here, {} kept this folder's file (same name,"
        + " other bytes), {} probe files left, {} gone, {} left for the next pass, {} failed", from.shortId(),
        counts[Outcome.COPIED.ordinal()], counts[Outcome.ALREADY_HERE.ordinal()], counts[Outcome.CONFLICT.ordinal()],
        counts[Outcome.PROBE_FILE.ordinal()], counts[Outcome.GONE.ordinal()], counts[Outcome.CHANGING.ordinal()],
        counts[Outcome.FAILED.ordinal()]);
    return true;
  }

  private Outcome carry(Allocation from, Entry e) throws NomadAllocFs.CallException {
    if (e.modTime().map(t -> t.isAfter(clock.instant().minus(SETTLE))).orElse(false)) {
      return Outcome.CHANGING;
    }
    if (e.size() > MAX_FILE) {
      log.warn("Uploads carry: {} of allocation {} is {} bytes, more than an upload of the app: not carried",
          e.name(), from.shortId(), e.size());
      listener.failed("TooLarge");
      return Outcome.GONE;
    }
    Path target = folder.resolve(e.name());
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) != e.size()) {
        return conflict(from, e);
      }
    } catch (IOException ex) {
      return failed(from, e, ex);
    }
    Optional<byte[]> read = nomad.read(from.id(), sourceDir + "/" + e.name(), MAX_FILE);
    if (read.isEmpty()) {
      return Outcome.GONE;
    }
    byte[] bytes = read.get();
    if (bytes.length != e.size()) {
      return Outcome.CHANGING; // rewritten or cut short between the listing and the read: next pass
    }
    if (FunctionalProbe.isAnyProbesText(bytes)) {
      return Outcome.PROBE_FILE;
    }
    try {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        return Arrays.equals(Files.readAllBytes(target), bytes) ? Outcome.ALREADY_HERE : conflict(from, e);
      }
      return write(target, bytes, e) ? Outcome.COPIED : conflict(from, e);
    } catch (IOException ex) {
      return failed(from, e, ex);
    }
  }

  /** False when the name appeared meanwhile (the app's file wins). */
  private boolean write(Path target, byte[] bytes, Entry e) throws IOException {
    Files.createDirectories(staging);
    Path tmp = Files.createTempFile(staging, "carry-", ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: its default permissions stand
      }
      if (e.modTime().isPresent()) {
        Files.setLastModifiedTime(tmp, FileTime.from(e.modTime().get()));
      }
      Files.createLink(target, tmp);
      listener.copied();
      return true;
    } catch (FileAlreadyExistsException already) {
      return false;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private Outcome conflict(Allocation from, Entry e) {
    listener.conflict();
    log.info("Uploads carry: {} exists here with other bytes than in allocation {}: this folder's file is kept,"
        + " the other is not copied", e.name(), from.shortId());
    return Outcome.CONFLICT;
  }

  private Outcome failed(Allocation from, Entry e, IOException ex) {
    listener.failed(ex.getClass().getSimpleName());
    if (!warned) {
      warned = true;
      log.warn("Uploads carry: cannot copy {} from allocation {} into {} ({}); retried next pass (later failures"
          + " of this pass at debug level, all counted in filewcount_uploads_carry_failures_total)", e.name(),
          from.shortId(), folder, ex.toString());
    } else {
      log.debug("Uploads carry: cannot copy {}: {}", e.name(), ex.toString());
    }
    return Outcome.FAILED;
  }

  /** A name the app could have given: one path segment, not hidden, no separators. */
  static boolean plainName(String name) {
    return !name.isEmpty() && !name.startsWith(".") && name.indexOf('/') < 0 && name.indexOf('\\') < 0
        && name.indexOf('\0') < 0;
  }
}
