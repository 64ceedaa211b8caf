package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Attribute keys the agent adds beyond OpenTelemetry's semantic conventions. The semconv keys
 * (http.*, url.*, error.type, service.*) come from {@code io.opentelemetry.semconv}.
 */
final class TelemetryAttributes {

  /** success | empty | app_error | rejected | upstream_error ({@link org.filewcount.agent.app.Outcome}). */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("filewcount.outcome");
  /** The app's "Word Count" for an upload, as its result page states it. */
  public static final AttributeKey<Long> WORD_COUNT = AttributeKey.longKey("filewcount.word_count");
  /** The app's "Uniq-Word Count" for an upload. */
  public static final AttributeKey<Long> UNIQUE_WORD_COUNT = AttributeKey.longKey("filewcount.unique_word_count");
  /** The error text of a 200 page that reports a failed upload ("Missing File", "Problem parsing..."). */
  public static final AttributeKey<String> APP_ERROR = AttributeKey.stringKey("filewcount.app_error");
  /** found | missing | unreadable: whether the upload result banner could be read from the page. */
  public static final AttributeKey<String> BANNER = AttributeKey.stringKey("filewcount.banner");
  /** pass | fail. */
  public static final AttributeKey<String> PROBE_RESULT = AttributeKey.stringKey("filewcount.probe.result");
  /** starting | registered | draining | deregistered | consul_unreachable. */
  public static final AttributeKey<String> REGISTRATION_STATE = AttributeKey.stringKey("filewcount.registration.state");
  /** The app version a traffic weight applies to (Consul service meta "version"). */
  public static final AttributeKey<String> TRAFFIC_VERSION = AttributeKey.stringKey("filewcount.traffic.version");

  // Resource attributes without a semantic convention (Nomad has none in semconv 1.45).
  static final AttributeKey<String> NOMAD_ALLOC_ID = AttributeKey.stringKey("nomad.alloc.id");
  static final AttributeKey<String> NOMAD_JOB = AttributeKey.stringKey("nomad.job.name");
  static final AttributeKey<String> NOMAD_GROUP = AttributeKey.stringKey("nomad.group.name");
  static final AttributeKey<String> NOMAD_DATACENTER = AttributeKey.stringKey("nomad.datacenter");
  static final AttributeKey<String> AGENT_VERSION = AttributeKey.stringKey("filewcount.agent.version");
  // Incubating semconv keys, spelled out rather than pulling the incubating artifact for two strings.
  static final AttributeKey<String> HOST_NAME = AttributeKey.stringKey("host.name");
  static final AttributeKey<String> DEPLOYMENT_ENVIRONMENT_OLD = AttributeKey.stringKey("deployment.environment");

  private TelemetryAttributes() {}
}
