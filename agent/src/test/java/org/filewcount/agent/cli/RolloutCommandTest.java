package org.filewcount.agent.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.registry.StubConsul;
import org.filewcount.agent.rollout.ConsulFixtures;
import org.filewcount.agent.rollout.OperatorRequest;
import org.filewcount.agent.rollout.state.RolloutVerbs;
import org.filewcount.agent.split.ConsulTrafficControl;
import org.filewcount.agent.split.Json;
import org.filewcount.agent.split.Sleeper;
import org.filewcount.agent.testing.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code rollout} through Main.execute against stub Consul, Prometheus (its /api/v1/query answer shape),
 * Nomad (the deployment API) and a webhook receiver, with a 1 s interval so it runs in real time.
 */
class RolloutCommandTest {

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @RegisterExtension
  static WireMockExtension prometheus = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @RegisterExtension
  static WireMockExtension nomad = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @RegisterExtension
  static WireMockExtension hook = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final String DEPLOYMENT = "70638f62-5c19-193e-30d6-f9d6e689ab8e";

  /** KV and sessions for the rollout's lock and state. */
  private static final StubConsul LOCKS = new StubConsul();

  private Map<String, String> env;

  @AfterAll
  static void stopLocks() {
    LOCKS.close();
  }

  @BeforeEach
  void setUp() {
    env = Map.of("CONSUL_HTTP_ADDR", consul.baseUrl(), "CONSUL_HTTP_TOKEN", "consul-tok",
        "NOMAD_ADDR", nomad.baseUrl(), "NOMAD_TOKEN", "nomad-tok");
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(okJson(ConsulFixtures.healthOf("1.0:2:2", "2.0:1:1"))));
    ConsulFixtures.noEntriesYet(consul, LOCKS);
    nomad.stubFor(get(urlPathEqualTo("/v1/job/filewcount/deployment")).willReturn(okJson("""
        {"ID":"%s","JobID":"filewcount","JobVersion":4,"Status":"running",
         "StatusDescription":"Deployment is running but requires manual promotion",
         "TaskGroups":{"app":{"Promoted":false,"DesiredCanaries":1,"DesiredTotal":3,"PlacedAllocs":1,
                              "HealthyAllocs":1,"UnhealthyAllocs":0}},"CreateIndex":19,"ModifyIndex":19}
        """.formatted(DEPLOYMENT))));
    nomad.stubFor(post(urlPathEqualTo("/v1/deployment/promote/" + DEPLOYMENT)).willReturn(okJson("""
        {"EvalID":"0d834913-58a0-81ac-6e33-e452d83a0c66","EvalCreateIndex":20,"DeploymentModifyIndex":20,"Index":20}""")));
    nomad.stubFor(post(urlPathEqualTo("/v1/deployment/fail/" + DEPLOYMENT)).willReturn(okJson("""
        {"EvalID":"0d834913-58a0-81ac-6e33-e452d83a0c66","EvalCreateIndex":20,"DeploymentModifyIndex":20,
         "RevertedJobVersion":3,"Index":20}""")));
    hook.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200).withBody("ok")));
  }

  private static void promSample(String queryRegex, String value) {
    prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", matching(queryRegex))
        .willReturn(okJson("""
            {"status":"success","data":{"resultType":"vector",
             "result":[{"metric":{},"value":[1764072000.123,"%s"]}]}}""".formatted(value))));
  }

  private static void canaryMetrics(String requests, String errorRatio, String p99) {
    promSample(".*increase.*service_version=\"2\\.0\".*", requests);
    promSample("^sum\\(rate.*service_version=\"2\\.0\".*", errorRatio);
    promSample("^histogram_quantile.*service_version=\"2\\.0\".*", p99);
  }

  private String[] args(String... extra) {
    List<String> a = new java.util.ArrayList<>(List.of("rollout", "--to", "2.0", "--steps", "50,100",
        "--interval", "1s", "--prometheus", prometheus.baseUrl(), "--max-error-ratio", "0.01", "--max-p99", "800ms",
        "--min-requests", "10", "--nomad", "--notify-url", hook.baseUrl() + "/hook"));
    a.addAll(Arrays.asList(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void healthyCanaryIsPromotedInConsulAndNomad() {
    canaryMetrics("120", "0", "0.21");

    CliRun r = CliRun.run(env, args("--output", "json"));

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<JsonNode> events = r.out().lines().map(Json::parse).toList();
    assertThat(events).extracting(e -> e.path("event").asText())
        .containsExactly("started", "step", "check", "step", "check", "nomad", "promoted");
    assertThat(events.get(2).path("passed").asBoolean()).isTrue();
    assertThat(events.get(2).path("checks")).extracting(c -> c.path("name").asText())
        .containsExactly("health", "requests", "error_ratio", "p99");
    // The last splitter write sends everything to the canary's subset.
    consul.verify(putRequestedFor(urlPathEqualTo("/v1/config")).withRequestBody(equalToJson("""
        {"Kind":"service-splitter","Name":"filewcount","Splits":[{"Weight":100,"ServiceSubset":"v2-0"}]}""")));
    nomad.verify(postRequestedFor(urlPathEqualTo("/v1/deployment/promote/" + DEPLOYMENT))
        .withHeader("X-Nomad-Token", equalTo("nomad-tok"))
        .withRequestBody(equalToJson("{\"DeploymentID\":\"" + DEPLOYMENT + "\",\"All\":true}")));
    nomad.verify(0, postRequestedFor(urlPathEqualTo("/v1/deployment/fail/" + DEPLOYMENT)));
    assertThat(nomad.getAllServeEvents()).allSatisfy(e -> assertThat(e.getRequest().getUrl()).doesNotContain("tok"));
    // Slack-compatible notices: start, two steps and the promotion.
    hook.verify(4, postRequestedFor(urlPathEqualTo("/hook")));
    hook.verify(postRequestedFor(urlPathEqualTo("/hook")).withRequestBody(matching(
        "(?s).*\"text\":\":white_check_mark: filewcount rollout of filewcount 1.0 -> 2.0: promoted.*\"event\":\"promoted\".*")));
  }

  @Test
  void aGateNotifiesWhoToAskAndHowThenTheResumeAndWhoGaveIt() throws Exception {
    canaryMetrics("120", "0", "0.21");
    String[] gated = args("--output", "json");
    gated[Arrays.asList(gated).indexOf("50,100")] = "50,pause,100";
    CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.run(env, gated));
    await("the rollout at its gate").atMost(Duration.ofSeconds(30)).until(() -> LOCKS.kv()
        .value("filewcount/rollout/filewcount/state").orElse("").contains("\"phase\":\"paused\""));
    // The gate's notice names the commands that answer it, as a person reads them in the chat.
    hook.verify(postRequestedFor(urlPathEqualTo("/hook")).withRequestBody(matching("(?s)\\{\"text\":\"[^\"]*"
        + "gate after step 1/2[^\"]*filewcount-agent rollout resume --service filewcount[^\"]*"
        + "rollout abort --service filewcount.*\"event\":\"paused\".*")));

    ConsulHttp http = new ConsulHttp(ConsulSettings.fromEnvironment(Map.of(), consul.baseUrl()));
    RolloutVerbs.Outcome resumed = new RolloutVerbs(http, new ConsulTrafficControl(http, Sleeper.REAL_TIME), Optional.empty(),
        Optional.empty(), Clock.systemUTC()).request("filewcount", OperatorRequest.Action.RESUME, "ops@laptop");

    assertThat(resumed.exitCode()).as(resumed.message()).isZero();
    assertThat(run.get().exitCode()).as(run.get().err()).isZero();
    hook.verify(postRequestedFor(urlPathEqualTo("/hook")).withRequestBody(matching(
        "(?s)\\{\"text\":\"[^\"]*rollout resume' from ops@laptop.*\"event\":\"resumed\".*")));
  }

  @Test
  void appErrorsRollBackAndFailTheNomadDeployment() {
    canaryMetrics("120", "0.25", "0.21");

    CliRun r = CliRun.run(env, args());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("step 1/2 failed: error_ratio 0.25 > 0.01 (--max-error-ratio)")
        .contains("rolled back").contains("back on 1.0").contains("marked failed");
    consul.verify(putRequestedFor(urlPathEqualTo("/v1/config")).withRequestBody(equalToJson("""
        {"Kind":"service-splitter","Name":"filewcount","Splits":[{"Weight":100,"ServiceSubset":"v1-0"}]}""")));
    nomad.verify(postRequestedFor(urlPathEqualTo("/v1/deployment/fail/" + DEPLOYMENT))
        .withHeader("X-Nomad-Token", equalTo("nomad-tok")));
    nomad.verify(0, postRequestedFor(urlPathEqualTo("/v1/deployment/promote/" + DEPLOYMENT)));
    hook.verify(postRequestedFor(urlPathEqualTo("/hook")).withRequestBody(matching("(?s).*\"event\":\"rolled_back\".*")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "steps not ending at 100 | --steps=10,50           | must end at 100",
      "steps going down        | --steps=50,10,100       | only go up",
      "step with 3 decimals    | --steps=10.125,100      | more than two decimals",
      "error ratio over 1      | --max-error-ratio=5     | must be a ratio from 0 to 1",
      "vs-stable under 1       | --max-error-ratio-vs-stable=0.5 | must be 1 or more",
      "min requests 0          | --min-requests=0        | at least 1",
      "bad interval            | --interval=soon         | not a duration",
      "prometheus not a URL    | --prometheus=localhost  | must be an http(s):// URL",
  })
  void badFlagsExitTwo(String name, String flag, String message) {
    CliRun r = flag.startsWith("--prometheus")
        ? CliRun.run(env, "rollout", "--to", "2.0", flag)
        : CliRun.run(env, "rollout", "--to", "2.0", "--prometheus", prometheus.baseUrl(), flag);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(message);
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));
  }

  @Test
  void unknownCanaryVersionExitsTwoBeforeAnyChange() {
    CliRun r = CliRun.run(env, "rollout", "--to", "7.0", "--prometheus", prometheus.baseUrl());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown version '7.0'");
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));
  }

  /**
   * shift --to and rollout --to derive canary and stable in one place (TrafficState.canary), so for the same
   * Consul state they refuse with the same words and exit code.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown version           | 7.0 | 1.0:2:2,2.0:1:1         | unknown version '7.0'",
      "stable cannot be told     | 2.0 | 1.0:1:1,2.0:1:1,3.0:1:1 | cannot tell which version is stable for --to 2.0",
      "canary with none passing  | 2.0 | 1.0:2:2,2.0:0:1         | version 2.0 of filewcount has 1 instance(s) but none passing",
  })
  void shiftAndRolloutRefuseTheSameCaseInTheSameWords(String name, String to, String instances, String message) {
    consul.stubFor(get(urlPathEqualTo("/v1/health/service/filewcount"))
        .willReturn(okJson(ConsulFixtures.healthOf(instances.split(",")))));

    CliRun shift = CliRun.run(env, "shift", "--to", to, "--percent", "25");
    CliRun rollout = CliRun.run(env, "rollout", "--to", to, "--prometheus", prometheus.baseUrl());

    assertThat(shift.exitCode()).isEqualTo(2);
    assertThat(rollout.exitCode()).isEqualTo(2);
    assertThat(shift.err()).contains(message);
    assertThat(rollout.err()).isEqualTo(shift.err());
    consul.verify(0, putRequestedFor(urlPathEqualTo("/v1/config")));
  }

  @Test
  void missingPrometheusFlagIsAUsageError() {
    CliRun r = CliRun.run(env, "rollout", "--to", "2.0");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--prometheus");
  }
}
