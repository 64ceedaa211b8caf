package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * Every jq call in scripts/ (found by reading the scripts) run against the output shape of the command that feeds
 * it, as Nomad's source (v1.10.5) and Consul's API docs give it (ScriptJqCalls): a path the real output does not
 * have yields null and fails here, and a new call whose input has no known shape fails until a fixture is added.
 */
class ScriptJqPathsCrossCheckTest {

  private static final Map<String, String> FIXTURES = ScriptJqCalls.loadFixtures();

  @Test
  void everyJqPathInTheScriptsExistsInTheOutputItReads() throws Exception {
    List<String> problems = new ArrayList<>();
    List<ScriptJqCalls.Call> calls = new ArrayList<>();
    try (Stream<Path> scripts = Files.list(RepoFiles.resolve("scripts"))) {
      for (Path script : scripts.sorted().toList()) {
        String file = RepoFiles.root().relativize(script).toString();
        calls.addAll(new ScriptJqCalls(file, Files.readString(script), FIXTURES).calls(problems));
      }
    }
    assertThat(calls).as("jq calls found in scripts/").hasSizeGreaterThanOrEqualTo(13);
    calls.forEach(c -> ScriptJqCalls.problem(c).ifPresent(problems::add));
    assertThat(problems).isEmpty();
  }

  @Test
  void aWrongPathAWrongShapeAndAnUnknownSourceAreEachReported() {
    assertThat(planted("desired=$(nomad job inspect filewcount | jq '.TaskGroups[0].Count')"))
        .get().asString().contains("yields null");
    assertThat(planted("desired=$(nomad job inspect -json filewcount | jq '.Job.TaskGroups[0].Count')"))
        .as("-json prints the job without the Job wrapper").isPresent();
    assertThat(planted("n=$(nomad job status -json filewcount | jq -r '.Summary.Summary.filewcount.Running')"))
        .as("job status -json is a list").get().asString().contains("fails");
    assertThat(planted("curl -fsS \"$CONSUL_HTTP_ADDR/v1/health/service/filewcount\" | jq -r '.[].Service.Metadata.version'"))
        .get().asString().contains("yields null");
    assertThat(planted("nomad alloc status -json | jq -r '.[].TaskStates.agent.State'"))
        .as("the list holds stubs without TaskStates").isPresent();
    assertThat(planted("nomad alloc status -json \"$id\" | jq -r '.TaskStates.agent.State'")).isEmpty();

    List<String> problems = new ArrayList<>();
    new ScriptJqCalls("planted", "v=$(consul version -format=json | jq -r '.Version')\n", FIXTURES).calls(problems);
    assertThat(problems).singleElement().asString().contains("no output shape is known");
  }

  @Test
  void aFileTheScriptWroteIsReadWithTheShapeOfTheCommandThatWroteIt() {
    String fetched = "fetch \"$h\" \"$NOMAD_ADDR/v1/jobs\" \"$dir/nomad/jobs.json\" || true\n"
        + "if [ -f \"$dir/nomad/jobs.json\" ]; then\n";
    assertThat(plantedScript(fetched + "done < <(jq -r '.[].ID' \"$dir/nomad/jobs.json\")")).isEmpty();
    assertThat(plantedScript(fetched + "done < <(jq -r '.Jobs[].ID' \"$dir/nomad/jobs.json\")"))
        .as("GET /v1/jobs is a list").get().asString().contains("fails");

    List<String> problems = new ArrayList<>();
    new ScriptJqCalls("planted", "jq -r '.[].ID' \"$dir/nomad/other.json\"\n", FIXTURES).calls(problems);
    assertThat(problems).singleElement().asString().contains("no earlier line of the script writes");
  }

  @Test
  void aVariableHoldsWhatTheLastStageOfItsPipelinePrints() {
    String put = "updated=$(jq -c '.SchedulerConfig' <<<\"$current\" |\n"
        + "  curl -fsS -X PUT --data-binary @- \"$NOMAD_ADDR/v1/operator/scheduler/configuration?cas=$index\") || fail x\n";
    String get = "current=$(curl -fsS \"$NOMAD_ADDR/v1/operator/scheduler/configuration\")\n";
    assertThat(plantedScript(get + put + "jq -r '.Updated' <<<\"$updated\"")).isEmpty();
    assertThat(plantedScript(get + put + "jq -r '.SchedulerConfig.ModifyIndex' <<<\"$updated\""))
        .as("$updated is the PUT's answer, not the jq that feeds curl").get().asString().contains("yields null");
  }

  /** The problem of the last jq call of a planted script, if any. */
  private static Optional<String> plantedScript(String script) {
    List<String> problems = new ArrayList<>();
    List<ScriptJqCalls.Call> calls = new ScriptJqCalls("planted", script + "\n", FIXTURES).calls(problems);
    assertThat(problems).isEmpty();
    calls.subList(0, calls.size() - 1).forEach(c -> assertThat(ScriptJqCalls.problem(c)).isEmpty());
    return ScriptJqCalls.problem(calls.get(calls.size() - 1));
  }

  /** The problem of the single jq call on a planted script line, if any. */
  private static Optional<String> planted(String line) {
    List<String> problems = new ArrayList<>();
    List<ScriptJqCalls.Call> calls = new ScriptJqCalls("planted", line + "\n", FIXTURES).calls(problems);
    assertThat(problems).isEmpty();
    assertThat(calls).hasSize(1);
    return ScriptJqCalls.problem(calls.get(0));
  }
}
