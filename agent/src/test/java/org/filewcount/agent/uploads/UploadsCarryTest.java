package org.filewcount.agent.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.probe.Readiness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The real carry against a loopback stand-in of Nomad's allocation and client fs endpoints. */
class UploadsCarryTest {

  static final String JOB = "filewcount";
  static final String NAME = "filewcount.filewcount[0]";
  static final String SOURCE = "alloc/data/uploads";

  @TempDir
  Path root;

  private NomadFsStandIn nomad;
  private final Counting counted = new Counting();
  private ListAppender<ILoggingEvent> logs;

  /** Counts what the carry reports, like telemetry does. */
  static final class Counting implements UploadsCarry.Listener {
    int copied;
    int conflicts;
    final List<String> failures = new ArrayList<>();

    @Override
    public synchronized void copied() {
      copied++;
    }

    @Override
    public synchronized void conflict() {
      conflicts++;
    }

    @Override
    public synchronized void failed(String errorType) {
      failures.add(errorType);
    }
  }

  @BeforeEach
  void setUp() {
    nomad = new NomadFsStandIn(JOB);
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger("org.filewcount.agent.uploads")).addAppender(logs);
  }

  @AfterEach
  void tearDown() throws IOException {
    ((Logger) LoggerFactory.getLogger("org.filewcount.agent.uploads")).detachAppender(logs);
    nomad.close();
  }

  private UploadsCarry carry(String address, String selfId, Path selfDir, Duration wait, String token) {
    NomadAllocFs fs = new NomadAllocFs(address, Optional.ofNullable(token).map(org.filewcount.agent.config.Secret::of),
        Optional.empty(), Optional.of("default"), Optional.empty());
    return new UploadsCarry(fs, JOB, selfId, NAME, selfDir.resolve(SOURCE), SOURCE, wait, Duration.ofMillis(50),
        Clock.systemUTC()).listener(counted);
  }

  static Path put(Path allocDir, String name, String text) throws IOException {
    Path f = allocDir.resolve(SOURCE).resolve(name);
    Files.writeString(f, text);
    // Older than the carry's settle time: the app's second for that name is over.
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
    return f;
  }

  static Map<String, String> contents(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        out.put(f.getFileName().toString(), Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.ISO_8859_1)
            : "<not a file>");
      }
    }
    return out;
  }

  @Test
  void copiesEveryMissingFileOnceKeepsWhatIsHereAndLeavesProbeFilesLinksAndFolders() throws Exception {
    Path old = nomad.add("old-0", NAME, root.resolve("old")).dir;
    Path canary = nomad.add("canary-0", NAME, root.resolve("canary")).dir;
    Path other = nomad.add("old-1", "filewcount.filewcount[1]", root.resolve("other")).dir;
    put(old, "20260105.100000-2-2.txt", "before one\n");
    put(old, "20260105.100001-3-3.txt", "before two two\n");
    put(old, "20260105.100002-4-4.txt", "old instance's bytes\n");
    put(canary, "20260105.100002-4-4.txt", "the canary's own\n");
    put(old, "20260105.100007-2-2.txt", "same size, old\n");
    put(canary, "20260105.100007-2-2.txt", "same size, new\n");
    put(old, "20260105.100003-17-14.txt",
        "filewcount agent probe abcdefghijklmnopqrstuvwxyz: the quick brown fox jumps over the lazy dog and the dog sleeps\n");
    put(old, "20260105.100004-17-14.txt", "a user's file with the probe's counts and other words, seventeen?\n");
    Files.createDirectories(old.resolve(SOURCE).resolve("a-folder"));
    Files.createSymbolicLink(old.resolve(SOURCE).resolve("20260105.100005-1-1.txt"), root.resolve("elsewhere"));
    put(old, ".hidden", "not an upload\n");
    put(other, "20260105.100006-5-5.txt", "another instance\n");
    Map<String, String> oldBefore = contents(old.resolve(SOURCE));

    UploadsCarry c = carry(nomad.startHttp(), "canary-0", canary, Duration.ZERO, NomadFsStandIn.TOKEN);
    assertThat(c.pass()).isTrue();

    assertThat(contents(canary.resolve(SOURCE))).isEqualTo(Map.of(
        "20260105.100000-2-2.txt", "before one\n",
        "20260105.100001-3-3.txt", "before two two\n",
        "20260105.100002-4-4.txt", "the canary's own\n",
        "20260105.100007-2-2.txt", "same size, new\n",
        "20260105.100004-17-14.txt", "a user's file with the probe's counts and other words, seventeen?\n"));
    assertThat(Files.getLastModifiedTime(canary.resolve(SOURCE).resolve("20260105.100000-2-2.txt")))
        .as("the copy keeps the source's time").isEqualTo(Files.getLastModifiedTime(old.resolve(SOURCE)
            .resolve("20260105.100000-2-2.txt")));
    assertThat(contents(old.resolve(SOURCE))).as("the source is read only").isEqualTo(oldBefore);
    assertThat(counted.copied).isEqualTo(3);
    assertThat(counted.conflicts).isEqualTo(2);
    assertThat(counted.failures).isEmpty();
    assertThat(nomad.requests).noneMatch(r -> r.endsWith("/old-1")).as("another index is never read");
    assertThat(root.resolve("canary/alloc/data/.uploads-carry")).isEmptyDirectory();

    // Idempotent: a second pass changes nothing and reads no file again.
    nomad.requests.clear();
    assertThat(c.pass()).isTrue();
    assertThat(contents(canary.resolve(SOURCE))).hasSize(5);
    assertThat(counted.copied).isEqualTo(3);
    assertThat(counted.conflicts).isEqualTo(2);
    assertThat(nomad.requests).noneMatch(r -> r.startsWith("/v1/client/fs/cat/"));
  }

  @Test
  void aRunningAllocationIsReadAgainAndATerminalOneOnceMoreThenNever() throws Exception {
    NomadFsStandIn.Alloc old = nomad.add("old-0", NAME, root.resolve("old"));
    Path canary = nomad.add("canary-0", NAME, root.resolve("canary")).dir;
    put(old.dir, "20260105.100000-2-2.txt", "first\n");
    UploadsCarry c = carry(nomad.startHttp(), "canary-0", canary, Duration.ZERO, NomadFsStandIn.TOKEN);
    c.pass();
    put(old.dir, "20260105.110000-3-3.txt", "stored while both ran\n");
    c.pass();
    old.clientStatus = "complete";
    put(old.dir, "20260105.120000-4-4.txt", "stored before it stopped, seen by the final pass\n");
    c.pass();
    nomad.requests.clear();
    c.pass();

    assertThat(contents(canary.resolve(SOURCE))).containsOnlyKeys("20260105.100000-2-2.txt",
        "20260105.110000-3-3.txt", "20260105.120000-4-4.txt");
    assertThat(nomad.requests).as("done with the stopped allocation").containsExactly("/v1/job/filewcount/allocations");
  }

  @Test
  void aFileStillBeingWrittenWaitsForTheNextPass() throws Exception {
    Path old = nomad.add("old-0", NAME, root.resolve("old")).dir;
    Path canary = nomad.add("canary-0", NAME, root.resolve("canary")).dir;
    Path young = old.resolve(SOURCE).resolve("20260105.100000-2-2.txt");
    Files.writeString(young, "just written\n");
    UploadsCarry c = carry(nomad.startHttp(), "canary-0", canary, Duration.ZERO, NomadFsStandIn.TOKEN);
    c.pass();
    assertThat(canary.resolve(SOURCE)).isEmptyDirectory();
    Files.setLastModifiedTime(young, FileTime.from(Instant.now().minusSeconds(5)));
    c.pass();
    assertThat(contents(canary.resolve(SOURCE))).containsEntry("20260105.100000-2-2.txt", "just written\n");
  }

  @Test
  void overNomadsTaskApiUnixSocket() throws Exception {
    Path old = nomad.add("old-0", NAME, root.resolve("old")).dir;
    Path canary = nomad.add("canary-0", NAME, root.resolve("canary")).dir;
    put(old, "20260105.100000-2-2.txt", "over the socket\n");
    UploadsCarry c = carry(nomad.startUnix(root.resolve("api.sock")), "canary-0", canary, Duration.ZERO,
        NomadFsStandIn.TOKEN);
    assertThat(c.pass()).isTrue();
    assertThat(contents(canary.resolve(SOURCE))).containsEntry("20260105.100000-2-2.txt", "over the socket\n");
  }

  @Test
  void aRefusedOrUnreachableNomadIsCountedLoggedOnceWithoutTheTokenAndReadinessWaitsOnlyAsLongAsAllowed()
      throws Exception {
    Path canary = nomad.add("canary-0", NAME, root.resolve("canary")).dir;
    String addr = nomad.startHttp();
    UploadsCarry wrongToken = carry(addr, "canary-0", canary, Duration.ZERO, "a-wrong-secret-token");
    assertThat(wrongToken.pass()).isFalse();
    assertThat(wrongToken.pass()).isFalse();
    assertThat(counted.failures).containsExactly("http_403", "http_403");
    List<String> warnings = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("Uploads carry")).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("403", "read-job and read-fs").doesNotContain("a-wrong-secret-token");

    nomad.down = true;
    Readiness readiness = new Readiness();
    try (UploadsCarry c = carry(addr, "canary-0", canary, Duration.ofMillis(700), NomadFsStandIn.TOKEN)) {
      c.start(readiness);
      assertThat(readiness.verdict().reason()).startsWith("starting: carrying this instance's uploads");
      await().atMost(Duration.ofSeconds(10)).until(() -> !readiness.verdict().reason().startsWith("starting: carrying"));
      assertThat(counted.failures).contains("http_500");
    }
    assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage))
        .anyMatch(m -> m.startsWith("Taking traffic before this instance's uploads were carried"));
  }

  @Test
  void readinessIsReleasedByTheFirstCompletePass() throws Exception {
    Path canary = nomad.add("canary-0", NAME, root.resolve("canary")).dir;
    Readiness readiness = new Readiness();
    try (UploadsCarry c = carry(nomad.startHttp(), "canary-0", canary, Duration.ofMinutes(10), NomadFsStandIn.TOKEN)) {
      c.start(readiness);
      await().atMost(Duration.ofSeconds(10)).until(() -> readiness.verdict().reason().startsWith("starting: no"));
    }
  }

  @Test
  void onlyInsideNomadWithTheFolderInTheAllocationAndAValidAddress() throws IOException {
    Path alloc = Files.createDirectories(root.resolve("alloc-dir"));
    Optional<Path> uploads = Optional.of(alloc.resolve("data/uploads"));
    Map<String, String> nomadEnv = Map.of("NOMAD_ALLOC_ID", "a1", "NOMAD_ALLOC_NAME", NAME, "NOMAD_JOB_ID", JOB,
        "NOMAD_ALLOC_DIR", alloc.toString(), "NOMAD_ADDR", "unix:///secrets/api.sock");
    assertThat(UploadsCarry.fromEnvironment(nomadEnv, uploads, Duration.ZERO)).get()
        .extracting(UploadsCarry::sourceDir).isEqualTo("alloc/data/uploads");
    assertThat(UploadsCarry.fromEnvironment(Map.of(), uploads, Duration.ZERO)).as("outside Nomad").isEmpty();
    assertThat(UploadsCarry.fromEnvironment(nomadEnv, Optional.of(root.resolve("elsewhere")), Duration.ZERO))
        .as("a folder outside the allocation").isEmpty();
    Map<String, String> noAddr = new java.util.HashMap<>(nomadEnv);
    noAddr.remove("NOMAD_ADDR");
    assertThat(UploadsCarry.fromEnvironment(noAddr, uploads, Duration.ZERO)).isEmpty();
    noAddr.put("NOMAD_UNIX_ADDR", "unix:///secrets/api.sock");
    assertThat(UploadsCarry.fromEnvironment(noAddr, uploads, Duration.ZERO)).isPresent();
    Map<String, String> bad = new java.util.HashMap<>(nomadEnv);
    bad.put("NOMAD_ADDR", "ftp://nomad:4646");
    assertThatThrownBy(() -> UploadsCarry.fromEnvironment(bad, uploads, Duration.ZERO))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unix:///secrets/api.sock");
    bad.put("NOMAD_ADDR", "unix:///secrets/api.sock");
    bad.put("NOMAD_TOKEN_FILE", root.resolve("missing-token").toString());
    assertThatThrownBy(() -> UploadsCarry.fromEnvironment(bad, uploads, Duration.ZERO))
        .isInstanceOf(ConfigException.class).hasMessageContaining("NOMAD_TOKEN_FILE");
  }
}
