package org.filewcount.agent.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.filewcount.agent.config.AgentVersion;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.nomad.NomadSettingsException;
import org.filewcount.agent.rollout.RolloutRefusedException;
import org.filewcount.agent.split.SplitRefusedException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * Entry point of {@code filewcount-agent}. Exit codes: 0 success, 1 runtime failure,
 * 2 usage or configuration error (the message names the flag or variable and the fix).
 */
@Command(
    name = "filewcount-agent",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Sidecar agent for filewcount: Consul registration, in-path telemetry proxy, traffic shifting.",
    subcommands = {
      RunCommand.class,
      StatusCommand.class,
      VersionCommand.class,
      ShiftCommand.class,
      RolloutCommand.class,
      EnvoyBootstrapCommand.class,
    })
public final class Main implements Runnable {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(System.getenv(), args));
  }

  /** Runs one command line against the given environment; tests call this instead of {@link #main}. */
  public static int execute(Map<String, String> env, String... args) {
    return commandLine(env).execute(args);
  }

  public static CommandLine commandLine(Map<String, String> env) {
    CommandLine cl = new CommandLine(new Main(), new EnvironmentFactory(env));
    cl.setParameterExceptionHandler(Main::onUsageError);
    cl.setExecutionExceptionHandler(Main::onExecutionError);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static int onUsageError(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("error: " + e.getMessage());
    err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
    return EXIT_USAGE;
  }

  private static int onExecutionError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (isUsageError(e)) {
      err.println("error: " + e.getMessage());
      return EXIT_USAGE;
    }
    err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    return EXIT_FAILURE;
  }

  /**
   * Exit 2: the input cannot work (a flag, a variable, a refused split or rollout); the message names the
   * fix. Domain packages throw their own exceptions; this is the one place that turns them into exit codes.
   */
  private static boolean isUsageError(Exception e) {
    return e instanceof ConfigException || e instanceof UsageException || e instanceof SplitRefusedException
        || e instanceof RolloutRefusedException || e instanceof NomadSettingsException;
  }

  /** Prints the same version the {@code version} subcommand prints. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"filewcount-agent " + AgentVersion.get()};
    }
  }
}
