package org.filewcount.agent.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Paths of the observability stack's files in the repository, and readers for them. */
final class RepoFiles {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  private RepoFiles() {
  }

  /** The repository root: system property {@code repo.root} (set by the pom), else found upwards from here. */
  static Path root() {
    String property = System.getProperty("repo.root");
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("observability")) && Files.isRegularFile(dir.resolve("pom.xml"))
          && Files.isDirectory(dir.resolve("agent"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the repository root: run the tests through Maven (it sets repo.root)");
  }

  static Path observability() {
    return root().resolve("observability");
  }

  static Path prometheusConfig() {
    return observability().resolve("prometheus/prometheus.yml");
  }

  static List<Path> ruleFiles() {
    return list(observability().resolve("prometheus/rules"), ".rules.yml");
  }

  static List<Path> ruleTestFiles() {
    return list(observability().resolve("prometheus/tests"), ".test.yml");
  }

  static List<Path> dashboards() {
    return list(observability().resolve("grafana/dashboards"), ".json");
  }

  static Path datasources() {
    return observability().resolve("grafana/provisioning/datasources/datasources.yaml");
  }

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse YAML " + file, e);
    }
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse JSON " + file, e);
    }
  }

  static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static List<Path> list(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
      if (found.isEmpty()) {
        throw new IllegalStateException("no *" + suffix + " file in " + dir);
      }
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
