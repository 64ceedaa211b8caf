package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.filewcount.agent.infra.ScriptRun.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Helpers of scripts/lib.sh that scripts/up relies on: CNI plugins, versions on PATH, sudo, Nomad's scheduler. */
class LibShTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private HttpServer nomad;

  @AfterEach
  void stop() {
    if (nomad != null) {
      nomad.stop(0);
    }
  }

  @Test
  void cniCheckWantsEveryPluginOfNomadsBridgeConflist() throws Exception {
    Path bin = tmp.resolve("cni");
    for (String plugin : List.of("bridge", "host-local", "portmap")) {
      ScriptRun.stub(bin, plugin, "exit 0");
    }
    Result three = ScriptRun.bash(Map.of(), ". scripts/lib.sh && cni_missing '" + bin + "'");
    assertThat(three.exit()).isEqualTo(1);
    assertThat(three.output()).isEqualTo("loopback firewall");

    ScriptRun.stub(bin, "loopback", "exit 0");
    ScriptRun.stub(bin, "firewall", "exit 0");
    Result five = ScriptRun.bash(Map.of(), ". scripts/lib.sh && cni_missing '" + bin + "'");
    assertThat(five.exit()).isZero();
  }

  @Test
  void aConsulOnPathOutsideThePinnedMinorIsRefusedWithTheFix() throws Exception {
    Path bin = tmp.resolve("bin");
    ScriptRun.stub(bin, "consul", "echo 'Consul v1.21.5'; echo 'Revision abc'");
    // PATH set after lib.sh, which puts .local/bin first: a consul downloaded there by make up stays out.
    String call = ". scripts/lib.sh && PATH='" + bin + ":/usr/bin:/bin' && step 'binaries' && ensure_hashicorp_binary consul 1.22.7 0000";
    Map<String, String> env = Map.of();

    Result old = ScriptRun.bash(env, call);
    assertThat(old.exit()).isEqualTo(1);
    assertThat(old.output()).contains("FAILED: consul at " + bin.resolve("consul") + " is 1.21.5, outside the supported 1.22.x")
        .contains("check: put consul 1.22.x first on PATH, or take " + bin + " off PATH so make up downloads 1.22.7");

    ScriptRun.stub(bin, "consul", "echo 'Consul v1.22.3'");
    Result patch = ScriptRun.bash(env, call);
    assertThat(patch.exit()).as(patch.output()).isZero();
    assertThat(patch.output()).contains("using consul 1.22.3 from PATH");
  }

  @Test
  void sudoIsAskedForTheCommandOnlyWithoutPreservingTheEnvironment() throws Exception {
    Path bin = tmp.resolve("bin");
    ScriptRun.stub(bin, "id", "echo 1000");
    ScriptRun.stub(bin, "sudo", "echo \"sudo $*\"");
    Result r = ScriptRun.bash(Map.of("PATH", bin + ":/usr/bin:/bin"), ". scripts/lib.sh && as_root /usr/bin/true");
    assertThat(r.output()).isEqualTo("sudo -- /usr/bin/true\n");
  }

  @Test
  void aFailedUpgradeStepPointsToMakeDiag() throws Exception {
    Result r = ScriptRun.bash(Map.of("CONSUL_HTTP_ADDR", "http://127.0.0.1:1", "NOMAD_ADDR", "http://127.0.0.1:1"),
        "scripts/upgrade 2.0");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.output()).contains("FAILED: Consul does not answer at http://127.0.0.1:1")
        .contains("make diag (a tarball without tokens; it prints the path)");
  }

  /** A Nomad scheduler-configuration endpoint: GET answers the queued states in turn, PUT answers Updated. */
  private final Deque<String> configs = new ArrayDeque<>();
  private final Deque<Boolean> updates = new ArrayDeque<>();
  private final List<String> puts = new ArrayList<>();

  private String startNomad() throws Exception {
    nomad = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    nomad.createContext("/v1/operator/scheduler/configuration", exchange -> {
      String body;
      if (exchange.getRequestMethod().equals("PUT")) {
        puts.add(exchange.getRequestURI().getQuery() + " " + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        body = "{\"Updated\": " + updates.removeFirst() + ", \"Index\": 9}";
      } else {
        body = configs.removeFirst();
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    nomad.start();
    return "http://127.0.0.1:" + nomad.getAddress().getPort();
  }

  private static String schedulerConfig(boolean oversubscription, int modifyIndex) {
    return "{\"SchedulerConfig\": {\"SchedulerAlgorithm\": \"binpack\", \"MemoryOversubscriptionEnabled\": " + oversubscription
        + ", \"RejectJobRegistration\": false, \"PauseEvalBroker\": false, \"PreemptionConfig\": {\"SystemSchedulerEnabled\": true,"
        + " \"SysBatchSchedulerEnabled\": false, \"BatchSchedulerEnabled\": false, \"ServiceSchedulerEnabled\": false},"
        + " \"CreateIndex\": 5, \"ModifyIndex\": " + modifyIndex + "}, \"Index\": " + modifyIndex + "}";
  }

  @Test
  void memoryOversubscriptionIsTurnedOnWithCheckAndSetKeepingTheRest() throws Exception {
    String address = startNomad();
    configs.add(schedulerConfig(false, 7));
    updates.add(false); // someone else wrote in between: read again, write on the new index
    configs.add(schedulerConfig(false, 8));
    updates.add(true);

    Result r = ScriptRun.bash(Map.of("NOMAD_ADDR", address), ". scripts/lib.sh && enable_memory_oversubscription");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("memory oversubscription turned on");
    assertThat(puts).hasSize(2);
    assertThat(puts.get(0)).startsWith("cas=7 ");
    assertThat(puts.get(1)).startsWith("cas=8 ");
    JsonNode written = JSON.readTree(puts.get(1).substring(puts.get(1).indexOf(' ') + 1));
    assertThat(written.path("MemoryOversubscriptionEnabled").asBoolean()).isTrue();
    assertThat(written.path("SchedulerAlgorithm").asText()).isEqualTo("binpack");
    assertThat(written.path("PreemptionConfig").path("SystemSchedulerEnabled").asBoolean()).isTrue();
    assertThat(written.has("ModifyIndex")).isFalse();
  }

  @Test
  void memoryOversubscriptionAlreadyOnWritesNothing() throws Exception {
    String address = startNomad();
    configs.add(schedulerConfig(true, 7));

    Result r = ScriptRun.bash(Map.of("NOMAD_ADDR", address), ". scripts/lib.sh && enable_memory_oversubscription");

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("memory oversubscription is on");
    assertThat(puts).isEmpty();
  }
}
