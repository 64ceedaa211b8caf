package org.filewcount.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import org.filewcount.agent.app.WordCounts;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The probe against the contract's stand-in: passes only when a real upload is counted right. */
class FunctionalProbeTest {

  private FilewcountStandIn app;
  private FunctionalProbe probe;

  @BeforeEach
  void start() {
    app = FilewcountStandIn.start();
    probe = new FunctionalProbe(app.url(), Duration.ofSeconds(2), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void theTextEndsInANewlineHasRepeatedWordsAndTheSameCountsWhateverItsToken() {
    String text = new String(probe.content(), StandardCharsets.UTF_8);
    assertThat(text).endsWith("\n");
    assertThat(WordCounts.of(text)).isEqualTo(FunctionalProbe.EXPECTED);
    assertThat(FunctionalProbe.EXPECTED.uniqueWords()).isLessThan(FunctionalProbe.EXPECTED.words());
    assertThat(FunctionalProbe.EXPECTED.words()).isEqualTo(17);
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 200; i++) {
      assertThat(WordCounts.of(FunctionalProbe.text(FunctionalProbe.randomToken(random))))
          .isEqualTo(FunctionalProbe.EXPECTED);
    }
  }

  @Test
  void everyAgentProcessUploadsItsOwnBytes() {
    FunctionalProbe other = new FunctionalProbe(app.url(), Duration.ofSeconds(2), Clock.systemUTC());
    assertThat(other.content()).isNotEqualTo(probe.content()).hasSameSizeAs(probe.content());
  }

  @Test
  void passesWhenTheAppCountsTheUploadAndStoresOneSmallFile() throws Exception {
    ProbeResult r = probe.run();

    assertThat(r.passed()).as(r.detail()).isTrue();
    assertThat(r.detail()).isEqualTo("ok");
    assertThat(app.uploadCount()).isEqualTo(1);
    assertThat(app.storedFiles()).singleElement().satisfies(p -> {
      assertThat(p.getFileName().toString()).endsWith("-" + FunctionalProbe.EXPECTED.words() + "-"
          + FunctionalProbe.EXPECTED.uniqueWords() + ".txt");
      assertThat(Files.readAllBytes(p)).isEqualTo(probe.content());
    });
  }

  @Test
  void failsOnAnAppErrorInsideA200Page() {
    app.failUploads(1.0);

    ProbeResult r = probe.run();

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("app error: Problem parsing uploaded file. Is it TEXT?");
  }

  @Test
  void failsWhenTheAppIsDown() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProbeResult r = new FunctionalProbe(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(1),
        Clock.systemUTC()).run();

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("connection refused");
  }

  @Test
  void failsWhenTheAppIsTooSlow() {
    app.delayResponses(Duration.ofMillis(1500));

    ProbeResult r = new FunctionalProbe(app.url(), Duration.ofMillis(300), Clock.systemUTC()).run();

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("timed out after 300 ms");
  }

  @Test
  void recoversOnceTheAppIsBack() {
    app.stop();
    assertThat(probe.run().passed()).isFalse();

    app.restart();

    assertThat(probe.run().passed()).isTrue();
  }

  @Test
  void uploadsToTheRootPathEvenWhenTheAppUrlHasAPath() {
    ProbeResult r = new FunctionalProbe(app.url().resolve("/some/prefix/"), Duration.ofSeconds(2), Clock.systemUTC()).run();
    assertThat(r.passed()).isTrue();
    Path stored = app.storedFiles().get(0);
    assertThat(stored).exists();
  }
}
