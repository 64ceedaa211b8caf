/**
 * Where a rollout's events go. One public entry, {@code RolloutReports}: a single {@code rollout.RolloutListener}
 * the CLI builds from its flags and closes when the rollout ends. Behind it, package-private:
 * {@code ConsoleReporter} (stdout, one line per event, text or JSON with {@code --output json}),
 * {@code WebhookNotifier} (a Slack-style POST per event to {@code --notify-url}) and {@code RolloutTrace} (the
 * rollout as one span with an event per step and verdict, on {@code telemetry.CommandTracing}'s SDK, built
 * only when the {@code OTEL_*} variables name an OTLP endpoint), plus the engine's log lines with
 * {@code --log-format json}.
 *
 * <p>May not: steer or stop the rollout (each destination is isolated; a failed notification is logged, never
 * fatal), be imported by the engine, or build an HTTP client other than through {@code net.HttpClients}.
 * Depends only on {@code net}, {@code rollout}, {@code split} (its JSON) and {@code telemetry}.
 */
package org.filewcount.agent.rollout.report;
