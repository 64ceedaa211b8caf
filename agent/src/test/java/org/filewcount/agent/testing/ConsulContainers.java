package org.filewcount.agent.testing;

import java.time.Duration;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The Consul container every Testcontainers test uses: the image pinned in versions.env, ready only once
 * the dev agent has elected itself leader.
 *
 * <p>Why not Testcontainers' own readiness: ConsulContainer (testcontainers-java 2.0.5,
 * modules/consul/.../ConsulContainer.java) waits for a 200 from {@code /v1/status/leader}, and Consul
 * answers that endpoint with 200 before an election too, its body then the empty JSON string {@code ""}
 * (hashicorp/consul agent/status_endpoint.go returns the string the RPC Status.Leader gives, and
 * agent/consul/status_endpoint.go sets it to the Raft leader's address, empty while there is none). Config entry writes and registrations sent before the election fail with "No
 * cluster leader".
 */
public final class ConsulContainers {

  private ConsulContainers() {}

  public static ConsulContainer pinned() {
    return new ConsulContainer(VersionsFile.load().image("CONSUL_IMAGE", "hashicorp/consul"))
        .waitingFor(Wait.forHttp("/v1/status/leader").forPort(8500).forStatusCode(200)
            .forResponsePredicate(ConsulContainers::namesALeader)
            .withStartupTimeout(Duration.ofMinutes(2)));
  }

  /** True when a {@code /v1/status/leader} body names a leader, e.g. {@code "172.18.0.2:8300"}. */
  static boolean namesALeader(String body) {
    String b = body == null ? "" : body.strip();
    return !b.isEmpty() && !b.equals("\"\"");
  }
}
