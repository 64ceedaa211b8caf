package org.filewcount.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the service's instances in Consul: id, address:port, version and check states.")
final class StatusCommand implements Callable<Integer> {

  enum Output { table, json }

  @Option(names = "--service", defaultValue = "filewcount", description = "Consul service name. Default: ${DEFAULT-VALUE}.")
  String service;

  @Option(names = "--output", defaultValue = "table", description = "Output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Output output;

  @Mixin
  ConsulOptions consul;

  @Override
  public Integer call() {
    throw new UnsupportedOperationException("status is not wired yet");
  }
}
