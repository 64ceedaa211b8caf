package org.filewcount.agent.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.split.ConsulTrafficControl;
import org.filewcount.agent.split.Json;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficState;
import org.filewcount.agent.split.VersionInstances;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "shift", mixinStandardHelpOptions = true,
    description = {
      "Set how the service's traffic is split between versions, through Consul's service-resolver and"
          + " service-splitter config entries (Envoy applies them within seconds).",
      "Examples: shift --weight 1.0=75,2.0=25 | shift --to 2.0 --percent 25 | shift --weight 2.0=100"
    })
final class ShiftCommand implements Callable<Integer> {

  @Option(names = "--service", defaultValue = "filewcount", description = "Consul service name. Default: ${DEFAULT-VALUE}.")
  String service;

  @Option(names = "--weight", paramLabel = "VERSION=PERCENT[,...]",
      description = "Weight per version (Service.Meta.version, or its tag form v2.0), in percent with at most two"
          + " decimals, summing to 100. Repeatable.")
  List<String> weights = new ArrayList<>();

  @Option(names = "--to", paramLabel = "VERSION", description = "Version to send --percent of the traffic to; the rest"
      + " stays on the current stable version.")
  String to;

  @Option(names = "--percent", paramLabel = "PERCENT", description = "Share of traffic for --to (0-100).")
  String percent;

  @Option(names = "--force", description = "Route to a version even if none of its instances passes its checks"
      + " (its share of requests will fail). Does not allow unknown versions.")
  boolean force;

  @Option(names = "--dry-run", description = "Print the config entries that would be written, as JSON, and write nothing.")
  boolean dryRun;

  @Mixin
  ConsulOptions consul;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ConsulTrafficControl traffic = new ConsulTrafficControl(new ConsulHttp(consul.settings()), Sleeper.REAL_TIME);
    Split requested = requestedSplit(traffic);
    PrintWriter out = spec.commandLine().getOut();
    if (dryRun) {
      out.println(Json.pretty(traffic.plan(service, requested, force)));
      out.flush();
      return Main.EXIT_OK;
    }
    Split written = traffic.apply(service, requested, force);
    TrafficState after = traffic.read(service);
    out.println(service + ": traffic split is now " + written.describe() + describeHealth(after, written));
    out.flush();
    return Main.EXIT_OK;
  }

  private Split requestedSplit(ConsulTrafficControl traffic) {
    boolean byWeight = !weights.isEmpty();
    boolean byTarget = to != null || percent != null;
    if (byWeight && byTarget) {
      throw new UsageException("--weight cannot be combined with --to/--percent: give either all weights"
          + " (--weight 1.0=75,2.0=25) or one target (--to 2.0 --percent 25)");
    }
    if (!byWeight && !byTarget) {
      throw new UsageException("nothing to shift: pass --weight VERSION=PERCENT,... or --to VERSION --percent PERCENT");
    }
    if (byWeight) {
      return Split.parse(weights);
    }
    if (to == null || percent == null) {
      throw new UsageException(to == null ? "--percent needs --to VERSION (the version that gets that share)"
          : "--to needs --percent PERCENT (the share it gets; the rest stays on the stable version)");
    }
    BigDecimal p = Split.percent("--percent", percent);
    TrafficState.Canary versions = traffic.read(service).canary(to);
    return p.compareTo(Split.HUNDRED) == 0 ? Split.all(versions.version())
        : Split.canary(versions.stable(), versions.version(), p);
  }

  private static String describeHealth(TrafficState state, Split split) {
    List<String> parts = new ArrayList<>();
    for (String v : split.versions()) {
      VersionInstances i = state.instances(v).orElse(new VersionInstances(v, 0, 0));
      parts.add(v + ": " + i.passing() + "/" + i.total() + " passing");
    }
    return " (" + String.join(", ", parts) + ")";
  }
}
