package org.filewcount.agent.split;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.consul.ConsulHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The running agent's splitter watch, against a stub Consul that answers blocking queries. */
class SplitWatcherTest {

  @RegisterExtension
  static WireMockExtension consul = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private final List<Map<String, Double>> seen = new CopyOnWriteArrayList<>();
  private SplitWatcher watcher;

  @BeforeEach
  void setUp() {
    consul.stubFor(get(urlEqualTo("/v1/config/service-resolver/filewcount")).willReturn(aResponse()
        .withHeader("Content-Type", "application/json").withBody("""
            {"Kind":"service-resolver","Name":"filewcount","DefaultSubset":"v1-0",
             "Subsets":{"v1-0":{"Filter":"Service.Meta.version == \\"1.0\\"","OnlyPassing":true},
                        "v2-0":{"Filter":"Service.Meta.version == \\"2.0\\"","OnlyPassing":true}},"ModifyIndex":8}""")));
  }

  @AfterEach
  void tearDown() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private void start() {
    ConsulSettings settings = new ConsulSettings(URI.create(consul.baseUrl()), Optional.of(Secret.of("watch-tok")),
        Optional.empty());
    watcher = new SplitWatcher(new ConsulHttp(settings, Duration.ofSeconds(5), Duration.ofSeconds(5)), "filewcount", seen::add,
        Duration.ofSeconds(1), Duration.ofMillis(400));
    watcher.startThread();
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder splitter(long index, String splits) {
    return aResponse().withHeader("Content-Type", "application/json").withHeader("X-Consul-Index", String.valueOf(index))
        .withBody("{\"Kind\":\"service-splitter\",\"Name\":\"filewcount\",\"Splits\":" + splits
            + ",\"ModifyIndex\":" + index + "}");
  }

  @Test
  void reportsEachSplitAsWeightsPerVersionUsingBlockingQueries() {
    consul.stubFor(get(urlPathEqualTo("/v1/config/service-splitter/filewcount")).withQueryParam("index", equalTo("0"))
        .willReturn(splitter(10, "[{\"Weight\":100,\"ServiceSubset\":\"v1-0\"}]")));
    // Consul holds the query until the entry changes.
    consul.stubFor(get(urlPathEqualTo("/v1/config/service-splitter/filewcount")).withQueryParam("index", equalTo("10"))
        .willReturn(splitter(11, "[{\"Weight\":90,\"ServiceSubset\":\"v1-0\"},{\"Weight\":10,\"ServiceSubset\":\"v2-0\"}]")
            .withFixedDelay(300)));
    consul.stubFor(get(urlPathEqualTo("/v1/config/service-splitter/filewcount")).withQueryParam("index", equalTo("11"))
        .willReturn(splitter(11, "[{\"Weight\":90,\"ServiceSubset\":\"v1-0\"},{\"Weight\":10,\"ServiceSubset\":\"v2-0\"}]")
            .withFixedDelay(1000)));

    start();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seen).containsExactly(
        Map.of("1.0", 100.0), Map.of("1.0", 90.0, "2.0", 10.0)));
    consul.verify(getRequestedFor(urlPathEqualTo("/v1/config/service-splitter/filewcount"))
        .withQueryParam("wait", equalTo("1s")).withHeader("X-Consul-Token", equalTo("watch-tok")));
  }

  @Test
  void survivesConsulErrorsAndReportsNoSplitterAsEmpty() {
    String s = "outage";
    consul.stubFor(get(urlPathEqualTo("/v1/config/service-splitter/filewcount")).inScenario(s)
        .whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(500).withBody("rpc error: No cluster leader")).willSetStateTo("up"));
    consul.stubFor(get(urlPathEqualTo("/v1/config/service-splitter/filewcount")).inScenario(s)
        .whenScenarioStateIs("up")
        .willReturn(aResponse().withStatus(404).withHeader("X-Consul-Index", "20").withFixedDelay(200)
            .withBody("Config entry not found for \"service-splitter\" / \"filewcount\"")));

    start();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seen).containsExactly(Map.of()));
  }
}
