package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * The launcher every deployment runs (image, Nomad job, Ansible, benchmarks) starts this machine's JVM with
 * the flags ADR 0012 decides, and the JVM accepts every one of them: an experimental or removed flag that a
 * JVM does not know stops it before the agent runs, which no test of the jar alone would see.
 */
class LauncherIT {

  @Test
  void theJvmTakesEveryFlagOfTheLauncher() throws Exception {
    String jar = System.getProperty("agent.jar");
    assertThat(jar).as("failsafe sets agent.jar to the packaged jar").isNotNull();
    ProcessBuilder pb = new ProcessBuilder(RepoFiles.resolve("agent/bin/filewcount-agent").toString(), "version")
        .redirectErrorStream(true);
    pb.environment().put("FILEWCOUNT_AGENT_JAR", jar);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // The JVM prints the flags it runs with; the launcher's own flags come before JAVA_OPTS, so these are its.
    pb.environment().put("JAVA_OPTS", "-XX:+PrintCommandLineFlags");
    // No archive from an earlier bench run: this is about the flags, not class-data sharing.
    pb.environment().put("FILEWCOUNT_AGENT_CDS", Path.of(System.getProperty("java.io.tmpdir"), "no-archive.jsa").toString());
    pb.environment().remove("FILEWCOUNT_AGENT_CDS_DUMP");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("filewcount-agent ")
        .contains("-XX:+UseSerialGC", "-XX:MaxHeapSize=67108864", "-XX:ReservedCodeCacheSize=33554432",
            "-XX:CICompilerCount=2", "-XX:TrimNativeHeapInterval=5000", "-XX:+ExitOnOutOfMemoryError")
        .as("C2 stays on: C1 only is an operator's choice through JAVA_OPTS (ADR 0012)")
        .doesNotContain("TieredStopAtLevel");
  }

  @Test
  void withoutAJarItSaysHowToBuildOne() throws IOException, InterruptedException {
    Path none = Files.createTempDirectory("no-jar");
    ProcessBuilder pb = new ProcessBuilder(RepoFiles.resolve("agent/bin/filewcount-agent").toString(), "version")
        .redirectErrorStream(true);
    pb.environment().put("FILEWCOUNT_AGENT_JAR", none.resolve("filewcount-agent.jar").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Files.delete(none);

    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(out).contains("agent jar not found", "./mvnw -B package");
  }
}
