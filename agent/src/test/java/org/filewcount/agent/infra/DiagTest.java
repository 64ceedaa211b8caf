package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.filewcount.agent.infra.ScriptRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/diag against stub curl, docker and nsenter answering like Consul, Nomad, an Envoy admin API and the
 * agent: the bundle has what was up, notes what was not, and no token, neither the ones in the environment nor
 * the ones planted in the responses (Envoy's x-consul-token metadata, a job's env, Consul's config, a log).
 */
class DiagTest {

  private static final String CONSUL = "http://consul.test:8500";
  private static final String NOMAD = "http://nomad.test:4646";
  private static final List<String> PLANTED = List.of("planted-env-consul-token-1", "planted-env-nomad-token-2",
      "PLANTED-ENVOY-METADATA-TOKEN", "PLANTED-JOB-ENV-TOKEN", "PLANTED-CONSUL-AGENT-TOKEN", "PLANTEDLOGTOKEN123");

  @TempDir
  Path tmp;

  private Path fixtures() throws IOException {
    return Files.createDirectories(tmp.resolve("fixtures"));
  }

  /** What the stub curl answers for URL: the file named after the URL without its scheme. */
  private void answer(String url, String body) throws IOException {
    ScriptRun.file(fixtures(), url.replaceFirst("^https?://", "").replaceAll("[^A-Za-z0-9._-]", "_"), body);
  }

  private Map<String, String> env() throws IOException {
    Path bin = tmp.resolve("bin");
    Path argv = tmp.resolve("curl-argv.log");
    ScriptRun.stub(bin, "curl", """
        printf '%s\\n' "$*" >>'""" + argv + """
        '
        out=""; url=""
        while [ $# -gt 0 ]; do
          case "$1" in
            -o) out="$2"; shift 2 ;;
            -H|--max-time) shift 2 ;;
            http*) url="$1"; shift ;;
            *) shift ;;
          esac
        done
        key=$(printf '%s' "${url#*://}" | sed 's/[^A-Za-z0-9._-]/_/g')
        file='""" + fixtures() + """
        '/"$key"
        [ -f "$file" ] || { echo "curl: (7) Failed to connect to $url" >&2; exit 7; }
        if [ -n "$out" ]; then cat "$file" >"$out"; else cat "$file"; fi
        """);
    ScriptRun.stub(bin, "docker", "[ \"$1\" = inspect ] && echo 4242 || exit 1");
    ScriptRun.stub(bin, "nsenter", "shift 3; exec \"$@\"");
    ScriptRun.stub(bin, "id", "echo 0");
    Map<String, String> env = new HashMap<>();
    env.put("PATH", bin + ":/usr/bin:/bin");
    env.put("CONSUL_HTTP_ADDR", CONSUL);
    env.put("NOMAD_ADDR", NOMAD);
    env.put("CONSUL_HTTP_TOKEN", PLANTED.get(0));
    env.put("NOMAD_TOKEN", PLANTED.get(1));
    env.put("DIAG_OUT", tmp.resolve("out").toString());
    return env;
  }

  private void consulIsUp() throws IOException {
    answer(CONSUL + "/v1/status/leader", "\"127.0.0.1:8300\"");
    answer(CONSUL + "/v1/agent/self", """
        {"Config": {"NodeName": "filewcount-dev", "Version": "1.22.7"},
         "DebugConfig": {"ACLTokens": {"ACLAgentToken": "PLANTED-CONSUL-AGENT-TOKEN"}}}""");
    answer(CONSUL + "/v1/catalog/services", "{\"consul\": [], \"filewcount\": [\"v1.0\"]}");
    answer(CONSUL + "/v1/health/service/filewcount", "[{\"Service\": {\"ID\": \"filewcount-a1\"}}]");
    answer(CONSUL + "/v1/health/service/consul", "[]");
    answer(CONSUL + "/v1/config/service-router", "[{\"Kind\": \"service-router\", \"Name\": \"filewcount\"}]");
  }

  private void nomadAndTheMeshAreUp() throws IOException {
    answer(NOMAD + "/v1/agent/health", "{\"client\": {\"ok\": true}}");
    answer(NOMAD + "/v1/jobs", "[{\"ID\": \"filewcount\"}]");
    answer(NOMAD + "/v1/job/filewcount", """
        {"ID": "filewcount", "TaskGroups": [{"Tasks": [{"Name": "agent",
          "Env": {"CONSUL_HTTP_TOKEN": "PLANTED-JOB-ENV-TOKEN", "OTEL_SERVICE_NAME": "filewcount"}}]}]}""");
    answer(NOMAD + "/v1/job/filewcount/allocations", "[{\"ID\": \"a1\", \"CreateTime\": 2}]");
    answer(NOMAD + "/v1/allocation/a1", """
        {"ID": "a1", "ClientStatus": "running", "TaskStates": {"agent": {}, "envoy": {}},
         "AllocatedResources": {"Shared": {"Ports": [{"Label": "admin", "Value": 23456}]}}}""");
    answer(NOMAD + "/v1/client/fs/logs/a1?task=agent&type=stderr&origin=end&offset=65536&plain=true",
        "registered filewcount-a1\nconsul said token=PLANTEDLOGTOKEN123\nretrying with planted-nomad-token-2 as header\n");
    // Envoy's config_dump of a bootstrap with an ACL token: Consul's own generator puts it in the ADS
    // initial_metadata (hashicorp/consul command/connect/envoy/testdata/token-arg.golden); ours does the same.
    answer("http://127.0.0.1:19000/config_dump", """
        {"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump", "bootstrap": {
          "node": {"id": "filewcount-a1-sidecar-proxy", "metadata": {"namespace": "default"}},
          "dynamic_resources": {"ads_config": {"api_type": "DELTA_GRPC", "grpc_services": [{
            "envoy_grpc": {"cluster_name": "local_agent"},
            "initial_metadata": [{"key": "x-consul-token", "value": "PLANTED-ENVOY-METADATA-TOKEN"}]}]}},
          "static_resources": {"clusters": [{"name": "local_agent",
            "note": "planted-env-consul-token-1 echoed where no field name says token"}]}}}]}""");
    answer("http://127.0.0.1:19000/clusters", "local_agent::127.0.0.1:8502::health_flags::healthy\n");
    answer("http://127.0.0.1:23456/health/ready", "{\"status\": \"ready\"}");
  }

  /** Runs scripts/diag, unpacks the tarball it names, and returns every unpacked file's path and text. */
  private Map<String, String> runAndUnpack() throws Exception {
    Result r = ScriptRun.bash(env(), "scripts/diag");
    assertThat(r.exit()).as(r.output()).isZero();
    String tarball = r.output().lines().filter(l -> l.startsWith("wrote ")).findFirst().orElseThrow().substring(6);
    Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
    Result tar = ScriptRun.bash(Map.of(), "tar -xzf '" + tarball + "' -C '" + unpacked + "'");
    assertThat(tar.exit()).as(tar.output()).isZero();
    Map<String, String> files = new HashMap<>();
    try (Stream<Path> walk = Files.walk(unpacked)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        String relative = unpacked.relativize(f).toString();
        files.put(relative.substring(relative.indexOf('/') + 1), Files.readString(f));
      }
    }
    return files;
  }

  private static void assertNoPlantedToken(Map<String, String> files) {
    files.forEach((file, text) -> {
      for (String token : PLANTED) {
        assertThat(text).as("%s must not contain %s", file, token).doesNotContain(token);
      }
    });
  }

  @Test
  void withEverythingUpTheBundleHasTheMeshAndNoToken() throws Exception {
    consulIsUp();
    nomadAndTheMeshAreUp();

    Map<String, String> files = runAndUnpack();

    assertNoPlantedToken(files);
    assertThat(files).containsKeys("versions.txt", "consul/catalog-services.json", "consul/config-service-router.json",
        "nomad/job-filewcount.json", "nomad/alloc-a1.json", "nomad/logs/a1-agent.stderr.log",
        "envoy/filewcount-a1-config_dump.json", "envoy/filewcount-a1-clusters.json", "agent/a1-health-ready.json");
    assertThat(files.get("envoy/filewcount-a1-config_dump.json")).contains("\"x-consul-token\"").contains("[REDACTED]")
        .contains("local_agent");
    assertThat(files.get("envoy/filewcount-a1-clusters.json")).contains("local_agent::127.0.0.1:8502");
    assertThat(files.get("nomad/job-filewcount.json")).contains("\"OTEL_SERVICE_NAME\": \"filewcount\"");
    assertThat(files.get("nomad/logs/a1-agent.stderr.log")).contains("registered filewcount-a1");
    assertThat(files.get("agent/a1-health-ready.json")).contains("ready");
    assertThat(files.get("versions.txt")).contains("CONSUL_VERSION=");
    // Tokens reach the APIs in header files, never on a command line.
    String argv = Files.readString(tmp.resolve("curl-argv.log"));
    assertThat(argv).contains("-H @").doesNotContain(PLANTED.get(0)).doesNotContain(PLANTED.get(1));
  }

  @Test
  void withConsulOnlyTheRestIsNotedNotFailed() throws Exception {
    consulIsUp();

    Map<String, String> files = runAndUnpack();

    assertNoPlantedToken(files);
    assertThat(files).containsKeys("consul/health-service-filewcount.json", "NOTES.txt");
    assertThat(files.get("NOTES.txt")).contains("Nomad does not answer at " + NOMAD)
        .doesNotContain("Consul does not answer");
    assertThat(new ArrayList<>(files.keySet())).noneMatch(f -> f.startsWith("nomad/") || f.startsWith("envoy/"));
  }

  @Test
  void withNothingUpItStillWritesABundleThatSaysSo() throws Exception {
    Map<String, String> files = runAndUnpack();

    assertThat(files.get("NOTES.txt")).contains("Consul does not answer at " + CONSUL)
        .contains("Nomad does not answer at " + NOMAD);
    assertThat(files).containsKey("versions.txt");
  }

  @Test
  void argumentsAreAUsageError() throws Exception {
    Result r = ScriptRun.bash(env(), "scripts/diag now");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output()).contains("usage: scripts/diag");
  }
}
