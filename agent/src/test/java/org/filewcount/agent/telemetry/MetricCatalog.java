package org.filewcount.agent.telemetry;

import java.util.Set;

/**
 * PLACEHOLDER, test scope only: stands in for the telemetry package's catalogue of the Prometheus
 * metric names the agent exports, until that class lands on main. Delete this file when merging it
 * (the observability tests then read the real catalogue, which its own test checks against a scrape).
 * The names are those of the shared design facts.
 */
public final class MetricCatalog {

  private MetricCatalog() {
  }

  public static Set<String> prometheusNames() {
    return Set.of(
        "http_server_request_duration_seconds",
        "http_server_active_requests",
        "http_server_request_body_size_bytes",
        "http_server_response_body_size_bytes",
        "filewcount_upload_word_count",
        "filewcount_upstream_connection_errors_total",
        "filewcount_probe_runs_total",
        "filewcount_probe_duration_seconds",
        "filewcount_registration_state",
        "filewcount_registration_changes_total",
        "filewcount_traffic_weight");
  }
}
