package org.filewcount.agent.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.cli.Main;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The docs and the CLI cannot drift: every flag of every command is in the agent reference, and
 * every flag the docs show on a {@code filewcount-agent} command line exists on that command.
 */
class CliFlagsDocumentedTest {

  private static final Set<String> STANDARD = Set.of("--help", "--version", "-h", "-V");
  private static final Pattern FLAG = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");
  private static final Pattern INVOCATION =
      Pattern.compile("filewcount-agent(?:\\.jar)?\\s+([a-z][a-z-]*)(?:\\s+([a-z][a-z-]*))?");

  static Map<String, Set<String>> flagsByCommand() {
    Map<String, Set<String>> flags = new TreeMap<>();
    CommandLine root = Main.commandLine(Map.of());
    for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
      flags.put(sub.getKey(), flagsOf(sub.getValue()));
      // Verbs under a command ("rollout status") have their own flags.
      sub.getValue().getSubcommands().forEach((verb, cl) -> flags.put(sub.getKey() + " " + verb, flagsOf(cl)));
    }
    return flags;
  }

  private static Set<String> flagsOf(CommandLine command) {
    Set<String> names = new TreeSet<>();
    for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
      for (String name : option.names()) {
        if (name.startsWith("--") && !STANDARD.contains(name)) {
          names.add(name);
        }
      }
    }
    return names;
  }

  @Test
  void everyFlagIsInTheAgentReference() throws IOException {
    Path reference = RepoFiles.root().resolve("docs/agent.md");
    assertThat(reference).as("the agent reference").exists();
    String text = Files.readString(reference);
    List<String> missing = new ArrayList<>();
    flagsByCommand().forEach((command, names) -> {
      for (String name : names) {
        if (!Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])").matcher(text).find()) {
          missing.add(command + " " + name);
        }
      }
    });
    assertThat(missing).as("flags missing from docs/agent.md").isEmpty();
  }

  @Test
  void everyDocumentedInvocationUsesRealFlags() throws IOException {
    Map<String, Set<String>> flags = flagsByCommand();
    List<String> unknown = new ArrayList<>();
    for (Path file : RepoFiles.filesEndingWith(".md")) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher inv = INVOCATION.matcher(lines.get(i));
        if (!inv.find()) {
          continue;
        }
        String command = inv.group(1);
        int end = inv.end(1);
        if (inv.group(2) != null && flags.containsKey(command + " " + inv.group(2))) {
          command = command + " " + inv.group(2);
          end = inv.end(2);
        }
        StringBuilder commandLine = new StringBuilder(lines.get(i).substring(end));
        // Shell continuation lines belong to the same invocation.
        for (int j = i; lines.get(j).stripTrailing().endsWith("\\") && j + 1 < lines.size(); j++) {
          commandLine.append(' ').append(lines.get(j + 1));
        }
        if (!flags.containsKey(command)) {
          unknown.add(RepoFiles.root().relativize(file) + ":" + (i + 1) + " unknown command '" + command + "'");
          continue;
        }
        // Stop at a pipe or a comment: flags after them belong to other programs.
        String own = commandLine.toString().split("\\s[|#]|&&|;")[0];
        Matcher f = FLAG.matcher(own);
        while (f.find()) {
          String flag = f.group(1);
          if (!flags.get(command).contains(flag) && !STANDARD.contains(flag)) {
            unknown.add(RepoFiles.root().relativize(file) + ":" + (i + 1) + " " + command + " " + flag);
          }
        }
      }
    }
    assertThat(unknown).as("flags shown in the docs that the CLI does not have").isEmpty();
  }
}
