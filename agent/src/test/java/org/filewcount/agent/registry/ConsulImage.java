package org.filewcount.agent.registry;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.testcontainers.utility.DockerImageName;

/**
 * The Consul image the real-Consul tests run: the version pinned in the repository's versions.env
 * (the same file the Nomad jobs and scripts read), else the constant below.
 */
final class ConsulImage {

  /** Used until versions.env exists; a release whose supported-Envoy list includes Envoy 1.34. */
  static final String FALLBACK_VERSION = "1.22.7";

  private ConsulImage() {}

  static DockerImageName get() {
    Properties versions = new Properties();
    Path file = Path.of(System.getProperty("repo.root", ".."), "versions.env");
    if (Files.isReadable(file)) {
      try (Reader r = Files.newBufferedReader(file)) {
        versions.load(r);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + file, e);
      }
    }
    String image = unquote(versions.getProperty("CONSUL_IMAGE", ""));
    if (!image.isBlank()) {
      return DockerImageName.parse(image).asCompatibleSubstituteFor("hashicorp/consul");
    }
    String version = unquote(versions.getProperty("CONSUL_VERSION", FALLBACK_VERSION));
    return DockerImageName.parse("hashicorp/consul:" + version);
  }

  /** versions.env is shell syntax: values may be quoted. */
  private static String unquote(String v) {
    String s = v.strip();
    if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }
}
