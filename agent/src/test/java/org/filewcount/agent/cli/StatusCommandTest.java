package org.filewcount.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.consul.KiwiConsulAgent;
import org.filewcount.agent.registry.RegistrationPayload;
import org.filewcount.agent.registry.StubConsul;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StatusCommandTest {

  private static final String TOKEN = "9a8b7c6d-0000-4000-8000-5ecre7000000";

  private StubConsul consul;

  private record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() {
    consul = new StubConsul();
    try (KiwiConsulAgent agent = KiwiConsulAgent.connect(
        new ConsulSettings(consul.address(), Optional.empty(), Optional.empty()))) {
      for (String[] instance : new String[][] {{"1.0", "10.0.0.1", "20001"}, {"2.0", "10.0.0.2", "20002"}}) {
        HostPort adv = new HostPort(instance[1], Integer.parseInt(instance[2]));
        AgentConfig config = AgentConfig.builder().serviceVersion(instance[0]).advertised(adv)
            .identity(InstanceIdentity.derive("filewcount", instance[0], adv, Map.of("NODE_NAME", "n"), "t")).build();
        agent.register(RegistrationPayload.of(config).service());
      }
      agent.maintenance("filewcount-10.0.0.2-20002", true, "draining");
    }
    consul.resetJournal();
  }

  @AfterEach
  void stop() {
    consul.close();
  }

  private Run run(Map<String, String> env, String... args) {
    CommandLine cl = Main.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void tableListsEveryInstanceWithVersionAndCheckStates() {
    Run r = run(Map.of("CONSUL_HTTP_ADDR", consul.address().toString(), "CONSUL_HTTP_TOKEN", TOKEN), "status");

    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(8);
    assertThat(lines[0]).startsWith("ID").contains("ADDRESS", "VERSION", "STATUS", "CHECKS");
    assertThat(lines[1]).contains("filewcount-10.0.0.1-20001", "10.0.0.1:20001", "1.0", "passing",
        "filewcount functional probe=passing", "filewcount agent heartbeat=passing");
    assertThat(lines[2]).contains("filewcount-10.0.0.2-20002", "2.0", "critical", "Service Maintenance Mode=critical");
    // The traffic part: no splitter yet, and per version how many instances pass.
    assertThat(lines[4]).contains("no splitter");
    assertThat(lines[6]).matches("1\\.0\\s+-\\s+1/1");
    assertThat(lines[7]).matches("2\\.0\\s+-\\s+0/1");
    assertThat(r.out() + r.err()).doesNotContain(TOKEN);
    assertThat(consul.requests()).allSatisfy(req -> assertThat(req.getHeader("X-Consul-Token")).isEqualTo(TOKEN));
  }

  @Test
  void jsonOutputIsMachineReadable() throws Exception {
    Run r = run(Map.of("CONSUL_HTTP_TOKEN", TOKEN), "status", "--consul", consul.address().toString(),
        "--output", "json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.get("service").asText()).isEqualTo("filewcount");
    JsonNode first = root.get("instances").get(0);
    assertThat(first.get("id").asText()).isEqualTo("filewcount-10.0.0.1-20001");
    assertThat(first.get("address").asText()).isEqualTo("10.0.0.1");
    assertThat(first.get("port").asInt()).isEqualTo(20001);
    assertThat(first.get("version").asText()).isEqualTo("1.0");
    assertThat(first.get("status").asText()).isEqualTo("passing");
    assertThat(first.get("checks")).hasSize(2);
    assertThat(root.get("instances").get(1).get("status").asText()).isEqualTo("critical");
    assertThat(root.get("traffic").get("service").asText()).isEqualTo("filewcount");
    assertThat(r.out()).doesNotContain(TOKEN);
  }

  @Test
  void anUnknownServiceHasNoInstances() {
    Run r = run(Map.of(), "status", "--consul", consul.address().toString(), "--service", "nothing");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("No instances of 'nothing'");
  }

  @Test
  void consulDownIsARuntimeFailureNamingTheAddressButNotTheToken() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = run(Map.of("CONSUL_HTTP_TOKEN", TOKEN), "status", "--consul", "http://127.0.0.1:" + port);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("http://127.0.0.1:" + port).doesNotContain(TOKEN);
  }
}
