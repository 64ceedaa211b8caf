package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.infra.NomadJobs.block;
import static org.filewcount.agent.infra.NomadJobs.labelled;
import static org.filewcount.agent.infra.NomadJobs.variableDefault;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * Who can reach the dev agents: loopback plus Nomad's bridge gateway, nothing else, and no raw_exec. The
 * bridge's name and address are stated in four places (Nomad's config, scripts/lib.sh, Consul's client_addr,
 * the filewcount job's consul_host): they must agree, or the allocations lose Consul.
 */
class StackSecurityTest {

  @Test
  void nomadListensOnLoopbackOnlyAndRawExecIsOff() throws Exception {
    JsonNode nomad = Hcl2Json.parse("nomad/agent-dev.hcl");
    assertThat(nomad.path("bind_addr").asText()).isEqualTo("127.0.0.1");
    assertThat(block(labelled(nomad, "plugin", "raw_exec"), "config").path("enabled").isBoolean()).isTrue();
    assertThat(block(labelled(nomad, "plugin", "raw_exec"), "config").path("enabled").asBoolean()).isFalse();

    // The start lines of both agents may not widen the config files' addresses (-bind, -client), nor use
    // Nomad's -dev-connect (which binds 0.0.0.0).
    List<String> starts = RepoFiles.read("scripts/up").lines().filter(l -> l.contains("agent -dev")).toList();
    assertThat(starts).hasSize(2).allSatisfy(start -> assertThat(start).doesNotContain("-bind")
        .doesNotContain("-client").doesNotContain("0.0.0.0").doesNotContain("-dev-connect"));
  }

  @Test
  void consulListensOnLoopbackAndTheNomadBridgeOnly() throws Exception {
    JsonNode consul = Hcl2Json.parse("consul/agent-dev.hcl");
    String clientAddr = consul.path("client_addr").asText();
    assertThat(clientAddr).isEqualTo("127.0.0.1 {{ GetInterfaceIP \"" + bridgeName() + "\" }}");
    // No per-listener address (addresses { http = ... }) that would widen it again.
    assertThat(consul.has("addresses")).isFalse();
    assertThat(consul.has("bind_addr")).isFalse();
  }

  @Test
  void theBridgeAddressIsTheSameEverywhere() throws Exception {
    JsonNode client = block(Hcl2Json.parse("nomad/agent-dev.hcl"), "client");
    String subnet = client.path("bridge_network_subnet").asText();
    assertThat(client.path("bridge_network_name").asText()).isEqualTo(bridgeName());
    // The gateway is the subnet's first host, which the CNI bridge plugin gives the bridge (isGateway).
    Matcher cidr = Pattern.compile("(\\d+\\.\\d+\\.\\d+)\\.0/(\\d+)").matcher(subnet);
    assertThat(cidr.matches()).as(subnet).isTrue();
    String gateway = cidr.group(1) + ".1";
    assertThat(libValue("NOMAD_BRIDGE_GATEWAY")).isEqualTo(gateway + "/" + cidr.group(2));

    JsonNode job = Hcl2Json.parse("nomad/filewcount.nomad.hcl");
    assertThat(variableDefault(job, "consul_host").asText()).isEqualTo(gateway);
    JsonNode group = labelled(labelled(job, "job", "filewcount"), "group", "filewcount");
    List<String> bootstrapArgs = NomadJobs.strings(block(labelled(group, "task", "envoy-bootstrap"), "config").path("args"));
    List<String> agentArgs = NomadJobs.strings(block(labelled(group, "task", "agent"), "config").path("args"));
    assertThat(bootstrapArgs.get(bootstrapArgs.indexOf("--consul-grpc") + 1)).startsWith("${var.consul_host}:");
    assertThat(agentArgs.get(agentArgs.indexOf("--consul") + 1)).startsWith("http://${var.consul_host}:");
  }

  private static String bridgeName() {
    return libValue("NOMAD_BRIDGE");
  }

  private static String libValue(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(RepoFiles.read("scripts/lib.sh"));
    assertThat(m.find()).as(name + " in scripts/lib.sh").isTrue();
    return m.group(1);
  }
}
