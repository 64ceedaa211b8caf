package org.filewcount.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceIdentityTest {

  @Test
  void insideNomadTheAllocationIdNamesTheInstance() {
    Map<String, String> env = Map.of(
        "NOMAD_ALLOC_ID", "0e4f2c5a-1111-2222-3333-444455556666",
        "NOMAD_JOB_NAME", "filewcount",
        "NOMAD_GROUP_NAME", "app",
        "NOMAD_DC", "dc1",
        "NODE_NAME", "worker-3");

    InstanceIdentity id = InstanceIdentity.derive("filewcount", "1.0", new HostPort("10.1.2.3", 24567), env, "0.1.0");

    assertThat(id.serviceId()).isEqualTo("filewcount-0e4f2c5a-1111-2222-3333-444455556666");
    assertThat(id.instanceId()).isEqualTo("0e4f2c5a-1111-2222-3333-444455556666");
    assertThat(id.sidecarServiceId()).isEqualTo("filewcount-0e4f2c5a-1111-2222-3333-444455556666-sidecar-proxy");
    assertThat(id.inNomad()).isTrue();
    assertThat(id.meta()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "version", "1.0",
        "agent_version", "0.1.0",
        "node", "worker-3",
        "nomad_alloc_id", "0e4f2c5a-1111-2222-3333-444455556666",
        "nomad_job", "filewcount",
        "nomad_group", "app",
        "nomad_dc", "dc1"));
  }

  @Test
  void outsideNomadHostAndPortNameTheInstance() {
    InstanceIdentity id = InstanceIdentity.derive("filewcount", "1.0", new HostPort("VM-7.example.org", 8081),
        Map.of("NODE_NAME", "vm-7"), "0.1.0");

    assertThat(id.serviceId()).isEqualTo("filewcount-vm-7.example.org-8081");
    assertThat(id.instanceId()).isEqualTo("VM-7.example.org:8081");
    assertThat(id.inNomad()).isFalse();
    assertThat(id.meta()).containsOnlyKeys("version", "agent_version", "node");
  }

  @Test
  void ipv6AdvertiseAddressGivesAConsulSafeId() {
    InstanceIdentity id = InstanceIdentity.derive("filewcount", "1.0", new HostPort("fd00::5", 8081), Map.of(), "x");

    assertThat(id.serviceId()).isEqualTo("filewcount-fd00--5-8081");
    assertThat(id.meta()).containsKey("node");
  }

  @Test
  void sameInputsGiveTheSameIdAcrossRestarts() {
    Map<String, String> env = Map.of("NOMAD_ALLOC_ID", "abc");
    HostPort hp = new HostPort("10.0.0.1", 1);
    assertThat(InstanceIdentity.derive("s", "1", hp, env, "a").serviceId())
        .isEqualTo(InstanceIdentity.derive("s", "2", hp, env, "b").serviceId());
  }
}
