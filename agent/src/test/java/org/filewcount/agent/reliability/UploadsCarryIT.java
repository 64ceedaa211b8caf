package org.filewcount.agent.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.filewcount.agent.testing.AgentUnderTest;
import org.filewcount.agent.testing.FilewcountStandIn;
import org.filewcount.agent.testing.PackagedAgentExtension;
import org.filewcount.agent.uploads.NomadFsStandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 3, with the packaged agent: started as a canary would be inside Nomad (NOMAD_ALLOC_ID,
 * NOMAD_ALLOC_NAME, NOMAD_JOB_ID, NOMAD_ALLOC_DIR, NOMAD_ADDR on the Task API socket, NOMAD_TOKEN_FILE, as
 * nomad/filewcount.nomad.hcl sets them), against a stand-in of Nomad's allocation and client fs endpoints on
 * a Unix socket, the agent copies the old allocation's uploads before it reports ready, keeps its own file
 * under a shared name, picks up what the old one stores until it stopped, and never logs the token.
 */
class UploadsCarryIT {

  private static final String NAME = "filewcount.filewcount[0]";

  @TempDir
  Path tmp;

  @RegisterExtension
  final PackagedAgentExtension fixture = PackagedAgentExtension.startedByTest();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final NomadFsStandIn nomad = fixture.closeAfter(new NomadFsStandIn("filewcount"));
  private FilewcountStandIn app;
  private AgentUnderTest agent;

  private static Path put(Path allocRoot, String name, String text) throws Exception {
    Path f = allocRoot.resolve("alloc/data/uploads").resolve(name);
    Files.writeString(f, text);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
    return f;
  }

  private void start(Path canary, String wait) throws Exception {
    Path token = Files.writeString(tmp.resolve("nomad_token"), NomadFsStandIn.TOKEN);
    Path uploads = canary.resolve("alloc/data/uploads");
    app = fixture.startApp(uploads);
    fixture.startConsul();
    String nomadAddr = nomad.startUnix(tmp.resolve("api.sock"));
    agent = fixture.startAgent(a -> a
        .option("--probe-interval", "1s")
        .option("--uploads-carry-wait", wait)
        .env("NOMAD_ALLOC_ID", "canary-0")
        .env("NOMAD_ALLOC_NAME", NAME)
        .env("NOMAD_JOB_ID", "filewcount")
        .env("NOMAD_ALLOC_DIR", canary.resolve("alloc").toString())
        .env("NOMAD_ADDR", nomadAddr)
        .env("NOMAD_TOKEN_FILE", token.toString()));
  }

  @Test
  void theCanaryCarriesTheOldAllocationsUploadsBeforeItIsReadyAndUntilTheOldOneStopped() throws Exception {
    NomadFsStandIn.Alloc old = nomad.add("old-0", NAME, tmp.resolve("old"));
    Path canary = nomad.add("canary-0", NAME, tmp.resolve("canary")).dir;
    nomad.add("old-1", "filewcount.filewcount[1]", tmp.resolve("other"));
    put(old.dir, "20260105.100000-2-2.txt", "before one\n");
    put(old.dir, "20260105.100001-3-3.txt", "before two two\n");
    put(old.dir, "20260105.100002-2-2.txt", "same name, from old\n");
    put(canary, "20260105.100002-2-2.txt", "same name, from new\n");
    start(canary, "60s");

    await("ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptionsMatching(e -> e instanceof java.net.ConnectException).until(() -> {
      agent.assertAlive();
      return status() == 200;
    });
    Path mine = canary.resolve("alloc/data/uploads");
    assertThat(Files.readString(mine.resolve("20260105.100000-2-2.txt"))).isEqualTo("before one\n");
    assertThat(Files.readString(mine.resolve("20260105.100001-3-3.txt"))).isEqualTo("before two two\n");
    assertThat(Files.readString(mine.resolve("20260105.100002-2-2.txt"))).isEqualTo("same name, from new\n");
    assertThat(metric("filewcount_uploads_carried_total")).isEqualTo(2);
    assertThat(metric("filewcount_uploads_carry_conflicts_total")).isEqualTo(1);

    // Stored by the old instance while both run, then it stops: the next pass (15 s) is its last.
    put(old.dir, "20260105.110000-4-4.txt", "stored while both ran\n");
    old.clientStatus = "complete";
    await("the last pass").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
        .until(() -> Files.exists(mine.resolve("20260105.110000-4-4.txt")));
    assertThat(Files.readString(mine.resolve("20260105.110000-4-4.txt"))).isEqualTo("stored while both ran\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> agent.log().contains("its last pass is done"));

    String log = agent.log();
    assertThat(log).contains("Uploads carry from allocation old-0: 2 copied").doesNotContain(NomadFsStandIn.TOKEN);
    assertThat(agent.commandLine() + agent.environment()).doesNotContain(NomadFsStandIn.TOKEN);
    assertThat(nomad.requests).noneMatch(r -> r.contains("old-1"));
    assertThat(metric("filewcount_uploads_carry_failures_total")).isZero();
  }

  @Test
  void anUnreachableNomadDelaysReadinessOnlyUntilTheWaitIsOver() throws Exception {
    nomad.add("old-0", NAME, tmp.resolve("old"));
    Path canary = nomad.add("canary-0", NAME, tmp.resolve("canary")).dir;
    nomad.down = true;
    start(canary, "4s");

    await("the first probe passed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> app.uploadCount() >= 1);
    assertThat(readyBody()).contains("starting: carrying this instance's uploads");
    await("ready after the wait").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptionsMatching(e -> e instanceof java.net.ConnectException)
        .until(() -> status() == 200);
    assertThat(metric("filewcount_uploads_carry_failures_total")).isGreaterThanOrEqualTo(1);
    String log = agent.log();
    assertThat(log.split("answered 500", -1)).as("warned once:\n" + log).hasSize(2);
    assertThat(log).contains("Taking traffic before this instance's uploads were carried");
  }

  private int status() throws Exception {
    return http.send(HttpRequest.newBuilder(agent.adminUrl("/health/ready")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private String readyBody() throws Exception {
    return http.send(HttpRequest.newBuilder(agent.adminUrl("/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
  }

  private double metric(String name) throws Exception {
    return agent.metric(name);
  }
}
