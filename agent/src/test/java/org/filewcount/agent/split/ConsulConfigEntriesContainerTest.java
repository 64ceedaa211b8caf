package org.filewcount.agent.split;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.testing.CliRun;
import org.filewcount.agent.testing.ConsulContainers;
import org.filewcount.agent.testing.ContainerLogsOnFailure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * shift against a real Consul (the image pinned in versions.env): the three config entries are written,
 * read back as written, Consul's own chain validation accepts every intermediate state, and a version
 * that leaves the catalog loses its subset only after the splitter stops using it.
 * Needs a Docker engine; skipped (with JUnit's "Docker is not available" reason) where there is none.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConsulConfigEntriesContainerTest {

  @RegisterExtension
  static final ContainerLogsOnFailure LOGS = new ContainerLogsOnFailure();

  @Container
  static final ConsulContainer CONSUL = LOGS.watch("consul", ConsulContainers.pinned());

  private static ConsulHttp http;
  private static Map<String, String> env;

  @BeforeAll
  static void setUp() {
    String address = "http://" + CONSUL.getHost() + ":" + CONSUL.getMappedPort(8500);
    env = Map.of("CONSUL_HTTP_ADDR", address);
    http = new ConsulHttp(new ConsulSettings(URI.create(address), Optional.empty(), Optional.empty()));
    register("filewcount-a", "1.0");
    register("filewcount-b", "2.0");
  }

  private static void register(String id, String version) {
    ConsulHttp.Response r = http.put("/v1/agent/service/register", """
        {"ID":"%s","Name":"filewcount","Address":"127.0.0.1","Port":8081,"Tags":["v%s"],
         "Meta":{"version":"%s"},
         "Check":{"CheckID":"%s:alive","Name":"alive","TTL":"10m","Status":"passing"}}""".formatted(id, version, version, id));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private static JsonNode entry(String kind) {
    ConsulHttp.Response r = http.get("/v1/config/" + kind + "/filewcount");
    assertThat(r.status()).as(kind + ": " + r.body()).isEqualTo(200);
    return Json.parse(r.body());
  }

  @Test
  void writesReadsBackAndPrunesInAnOrderConsulAccepts() {
    CliRun first = CliRun.run(env, "shift", "--weight", "1.0=75,2.0=25");
    assertThat(first.exitCode()).as(first.err()).isZero();

    assertThat(entry("service-defaults").path("Protocol").asText()).isEqualTo("http");
    JsonNode resolver = entry("service-resolver");
    assertThat(resolver.path("DefaultSubset").asText()).isEqualTo("v1-0");
    assertThat(resolver.path("Subsets").path("v2-0").path("Filter").asText()).isEqualTo("Service.Meta.version == \"2.0\"");
    assertThat(resolver.path("Subsets").path("v2-0").path("OnlyPassing").asBoolean()).isTrue();
    JsonNode splits = entry("service-splitter").path("Splits");
    assertThat(splits).hasSize(2);
    assertThat(splits.get(0).path("Weight").asDouble()).isEqualTo(75.0);
    assertThat(splits.get(1).path("ServiceSubset").asText()).isEqualTo("v2-0");

    // Consul refuses a splitter that names a subset the resolver lacks: the reason writes are ordered.
    ConsulHttp.Response dangling = http.put("/v1/config", """
        {"Kind":"service-splitter","Name":"filewcount","Splits":[{"Weight":100,"ServiceSubset":"v9-9"}]}""");
    assertThat(dangling.ok()).as("Consul accepted a dangling subset: " + dangling.body()).isFalse();

    // A stale check-and-set index is answered with false, not an error.
    long index = entry("service-splitter").path("ModifyIndex").asLong();
    ConsulHttp.Response stale = http.put("/v1/config?cas=" + (index - 1), """
        {"Kind":"service-splitter","Name":"filewcount","Splits":[{"Weight":100,"ServiceSubset":"v1-0"}]}""");
    assertThat(stale.body().strip()).isEqualTo("false");

    // 1.0 leaves the catalog; moving all traffic to 2.0 drops its subset after the splitter changed.
    assertThat(http.put("/v1/agent/service/deregister/filewcount-a", "").status()).isEqualTo(200);
    CliRun second = CliRun.run(env, "shift", "--weight", "2.0=100");
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(entry("service-resolver").path("Subsets").has("v1-0")).isFalse();
    assertThat(entry("service-resolver").path("DefaultSubset").asText()).isEqualTo("v2-0");
    assertThat(entry("service-splitter").path("Splits")).hasSize(1);

    // Repeating it is harmless: nothing changes.
    long before = entry("service-splitter").path("ModifyIndex").asLong();
    assertThat(CliRun.run(env, "shift", "--weight", "2.0=100").exitCode()).isZero();
    assertThat(entry("service-splitter").path("ModifyIndex").asLong()).isEqualTo(before);
  }
}
