package org.filewcount.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a look after one probe removes: only the probe's own bytes, under one of its names. */
class ProbeFileCleanerTest {

  private static final String TOKEN = "abcdefghijklmnopqrstuvwxyz";
  private static final byte[] OURS = FunctionalProbe.text(TOKEN).getBytes(StandardCharsets.UTF_8);
  private static final Instant PROBE_AT = Instant.parse("2026-01-05T08:15:30.400Z");

  @TempDir
  Path folder;

  private final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
  private final ProbeFileCleaner.Listener listener = new ProbeFileCleaner.Listener() {
    @Override
    public void removed() {
      events.add("removed");
    }

    @Override
    public void notRemoved(String errorType) {
      events.add("not removed: " + errorType);
    }
  };

  private ProbeFileCleaner cleaner() {
    return new ProbeFileCleaner(folder, OURS, FunctionalProbe.EXPECTED, Clock.systemUTC(), listener);
  }

  @Test
  void removesTheProbesFileAndLeavesEveryLookAlikeByteForByte() throws Exception {
    String counts = "-" + FunctionalProbe.EXPECTED.words() + "-" + FunctionalProbe.EXPECTED.uniqueWords() + ".txt";
    Path ours = write("20260105.081530" + counts, OURS);
    Map<Path, byte[]> users = new LinkedHashMap<>();
    // Same counts and size, one second earlier (inside the look's window), another agent's or a user's token.
    users.put(write("20260105.081529" + counts,
        FunctionalProbe.text("01010101010101010101010101").getBytes(StandardCharsets.UTF_8)), null);
    // The probe's exact bytes, but under a name outside this probe's seconds: not this probe's upload.
    users.put(write("20260105.081000" + counts, OURS), null);
    // The probe's name pattern with other counts.
    users.put(write("20260105.081530-3-3.txt", "one two three\n".getBytes(StandardCharsets.UTF_8)), null);
    // The probe's bytes with a suffix: longer, so not the probe's.
    byte[] longer = (new String(OURS, StandardCharsets.UTF_8) + "x").getBytes(StandardCharsets.UTF_8);
    Path longerFile = folder.resolve("20260105.081531" + counts);
    users.put(Files.write(longerFile, longer), null);
    for (Map.Entry<Path, byte[]> e : users.entrySet()) {
      e.setValue(Files.readAllBytes(e.getKey()));
    }

    try (ProbeFileCleaner c = cleaner()) {
      c.sweep(PROBE_AT.minusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          PROBE_AT.plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    assertThat(ours).doesNotExist();
    assertThat(events).containsExactly("removed");
    for (Map.Entry<Path, byte[]> e : users.entrySet()) {
      assertThat(Files.readAllBytes(e.getKey())).as(e.getKey().getFileName().toString()).isEqualTo(e.getValue());
    }
  }

  @Test
  void aLinkNamedLikeTheProbesFileIsNotFollowedNorRemoved() throws Exception {
    Path target = write("elsewhere.txt", OURS);
    Path link = Files.createSymbolicLink(folder.resolve("20260105.081530-" + FunctionalProbe.EXPECTED.words() + "-"
        + FunctionalProbe.EXPECTED.uniqueWords() + ".txt"), target);

    try (ProbeFileCleaner c = cleaner()) {
      c.sweep(PROBE_AT.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          PROBE_AT.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readAllBytes(target)).isEqualTo(OURS);
    assertThat(events).isEmpty();
  }

  @Test
  void aProbeIsLookedAfterFromTheSecondBeforeItsUploadToItsEnd() throws Exception {
    String counts = "-" + FunctionalProbe.EXPECTED.words() + "-" + FunctionalProbe.EXPECTED.uniqueWords() + ".txt";
    Path before = write("20260105.081528" + counts, OURS);
    Path first = write("20260105.081529" + counts, OURS);
    Path last = write("20260105.081531" + counts, OURS);
    Path after = write("20260105.081532" + counts, OURS);

    try (ProbeFileCleaner c = cleaner()) {
      // 08:15:30.4 for 0.9 s: the app may have named its file 08:15:29 (clock granularity) to 08:15:31.
      c.onProbe(new ProbeResult(true, Duration.ofMillis(900), "ok", PROBE_AT));
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
    }

    assertThat(first).doesNotExist();
    assertThat(last).doesNotExist();
    assertThat(before).exists();
    assertThat(after).exists();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(folder.resolve(name), bytes);
  }
}
