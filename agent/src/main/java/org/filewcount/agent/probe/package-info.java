/**
 * Whether this instance works, proved the way a user would (ADR 0003): {@code FunctionalProbe} uploads a
 * fixed text to {@code /file_upload} and checks both counts on the result page; {@code ProbeLoop} runs it
 * every second (its startup retry) until the first pass, then every {@code --probe-interval}, and tells each
 * {@code ProbeListener}: {@code Readiness} (what {@code /health/ready} answers), registration, telemetry and
 * {@code ProbeFileCleaner}, which (given {@code --uploads-dir}) removes the file each probe leaves in the
 * upload folder, and only a file whose bytes are exactly this process's probe text. {@code ProbeTracer} is
 * the seam a span wraps a probe round through.
 *
 * <p>May not: remove, change or hide a file it cannot prove is its own; know about Consul, registration or
 * telemetry (they listen through {@code ProbeListener} and {@code ProbeTracer}), or build its HTTP client
 * other than through {@code net.HttpClients}.
 */
package org.filewcount.agent.probe;
