package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.infra.NomadJobs.block;
import static org.filewcount.agent.infra.NomadJobs.labelled;
import static org.filewcount.agent.infra.NomadJobs.strings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.cli.Main;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The agent command lines written in the Nomad job and the scripts use flags the CLI has, so a renamed flag
 * fails here instead of in a deployment.
 */
class AgentInvocationsMatchCliTest {

  /** Commands issue 4 adds; scripts/upgrade already calls them. */
  private static final Set<String> ANNOUNCED = Set.of("shift", "rollout");

  private static Set<String> flagsOf(String command) {
    CommandLine sub = Main.commandLine(Map.of()).getSubcommands().get(command);
    Set<String> names = new TreeSet<>();
    if (sub != null) {
      sub.getCommandSpec().options().forEach(o -> names.addAll(List.of(o.names())));
    }
    return names;
  }

  private static boolean exists(String command) {
    return Main.commandLine(Map.of()).getSubcommands().containsKey(command);
  }

  @Test
  void theNomadTasksRunningTheAgentImageUseRealCommandsAndFlags() throws Exception {
    JsonNode group = labelled(labelled(Hcl2Json.parse("nomad/filewcount.nomad.hcl"), "job", "filewcount"),
        "group", "filewcount");
    List<String> checked = new ArrayList<>();
    group.path("task").fields().forEachRemaining(task -> {
      JsonNode config = block(task.getValue().get(0), "config");
      if (!config.path("image").asText().equals("${var.agent_image}")) {
        return;
      }
      if (config.has("entrypoint")) {
        return; // the image's shell, not the agent (uploads-dir: FilewcountJobTest runs its script)
      }
      List<String> args = strings(config.path("args"));
      String command = args.get(0);
      assertThat(exists(command)).as("task %s runs '%s'", task.getKey(), command).isTrue();
      for (String arg : args) {
        if (arg.startsWith("--")) {
          assertThat(flagsOf(command)).as("task %s: %s %s", task.getKey(), command, arg).contains(arg);
        }
      }
      checked.add(task.getKey());
    });
    assertThat(checked).containsExactlyInAnyOrder("envoy-bootstrap", "agent");
  }

  @Test
  void theScriptsCallTheAgentWithRealFlags() {
    Pattern invocation = Pattern.compile("filewcount-agent\"?\\s+([a-z][a-z-]*)((?:[^\\n]*\\\\\\n)*[^\\n]*)");
    Pattern flag = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");
    List<String> seen = new ArrayList<>();
    for (String script : List.of("scripts/up", "scripts/upgrade", "Makefile")) {
      Matcher m = invocation.matcher(RepoFiles.read(script));
      while (m.find()) {
        String command = m.group(1);
        seen.add(script + ": " + command);
        if (!exists(command)) {
          assertThat(ANNOUNCED).as("%s calls '%s', which the CLI does not have", script, command).contains(command);
          continue;
        }
        Matcher f = flag.matcher(m.group(2));
        while (f.find()) {
          assertThat(flagsOf(command)).as("%s: %s %s", script, command, f.group(1)).contains(f.group(1));
        }
      }
    }
    assertThat(seen).contains("scripts/upgrade: rollout", "Makefile: status");
  }
}
