package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

class HclFilesParseTest {

    @Test
    void everyHclFileInTheRepositoryParsesWithHashiCorpsHcl2Parser() throws Exception {
        List<Path> files = RepoFiles.filesEndingWith(".hcl");
        assertThat(files).extracting(p -> RepoFiles.root().relativize(p).toString())
                .contains("nomad/filewcount.nomad.hcl", "nomad/gateway.nomad.hcl", "nomad/agent-dev.hcl",
                        "consul/agent-dev.hcl", "consul/proxy-defaults.hcl", "consul/service-router.hcl");

        // Throws naming the file and line when any of them is not valid HCL2.
        var parsed = Hcl2Json.parseAll(files);

        assertThat(parsed).hasSize(files.size());
        parsed.forEach((file, json) -> assertThat(json.isObject() && json.size() > 0).as(file + " has content").isTrue());
    }
}
