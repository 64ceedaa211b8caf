package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.cli.Main;
import org.filewcount.agent.infra.JenkinsPipeline.Call;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * The Jenkinsfile's stages, read with Groovy's parser: their order, what each runs, the rollout's exit
 * code deciding the build, the manual gate's verbs, and secrets that never pass through Groovy strings.
 */
class JenkinsfileTest {

  private final String source = RepoFiles.read("Jenkinsfile");
  private final Call pipeline = JenkinsPipeline.parse(source);

  private List<Call> stages() {
    return pipeline.child("stages").orElseThrow().stages();
  }

  private Call stage(String name) {
    return stages().stream().filter(s -> s.label().orElse("").equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no stage '" + name + "'"));
  }

  @Test
  void theStagesTestBuildDeployAndRollOutInThatOrder() {
    assertThat(stages()).extracting(s -> s.label().orElse("?"))
        .containsExactly("Test", "Agent image", "Deploy canary", "Rollout");
    assertThat(stage("Rollout").child("parallel").orElseThrow().stages()).extracting(s -> s.label().orElse("?"))
        .containsExactly("Canary rollout", "Manual gate");
    // A failed (rolled back) rollout ends the gate's wait instead of leaving the build hanging.
    assertThat(stage("Rollout").child("failFast").orElseThrow().text(source)).contains("true");
    assertThat(pipeline.child("agent").orElseThrow().text(source)).contains("label 'docker'");
  }

  @Test
  void theTestStageRunsTheWholeSuiteAndPublishesBothReports() {
    Call test = stage("Test");
    assertThat(test.child("steps").orElseThrow().text(source)).contains("./mvnw -B verify");
    String post = test.child("post").orElseThrow().child("always").orElseThrow().text(source);
    assertThat(post).contains("junit").contains("agent/target/surefire-reports/*.xml")
        .contains("agent/target/failsafe-reports/*.xml");
  }

  @Test
  void theImageIsTaggedWithTheCommitAndDeployedWithTheNewVersion() {
    assertThat(pipeline.child("environment").orElseThrow().text(source))
        .contains("BUILT_AGENT_IMAGE = \"${env.FILEWCOUNT_REGISTRY}/filewcount-agent:${env.GIT_COMMIT}\"");
    assertThat(stage("Agent image").text(source)).contains("docker build -f agent/Dockerfile")
        .contains("-t \"$BUILT_AGENT_IMAGE\"").contains("docker push \"$BUILT_AGENT_IMAGE\"")
        .contains("--password-stdin");
    String deploy = stage("Deploy canary").text(source);
    assertThat(deploy).contains("nomad job run").contains("-var \"filewcount_version=$APP_VERSION\"")
        .contains("-var \"agent_image=$BUILT_AGENT_IMAGE\"").contains("nomad/filewcount.nomad.hcl");
    for (String s : List.of("Deploy canary", "Rollout")) {
      assertThat(stage(s).child("when").orElseThrow().text(source)).as(s).contains("branch 'main'");
    }
  }

  @Test
  void theRolloutsExitCodeDecidesTheBuildAndItsVerdictsAreKept() {
    String rollout = parallelStage("Canary rollout").text(source);
    assertThat(rollout).contains("sh(returnStatus: true").contains("set -uo pipefail")
        .contains("--nomad").contains("--output json").contains("tee rollout/rollout.jsonl");
    // Rolled back (1) and every other non-zero code fail the build.
    assertThat(rollout).containsPattern("if \\(rc == 1\\) \\{\\s+error\\(").containsPattern("if \\(rc != 0\\) \\{\\s+error\\(");
    assertThat(pipeline.child("post").orElseThrow().child("always").orElseThrow().text(source))
        .contains("archiveArtifacts artifacts: 'rollout/*.jsonl'");
    // The flags it passes exist on the CLI's rollout command.
    Matcher line = Pattern.compile("filewcount-agent rollout (--[^|]*)").matcher(rollout.replace("\\\n", " "));
    assertThat(line.find()).isTrue();
    Set<String> flags = new TreeSet<>();
    Main.commandLine(Map.of()).getSubcommands().get("rollout").getCommandSpec().options()
        .forEach(o -> flags.addAll(List.of(o.names())));
    Matcher flag = Pattern.compile("--[a-z-]+").matcher(line.group(1));
    while (flag.find()) {
      assertThat(flags).as("rollout flag in the Jenkinsfile").contains(flag.group());
    }
  }

  @Test
  void theManualGateResumesOrAbortsTheRolloutWithItsVerbs() {
    String gate = parallelStage("Manual gate").text(source);
    assertThat(gate).contains("waitUntil").contains("rollout status --service filewcount");
    int input = gate.indexOf("input message:");
    int resume = gate.indexOf("filewcount-agent rollout resume --service filewcount");
    int katch = gate.indexOf("catch (err)");
    int abort = gate.indexOf("filewcount-agent rollout abort --service filewcount --nomad");
    assertThat(input).as("an input step").isPositive();
    assertThat(resume).as("resume after the person said so").isGreaterThan(input).isLessThan(katch);
    assertThat(abort).as("abort when refused or timed out").isGreaterThan(katch);
    assertThat(gate).contains("timeout(time: 60, unit: 'MINUTES')");
    assertThat(source).contains("defaultValue: '10,pause,50,100'");
  }

  /**
   * Every agent command line of the Jenkinsfile, parsed by the CLI itself (subcommands such as
   * {@code rollout status} included), with the shell variables set to the pipeline's parameter defaults
   * or to a value of their kind: a verb, flag or value the CLI does not take fails here, not in Jenkins.
   */
  @Test
  void everyAgentCommandLineParsesWithTheCli() {
    Map<String, String> values = Map.of("APP_VERSION", "2.0", "ROLLOUT_STEPS", "10,pause,50,100",
        "ROLLOUT_INTERVAL", "60s", "PROMETHEUS_URL", "http://127.0.0.1:9090", "stable", "1.0");
    Matcher call = Pattern.compile("agent/bin/filewcount-agent\\s+([^|'\\n;]*)")
        .matcher(source.replaceAll("\\\\\n\\s*", " "));
    List<String> parsed = new java.util.ArrayList<>();
    while (call.find()) {
      List<String> args = new java.util.ArrayList<>();
      Matcher word = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(call.group(1).strip());
      while (word.find()) {
        String w = word.group(1) != null ? word.group(1) : word.group(2);
        Matcher var = Pattern.compile("\\$\\{?(\\w+)}?").matcher(w);
        StringBuilder out = new StringBuilder();
        while (var.find()) {
          String value = values.get(var.group(1));
          assertThat(value).as("a value for $%s in: %s", var.group(1), call.group()).isNotNull();
          var.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        args.add(var.appendTail(out).toString());
      }
      picocli.CommandLine.ParseResult result = Main.commandLine(Map.of()).parseArgs(args.toArray(String[]::new));
      assertThat(result.errors()).as(String.join(" ", args)).isEmpty();
      parsed.add(String.join(" ", args.subList(0, args.get(0).equals("rollout") && !args.get(1).startsWith("--") ? 2 : 1)));
    }
    assertThat(parsed).contains("shift", "status", "rollout", "rollout status", "rollout resume", "rollout abort");
  }

  @Test
  void secretsComeFromJenkinsCredentialsAndNeverThroughGroovyStrings() {
    assertThat(source).contains("credentialsId: 'filewcount-registry'", "credentialsId: 'filewcount-nomad-token'",
        "credentialsId: 'filewcount-consul-token'");
    // A double-quoted Groovy string would interpolate the secret before the shell sees it (and Jenkins
    // warns about exactly that); every shell step that names one is single-quoted and starts with set +x.
    Matcher sh = Pattern.compile("(?<![\\w./-])sh\\s*(?:\\([^'\"]*script:\\s*)?(\'\'\'|\"\"\"|'|\")").matcher(source);
    int steps = 0;
    while (sh.find()) {
      String quote = sh.group(1);
      int end = source.indexOf(quote, sh.end());
      String script = source.substring(sh.end(), end);
      steps++;
      if (script.matches("(?s).*(NOMAD_TOKEN|CONSUL_HTTP_TOKEN|REGISTRY_PASSWORD).*")) {
        assertThat(quote).as("shell step naming a secret:\n%s", script).startsWith("'");
      }
      assertThat(script).as("no secret in Groovy interpolation").doesNotContainPattern("\\$\\{[^}]*(TOKEN|PASSWORD)");
      assertThat(script).as("no secret echoed").doesNotContainPattern("echo[^\\n]*\\$(NOMAD_TOKEN|CONSUL_HTTP_TOKEN|REGISTRY_PASSWORD)");
    }
    assertThat(steps).as("shell steps found").isGreaterThanOrEqualTo(6);
    String image = stage("Agent image").text(source);
    assertThat(image).contains("set +x").contains("printf '%s' \"$REGISTRY_PASSWORD\" |");
    assertThat(stage("Deploy canary").text(source)).contains("set +x");
  }

  private Call parallelStage(String name) {
    return stage("Rollout").child("parallel").orElseThrow().stages().stream()
        .filter(s -> s.label().orElse("").equals(name)).findFirst().orElseThrow();
  }
}
