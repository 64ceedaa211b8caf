package org.filewcount.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.config.AgentConfig;
import org.filewcount.agent.config.HostPort;
import org.filewcount.agent.config.InstanceIdentity;
import org.filewcount.agent.config.MeshSettings;
import org.filewcount.agent.testing.FactPath;
import org.filewcount.agent.testing.HashiCorpFacts;
import org.junit.jupiter.api.Test;

/**
 * The sidecar registration {@code run --mesh} sends, against what Nomad 1.10.5 and consul-k8s 1.9.11 register for a
 * Connect sidecar (facts in src/test/resources/hashicorp/connect-sidecar-registration.json, with their sources).
 * The deliberate differences are listed in that file.
 */
class SidecarRegistrationCrossCheckTest {

  private static final Pattern VAR = Pattern.compile("\\$\\{([a-zA-Z.]+)}");

  private static final Map<String, String> NOMAD_ENV = Map.of(
      "NOMAD_ALLOC_ID", "5b3a1c2d-0000-4000-8000-00000000abcd", "NOMAD_JOB_NAME", "filewcount",
      "NOMAD_GROUP_NAME", "filewcount", "NOMAD_DC", "dc1", "NODE_NAME", "node-1");

  private static RegistrationPayload payload() {
    HostPort advertised = new HostPort("10.0.0.5", 25123);
    AgentConfig config = AgentConfig.builder()
        .service("filewcount")
        .serviceVersion("2.0")
        .listen(new HostPort("0.0.0.0", 8081))
        .advertised(advertised)
        .admin(new HostPort("0.0.0.0", 9464))
        .checkAddress(new HostPort("10.0.0.5", 25124))
        .checkInterval(Duration.ofSeconds(10))
        .identity(InstanceIdentity.derive("filewcount", "2.0", advertised, NOMAD_ENV, "0.1.0"))
        .mesh(new MeshSettings(28000, 21000))
        .build();
    return RegistrationPayload.of(config, Optional.of(31002));
  }

  @Test
  void ourSidecarHasTheShapeNomadAndConsulK8sRegister() throws Exception {
    RegistrationPayload p = payload();
    assertThat(check(p.sidecar().orElseThrow(), p.service(), vars(p))).isEmpty();
  }

  @Test
  void plantedDeviationsAreEachReported() throws Exception {
    RegistrationPayload p = payload();
    Map<String, String> vars = vars(p);

    ObjectNode wrongKind = p.sidecar().orElseThrow().deepCopy().put("Kind", "connect-native");
    assertThat(check(wrongKind, p.service(), vars)).singleElement().asString().contains("/Kind is \"connect-native\"");

    ObjectNode wrongId = p.sidecar().orElseThrow().deepCopy();
    ((ObjectNode) wrongId.path("Proxy")).put("DestinationServiceID", "filewcount");
    assertThat(check(wrongId, p.service(), vars)).singleElement().asString().contains("/Proxy/DestinationServiceID");

    ObjectNode wideOpen = p.sidecar().orElseThrow().deepCopy();
    ((ObjectNode) wideOpen.path("Proxy")).put("LocalServiceAddress", "0.0.0.0");
    assertThat(check(wideOpen, p.service(), vars)).singleElement().asString().contains("LocalServiceAddress");

    ObjectNode noAlias = p.sidecar().orElseThrow().deepCopy();
    ((ArrayNode) noAlias.path("Checks")).remove(1);
    assertThat(check(noAlias, p.service(), vars)).singleElement().asString().contains("Connect Sidecar Aliasing");

    ObjectNode otherTags = p.sidecar().orElseThrow().deepCopy();
    otherTags.putArray("Tags").add("canary");
    assertThat(check(otherTags, p.service(), vars)).singleElement().asString().contains("/Tags");

    ObjectNode upstream = p.sidecar().orElseThrow().deepCopy();
    ((ObjectNode) upstream.path("Proxy")).putArray("Upstreams").addObject().put("DestinationName", "db");
    assertThat(check(upstream, p.service(), vars)).singleElement().asString().contains("/Proxy/Upstreams");
  }

  private static Map<String, String> vars(RegistrationPayload p) {
    return Map.of("service", p.service().path("Name").asText(), "serviceId", p.serviceId(),
        "host", p.service().path("Address").asText(), "publicPort", "28000",
        "bindPort", "21000", "appPort", "8081", "tags", p.service().path("Tags").toString(),
        "meta.version", p.service().path("Meta").path("version").asText());
  }

  private static List<String> check(JsonNode sidecar, JsonNode service, Map<String, String> vars) throws Exception {
    JsonNode facts = HashiCorpFacts.load("connect-sidecar-registration.json");
    List<String> problems = new ArrayList<>();
    for (JsonNode fact : facts.path("facts")) {
      String path = expand(fact.path("path").asText(), vars);
      JsonNode actual = FactPath.find(sidecar, path);
      if (fact.has("absent_or")) {
        if (!actual.isMissingNode() && !actual.equals(fact.path("absent_or"))) {
          problems.add(path + " is " + actual + "; " + fact.path("by").asText() + " register none");
        }
        continue;
      }
      String expected = expand(fact.path("value").asText(), vars);
      String got = actual.isValueNode() ? actual.asText() : actual.toString();
      if (actual.isMissingNode() || !got.equals(expected)) {
        problems.add(path + " is " + (actual.isMissingNode() ? "absent" : actual.toString()) + ", expected "
            + expected + " (" + fact.path("by").asText() + ")");
      }
    }
    return problems;
  }

  private static String expand(String template, Map<String, String> vars) {
    Matcher m = VAR.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = vars.get(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException("unknown variable ${" + m.group(1) + "} in the facts");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }
}
