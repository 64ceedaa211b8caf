package org.filewcount.agent.testing;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.testcontainers.utility.DockerImageName;

/**
 * versions.env, read the way Java readers (tests, Testcontainers) read it: as Properties. VersionsFileTest
 * makes sure the file stays in the subset of syntax where shell, Nomad -var and Properties agree.
 */
public final class VersionsFile {

    private final Properties values;

    private VersionsFile(Properties values) {
        this.values = values;
    }

    public static VersionsFile load() {
        Properties p = new Properties();
        try {
            p.load(new StringReader(RepoFiles.read("versions.env")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new VersionsFile(p);
    }

    /** The image pinned under KEY, for Testcontainers, standing in for the official image of that name. */
    public DockerImageName image(String key, String officialName) {
        return DockerImageName.parse(get(key)).asCompatibleSubstituteFor(officialName);
    }

    /** The value of KEY; fails naming the key when versions.env lacks it. */
    public String get(String key) {
        String v = values.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("versions.env has no value for " + key);
        }
        return v;
    }

    public Properties all() {
        return values;
    }
}
