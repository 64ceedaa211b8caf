/**
 * The agent's own HTTP endpoint ({@code --admin}): {@code AdminServer}, one Netty event-loop thread serving
 * {@code /health/live}, {@code /health/ready} (what {@code probe.Readiness} says; Consul's HTTP check reads
 * it) and {@code /metrics} (whatever {@code MetricsSource} it is given: telemetry's Prometheus reader).
 * Every other path is 404, every method but GET and HEAD 405.
 *
 * <p>May not: claim readiness the probe did not prove, or know how metrics are made: telemetry plugs in
 * through {@code MetricsSource}, so this package never imports {@code telemetry}. Depends only on
 * {@code config} and {@code probe}.
 */
package org.filewcount.agent.admin;
