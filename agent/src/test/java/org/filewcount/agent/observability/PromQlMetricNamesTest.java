package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlMetricNamesTest {

  @Test
  void findsSelectorsInsideFunctionsAndAggregations() {
    assertThat(PromQlMetricNames.of(
        "histogram_quantile(0.99, sum by (service_version, le) (rate(http_server_request_duration_seconds_bucket{job=\"a\", service_name=\"$service\"}[$__rate_interval])))"))
        .containsExactly("http_server_request_duration_seconds_bucket");
  }

  @Test
  void ignoresLabelNamesValuesKeywordsAndNumbers() {
    assertThat(PromQlMetricNames.of(
        "(foo_total{le=\"+Inf\", outcome=~\"a|b\"} or bar * 0) / ignoring (service_version) group_left sum without (x) (baz) > bool 1e3 and on (service_name) qux offset 2m"))
        .containsExactly("bar", "baz", "foo_total", "qux");
  }

  @Test
  void readsRecordingRuleNamesWithColons() {
    assertThat(PromQlMetricNames.of("max_over_time(filewcount:traffic_weight:max[6h] offset 2m) == 100"))
        .containsExactly("filewcount:traffic_weight:max");
  }

  @Test
  void readsGrafanaTemplateFunctions() {
    assertThat(PromQlMetricNames.of("label_values(envoy_cluster_upstream_rq_total{job=\"envoy\"}, consul_service)"))
        .containsExactly("envoy_cluster_upstream_rq_total");
    assertThat(PromQlMetricNames.of("label_values(service_name)")).isEmpty();
    assertThat(PromQlMetricNames.of("query_result(topk(1, up))")).containsExactly("up");
  }

  @Test
  void ignoresGrafanaVariablesAndTempoTagPlaceholders() {
    assertThat(PromQlMetricNames.of("sum(rate(x_count{job=\"a\", $$__tags}[5m])) by ($group)"))
        .containsExactly("x_count");
  }

  @Test
  void readsMatcherAndGroupingLabels() {
    String expr = "sum by (instance, error_type) (rate(errors_total{job=\"a\", service_name=~\"$service\", $$__tags}[5m])) "
        + "/ on (instance) up{job=\"b\"} + sum without (le) (x)";
    assertThat(PromQlMetricNames.matcherLabels(expr))
        .containsEntry("errors_total", java.util.Set.of("job", "service_name"))
        .containsEntry("up", java.util.Set.of("job"));
    assertThat(PromQlMetricNames.groupingLabels(expr)).containsExactly("error_type", "instance", "le");
  }
}
