package org.filewcount.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The facts the cross-checks take from HashiCorp's repositories: JSON files under src/test/resources/hashicorp/,
 * each with a {@code _source} naming the repository, path and tag or commit they were read at (ADR 0015).
 */
public final class HashiCorpFacts {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HashiCorpFacts() {}

  /** {@code name} relative to src/test/resources/hashicorp/, e.g. {@code cli-output/nomad-nodes.json}. */
  public static JsonNode load(String name) {
    String resource = "/hashicorp/" + name;
    try (InputStream in = HashiCorpFacts.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(resource + " is not valid JSON: " + e.getMessage(), e);
    }
  }
}
