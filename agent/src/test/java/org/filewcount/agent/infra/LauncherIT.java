package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    Commands.Result r = launch(Map.of("FILEWCOUNT_AGENT_JAR", jar, "JAVA_HOME", System.getProperty("java.home"),
        // The JVM prints the flags it runs with; the launcher's own flags come before JAVA_OPTS, so these are its.
        "JAVA_OPTS", "-XX:+PrintCommandLineFlags",
        // No archive from an earlier bench run: this is about the flags, not class-data sharing.
        "FILEWCOUNT_AGENT_CDS", Path.of(System.getProperty("java.io.tmpdir"), "no-archive.jsa").toString(),
        // Empty is unset to the launcher: no training run.
        "FILEWCOUNT_AGENT_CDS_DUMP", ""));
    String out = r.output();

    assertThat(r.exitCode()).as(out).isZero();
    assertThat(out).contains("filewcount-agent ")
        .contains("-XX:+UseSerialGC", "-XX:MaxHeapSize=67108864", "-XX:ReservedCodeCacheSize=33554432",
            "-XX:CICompilerCount=2", "-XX:TrimNativeHeapInterval=5000", "-XX:+ExitOnOutOfMemoryError")
        .as("C2 stays on: C1 only is an operator's choice through JAVA_OPTS (ADR 0012)")
        .doesNotContain("TieredStopAtLevel");
  }

  @Test
  void withoutAJarItSaysHowToBuildOne() throws IOException, InterruptedException {
    Path none = Files.createTempDirectory("no-jar");
    Commands.Result r = launch(Map.of("FILEWCOUNT_AGENT_JAR", none.resolve("filewcount-agent.jar").toString()));
    Files.delete(none);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains("agent jar not found", "./mvnw -B package");
  }

  /** {@code filewcount-agent version} through the launcher, with {@code env} added to this process's. */
  private static Commands.Result launch(Map<String, String> env) throws IOException, InterruptedException {
    return Commands.run(RepoFiles.resolve("agent"), env, Duration.ofSeconds(60), "openjdk-17-jre-headless",
        List.of(RepoFiles.resolve("agent/bin/filewcount-agent").toString(), "version"));
  }
}
