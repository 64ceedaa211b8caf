/**
 * The agent's OpenTelemetry (ADR 0009): {@code Telemetry}, the one SDK of a running agent, configured from
 * the {@code OTEL_*} variables, which pushes traces and log records over OTLP and serves metrics to
 * Prometheus through the admin endpoint ({@code PrometheusEndpoint}). {@code lifecycle.AgentRun} creates it
 * and plugs what it hands out into the other parts' seams: the proxy's {@code ExchangeObserver} (one SERVER
 * span and HTTP metrics per request, the outcome read from the page; {@code ExportedSpans} decides which
 * request spans are exported: every failure, a share of the successes), the probe's, registration's and
 * uploads carry's listeners, and the split gauge ({@code TrafficWeights}). Every instrument is declared
 * once in {@code MetricDefinition}; {@code MetricCatalog} derives the exported names from it.
 * {@code CommandTracing} is the trace-only SDK of a short command (the rollout), from the same
 * {@code OTEL_*} mapping.
 *
 * <p>May not: create an instrument that {@code MetricDefinition} does not declare, label a metric with
 * unbounded values ({@code RequestInfo} folds methods and routes), or know who wires it: it never imports
 * {@code cli}, {@code lifecycle}, {@code consul}, {@code split} or {@code rollout}. It imports only the
 * seams it implements ({@code admin}, {@code probe}, {@code proxy}, {@code registry}, {@code uploads}),
 * {@code app} and {@code config}.
 */
package org.filewcount.agent.telemetry;
