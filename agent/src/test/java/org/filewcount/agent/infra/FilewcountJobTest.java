package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.infra.NomadJobs.block;
import static org.filewcount.agent.infra.NomadJobs.labelled;
import static org.filewcount.agent.infra.NomadJobs.strings;
import static org.filewcount.agent.infra.NomadJobs.variableDefault;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.testing.RepoFiles;
import org.filewcount.agent.testing.TargetFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The settings of nomad/filewcount.nomad.hcl that the upgrade strategy and the zero-loss shutdown rely on. */
class FilewcountJobTest {

    private static JsonNode file;
    private static JsonNode job;
    private static JsonNode group;

    @BeforeAll
    static void parse() throws Exception {
        file = Hcl2Json.parse("nomad/filewcount.nomad.hcl");
        job = labelled(file, "job", "filewcount");
        group = labelled(job, "group", "filewcount");
    }

    private static JsonNode task(String name) {
        return labelled(group, "task", name);
    }

    @Test
    void updatesAreCanariesThatOnlyTheRolloutPromotesAndFailuresRevert() {
        JsonNode update = block(job, "update");
        assertThat(update.path("canary").asText()).isEqualTo("${var.canaries}");
        int canaries = variableDefault(file, "canaries").asInt();
        int count = variableDefault(file, "count").asInt();
        assertThat(canaries).isBetween(1, count - 1);
        assertThat(update.path("auto_promote").isBoolean()).isTrue();
        assertThat(update.path("auto_promote").asBoolean()).isFalse();
        assertThat(update.path("auto_revert").asBoolean()).isTrue();
        assertThat(update.path("health_check").asText()).isEqualTo("checks");
        assertThat(update.path("max_parallel").asInt()).isEqualTo(1);

        Duration minHealthy = Durations.parse(update.path("min_healthy_time").asText());
        Duration healthyDeadline = Durations.parse(update.path("healthy_deadline").asText());
        Duration progressDeadline = Durations.parse(update.path("progress_deadline").asText());
        // At least two of the agent's 10 s check intervals, and deadlines ordered as Nomad requires.
        assertThat(minHealthy).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
        assertThat(healthyDeadline).isGreaterThan(minHealthy);
        assertThat(progressDeadline).isGreaterThan(healthyDeadline);
    }

    @Test
    void deploymentHealthIsTheAgentsReadinessWhichNeedsAPassingUploadProbe() {
        JsonNode service = block(group, "service");
        assertThat(service.path("provider").asText())
                .as("Nomad's own catalog: the agent is the only registrator of filewcount in Consul").isEqualTo("nomad");
        assertThat(service.path("port").asText()).isEqualTo("admin");
        JsonNode check = block(service, "check");
        assertThat(check.path("type").asText()).isEqualTo("http");
        assertThat(check.path("path").asText()).isEqualTo("/health/ready");
        assertThat(labelled(block(group, "network"), "port", "admin").path("to").asInt()).isEqualTo(9464);
        assertThat(strings(block(task("agent"), "config").path("args"))).containsSequence("--admin", "0.0.0.0:9464");
    }

    @Test
    void appAgentAndEnvoyShareOneBridgeNamespaceAndTheBootstrapIsWrittenFirst() {
        JsonNode network = block(group, "network");
        assertThat(network.path("mode").asText()).isEqualTo("bridge");
        assertThat(network.path("port").has("mesh")).isTrue();
        assertThat(labelled(network, "port", "envoy_metrics").path("to").asInt()).isEqualTo(9102);
        assertThat(group.path("task").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("uploads-dir", "envoy-bootstrap", "app", "agent", "envoy");

        JsonNode bootstrap = task("envoy-bootstrap");
        assertThat(block(bootstrap, "lifecycle").path("hook").asText()).isEqualTo("prestart");
        assertThat(block(bootstrap, "lifecycle").path("sidecar").asBoolean()).isFalse();
        List<String> bootstrapArgs = strings(block(bootstrap, "config").path("args"));
        assertThat(bootstrapArgs.get(0)).isEqualTo("envoy-bootstrap");
        String output = bootstrapArgs.get(bootstrapArgs.indexOf("--output") + 1);
        assertThat(output).startsWith("${NOMAD_ALLOC_DIR}/");

        List<String> envoyArgs = strings(block(task("envoy"), "config").path("args"));
        assertThat(envoyArgs).containsSequence("-c", output);

        List<String> agentArgs = strings(block(task("agent"), "config").path("args"));
        assertThat(agentArgs.get(0)).isEqualTo("run");
        assertThat(agentArgs).contains("--mesh").containsSequence("--listen", "127.0.0.1:8081")
                .containsSequence("--app-url", "http://127.0.0.1:80");
        assertThat(block(group, "meta").path("version").asText()).isEqualTo("${var.filewcount_version}");
    }

    @Test
    void theAppStopsWithSigquitAndOnlyAfterTheAgentHasDrained() {
        Duration drain = Durations.parse(variableDefault(file, "drain").asText());
        assertThat(strings(block(task("agent"), "config").path("args"))).containsSequence("--drain", "${var.drain}");

        JsonNode app = task("app");
        assertThat(app.path("kill_signal").asText()).isEqualTo("SIGQUIT");
        assertThat(Durations.parse(app.path("shutdown_delay").asText())).isGreaterThan(drain);
        assertThat(Durations.parse(task("envoy").path("shutdown_delay").asText())).isGreaterThan(drain);

        JsonNode agent = task("agent");
        assertThat(agent.path("kill_signal").asText()).isEqualTo("SIGTERM");
        for (String name : List.of("app", "agent", "envoy")) {
            assertThat(Durations.parse(task(name).path("kill_timeout").asText()))
                    .as(name + " kill_timeout must exceed the agent's drain").isGreaterThan(drain.plusSeconds(5));
        }
    }

    @Test
    void uploadsLiveOnAStickyMigratingDiskAndInstancesSpreadOverNodes() {
        JsonNode disk = block(group, "ephemeral_disk");
        assertThat(disk.path("sticky").asBoolean()).isTrue();
        assertThat(disk.path("migrate").asBoolean()).isTrue();
        assertThat(strings(block(task("app"), "config").path("volumes")))
                .containsExactly("../alloc/data/uploads:/opt/upload/uploads");
        assertThat(block(group, "spread").path("attribute").asText()).isEqualTo("${node.unique.id}");
        assertThat(block(group, "restart").path("mode").asText()).isEqualTo("delay");
        assertThat(block(group, "reschedule").path("unlimited").asBoolean()).isTrue();
    }

    @Test
    void theUploadsFolderIsMadeBeforeTheAppStartsWritableByAnyUserAndRemovableByTheAgentOnly() throws Exception {
        JsonNode prepare = task("uploads-dir");
        assertThat(block(prepare, "lifecycle").path("hook").asText()).isEqualTo("prestart");
        assertThat(block(prepare, "lifecycle").path("sidecar").asBoolean()).isFalse();
        JsonNode config = block(prepare, "config");
        assertThat(config.path("image").asText()).as("the agent's image: its user 10001 owns the folder")
                .isEqualTo("${var.agent_image}");
        assertThat(strings(config.path("entrypoint"))).containsExactly("/bin/sh", "-c");
        // The app's bind source (../alloc/data/uploads from its task dir) is this folder.
        assertThat(strings(block(task("app"), "config").path("volumes")).get(0)).startsWith("../alloc/data/uploads:");

        // Run the task's script as the job has it, against a scratch allocation dir, twice (a restart of the
        // allocation, or a migrated data dir, finds the folder there already).
        Path alloc = Files.createTempDirectory(TargetFiles.folder(), "alloc");
        Files.createDirectories(alloc.resolve("data"));
        String script = strings(config.path("args")).get(0);
        for (int run = 0; run < 2; run++) {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
            pb.environment().put("NOMAD_ALLOC_DIR", alloc.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
        }
        Process stat = new ProcessBuilder("stat", "-c", "%a", alloc.resolve("data/uploads").toString()).start();
        assertThat(new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                .as("sticky + setgid + rwx for all").isEqualTo("3777");
    }

    @Test
    void theNomadServiceTagKeepsAVersionsOwnV() {
        assertThat(strings(block(group, "service").path("tags")))
                .containsExactly("v${trimprefix(var.filewcount_version, \"v\")}");
    }

    @Test
    void everyImageComesFromVersionsEnvThroughAVariableWithoutDefault() {
        assertThat(block(task("app"), "config").path("image").asText())
                .isEqualTo("${var.filewcount_image}:${var.filewcount_version}");
        assertThat(block(task("agent"), "config").path("image").asText()).isEqualTo("${var.agent_image}");
        assertThat(block(task("envoy-bootstrap"), "config").path("image").asText()).isEqualTo("${var.agent_image}");
        assertThat(block(task("envoy"), "config").path("image").asText()).isEqualTo("${var.envoy_image}");

        String lib = RepoFiles.read("scripts/lib.sh");
        List<List<String>> pins = List.of(
                List.of("filewcount_image", "FILEWCOUNT_IMAGE"),
                List.of("filewcount_version", "version"),
                List.of("agent_image", "AGENT_IMAGE"),
                List.of("envoy_image", "ENVOY_IMAGE"));
        for (List<String> pin : pins) {
            assertThat(variableDefault(file, pin.get(0)).isMissingNode())
                    .as("variable %s must have no default: versions.env is its only source", pin.get(0)).isTrue();
            assertThat(lib).contains("-var \"" + pin.get(0) + "=$" + pin.get(1));
        }
        assertThat(lib).contains("version=\"${1:-$FILEWCOUNT_VERSION}\"");
    }

    @Test
    void resourcesAreSetForEveryTask() {
        for (String name : List.of("uploads-dir", "envoy-bootstrap", "app", "agent", "envoy")) {
            JsonNode resources = block(task(name), "resources");
            assertThat(resources.has("cpu") && resources.has("memory")).as(name + " resources").isTrue();
        }
        JsonNode defaults = variableDefault(file, "resources");
        assertThat(defaults.path("agent_memory").asInt()).isGreaterThanOrEqualTo(160);
    }

    /**
     * The uploads carry (ADR 0017) reaches Nomad through the Task API socket with the task's workload
     * identity read from a file, never from the environment or argv. Paths: hashicorp/nomad v1.10.5
     * client/allocrunner/taskrunner/api_hook.go (secrets/api.sock) and identity_hook.go (secrets/nomad_token).
     */
    @Test
    void theAgentReachesNomadThroughTheTaskApiWithItsWorkloadIdentityAsAFile() {
        JsonNode agent = task("agent");
        JsonNode env = block(agent, "env");
        assertThat(env.path("NOMAD_ADDR").asText()).isEqualTo("unix://${NOMAD_SECRETS_DIR}/api.sock");
        assertThat(env.path("NOMAD_TOKEN_FILE").asText()).isEqualTo("${NOMAD_SECRETS_DIR}/nomad_token");
        assertThat(env.has("NOMAD_TOKEN")).as("no token in the environment").isFalse();
        JsonNode identity = block(agent, "identity");
        assertThat(identity.path("file").asBoolean()).isTrue();
        assertThat(identity.path("env").asBoolean(false)).as("env = true would put NOMAD_TOKEN in the environment")
                .isFalse();
        assertThat(identity.has("filepath")).as("the default path, which NOMAD_TOKEN_FILE names").isFalse();
        assertThat(strings(block(agent, "config").path("args")))
                .noneMatch(a -> a.contains("NOMAD_TOKEN") || a.contains("nomad_token"));
    }
}
