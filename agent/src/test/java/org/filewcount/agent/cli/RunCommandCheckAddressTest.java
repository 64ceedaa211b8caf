package org.filewcount.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.ConfigException;
import org.filewcount.agent.config.HostPort;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Where Consul's HTTP check is pointed: it runs in the Consul agent, not beside ours. */
class RunCommandCheckAddressTest {

  private static AgentConfig config(Map<String, String> env, String... args) {
    CommandLine cl = Main.commandLine(env);
    String[] all = new String[args.length + 1];
    all[0] = "run";
    System.arraycopy(args, 0, all, 1, args.length);
    cl.parseArgs(all);
    RunCommand run = cl.getSubcommands().get("run").getCommand();
    return run.config();
  }

  @Test
  void outsideNomadTheAdminAddressIsChecked() {
    assertThat(config(Map.of()).checkAddress()).isEqualTo(new HostPort("127.0.0.1", 9464));
  }

  @Test
  void aWildcardAdminIsCheckedOnTheAdvertisedHost() {
    AgentConfig c = config(Map.of(), "--admin", "0.0.0.0:9464", "--advertise-address", "10.1.2.3");
    assertThat(c.checkAddress()).isEqualTo(new HostPort("10.1.2.3", 9464));
  }

  @Test
  void inNomadBridgeModeTheHostSideOfTheAdminPortIsChecked() {
    AgentConfig c = config(Map.of("NOMAD_HOST_ADDR_admin", "10.1.2.3:28311"),
        "--admin", "0.0.0.0:9464", "--advertise-address", "10.1.2.3");
    assertThat(c.checkAddress()).isEqualTo(new HostPort("10.1.2.3", 28311));
  }

  @Test
  void theFlagWins() {
    AgentConfig c = config(Map.of("NOMAD_HOST_ADDR_admin", "10.1.2.3:28311"), "--check-address", "192.0.2.7:9000");
    assertThat(c.checkAddress()).isEqualTo(new HostPort("192.0.2.7", 9000));
  }

  @Test
  void aBadValueNamesTheFlag() {
    assertThatThrownBy(() -> config(Map.of(), "--check-address", "nohost"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--check-address");
  }
}
