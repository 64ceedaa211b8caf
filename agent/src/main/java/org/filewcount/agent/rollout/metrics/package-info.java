/**
 * Request evidence per version, for {@code rollout} and {@code status}: {@code VersionMetrics}, the port the
 * engine judges through (fakes in tests), and its values ({@code VersionStats},
 * {@code MetricsUnavailableException}); {@code PrometheusMetrics}, the adapter that asks Prometheus's
 * instant-query API about the agents' own {@code http.server.request.duration} histogram, counting
 * {@code app_error} and {@code upstream_error} outcomes as errors. The traffic table of {@code status} that
 * reads through this port is the CLI's ({@code cli.TrafficStatus}).
 *
 * <p>May not: write anything (Prometheus is only queried, the split only read), import the engine
 * ({@code rollout}) or its state, or build its HTTP client other than through {@code net.HttpClients}.
 * Depends only on {@code config}, {@code net} and {@code split}.
 */
package org.filewcount.agent.rollout.metrics;
