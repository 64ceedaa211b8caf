package org.filewcount.agent.rollout.metrics;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The PromQL sent and the parsing of Prometheus's /api/v1/query answers (as its HTTP API docs give them). */
class PrometheusMetricsTest {

  @RegisterExtension
  static WireMockExtension prom = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private static final Duration W = Duration.ofSeconds(60);

  @Test
  void queriesAreTheAgreedPromQL() {
    assertThat(PrometheusMetrics.errorRatioQuery("filewcount", "2.0", W)).isEqualTo(
        "sum(rate(http_server_request_duration_seconds_count{service_name=\"filewcount\",service_version=\"2.0\","
            + "filewcount_outcome=~\"app_error|upstream_error\"}[60s]))"
            + " / sum(rate(http_server_request_duration_seconds_count{service_name=\"filewcount\",service_version=\"2.0\"}[60s]))");
    assertThat(PrometheusMetrics.p99Query("filewcount", "2.0", W)).isEqualTo(
        "histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket"
            + "{service_name=\"filewcount\",service_version=\"2.0\"}[60s])))");
    assertThat(PrometheusMetrics.requestsQuery("filewcount", "2.0", W)).isEqualTo(
        "sum(increase(http_server_request_duration_seconds_count{service_name=\"filewcount\",service_version=\"2.0\"}[60s]))");
    assertThat(PrometheusMetrics.requestsQuery("filewcount", "a\"b", W)).contains("service_version=\"a\\\"b\"");
  }

  @Test
  void parsesSamplesAndTreatsMissingErrorSeriesAsZero() throws Exception {
    prom.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", matching("^sum\\(increase.*"))
        .willReturn(okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
            + "[{\"metric\":{},\"value\":[1764072000.1,\"240\"]}]}}")));
    prom.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", matching("^sum\\(rate.*"))
        .willReturn(okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")));
    prom.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", matching("^histogram_quantile.*"))
        .willReturn(okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
            + "[{\"metric\":{},\"value\":[1764072000.1,\"0.0475\"]}]}}")));

    VersionStats s = new PrometheusMetrics(URI.create(prom.baseUrl())).stats("filewcount", "2.0", W);

    assertThat(s.requests()).isEqualTo(240.0);
    assertThat(s.errorRatio()).isZero();
    assertThat(s.p99Seconds()).isEqualTo(0.0475);
    assertThat(s.requestRate(W)).isEqualTo(4.0);
    prom.verify(getRequestedFor(urlPathEqualTo("/api/v1/query"))
        .withQueryParam("query", equalTo(PrometheusMetrics.p99Query("filewcount", "2.0", W))));
  }

  @Test
  void queryErrorsAndOutagesAreUnavailableEvidence() {
    prom.stubFor(get(urlPathEqualTo("/api/v1/query")).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}")));

    assertThatThrownBy(() -> new PrometheusMetrics(URI.create(prom.baseUrl())).stats("filewcount", "2.0", W))
        .isInstanceOf(MetricsUnavailableException.class).hasMessageContaining("400").hasMessageContaining("bad_data");
    assertThatThrownBy(() -> new PrometheusMetrics(URI.create("http://127.0.0.1:1")).stats("filewcount", "2.0", W))
        .isInstanceOf(MetricsUnavailableException.class).hasMessageContaining("did not answer");
  }
}
