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
import org.filewcount.agent.testing.RepoFiles;

/** Paths of the observability stack's files in the repository, and readers for them. */
final class StackFiles {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  private StackFiles() {
  }

  /** The repository root (the shared test helper knows how to find it). */
  static Path root() {
    return RepoFiles.root();
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
