package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.infra.NomadJobs.block;
import static org.filewcount.agent.infra.NomadJobs.labelled;
import static org.filewcount.agent.infra.NomadJobs.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.filewcount.agent.config.Durations;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Consul config entries in consul/: they parse, reference only services and subsets that exist, leave
 * the agent's entries alone, and carry the settings the mesh relies on.
 */
class ConsulConfigEntriesTest {

    /** Services that exist: the agent registers filewcount (nomad job --service), the gateway job its gateway. */
    private static final Set<String> SERVICES = Set.of("filewcount", "filewcount-gateway");

    private static final Map<String, JsonNode> entries = new HashMap<>();
    private static JsonNode gatewayJob;

    @BeforeAll
    static void parse() throws Exception {
        Map<String, JsonNode> hcl = Hcl2Json.parseAll(RepoFiles.filesEndingWith(".hcl"));
        hcl.forEach((file, json) -> {
            if (file.startsWith("consul/") && !file.equals("consul/agent-dev.hcl")) {
                entries.put(file, json);
            }
        });
        ObjectMapper mapper = new ObjectMapper();
        for (Path json : RepoFiles.filesEndingWith(".json")) {
            String file = RepoFiles.root().relativize(json).toString();
            if (file.startsWith("consul/")) {
                entries.put(file, mapper.readTree(json.toFile()));
            }
        }
        gatewayJob = labelled(hcl.get("nomad/gateway.nomad.hcl"), "job", "filewcount-gateway");
    }

    private static JsonNode entry(String kind, String name) {
        List<JsonNode> found = entries.values().stream()
                .filter(e -> e.path("Kind").asText().equals(kind) && e.path("Name").asText().equals(name))
                .toList();
        assertThat(found).as(kind + "/" + name).hasSize(1);
        return found.get(0);
    }

    /** hcl2json wraps a block in an array; a JSON entry does not. */
    private static JsonNode unwrap(JsonNode node) {
        return node.isArray() && node.size() == 1 && node.get(0).isObject() ? node.get(0) : node;
    }

    @Test
    void everyEntryHasAKindAndANameThatExists() {
        assertThat(entries).isNotEmpty();
        entries.forEach((file, e) -> {
            String kind = e.path("Kind").asText();
            String name = e.path("Name").asText();
            assertThat(kind).as(file + " Kind").isIn("proxy-defaults", "service-defaults", "service-resolver",
                    "service-router", "service-intentions", "ingress-gateway");
            switch (kind) {
                case "proxy-defaults" -> assertThat(name).as(file).isEqualTo("global");
                case "service-intentions" -> assertThat(name).as(file).isIn(union(SERVICES, "*"));
                default -> assertThat(name).as(file + " names a service that exists").isIn(SERVICES);
            }
        });
    }

    @Test
    void theSplitterAndTheResolverSubsetsAreLeftToTheAgent() {
        assertThat(entries.values()).noneMatch(e -> e.path("Kind").asText().equals("service-splitter"));
        JsonNode resolver = entry("service-resolver", "filewcount");
        assertThat(resolver.has("Subsets")).as("Subsets belong to the agent's traffic code").isFalse();
        assertThat(resolver.has("DefaultSubset")).isFalse();
        assertThat(RepoFiles.read("scripts/apply-resolver"))
                .contains("{Subsets, DefaultSubset}").contains("-cas -modify-index");
    }

    @Test
    void theResolverHashesOnACookieEnvoyGeneratesWithAConnectTimeout() {
        // Field names and rules: hashicorp/consul agent/structs/config_entry_discoverychain.go (LoadBalancer,
        // HashPolicy, CookieConfig; Validate: a hash policy needs ring_hash or maglev, Field with FieldValue,
        // CookieConfig only for Field "cookie", no TTL on a session cookie). Envoy generates the cookie when a
        // request has none only if a TTL is set (RouteAction.HashPolicy.Cookie.ttl), hence no Session.
        JsonNode lb = entry("service-resolver", "filewcount").path("LoadBalancer");
        assertThat(lb.path("Policy").asText()).isIn("ring_hash", "maglev");
        assertThat(lb.has("LeastRequestConfig")).isFalse();
        JsonNode policy = lb.path("HashPolicies").get(0);
        assertThat(lb.path("HashPolicies")).hasSize(1);
        assertThat(policy.path("Field").asText()).isEqualTo("cookie");
        assertThat(policy.path("FieldValue").asText()).isEqualTo("filewcount-instance")
                .isNotEqualTo("filewcount-version");
        assertThat(Durations.parse(policy.path("CookieConfig").path("TTL").asText())).isPositive();
        assertThat(policy.path("CookieConfig").path("Session").asBoolean(false)).isFalse();
        assertThat(policy.path("CookieConfig").path("Path").asText()).isEqualTo("/");
        assertThat(Durations.parse(entry("service-resolver", "filewcount").path("ConnectTimeout").asText())).isPositive();
    }

    @Test
    void theRouterRetriesOnlyWhatNeverReachedAnInstanceAndRoutesThroughTheSplitter() {
        JsonNode router = entry("service-router", "filewcount");
        JsonNode routes = router.path("Routes");
        assertThat(routes.size()).isPositive();
        for (JsonNode route : routes) {
            JsonNode destination = unwrap(route.path("Destination"));
            assertThat(destination.path("Service").asText()).isIn(SERVICES);
            // No subset: a subset here would bypass the agent's splitter. Any subset would have to exist too.
            assertThat(destination.has("ServiceSubset")).isFalse();
            assertThat(destination.path("RetryOnConnectFailure").asBoolean()).isTrue();
            assertThat(destination.path("NumRetries").asInt()).isBetween(1, 3);
            // Uploads are not idempotent: never retry after the instance may have seen the request.
            assertThat(strings(destination.path("RetryOn"))).doesNotContain("5xx", "reset", "gateway-error");
            assertThat(Durations.parse(destination.path("RequestTimeout").asText())).isPositive();
        }
    }

    @Test
    void intentionsDenyByDefaultAndAllowOnlyTheGatewayToFilewcount() {
        JsonNode wildcard = entry("service-intentions", "*");
        assertThat(wildcard.path("Sources")).hasSize(1);
        assertThat(wildcard.path("Sources").get(0).path("Name").asText()).isEqualTo("*");
        assertThat(wildcard.path("Sources").get(0).path("Action").asText()).isEqualTo("deny");

        JsonNode filewcount = entry("service-intentions", "filewcount");
        for (JsonNode source : filewcount.path("Sources")) {
            assertThat(source.path("Name").asText()).isIn(SERVICES);
        }
        assertThat(filewcount.path("Sources")).hasSize(1);
        assertThat(filewcount.path("Sources").get(0).path("Name").asText()).isEqualTo("filewcount-gateway");
        assertThat(filewcount.path("Sources").get(0).path("Action").asText()).isEqualTo("allow");
    }

    @Test
    void filewcountSpeaksHttpAndCallersEjectFailingInstances() {
        assertThat(entry("service-defaults", "filewcount").path("Protocol").asText()).isEqualTo("http");
        JsonNode upstreamDefaults = unwrap(unwrap(entry("service-defaults", "filewcount").path("UpstreamConfig")).path("Defaults"));
        assertPassiveHealthCheck(unwrap(upstreamDefaults.path("PassiveHealthCheck")));
        JsonNode gatewayDefaults = unwrap(entry("ingress-gateway", "filewcount-gateway").path("Defaults"));
        assertPassiveHealthCheck(unwrap(gatewayDefaults.path("PassiveHealthCheck")));
    }

    private static void assertPassiveHealthCheck(JsonNode check) {
        assertThat(check.path("MaxFailures").asInt()).isPositive();
        assertThat(check.path("EnforcingConsecutive5xx").asInt()).isEqualTo(100);
        assertThat(check.path("MaxEjectionPercent").asInt()).isBetween(1, 50);
        assertThat(Durations.parse(check.path("BaseEjectionTime").asText())).isPositive();
    }

    @Test
    void proxyDefaultsTraceToTheCollectorClusterTheBootstrapDefinesAndExposePrometheus() throws Exception {
        JsonNode config = unwrap(entry("proxy-defaults", "global").path("Config"));
        assertThat(config.path("protocol").asText()).isEqualTo("http");
        Properties tunables = EnvoyTunables.load();
        assertThat(config.path("envoy_prometheus_bind_addr").asText()).isEqualTo(tunables.getProperty("prometheus.bind"));

        // Envoy's own types, unknown fields rejected: a typo in the JSON string would only show at runtime.
        JsonFormat.TypeRegistry registry = JsonFormat.TypeRegistry.newBuilder()
                .add(HttpConnectionManager.Tracing.getDescriptor())
                .add(OpenTelemetryConfig.getDescriptor())
                .build();
        Any.Builder any = Any.newBuilder();
        JsonFormat.parser().usingTypeRegistry(registry).merge(config.path("envoy_listener_tracing_json").asText(), any);
        HttpConnectionManager.Tracing tracing = any.build().unpack(HttpConnectionManager.Tracing.class);
        assertThat(tracing.getProvider().getName()).isEqualTo("envoy.tracers.opentelemetry");
        OpenTelemetryConfig otel = tracing.getProvider().getTypedConfig().unpack(OpenTelemetryConfig.class);
        assertThat(otel.getGrpcService().getEnvoyGrpc().getClusterName()).isEqualTo(tunables.getProperty("tracing.cluster"));
        assertThat(tracing.getRandomSampling().getValue()).isBetween(0.0, 100.0);
    }

    @Test
    void theIngressGatewayEntryAndTheGatewayJobDeclareTheSameListener() {
        JsonNode entryListeners = entry("ingress-gateway", "filewcount-gateway").path("Listeners");
        JsonNode service = block(labelled(gatewayJob, "group", "gateway"), "service");
        assertThat(service.path("name").asText()).isEqualTo("filewcount-gateway");
        JsonNode jobListeners = block(block(block(service, "connect"), "gateway"), "ingress").path("listener");

        assertThat(describe(entryListeners, "Port", "Protocol", "Services", "Name", "Hosts"))
                .isEqualTo(describe(jobListeners, "port", "protocol", "service", "name", "hosts"));
        for (JsonNode listener : entryListeners) {
            for (JsonNode s : listener.path("Services")) {
                assertThat(s.path("Name").asText()).isIn(SERVICES);
            }
        }
        assertThat(labelled(block(labelled(gatewayJob, "group", "gateway"), "network"), "port", "inbound")
                .path("static").asInt()).isEqualTo(8080);
    }

    @Test
    void scriptsUpAppliesEveryEntryFile() {
        String up = RepoFiles.read("scripts/up");
        entries.keySet().forEach(file -> {
            String name = Path.of(file).getFileName().toString();
            if (name.equals("service-resolver.json")) {
                assertThat(up).contains("scripts/apply-resolver");
            } else if (name.equals("ingress-gateway.hcl")) {
                assertThat(up).contains("consul/ingress-gateway.hcl");
            } else {
                assertThat(up).as("scripts/up applies " + file).contains(name.replace(".hcl", ""));
            }
        });
    }

    private static List<String> describe(JsonNode listeners, String port, String protocol, String services,
            String name, String hosts) {
        List<String> out = new ArrayList<>();
        for (JsonNode l : listeners) {
            for (JsonNode s : l.path(services)) {
                out.add(l.path(port).asInt() + "/" + l.path(protocol).asText() + " -> " + s.path(name).asText()
                        + " " + strings(s.path(hosts)));
            }
        }
        return out;
    }

    private static Set<String> union(Set<String> set, String extra) {
        var out = new java.util.HashSet<>(set);
        out.add(extra);
        return out;
    }
}
