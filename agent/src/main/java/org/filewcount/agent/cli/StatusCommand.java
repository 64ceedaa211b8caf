package org.filewcount.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.consul.ConsulAgent;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.consul.KiwiConsulAgent;
import org.filewcount.agent.consul.ServiceInstance;
import org.filewcount.agent.rollout.metrics.PrometheusMetrics;
import org.filewcount.agent.rollout.metrics.VersionMetrics;
import org.filewcount.agent.split.ConsulTrafficControl;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.split.TrafficControl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {
      "Show the service's instances in Consul (id, address:port, version, check states) and the traffic split",
      "per version; with --prometheus also each version's request rate, error ratio and p99."
    })
final class StatusCommand implements Callable<Integer> {

  enum Output { table, json }

  @Option(names = "--service", defaultValue = "filewcount", description = "Consul service name. Default: ${DEFAULT-VALUE}.")
  String service;

  @Option(names = "--output", defaultValue = "table", description = "Output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Output output;

  @Option(names = "--prometheus", paramLabel = "URL",
      description = "Prometheus that scrapes the agents: adds request rate, app-error-aware error ratio and p99"
          + " per version.")
  String prometheus;

  @Option(names = "--window", paramLabel = "DURATION", defaultValue = "5m",
      description = "Window of the --prometheus figures. Default: ${DEFAULT-VALUE}.")
  String window;

  @Mixin
  ConsulOptions consul;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Tests swap in a factory; the token only ever travels inside the client. */
  Function<ConsulSettings, ConsulAgent> consulFactory = KiwiConsulAgent::connect;

  Function<ConsulSettings, TrafficControl> trafficFactory = s -> new ConsulTrafficControl(new ConsulHttp(s), Sleeper.REAL_TIME);

  @Override
  public Integer call() throws Exception {
    ConsulSettings settings = consul.settings();
    Duration metricsWindow = FlagValues.duration("--window", window);
    Optional<VersionMetrics> metrics = Optional.ofNullable(prometheus)
        .map(p -> new PrometheusMetrics(FlagValues.httpUrl("--prometheus", p)));
    List<ServiceInstance> instances;
    TrafficStatus traffic;
    try (ConsulAgent agent = consulFactory.apply(settings)) {
      instances = new ArrayList<>(agent.instances(service));
      traffic = TrafficStatus.read(trafficFactory.apply(settings), metrics, service, metricsWindow);
    } catch (ConsulException e) {
      spec.commandLine().getErr().println("error: cannot read '" + service + "' from Consul at "
          + settings.address() + ": " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    instances.sort(Comparator.comparing(ServiceInstance::version).thenComparing(ServiceInstance::id));
    PrintWriter out = spec.commandLine().getOut();
    if (output == Output.json) {
      out.println(json(instances, traffic));
    } else {
      table(out, instances);
      out.println();
      out.print(traffic.table());
    }
    out.flush();
    return Main.EXIT_OK;
  }

  private String json(List<ServiceInstance> instances, TrafficStatus traffic) throws Exception {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("service", service);
    ArrayNode list = root.putArray("instances");
    for (ServiceInstance i : instances) {
      ObjectNode n = list.addObject();
      n.put("id", i.id());
      n.put("address", i.address());
      n.put("port", i.port());
      n.put("version", i.version());
      n.put("node", i.node());
      n.put("status", i.aggregateStatus());
      ArrayNode checks = n.putArray("checks");
      for (ServiceInstance.Check c : i.checks()) {
        ObjectNode cn = checks.addObject();
        cn.put("id", c.id());
        cn.put("name", c.name());
        cn.put("status", c.status());
        cn.put("output", c.output());
      }
    }
    root.set("traffic", traffic.json());
    return mapper.writeValueAsString(root);
  }

  private void table(PrintWriter out, List<ServiceInstance> instances) {
    if (instances.isEmpty()) {
      out.println("No instances of '" + service + "' in Consul.");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "ADDRESS", "VERSION", "STATUS", "CHECKS"});
    for (ServiceInstance i : instances) {
      StringBuilder checks = new StringBuilder();
      for (ServiceInstance.Check c : i.checks()) {
        if (checks.length() > 0) {
          checks.append(", ");
        }
        checks.append(c.name()).append('=').append(c.status());
      }
      rows.add(new String[] {i.id(), new HostPort(i.address().isBlank() ? "?" : i.address(), i.port()).toString(),
          i.version(), i.aggregateStatus(), checks.toString()});
    }
    int[] widths = new int[5];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        widths[c] = Math.max(widths[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        line.append(c == r.length - 1 ? r[c] : String.format("%-" + widths[c] + "s  ", r[c]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
