package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.infra.NomadJobs.block;
import static org.filewcount.agent.infra.NomadJobs.labelled;
import static org.filewcount.agent.infra.NomadJobs.variableDefault;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

class GatewayJobTest {

    @Test
    void theGatewayRunsThePinnedEnvoyAndDefinesTheTracingClusterAsAValidEnvoyCluster() throws Exception {
        JsonNode file = Hcl2Json.parse("nomad/gateway.nomad.hcl");
        JsonNode group = labelled(labelled(file, "job", "filewcount-gateway"), "group", "gateway");
        assertThat(block(group, "network").path("mode").asText()).isEqualTo("bridge");
        JsonNode connect = block(block(group, "service"), "connect");
    // Prometheus discovers every Envoy by this meta key.
    assertThat(block(block(group, "service"), "meta").path("envoy_metrics_port").asText())
        .isEqualTo("${NOMAD_HOST_PORT_envoy_metrics}");
    assertThat(labelled(block(group, "network"), "port", "envoy_metrics").path("to").asInt()).isEqualTo(9102);

        assertThat(block(block(connect, "sidecar_task"), "config").path("image").asText()).isEqualTo("${var.envoy_image}");
        assertThat(variableDefault(file, "envoy_image").isMissingNode()).as("versions.env is the only source").isTrue();
        assertThat(RepoFiles.read("scripts/up")).contains("-var \"envoy_image=$ENVOY_IMAGE\"");

        String clusterJson = block(block(block(connect, "gateway"), "proxy"), "config")
                .path("envoy_extra_static_clusters_json").asText()
                // Nomad fills these in at run time; any address and port will do for the type check.
                .replace("${attr.unique.network.ip-address}", "192.0.2.10")
                .replace("${var.otlp_grpc_port}", variableDefault(file, "otlp_grpc_port").asText());
        Cluster.Builder cluster = Cluster.newBuilder();
        JsonFormat.parser()
                .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder().add(HttpProtocolOptions.getDescriptor()).build())
                .merge(clusterJson, cluster);

        assertThat(cluster.getName()).isEqualTo(EnvoyTunables.load().getProperty("tracing.cluster"));
        assertThat(cluster.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
                .getSocketAddress().getPortValue()).isEqualTo(4317);
        HttpProtocolOptions options = cluster.getTypedExtensionProtocolOptionsMap()
                .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions").unpack(HttpProtocolOptions.class);
        assertThat(options.getExplicitHttpConfig().hasHttp2ProtocolOptions()).as("OTLP/gRPC needs HTTP/2").isTrue();
    }
}
