package org.filewcount.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The stub's KV and sessions behave as Consul's docs say (see {@link StubConsulKv} for the sources). */
class StubConsulKvTest {

  private final AtomicLong now = new AtomicLong();
  private final StubConsulKv consul = new StubConsulKv(now::get);

  private StubConsulKv.Answer call(String method, String path, Map<String, String> query, String body) throws Exception {
    return consul.handle(method, path, query, body);
  }

  private String session(String ttl, String lockDelay) throws Exception {
    StubConsulKv.Answer a = call("PUT", "/v1/session/create", Map.of(),
        "{\"Name\":\"t\",\"TTL\":\"" + ttl + "\",\"LockDelay\":\"" + lockDelay + "\",\"Behavior\":\"release\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return new ObjectMapper().readTree(a.body()).path("ID").asText();
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void casWritesOnlyOnTheIndexItWasComputedFrom() throws Exception {
    assertThat(call("PUT", "/v1/kv/k", Map.of("cas", "0"), "a").body()).isEqualTo("true");
    assertThat(call("PUT", "/v1/kv/k", Map.of("cas", "0"), "b").body()).isEqualTo("false");
    String read = call("GET", "/v1/kv/k", Map.of(), "").body();
    long index = new ObjectMapper().readTree(read).path(0).path("ModifyIndex").asLong();
    assertThat(call("PUT", "/v1/kv/k", Map.of("cas", Long.toString(index + 1)), "c").body()).isEqualTo("false");
    assertThat(call("PUT", "/v1/kv/k", Map.of("cas", Long.toString(index)), "d").body()).isEqualTo("true");
    assertThat(consul.value("k")).contains("d");
    assertThat(call("PUT", "/v1/kv/k", Map.of("cas", "1", "acquire", "x"), "e").status()).isEqualTo(400);
  }

  @Test
  void aHeldLockRefusesOtherSessionsAndAPlainWriteKeepsTheHolder() throws Exception {
    String a = session("15s", "15s");
    String b = session("15s", "15s");
    assertThat(call("PUT", "/v1/kv/lock", Map.of("acquire", a), "a").body()).isEqualTo("true");
    assertThat(call("PUT", "/v1/kv/lock", Map.of("acquire", b), "b").body()).isEqualTo("false");
    call("PUT", "/v1/kv/lock", Map.of(), "plain");
    assertThat(consul.holder("lock")).contains(a);
    assertThat(call("PUT", "/v1/kv/lock", Map.of("release", b), "b").body()).isEqualTo("false");
    assertThat(call("PUT", "/v1/kv/lock", Map.of("release", a), "a").body()).isEqualTo("true");
    // An explicit release starts no lock-delay.
    assertThat(call("PUT", "/v1/kv/lock", Map.of("acquire", b), "b").body()).isEqualTo("true");
    assertThat(call("PUT", "/v1/kv/lock", Map.of("acquire", "no-such-session"), "x").status()).isEqualTo(500);
  }

  @Test
  void anUnrenewedSessionExpiresAfterItsTtlReleasesItsLockAndLockDelayHoldsTheKey() throws Exception {
    String a = session("10s", "15s");
    call("PUT", "/v1/kv/lock", Map.of("acquire", a), "a");
    advance(Duration.ofSeconds(8));
    assertThat(call("PUT", "/v1/session/renew/" + a, Map.of(), "").status()).isEqualTo(200);
    advance(Duration.ofSeconds(8));
    assertThat(consul.sessionAlive(a)).as("renewed 8 s ago, TTL 10 s").isTrue();
    advance(Duration.ofSeconds(3));
    assertThat(consul.sessionAlive(a)).isFalse();
    assertThat(consul.holder("lock")).isEmpty();
    assertThat(consul.value("lock")).as("release keeps the key").contains("a");
    assertThat(call("PUT", "/v1/session/renew/" + a, Map.of(), "").status()).isEqualTo(404);
    assertThat(call("GET", "/v1/session/info/" + a, Map.of(), "").body()).isEqualTo("[]");

    String b = session("15s", "15s");
    assertThat(call("PUT", "/v1/kv/lock", Map.of("acquire", b), "b").body()).as("lock-delay").isEqualTo("false");
    advance(Duration.ofSeconds(10));
    call("PUT", "/v1/session/renew/" + b, Map.of(), "");
    assertThat(call("PUT", "/v1/kv/lock", Map.of("acquire", b), "b").body()).as("10 s into 15 s").isEqualTo("false");
    advance(Duration.ofSeconds(6));
    assertThat(call("PUT", "/v1/kv/lock", Map.of("acquire", b), "b").body()).isEqualTo("true");
  }

  @Test
  void deleteBehaviourRemovesTheHeldKey() throws Exception {
    StubConsulKv.Answer created = call("PUT", "/v1/session/create", Map.of(), "{\"Behavior\":\"delete\"}");
    String s = new ObjectMapper().readTree(created.body()).path("ID").asText();
    call("PUT", "/v1/kv/lock", Map.of("acquire", s), "x");
    call("PUT", "/v1/session/destroy/" + s, Map.of(), "");
    assertThat(consul.value("lock")).isEmpty();
    assertThat(call("PUT", "/v1/session/create", Map.of(), "{\"TTL\":\"5s\"}").status()).as("TTL below 10s").isEqualTo(500);
  }

  @Test
  void aBlockingReadReturnsWhenTheKeyChanges() throws Exception {
    StubConsulKv real = new StubConsulKv();
    real.handle("PUT", "/v1/kv/k", Map.of(), "a");
    long index = real.handle("GET", "/v1/kv/k", Map.of(), "").index();
    Thread writer = new Thread(() -> {
      try {
        real.handle("PUT", "/v1/kv/k", Map.of(), "b");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    writer.start();
    StubConsulKv.Answer a = real.handle("GET", "/v1/kv/k", Map.of("index", Long.toString(index), "wait", "30s"), "");
    assertThat(a.index()).isGreaterThan(index);
    assertThat(a.body()).contains(java.util.Base64.getEncoder().encodeToString("b".getBytes()));
  }
}
