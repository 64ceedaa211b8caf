package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.filewcount.agent.testing.RepoFiles;
import org.filewcount.agent.testing.VersionsFile;
import org.junit.jupiter.api.Test;

class VersionsFileTest {

    private final VersionsFile versions = VersionsFile.load();

    @Test
    void everyLineIsACommentOrAPlainKeyValueThatShellNomadAndPropertiesReadAlike() {
        List<String> lines = RepoFiles.read("versions.env").lines().toList();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            // No quotes, spaces, $ or backslashes: `. versions.env`, `-var k=v` and Properties would disagree.
            assertThat(line).as("versions.env line").matches("[A-Z][A-Z0-9_]*=[A-Za-z0-9._:/@+-]+");
        }
    }

    @Test
    void binariesArePinnedWithSha256Sums() {
        for (String name : List.of("CONSUL", "NOMAD", "CNI_PLUGINS")) {
            assertThat(versions.get(name + "_VERSION")).as(name + "_VERSION").matches("\\d+\\.\\d+\\.\\d+");
            assertThat(versions.get(name + "_SHA256_LINUX_AMD64")).as(name + " sum").matches("[0-9a-f]{64}");
        }
    }

    @Test
    void envoyIsOnThe134LineOfTheApiProtosAndImagesMatchTheirVersions() {
        assertThat(versions.get("ENVOY_VERSION")).startsWith("1.34.");
        assertThat(versions.get("ENVOY_IMAGE")).isEqualTo("envoyproxy/envoy:v" + versions.get("ENVOY_VERSION"));
        assertThat(versions.get("CONSUL_IMAGE")).isEqualTo("hashicorp/consul:" + versions.get("CONSUL_VERSION"));
        assertThat(versions.get("AGENT_BASE_IMAGE")).startsWith("eclipse-temurin:17.").doesNotEndWith(":latest");
        assertThat(versions.get("FILEWCOUNT_IMAGE")).isEqualTo("bldrtech/filewcount");
        assertThat(versions.get("FILEWCOUNT_VERSION")).isNotEqualTo(versions.get("FILEWCOUNT_NEXT_VERSION"));
    }

    @Test
    void theAgentImageBaseDefaultIsThePinnedOne() {
        assertThat(RepoFiles.read("agent/Dockerfile"))
                .contains("ARG BASE_IMAGE=" + versions.get("AGENT_BASE_IMAGE") + "\n");
        assertThat(RepoFiles.read("scripts/up")).contains("BASE_IMAGE=$AGENT_BASE_IMAGE");
    }
}
