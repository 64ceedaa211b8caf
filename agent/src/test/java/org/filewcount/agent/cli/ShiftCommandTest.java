package org.filewcount.agent.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.util.Map;
import org.filewcount.agent.rollout.ConsulFixtures;
import org.filewcount.agent.split.Json;
import org.filewcount.agent.testing.CliRun;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code filewcount-agent shift} end to end through Main.execute, against a stub Consul. */
class ShiftCommandTest {

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private Map<String, String> env;

  @BeforeEach
  void setUp() {
    env = Map.of("CONSUL_HTTP_ADDR", consul.baseUrl(), "CONSUL_HTTP_TOKEN", "tok-123");
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(okJson(ConsulFixtures.healthOf("1.0:2:2", "2.0:1:1", "3.0:0:2"))));
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/nosuch")).willReturn(okJson("[]")));
    for (String kind : new String[] {"service-defaults", "service-resolver"}) {
      consul.stubFor(get(urlEqualTo("/v1/config/" + kind + "/filewcount")).willReturn(aResponse().withStatus(404)));
    }
    consul.stubFor(get(urlEqualTo("/v1/config/service-splitter/filewcount")).willReturn(okJson("""
        {"Kind":"service-splitter","Name":"filewcount","Splits":[{"Weight":100,"ServiceSubset":"v1-0"}],
         "ModifyIndex":9}""")));
    consul.stubFor(put(urlPathEqualTo("/v1/config")).willReturn(okJson("true")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "sum not 100          | --weight=1.0=70,2.0=20        | weights sum to 90, not 100",
      "negative             | --weight=2.0=-10,1.0=110      | is negative",
      "three decimals       | --weight=1.0=74.995,2.0=25.005 | more than two decimals",
      "not a number         | --weight=1.0=abc,2.0=100      | is not a number",
      "no equals sign       | --weight=1.0                  | is not VERSION=PERCENT",
      "same version twice   | --weight=1.0=50,1.0=50        | names version 1.0 twice",
      "over 100             | --weight=1.0=150              | is over 100",
  })
  void badWeightsExitTwoBeforeTouchingConsul(String name, String arg, String message) {
    CliRun r = CliRun.run(env, "shift", arg);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(message);
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));
  }

  @Test
  void unknownVersionIsRefusedEvenWithForce() {
    CliRun r = CliRun.run(env, "shift", "--weight", "1.0=90,9.9=10", "--force");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown version '9.9'").contains("1.0 (2/2 passing)")
        .contains("--force does not override");
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));
  }

  @Test
  void versionWithoutPassingInstanceNeedsForce() {
    CliRun refused = CliRun.run(env, "shift", "--weight", "1.0=90", "--weight", "3.0=10");

    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("version 3.0").contains("none passing").contains("--force");
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));

    CliRun forced = CliRun.run(env, "shift", "--weight", "1.0=90", "--weight", "3.0=10", "--force");

    assertThat(forced.exitCode()).isEqualTo(0);
    assertThat(forced.out()).contains("1.0=90, 3.0=10");
  }

  @Test
  void unknownServiceExitsTwo() {
    CliRun r = CliRun.run(env, "shift", "--service", "nosuch", "--weight", "1.0=100");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown service 'nosuch'");
  }

  @Test
  void conflictingAndIncompleteFlagsExitTwo() {
    assertThat(CliRun.run(env, "shift", "--weight", "1.0=100", "--to", "2.0", "--percent", "5").exitCode())
        .isEqualTo(2);
    CliRun noPercent = CliRun.run(env, "shift", "--to", "2.0");
    assertThat(noPercent.exitCode()).isEqualTo(2);
    assertThat(noPercent.err()).contains("--to needs --percent");
    CliRun nothing = CliRun.run(env, "shift");
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).contains("nothing to shift");
    CliRun badPercent = CliRun.run(env, "shift", "--to", "2.0", "--percent", "12.345");
    assertThat(badPercent.exitCode()).isEqualTo(2);
    assertThat(badPercent.err()).contains("more than two decimals");
  }

  @Test
  void toAndPercentKeepTheRestOnTheStableVersion() {
    CliRun r = CliRun.run(env, "shift", "--to", "v2.0", "--percent", "25");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
    assertThat(r.out()).contains("traffic split is now 1.0=75, 2.0=25").contains("2.0: 1/1 passing");
    consul.verify(putRequestedFor(urlEqualTo("/v1/config?cas=9")).withRequestBody(
        com.github.tomakehurst.wiremock.client.WireMock.equalToJson("""
            {"Kind":"service-splitter","Name":"filewcount",
             "Splits":[{"Weight":75,"ServiceSubset":"v1-0"},{"Weight":25,"ServiceSubset":"v2-0"}]}""", true, true)));
  }

  @Test
  void dryRunPrintsTheEntriesAndWritesNothing() {
    CliRun r = CliRun.run(env, "shift", "--weight", "1.0=75", "--weight", "2.0=25", "--dry-run");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
    JsonNode plan = Json.parse(r.out());
    assertThat(plan.isArray()).isTrue();
    assertThat(plan).extracting(n -> n.path("Kind").asText())
        .containsExactly("service-defaults", "service-resolver", "service-router", "service-splitter");
    assertThat(plan.get(1).path("Subsets").path("v2-0").path("Filter").asText())
        .isEqualTo("Service.Meta.version == \"2.0\"");
    assertThat(plan.get(3).path("Splits").get(1).path("Weight").asInt()).isEqualTo(25);
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));
  }

  @Test
  void consulDownIsARuntimeFailure() {
    Map<String, String> nowhere = Map.of("CONSUL_HTTP_ADDR", "http://127.0.0.1:1");

    CliRun r = CliRun.run(nowhere, "shift", "--weight", "1.0=100");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("did not answer").contains("CONSUL_HTTP_ADDR");
  }
}
