package org.filewcount.agent.split;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.rollout.ConsulFixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The config entry writes against a stub Consul that answers as Consul's HTTP API docs describe. */
class ConsulTrafficControlTest {

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private ConsulTrafficControl traffic;

  @BeforeEach
  void setUp() {
    ConsulSettings settings = new ConsulSettings(URI.create(consul.baseUrl()), Optional.of(Secret.of("s3cr3t-token")),
        Optional.empty());
    traffic = new ConsulTrafficControl(new ConsulHttp(settings), Sleeper.REAL_TIME, 4);
  }

  private void health(String body) {
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount")).willReturn(okJson(body)));
  }

  private void noEntry(String kind) {
    consul.stubFor(get(urlEqualTo("/v1/config/" + kind + "/filewcount")).willReturn(aResponse().withStatus(404)));
  }

  private void entry(String kind, String json) {
    consul.stubFor(get(urlEqualTo("/v1/config/" + kind + "/filewcount")).willReturn(okJson(json)));
  }

  private void putsSucceed() {
    consul.stubFor(put(urlPathEqualTo("/v1/config")).willReturn(okJson("true")));
  }

  /** PUT /v1/config bodies in the order Consul received them. */
  private List<JsonNode> puts() {
    List<ServeEvent> events = new ArrayList<>(consul.getAllServeEvents());
    java.util.Collections.reverse(events);
    List<JsonNode> out = new ArrayList<>();
    for (ServeEvent e : events) {
      if (e.getRequest().getMethod().getName().equals("PUT")) {
        out.add(Json.parse(e.getRequest().getBodyAsString()));
      }
    }
    return out;
  }

  private List<String> putUrls() {
    List<ServeEvent> events = new ArrayList<>(consul.getAllServeEvents());
    java.util.Collections.reverse(events);
    return events.stream().filter(e -> e.getRequest().getMethod().getName().equals("PUT"))
        .map(e -> e.getRequest().getUrl()).toList();
  }

  @Test
  void firstShiftCreatesTheThreeEntriesInOrderWithExactJson() {
    health(ConsulFixtures.healthOf("1.0:2:2", "2.0:1:1"));
    noEntry("service-defaults");
    noEntry("service-resolver");
    noEntry("service-splitter");
    putsSucceed();

    Split written = traffic.apply("filewcount", Split.parse(List.of("1.0=75,2.0=25")), false);

    assertThat(written.describe()).isEqualTo("1.0=75, 2.0=25");
    List<JsonNode> puts = puts();
    assertThat(puts).hasSize(4);
    assertThat(puts.get(0)).isEqualTo(Json.parse("""
        {"Kind":"service-defaults","Name":"filewcount","Protocol":"http"}"""));
    assertThat(puts.get(1)).isEqualTo(Json.parse("""
        {"Kind":"service-resolver","Name":"filewcount",
         "Subsets":{"v1-0":{"Filter":"Service.Meta.version == \\"1.0\\"","OnlyPassing":true},
                    "v2-0":{"Filter":"Service.Meta.version == \\"2.0\\"","OnlyPassing":true}},
         "DefaultSubset":"v1-0"}"""));
    // Two versions get traffic: a cookie route per version, before the splitter names the subsets (ADR 0018).
    assertThat(puts.get(2)).isEqualTo(Json.parse("""
        {"Kind":"service-router","Name":"filewcount","Routes":[
          {"Match":{"HTTP":{"PathPrefix":"/","Header":[{"Name":"Cookie","Regex":"(.*;\\\\s*)?filewcount-version=v1-0(;.*)?"}]}},
           "Destination":{"Service":"filewcount","ServiceSubset":"v1-0"}},
          {"Match":{"HTTP":{"PathPrefix":"/","Header":[{"Name":"Cookie","Regex":"(.*;\\\\s*)?filewcount-version=v2-0(;.*)?"}]}},
           "Destination":{"Service":"filewcount","ServiceSubset":"v2-0"}}]}"""));
    assertThat(Json.sameContent(puts.get(3), Json.parse("""
        {"Kind":"service-splitter","Name":"filewcount",
         "Splits":[{"Weight":75,"ServiceSubset":"v1-0","ResponseHeaders":{"Add":{"Set-Cookie":
                     "filewcount-version=v1-0; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"}}},
                   {"Weight":25,"ServiceSubset":"v2-0","ResponseHeaders":{"Add":{"Set-Cookie":
                     "filewcount-version=v2-0; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"}}}]}"""))).isTrue();
    // Nothing existed: every write is a create-only check-and-set.
    assertThat(putUrls()).containsExactly("/v1/config?cas=0", "/v1/config?cas=0", "/v1/config?cas=0",
        "/v1/config?cas=0");
  }

  @Test
  void tokenTravelsOnlyInTheHeader() {
    health(ConsulFixtures.healthOf("1.0:1:1"));
    noEntry("service-defaults");
    noEntry("service-resolver");
    noEntry("service-splitter");
    putsSucceed();

    traffic.apply("filewcount", Split.all("1.0"), false);

    assertThat(consul.getAllServeEvents()).isNotEmpty().allSatisfy(e -> {
      assertThat(e.getRequest().getHeader("X-Consul-Token")).isEqualTo("s3cr3t-token");
      assertThat(e.getRequest().getUrl()).doesNotContain("token");
    });
  }

  @Test
  void keepsFieldsItDoesNotOwnAndUsesTheirModifyIndex() {
    health(ConsulFixtures.healthOf("1.0:1:1", "2.0:1:1"));
    entry("service-defaults", """
        {"Kind":"service-defaults","Name":"filewcount","Protocol":"http",
         "UpstreamConfig":{"Defaults":{"ConnectTimeoutMs":2000}},"CreateIndex":5,"ModifyIndex":7}""");
    entry("service-resolver", """
        {"Kind":"service-resolver","Name":"filewcount","ConnectTimeout":"2s","RequestTimeout":"60s",
         "LoadBalancer":{"Policy":"least_request","LeastRequestConfig":{"ChoiceCount":2}},
         "Subsets":{"canary-eu":{"Filter":"Service.Meta.region == eu"}},
         "Meta":{"owner":"platform"},"CreateIndex":10,"ModifyIndex":42}""");
    entry("service-splitter", """
        {"Kind":"service-splitter","Name":"filewcount",
         "Splits":[{"Weight":100,"ServiceSubset":"v1-0","RequestHeaders":{"Set":{"x-split":"stable"}}}],
         "CreateIndex":11,"ModifyIndex":50}""");
    putsSucceed();

    traffic.apply("filewcount", Split.parse(List.of("1.0=90", "2.0=10")), false);

    // service-defaults already says http: no write at all.
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config"))
        .withRequestBody(equalToJson("{\"Kind\":\"service-defaults\"}", true, true)));
    consul.verify(putRequestedFor(urlEqualTo("/v1/config?cas=42")).withRequestBody(equalToJson("""
        {"Kind":"service-resolver","Name":"filewcount","ConnectTimeout":"2s","RequestTimeout":"60s",
         "LoadBalancer":{"Policy":"least_request","LeastRequestConfig":{"ChoiceCount":2}},
         "Subsets":{"canary-eu":{"Filter":"Service.Meta.region == eu"},
                    "v1-0":{"Filter":"Service.Meta.version == \\"1.0\\"","OnlyPassing":true},
                    "v2-0":{"Filter":"Service.Meta.version == \\"2.0\\"","OnlyPassing":true}},
         "DefaultSubset":"v1-0","Meta":{"owner":"platform"}}""")));
    consul.verify(putRequestedFor(urlEqualTo("/v1/config?cas=50")).withRequestBody(equalToJson("""
        {"Kind":"service-splitter","Name":"filewcount",
         "Splits":[{"Weight":90,"ServiceSubset":"v1-0","RequestHeaders":{"Set":{"x-split":"stable"}},
                    "ResponseHeaders":{"Add":{"Set-Cookie":
                      "filewcount-version=v1-0; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"}}},
                   {"Weight":10,"ServiceSubset":"v2-0","ResponseHeaders":{"Add":{"Set-Cookie":
                      "filewcount-version=v2-0; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"}}}]}""")));
    assertThat(puts()).allSatisfy(p -> assertThat(p.has("ModifyIndex")).isFalse());
  }

  @Test
  void repeatingTheSameShiftWritesNothing() {
    health(ConsulFixtures.healthOf("1.0:1:1", "2.0:1:1"));
    entry("service-defaults", """
        {"Kind":"service-defaults","Name":"filewcount","Protocol":"http","ModifyIndex":7}""");
    entry("service-resolver", """
        {"Kind":"service-resolver","Name":"filewcount","DefaultSubset":"v1-0",
         "Subsets":{"v1-0":{"Filter":"Service.Meta.version == \\"1.0\\"","OnlyPassing":true},
                    "v2-0":{"Filter":"Service.Meta.version == \\"2.0\\"","OnlyPassing":true}},"ModifyIndex":42}""");
    entry("service-splitter", """
        {"Kind":"service-splitter","Name":"filewcount",
         "Splits":[{"Weight":75,"ServiceSubset":"v1-0","ResponseHeaders":{"Add":{"Set-Cookie":
                     "filewcount-version=v1-0; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"}}},
                   {"Weight":25.000002,"ServiceSubset":"v2-0","ResponseHeaders":{"Add":{"Set-Cookie":
                     "filewcount-version=v2-0; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"}}}],"ModifyIndex":50}""");
    entry("service-router", """
        {"Kind":"service-router","Name":"filewcount","Routes":[
          {"Match":{"HTTP":{"PathPrefix":"/","Header":[{"Name":"Cookie","Regex":"(.*;\\\\s*)?filewcount-version=v1-0(;.*)?"}]}},
           "Destination":{"Service":"filewcount","ServiceSubset":"v1-0"}},
          {"Match":{"HTTP":{"PathPrefix":"/","Header":[{"Name":"Cookie","Regex":"(.*;\\\\s*)?filewcount-version=v2-0(;.*)?"}]}},
           "Destination":{"Service":"filewcount","ServiceSubset":"v2-0"}}],"ModifyIndex":51}""");
    putsSucceed();

    TrafficState before = traffic.read("filewcount");
    assertThat(before.split()).map(Split::describe).contains("1.0=75, 2.0=25");
    assertThat(before.defaultVersion()).contains("1.0");

    traffic.apply("filewcount", Split.parse(List.of("1.0=75,2.0=25.00")), false);

    // 25.000002 is how Consul's float32 may hand back 25; only the splitter is rewritten to exact values.
    assertThat(putUrls()).containsExactly("/v1/config?cas=50");
  }

  @Test
  void casConflictIsRetriedAgainstTheFreshEntry() {
    health(ConsulFixtures.healthOf("1.0:1:1", "2.0:1:1"));
    entry("service-defaults", """
        {"Kind":"service-defaults","Name":"filewcount","Protocol":"http","ModifyIndex":7}""");
    noEntry("service-splitter");
    String scenario = "resolver-conflict";
    consul.stubFor(get(urlEqualTo("/v1/config/service-resolver/filewcount")).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson("""
            {"Kind":"service-resolver","Name":"filewcount","ConnectTimeout":"2s","ModifyIndex":42}""")));
    // Someone else wrote the resolver between our read and our write: Consul answers false.
    consul.stubFor(put(urlEqualTo("/v1/config?cas=42")).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("false")).willSetStateTo("changed"));
    consul.stubFor(get(urlEqualTo("/v1/config/service-resolver/filewcount")).inScenario(scenario)
        .whenScenarioStateIs("changed")
        .willReturn(okJson("""
            {"Kind":"service-resolver","Name":"filewcount","ConnectTimeout":"2s","RequestTimeout":"30s",
             "ModifyIndex":43}""")));
    consul.stubFor(put(urlEqualTo("/v1/config?cas=43")).willReturn(okJson("true")));
    consul.stubFor(put(urlEqualTo("/v1/config?cas=0")).willReturn(okJson("true")));

    traffic.apply("filewcount", Split.parse(List.of("1.0=50,2.0=50")), false);

    // The retry carries the other writer's new field and the new index.
    consul.verify(putRequestedFor(urlEqualTo("/v1/config?cas=43")).withRequestBody(equalToJson("""
        {"Kind":"service-resolver","RequestTimeout":"30s","DefaultSubset":"v1-0"}""", true, true)));
    assertThat(putUrls()).containsExactly("/v1/config?cas=42", "/v1/config?cas=43", "/v1/config?cas=0",
        "/v1/config?cas=0");
  }

  @Test
  void givesUpWithAClearErrorWhenConflictsNeverEnd() {
    health(ConsulFixtures.healthOf("1.0:1:1"));
    entry("service-defaults", """
        {"Kind":"service-defaults","Name":"filewcount","Protocol":"tcp","ModifyIndex":7}""");
    consul.stubFor(put(urlPathEqualTo("/v1/config")).willReturn(okJson("false")));

    assertThatThrownBy(() -> traffic.apply("filewcount", Split.all("1.0"), false))
        .isInstanceOf(ConsulException.class)
        .hasMessageContaining("service-defaults/filewcount")
        .hasMessageContaining("4 check-and-set conflicts");
  }

  @Test
  void removingAVersionRewritesTheSplitterBeforeDroppingItsSubset() {
    // 1.0 is gone from the catalog; the splitter still sends it 10%.
    health(ConsulFixtures.healthOf("2.0:2:2"));
    entry("service-defaults", """
        {"Kind":"service-defaults","Name":"filewcount","Protocol":"http","ModifyIndex":7}""");
    String scenario = "remove-version";
    consul.stubFor(get(urlEqualTo("/v1/config/service-resolver/filewcount")).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("""
            {"Kind":"service-resolver","Name":"filewcount","DefaultSubset":"v2-0",
             "Subsets":{"v1-0":{"Filter":"Service.Meta.version == \\"1.0\\"","OnlyPassing":true},
                        "v2-0":{"Filter":"Service.Meta.version == \\"2.0\\"","OnlyPassing":true}},"ModifyIndex":42}""")));
    consul.stubFor(get(urlEqualTo("/v1/config/service-splitter/filewcount")).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("""
            {"Kind":"service-splitter","Name":"filewcount",
             "Splits":[{"Weight":10,"ServiceSubset":"v1-0"},{"Weight":90,"ServiceSubset":"v2-0"}],"ModifyIndex":50}""")));
    consul.stubFor(put(urlEqualTo("/v1/config?cas=50")).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED).willReturn(okJson("true")).willSetStateTo("splitter-written"));
    consul.stubFor(get(urlEqualTo("/v1/config/service-splitter/filewcount")).inScenario(scenario)
        .whenScenarioStateIs("splitter-written").willReturn(okJson("""
            {"Kind":"service-splitter","Name":"filewcount",
             "Splits":[{"Weight":100,"ServiceSubset":"v2-0"}],"ModifyIndex":51}""")));
    consul.stubFor(get(urlEqualTo("/v1/config/service-resolver/filewcount")).inScenario(scenario)
        .whenScenarioStateIs("splitter-written").willReturn(okJson("""
            {"Kind":"service-resolver","Name":"filewcount","DefaultSubset":"v2-0",
             "Subsets":{"v1-0":{"Filter":"Service.Meta.version == \\"1.0\\"","OnlyPassing":true},
                        "v2-0":{"Filter":"Service.Meta.version == \\"2.0\\"","OnlyPassing":true}},"ModifyIndex":42}""")));
    consul.stubFor(put(urlEqualTo("/v1/config?cas=42")).willReturn(okJson("true")));

    traffic.apply("filewcount", Split.all("2.0"), false);

    List<JsonNode> puts = puts();
    assertThat(puts).extracting(p -> p.path("Kind").asText())
        .containsExactly("service-splitter", "service-resolver");
    assertThat(puts.get(1).path("Subsets").has("v1-0")).isFalse();
    assertThat(puts.get(1).path("Subsets").has("v2-0")).isTrue();
  }

  @Test
  void neverDropsASubsetTheSplitterStillUses() {
    ObjectNodes.assertPruneKeepsReferenced();
  }

  @Test
  void refusesASubsetNameSomeoneElseOwns() {
    health(ConsulFixtures.healthOf("1.0:1:1"));
    entry("service-defaults", """
        {"Kind":"service-defaults","Name":"filewcount","Protocol":"http","ModifyIndex":7}""");
    entry("service-resolver", """
        {"Kind":"service-resolver","Name":"filewcount",
         "Subsets":{"v1-0":{"Filter":"Service.Tags contains legacy"}},"ModifyIndex":42}""");
    noEntry("service-splitter");

    assertThatThrownBy(() -> traffic.apply("filewcount", Split.all("1.0"), false))
        .isInstanceOf(SplitRefusedException.class)
        .hasMessageContaining("subset 'v1-0'")
        .hasMessageContaining("did not write");
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));
  }

  @Test
  void permissionDeniedSaysWhichPermission() {
    health(ConsulFixtures.healthOf("1.0:1:1"));
    noEntry("service-defaults");
    noEntry("service-resolver");
    noEntry("service-splitter");
    consul.stubFor(put(urlPathEqualTo("/v1/config")).willReturn(aResponse().withStatus(403)
        .withBody("Permission denied: token with AccessorID 'abc' lacks permission 'service:write'")));

    assertThatThrownBy(() -> traffic.apply("filewcount", Split.all("1.0"), false))
        .isInstanceOf(ConsulException.class)
        .hasMessageContaining("403")
        .hasMessageContaining("service:write")
        .hasMessageNotContaining("s3cr3t-token");
  }

  @Test
  void readsInstancesPerVersionCountingOnlyAllPassingAsPassing() {
    health(ConsulFixtures.healthOf("1.0:2:3", "2.0:0:1"));
    noEntry("service-resolver");
    noEntry("service-splitter");

    TrafficState state = traffic.read("filewcount");

    assertThat(state.instances()).containsOnlyKeys("1.0", "2.0");
    assertThat(state.instances().get("1.0")).isEqualTo(new VersionInstances("1.0", 3, 2));
    assertThat(state.instances().get("2.0")).isEqualTo(new VersionInstances("2.0", 1, 0));
    assertThat(state.split()).isEmpty();
    consul.verify(getRequestedFor(urlPathEqualTo("/v1/health/service/filewcount"))
        .withHeader("X-Consul-Token", equalTo("s3cr3t-token")).withQueryParam("token", absent()));
  }
}
