package org.filewcount.agent.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Consul's KV store and sessions as its docs and source describe them, for {@link StubConsul}:
 *
 * <ul>
 *   <li>KV (website/content/api-docs/kv.mdx, agent/kvs_endpoint.go, agent/consul/state/kvs.go): reads answer a
 *       one-element array (base64 Value, CreateIndex, ModifyIndex, LockIndex, Session) or 404, with
 *       X-Consul-Index; {@code ?index=&wait=} blocks until the key changes or the wait passes; {@code ?cas=}
 *       (0 = only if absent), {@code ?acquire=} and {@code ?release=} answer true/false and may not be combined
 *       (400); a plain write keeps the lock holder; acquire needs a live session (else 500 "invalid session"),
 *       fails while another session holds the key and while the key's lock-delay runs.
 *   <li>Sessions (website/content/api-docs/session.mdx, agent/session_endpoint.go, agent/consul/session_endpoint.go,
 *       agent/consul/state/session.go): create with Name, TTL (10s..86400s), LockDelay (default 15s),
 *       Behavior (release, the default, or delete); renew answers 404 for a session that is gone; destroy is
 *       idempotent; info answers [] when gone. A session not renewed within its TTL is invalidated (Consul
 *       guarantees no earlier than the TTL, and may take up to twice it; this stub takes exactly the TTL).
 *       Invalidation releases (or deletes) the keys it held, bumping their ModifyIndex, and starts their
 *       lock-delay.
 * </ul>
 * The stub's node is always healthy, so the sessions' default serfHealth check never invalidates them.
 */
public final class StubConsulKv {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  /** An answer: status, body, X-Consul-Index (0 = none). */
  public record Answer(int status, String body, long index) {}

  private static final class Entry {
    byte[] value;
    long createIndex;
    long modifyIndex;
    long lockIndex;
    String session = "";
  }

  private record Session(String id, String name, Duration ttl, Duration lockDelay, String behavior, long createIndex) {}

  private final LongSupplier nanos;
  private final Map<String, Entry> kv = new LinkedHashMap<>();
  /** Index at which a key was last deleted, so blocking readers of a deleted key wake. */
  private final Map<String, Long> tombstones = new HashMap<>();
  private final Map<String, Long> lockDelayUntil = new HashMap<>();
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Map<String, Long> renewedAt = new HashMap<>();
  private long index = 1;

  public StubConsulKv() {
    this(System::nanoTime);
  }

  /** With a clock a test moves, for TTL expiry and lock-delay. */
  public StubConsulKv(LongSupplier nanos) {
    this.nanos = nanos;
  }

  public synchronized Optional<String> value(String key) {
    Entry e = kv.get(key);
    return e == null ? Optional.empty() : Optional.of(new String(e.value, StandardCharsets.UTF_8));
  }

  public synchronized Optional<String> holder(String key) {
    Entry e = kv.get(key);
    return e == null || e.session.isEmpty() ? Optional.empty() : Optional.of(e.session);
  }

  public synchronized boolean sessionAlive(String id) {
    sweep();
    return sessions.containsKey(id);
  }

  public synchronized Answer handle(String method, String path, Map<String, String> query, String body)
      throws InterruptedException {
    sweep();
    if (path.startsWith("/v1/kv/")) {
      String key = path.substring("/v1/kv/".length());
      return switch (method) {
        case "GET" -> get(key, query);
        case "PUT" -> put(key, query, body);
        case "DELETE" -> delete(key, query);
        default -> new Answer(405, "method not allowed", 0);
      };
    }
    if (method.equals("PUT") && path.equals("/v1/session/create")) {
      return create(body);
    }
    if (method.equals("PUT") && path.startsWith("/v1/session/renew/")) {
      String id = path.substring("/v1/session/renew/".length());
      if (!sessions.containsKey(id)) {
        return new Answer(404, "Session id '" + id + "' not found", 0);
      }
      renewedAt.put(id, nanos.getAsLong());
      return new Answer(200, "[" + sessionJson(sessions.get(id)) + "]", index);
    }
    if (method.equals("PUT") && path.startsWith("/v1/session/destroy/")) {
      invalidate(path.substring("/v1/session/destroy/".length()));
      return new Answer(200, "true", 0);
    }
    if (method.equals("GET") && path.startsWith("/v1/session/info/")) {
      Session s = sessions.get(path.substring("/v1/session/info/".length()));
      return new Answer(200, s == null ? "[]" : "[" + sessionJson(s) + "]", index);
    }
    if (method.equals("GET") && path.equals("/v1/session/list")) {
      ArrayNode all = JSON.createArrayNode();
      sessions.values().forEach(s -> all.add(sessionJson(s)));
      return new Answer(200, all.toString(), index);
    }
    return new Answer(404, "stub Consul: no such endpoint " + method + " " + path, 0);
  }

  private Answer get(String key, Map<String, String> query) throws InterruptedException {
    if (query.containsKey("index")) {
      long wanted = Long.parseLong(query.get("index"));
      long deadline = nanos.getAsLong() + duration(query.getOrDefault("wait", "5m")).toNanos();
      // Wake every 100 ms to invalidate sessions whose TTL ran out while nobody called.
      while (keyIndex(key) <= wanted && nanos.getAsLong() < deadline) {
        wait(100);
        sweep();
      }
    }
    Entry e = kv.get(key);
    if (e == null) {
      return new Answer(404, "", index);
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("LockIndex", e.lockIndex);
    o.put("Key", key);
    o.put("Flags", 0);
    o.put("Value", Base64.getEncoder().encodeToString(e.value));
    if (!e.session.isEmpty()) {
      o.put("Session", e.session);
    }
    o.put("CreateIndex", e.createIndex);
    o.put("ModifyIndex", e.modifyIndex);
    return new Answer(200, "[" + o + "]", index);
  }

  private long keyIndex(String key) {
    Entry e = kv.get(key);
    return e != null ? e.modifyIndex : tombstones.getOrDefault(key, 0L);
  }

  private Answer put(String key, Map<String, String> query, String body) {
    long flags = query.keySet().stream().filter(k -> k.equals("cas") || k.equals("acquire") || k.equals("release")).count();
    if (flags > 1) {
      return new Answer(400, "Conflicting flags: " + query.keySet() + " can only have one of cas, acquire, release", 0);
    }
    byte[] value = body.getBytes(StandardCharsets.UTF_8);
    Entry existing = kv.get(key);
    if (query.containsKey("cas")) {
      long cas = Long.parseLong(query.get("cas"));
      if (cas == 0 ? existing != null : existing == null || existing.modifyIndex != cas) {
        return new Answer(200, "false", 0);
      }
      set(key, value, existing == null ? "" : existing.session, existing == null ? 0 : existing.lockIndex);
      return new Answer(200, "true", 0);
    }
    if (query.containsKey("acquire")) {
      String session = query.get("acquire");
      if (!sessions.containsKey(session)) {
        return new Answer(500, "invalid session \"" + session + "\"", 0);
      }
      if (lockDelayUntil.containsKey(key) && lockDelayUntil.get(key) - nanos.getAsLong() > 0) {
        return new Answer(200, "false", 0); // Consul logs "Rejecting lock of key due to lock-delay"
      }
      if (existing != null && !existing.session.isEmpty() && !existing.session.equals(session)) {
        return new Answer(200, "false", 0);
      }
      long lockIndex = existing == null ? 1 : existing.session.equals(session) ? existing.lockIndex : existing.lockIndex + 1;
      set(key, value, session, lockIndex);
      return new Answer(200, "true", 0);
    }
    if (query.containsKey("release")) {
      if (existing == null || !existing.session.equals(query.get("release"))) {
        return new Answer(200, "false", 0);
      }
      set(key, value, "", existing.lockIndex);
      return new Answer(200, "true", 0);
    }
    set(key, value, existing == null ? "" : existing.session, existing == null ? 0 : existing.lockIndex);
    return new Answer(200, "true", 0);
  }

  private void set(String key, byte[] value, String session, long lockIndex) {
    Entry e = kv.computeIfAbsent(key, k -> {
      Entry n = new Entry();
      n.createIndex = index + 1;
      return n;
    });
    e.value = value;
    e.session = session;
    e.lockIndex = lockIndex;
    e.modifyIndex = ++index;
    notifyAll();
  }

  private Answer delete(String key, Map<String, String> query) {
    Entry e = kv.get(key);
    if (query.containsKey("cas") && (e == null || e.modifyIndex != Long.parseLong(query.get("cas")))) {
      return new Answer(200, Boolean.toString(e == null), 0);
    }
    if (e != null) {
      kv.remove(key);
      tombstones.put(key, ++index);
      notifyAll();
    }
    return new Answer(200, "true", 0);
  }

  private Answer create(String body) {
    JsonNode b;
    try {
      b = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (java.io.IOException e) {
      return new Answer(400, "Request decode failed: " + e.getMessage(), 0);
    }
    String behavior = b.path("Behavior").asText("release");
    if (!behavior.equals("release") && !behavior.equals("delete")) {
      return new Answer(500, "Invalid Behavior setting '" + behavior + "'", 0);
    }
    Duration ttl = b.path("TTL").asText("").isEmpty() ? Duration.ZERO : duration(b.path("TTL").asText());
    if (!ttl.isZero() && (ttl.compareTo(Duration.ofSeconds(10)) < 0 || ttl.compareTo(Duration.ofSeconds(86400)) > 0)) {
      return new Answer(500, "Invalid Session TTL '" + ttl.toNanos() + "', must be between [10s=24h0m0s]", 0);
    }
    JsonNode ld = b.path("LockDelay");
    // agent/session_endpoint.go: a string is a Go duration, a number is nanoseconds (below 1000: seconds).
    Duration lockDelay = ld.isMissingNode() ? Duration.ofSeconds(15) : ld.isTextual() ? duration(ld.asText())
        : ld.asLong() < 1000 ? Duration.ofSeconds(ld.asLong()) : Duration.ofNanos(ld.asLong());
    String id = UUID.randomUUID().toString();
    sessions.put(id, new Session(id, b.path("Name").asText(""), ttl, min(lockDelay, Duration.ofSeconds(60)), behavior,
        ++index));
    renewedAt.put(id, nanos.getAsLong());
    return new Answer(200, "{\"ID\":\"" + id + "\"}", 0);
  }

  private void sweep() {
    long now = nanos.getAsLong();
    for (Session s : java.util.List.copyOf(sessions.values())) {
      if (!s.ttl().isZero() && now - renewedAt.get(s.id()) > s.ttl().toNanos()) {
        invalidate(s.id());
      }
    }
  }

  private void invalidate(String id) {
    Session s = sessions.remove(id);
    renewedAt.remove(id);
    if (s == null) {
      return;
    }
    for (Map.Entry<String, Entry> e : java.util.List.copyOf(kv.entrySet())) {
      if (!e.getValue().session.equals(id)) {
        continue;
      }
      if (s.behavior().equals("delete")) {
        kv.remove(e.getKey());
        tombstones.put(e.getKey(), ++index);
      } else {
        e.getValue().session = "";
        e.getValue().modifyIndex = ++index;
      }
      if (!s.lockDelay().isZero()) {
        lockDelayUntil.put(e.getKey(), nanos.getAsLong() + s.lockDelay().toNanos());
      }
    }
    notifyAll();
  }

  private static ObjectNode sessionJson(Session s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("ID", s.id());
    o.put("Name", s.name());
    o.put("Node", "stub-node");
    o.put("LockDelay", s.lockDelay().toNanos());
    o.put("Behavior", s.behavior());
    o.put("TTL", s.ttl().isZero() ? "" : s.ttl().toSeconds() + "s");
    o.putArray("NodeChecks").add("serfHealth");
    o.putNull("ServiceChecks");
    o.put("CreateIndex", s.createIndex());
    o.put("ModifyIndex", s.createIndex());
    return o;
  }

  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "ns" : m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofNanos(n);
    };
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
