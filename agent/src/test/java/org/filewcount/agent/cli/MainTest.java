package org.filewcount.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

  private record Run(int exit, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    CommandLine cl = Main.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void helpListsTheCommands() {
    Run r = run(Map.of(), "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("run", "status", "version");
  }

  @Test
  void unknownFlagIsAUsageErrorNamingIt() {
    Run r = run(Map.of(), "run", "--lisen", "127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--lisen").contains("run --help");
  }

  @Test
  void badValueIsAUsageErrorNamingTheFlagAndTheFix() {
    Run r = run(Map.of(), "run", "--check-interval", "10");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--check-interval").contains("10s");
  }

  @Test
  void aTraceSuccessRatioOutsideZeroToOneOrNotANumberIsAUsageError() {
    Run over = run(Map.of(), "run", "--trace-success-ratio", "2");
    assertThat(over.exit()).isEqualTo(2);
    assertThat(over.err()).contains("--trace-success-ratio must be between 0", "for example 0.1");
    Run word = run(Map.of(), "run", "--trace-success-ratio", "some");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.err()).contains("--trace-success-ratio 'some' is not a number");
  }

  @Test
  void wildcardListenNeedsAnAdvertiseAddress() {
    Run r = run(Map.of(), "run", "--listen", "0.0.0.0:8081");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--advertise-address");
  }

  @Test
  void meshWithoutAPortSaysWhereItComesFrom() {
    Run r = run(Map.of(), "run", "--mesh");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--mesh-port", "NOMAD_HOST_PORT_mesh");
  }

  @Test
  void runConfigTakesNomadsEnvironment() {
    CommandLine cl = Main.commandLine(Map.of(
        "NOMAD_META_version", "2.0", "NOMAD_ALLOC_ID", "5e1f-alloc", "NOMAD_JOB_NAME", "filewcount",
        "NOMAD_GROUP_NAME", "app", "NOMAD_HOST_PORT_mesh", "23456", "NOMAD_ALLOC_PORT_mesh", "21000"));
    cl.parseArgs("run", "--mesh");
    RunCommand run = cl.getSubcommands().get("run").getCommand();
    var config = run.config();
    assertThat(config.serviceVersion()).isEqualTo("2.0");
    assertThat(config.identity().serviceId()).isEqualTo("filewcount-5e1f-alloc");
    assertThat(config.identity().meta()).containsEntry("nomad_job", "filewcount").containsEntry("version", "2.0");
    assertThat(config.mesh().orElseThrow().publicPort()).isEqualTo(23456);
    assertThat(config.mesh().orElseThrow().bindPort()).isEqualTo(21000);
  }

  @Test
  void uploadsDirDefaultsToTheAllocationsDataDirInsideNomadAndToNothingOutside() {
    assertThat(runConfig(Map.of("NOMAD_ALLOC_DIR", "/alloc")).uploadsDir()).contains(Path.of("/alloc/data/uploads"));
    assertThat(runConfig(Map.of()).uploadsDir()).isEmpty();
    assertThat(runConfig(Map.of("NOMAD_ALLOC_DIR", "/alloc"), "--uploads-dir", "").uploadsDir())
        .as("an empty value turns removal off").isEmpty();
  }

  @Test
  void anUploadsDirThatIsNotADirectoryIsAUsageErrorNamingTheFlag() {
    Run r = run(Map.of(), "run", "--uploads-dir", "/nonexistent/uploads");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--uploads-dir /nonexistent/uploads is not a directory");
  }

  private static org.filewcount.agent.config.AgentConfig runConfig(Map<String, String> env, String... args) {
    CommandLine cl = Main.commandLine(env);
    String[] all = new String[args.length + 1];
    all[0] = "run";
    System.arraycopy(args, 0, all, 1, args.length);
    cl.parseArgs(all);
    RunCommand run = cl.getSubcommands().get("run").getCommand();
    return run.config();
  }

  @Test
  void versionPrintsTheAgentVersion() {
    Run r = run(Map.of(), "version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("filewcount-agent ");
  }
}
