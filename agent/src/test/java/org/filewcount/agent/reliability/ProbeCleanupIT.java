package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 1: the packaged agent with {@code --probe-interval 1s --uploads-dir DIR} in front of the
 * stand-in, which stores uploads in DIR exactly as the contract says. After 30 probes the folder holds at
 * most one probe file, and the users' files planted before and during the run are untouched byte for
 * byte; with a folder the agent cannot remove files from, the probe still passes, the metric counts each
 * file left and the log says so once.
 */
class ProbeCleanupIT {

  /** The probe's text with any token of its alphabet (FunctionalProbe: a-z and 2-7). */
  private static final Pattern PROBE_TEXT = Pattern.compile(
      "filewcount agent probe [a-z2-7]{26}: the quick brown fox jumps over the lazy dog and the dog sleeps\n");
  private static final Pattern STORED = Pattern.compile("(\\d{8}\\.\\d{6})-17-14\\.txt");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd.HHmmss");
  /** Same counts (17, 14) and size as the probe's text, but a token outside the probe's alphabet: a user's. */
  private static final String USER_SAME_COUNTS =
      "filewcount agent probe 01010101010101010101010101: the quick brown fox jumps over the lazy dog and the dog sleeps\n";

  @TempDir
  Path tmp;

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedByTest();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private FilewcountStandIn app;
  private AgentUnderTest agent;

  @Test
  void after30ProbesAtMostOneProbeFileIsLeftAndEveryUserFileIsUntouched() throws Exception {
    Path uploads = Files.createDirectories(tmp.resolve("uploads"));
    Map<Path, byte[]> users = new LinkedHashMap<>();
    // Before the run: the probe's counts with other bytes, and the probe's name pattern with other counts.
    plant(users, uploads.resolve("20260105.101010-17-14.txt"), USER_SAME_COUNTS);
    plant(users, uploads.resolve("20260105.101011-3-3.txt"), "one two three\n");
    start(uploads);

    // During the run: as soon as a probe file is there, a user's file of the same counts and size named one
    // second earlier, which is inside the window the agent looks at for that probe; and a newer name-alike.
    Path probeFile = await("a probe file").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> probeFiles(uploads).stream().findFirst().orElse(null), p -> p != null);
    Matcher m = STORED.matcher(probeFile.getFileName().toString());
    assertThat(m.matches()).isTrue();
    LocalDateTime stamp = LocalDateTime.parse(m.group(1), STAMP);
    plant(users, uploads.resolve(STAMP.format(stamp.minusSeconds(1)) + "-17-14.txt"), USER_SAME_COUNTS);
    plant(users, uploads.resolve(STAMP.format(stamp.minusSeconds(1)) + "-2-2.txt"), "hello world\n");

    await("30 probes").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> app.uploadCount() >= 30);
    agent.assertAlive();
    // Each probe's file goes about a second after its upload, so one may be on its way out.
    await("at most one probe file").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> probeFiles(uploads).size() <= 1);

    double removed = metric("filewcount_probe_files_removed_total");
    System.out.println("FIGURE: probe cleanup: " + app.uploadCount() + " probes, " + (long) removed
        + " probe files removed, " + probeFiles(uploads).size() + " left, " + users.size() + " user files untouched");
    assertThat(removed).isGreaterThanOrEqualTo(28);
    assertThat(metric("filewcount_probe_files_not_removed_total")).isZero();
    for (Map.Entry<Path, byte[]> u : users.entrySet()) {
      assertThat(Files.readAllBytes(u.getKey())).as("user file %s", u.getKey().getFileName()).isEqualTo(u.getValue());
    }
    assertThat(status("/health/ready")).isEqualTo(200);
  }

  @Test
  void aFolderTheAgentCannotRemoveFromLeavesTheProbePassingCountedAndLoggedOnce() throws Exception {
    Path uploads = Files.createDirectories(tmp.resolve("uploads"));
    // Append-only: files can be created (the app still stores uploads) but not removed, even by root, which
    // this test may run as (a plain chmod would not stop root).
    assumeTrue(chattr("+a", uploads), "chattr +a not permitted here (needs CAP_LINUX_IMMUTABLE and ext4/xfs)");
    fixture.closeAfter(() -> chattr("-a", uploads)); // after the agent and the app, or @TempDir cannot delete it
    start(uploads);

    await("8 probes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> app.uploadCount() >= 8);
    await("failures counted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> metric("filewcount_probe_files_not_removed_total") >= 6);

    agent.assertAlive();
    assertThat(status("/health/ready")).as("the probe still passes").isEqualTo(200);
    assertThat(metric("filewcount_probe_files_removed_total")).isZero();
    assertThat(probeFiles(uploads).size()).isGreaterThanOrEqualTo(6);
    String log = agent.log();
    assertThat(log.split("Cannot remove the probe's file", -1)).as("warned once:\n" + log).hasSize(2);
    assertThat(log).contains("filewcount_probe_files_not_removed_total");
  }

  private void start(Path uploads) throws Exception {
    app = fixture.startApp(uploads);
    fixture.startConsul();
    agent = fixture.startAgent(a -> a
        .option("--probe-interval", "1s")
        .option("--uploads-dir", uploads.toString()));
    agent.awaitRegistered(fixture.consul(), PackagedAgentExtension.REGISTERED_WITHIN);
  }

  private static void plant(Map<Path, byte[]> users, Path file, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Files.write(file, bytes);
    users.put(file, bytes);
  }

  private static List<Path> probeFiles(Path uploads) throws IOException {
    try (Stream<Path> files = Files.list(uploads)) {
      return files.filter(p -> {
        try {
          return PROBE_TEXT.matcher(Files.readString(p)).matches();
        } catch (IOException e) {
          return false; // removed while we looked
        }
      }).sorted().toList();
    }
  }

  private double metric(String name) throws Exception {
    return agent.metric(name);
  }

  private int status(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(agent.adminUrl(path).toString())).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static boolean chattr(String flag, Path dir) {
    try {
      Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
