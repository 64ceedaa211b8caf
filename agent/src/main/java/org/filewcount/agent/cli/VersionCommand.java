package org.filewcount.agent.cli;

import java.util.concurrent.Callable;
import org.filewcount.agent.config.AgentVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the agent's version.", mixinStandardHelpOptions = true)
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println("filewcount-agent " + AgentVersion.get()
        + " (Java " + Runtime.version() + ")");
    return Main.EXIT_OK;
  }
}
