package org.filewcount.agent.infra;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.filewcount.agent.testing.RepoFiles;

/** envoy/bootstrap.properties as the tests read it. */
final class EnvoyTunables {

    private EnvoyTunables() {
    }

    static Properties load() {
        Properties p = new Properties();
        try {
            p.load(new StringReader(RepoFiles.read("envoy/bootstrap.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
