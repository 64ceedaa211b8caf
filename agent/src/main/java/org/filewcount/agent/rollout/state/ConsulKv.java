package org.filewcount.agent.rollout.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.filewcount.agent.consul.ConsulException;
import org.filewcount.agent.consul.ConsulHttp;
import org.filewcount.agent.split.Json;

/**
 * Consul's KV endpoint ({@code /v1/kv/:key}), the calls the rollout state and lock need. Consul's API
 * docs (hashicorp/consul website/content/api-docs/kv.mdx) and agent/kvs_endpoint.go: a read answers
 * a one-element array with a base64 {@code Value}, {@code ModifyIndex} and the lock holder's
 * {@code Session} (404 when absent); {@code ?cas=}, {@code ?acquire=} and {@code ?release=} writes answer
 * {@code true}/{@code false}; {@code cas} cannot be combined with {@code acquire}/{@code release} (400).
 */
final class ConsulKv {

  /** One key as read: its value, the index check-and-set needs, and who holds its lock ("" = nobody). */
  record Entry(String value, long modifyIndex, String session) {}

  /** A (blocking) read: the key if present, and the X-Consul-Index to block on next. */
  record Read(Optional<Entry> entry, long index) {}

  private final ConsulHttp http;

  ConsulKv(ConsulHttp http) {
    this.http = http;
  }

  Optional<Entry> get(String key) {
    return read(http.get(path(key)), key).entry();
  }

  /** Returns when the key changed after {@code index}, or after {@code wait} (Consul adds up to wait/16). */
  Read await(String key, long index, Duration wait) {
    return read(http.get(path(key) + "?index=" + index + "&wait=" + wait.toSeconds() + "s", wait), key);
  }

  /** Check-and-set: {@code cas=0} creates only if absent. */
  boolean putCas(String key, String value, long cas) {
    return bool(http.put(path(key) + "?cas=" + cas, value), "writing " + key);
  }

  /** Takes the lock for {@code session} (and sets the value); false when another session holds it or lock-delay runs. */
  boolean acquire(String key, String value, String session) {
    return bool(http.put(path(key) + "?acquire=" + session, value), "locking " + key);
  }

  /** Lets go of the lock (the value is set too). No lock-delay follows an explicit release. */
  boolean release(String key, String value, String session) {
    return bool(http.put(path(key) + "?release=" + session, value), "unlocking " + key);
  }

  private static String path(String key) {
    return "/v1/kv/" + key;
  }

  private static Read read(ConsulHttp.Response r, String key) {
    long index = r.index().orElse(0);
    if (r.status() == 404) {
      return new Read(Optional.empty(), index);
    }
    if (!r.ok()) {
      throw ConsulHttp.failure("reading " + key, r);
    }
    JsonNode first = Json.parse(r.body()).path(0);
    if (!first.isObject()) {
      throw new ConsulException("reading " + key + ": Consul answered something other than a KV entry");
    }
    String value = first.path("Value").isTextual()
        ? new String(Base64.getDecoder().decode(first.get("Value").asText()), StandardCharsets.UTF_8) : "";
    return new Read(Optional.of(new Entry(value, first.path("ModifyIndex").asLong(), first.path("Session").asText(""))),
        index);
  }

  private static boolean bool(ConsulHttp.Response r, String what) {
    if (!r.ok()) {
      throw ConsulHttp.failure(what, r);
    }
    return "true".equals(r.body().strip());
  }
}
