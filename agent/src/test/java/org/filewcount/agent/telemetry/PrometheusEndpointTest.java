package org.filewcount.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.telemetry.Exchanges.response;
import static org.filewcount.agent.telemetry.Exchanges.resultPage;
import static org.filewcount.agent.telemetry.Exchanges.run;
import static org.filewcount.agent.telemetry.Exchanges.upload;
import static org.filewcount.agent.telemetry.Exchanges.utf8;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.app.ResultPage;
import org.filewcount.agent.probe.ProbeResult;
import org.filewcount.agent.proxy.ExchangeObserver;
import org.filewcount.agent.registry.RegistrationState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /metrics as a scraper sees it: names, resource labels, exemplars, and the catalogue. */
class PrometheusEndpointTest {

  private static final String OPENMETRICS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private final InMemoryTelemetry t = new InMemoryTelemetry();
  private HttpServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.stop(0);
    }
    t.close();
  }

  @Test
  void everySeriesCarriesTheServiceLabelsSoPromqlCanGroupByVersion() {
    run(t.telemetry.exchangeObserver(), upload(), 100, response(200, "text/html"),
        utf8(resultPage("<p>" + ResultPage.NOT_TEXT + "</p>", 1)), 50);

    String text = t.scrape(null);
    assertThat(text).contains("# TYPE http_server_request_duration_seconds histogram");
    Matcher m = Pattern.compile("(?m)^http_server_request_duration_seconds_count\\{([^}]*)} 1$").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    assertThat(m.group(1)).contains(
        "filewcount_outcome=\"app_error\"",
        "http_route=\"/file_upload\"",
        "http_response_status_code=\"200\"",
        "service_name=\"filewcount\"",
        "service_version=\"2.0\"",
        "service_instance_id=\"" + InMemoryTelemetry.INSTANCE + "\"");
    assertThat(t.telemetry.metricsSource().contentType()).startsWith("text/plain; version=0.0.4");
  }

  @Test
  void prometheusGetsOpenMetricsWithExemplarsThatNameTheTrace() {
    run(t.telemetry.exchangeObserver(), upload(), 100, response(200, "text/html"),
        utf8(resultPage("File Received. Thanks! Word Count:2, Uniq-Word Count:2", 1)), 50);
    SpanData span = t.onlySpan();

    assertThat(t.telemetry.metricsSource().contentType(OPENMETRICS_ACCEPT)).startsWith("application/openmetrics-text");
    String text = t.scrape(OPENMETRICS_ACCEPT);
    assertThat(text).contains("trace_id=\"" + span.getTraceId() + "\"", "span_id=\"" + span.getSpanId() + "\"");
    assertThat(text).endsWith("# EOF\n");
    assertThat(t.telemetry.metricsSource().contentType("text/plain")).startsWith("text/plain");
  }

  @Test
  void theCatalogueIsExactlyWhatARealScrapeShows() throws Exception {
    exerciseEveryInstrument();
    String body = httpScrape();

    Set<String> scraped = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(body);
    while (m.find()) {
      scraped.add(m.group(1));
    }
    assertThat(scraped).isEqualTo(MetricCatalog.seriesNames());
    assertThat(MetricCatalog.prometheusNames()).containsAll(scraped)
        .contains("http_server_request_duration_seconds", "filewcount_probe_runs_total");
    assertThat(MetricCatalog.seriesNames()).contains(
        "http_server_request_duration_seconds_bucket",
        "http_server_active_requests",
        "http_server_request_body_size_bytes_sum",
        "http_server_response_body_size_bytes_count",
        "filewcount_upload_word_count_bucket",
        "filewcount_upstream_connection_errors_total",
        "filewcount_probe_runs_total",
        "filewcount_probe_duration_seconds_bucket",
        "filewcount_probe_files_removed_total",
        "filewcount_probe_files_not_removed_total",
        "filewcount_uploads_carried_total",
        "filewcount_uploads_carry_conflicts_total",
        "filewcount_uploads_carry_failures_total",
        "filewcount_registration_state",
        "filewcount_registration_changes_total",
        "filewcount_traffic_weight",
        "target_info");

    // Labels too: every label a scraped series carries is one the catalogue lists for its family.
    // (target_info is left out: its labels are the resource's attributes, an open set.)
    for (MetricCatalog.Metric metric : MetricCatalog.metrics()) {
      if (metric.definition().isEmpty()) {
        continue;
      }
      for (String series : metric.series()) {
        Matcher s = Pattern.compile("(?m)^" + series + "\\{([^}]*)}").matcher(body);
        while (s.find()) {
          Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(s.group(1));
          while (label.find()) {
            assertThat(metric.labels()).as(series).contains(label.group(1));
          }
        }
      }
    }
  }

  private void exerciseEveryInstrument() {
    ExchangeObserver o = t.telemetry.exchangeObserver();
    run(o, upload(), 100, response(200, "text/html"),
        utf8(resultPage("File Received. Thanks! Word Count:2, Uniq-Word Count:2", 1)), 50);
    o.start(upload(), "127.0.0.1").fail(ExchangeObserver.FailureKind.UPSTREAM_RESET, null);
    t.telemetry.probeListener().onProbe(new ProbeResult(true, Duration.ofMillis(30), "ok", Instant.now()));
    t.recordEveryFileOutcome();
    t.telemetry.registrationListener().onStateChange(RegistrationState.STARTING, RegistrationState.REGISTERED);
    t.telemetry.trafficWeights().setWeights(Map.of("1.0", 100.0));
  }

  private String httpScrape() throws IOException, InterruptedException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metrics", exchange -> {
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      exchange.getResponseHeaders().set("Content-Type", t.telemetry.metricsSource().contentType(accept));
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        t.telemetry.metricsSource().writeTo(out, accept);
      }
    });
    server.start();
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    return r.body();
  }
}
