package org.filewcount.agent.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.filewcount.agent.testing.RepoFiles;

/**
 * HashiCorp's HCL2 parser (npm {@code @cdktf/hcl2json}, a WASM build of the Go library), run through
 * tools/hcl2json/parse.js. Installs itself with {@code npm ci} from the committed lock file when
 * node_modules is missing, so a clean clone needs only node and npm. Blocks come back as arrays, labels as
 * keys, and interpolations as strings ("${var.count}").
 */
final class Hcl2Json {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Map<String, JsonNode> cache;

    private Hcl2Json() {
    }

    /** Parses every file once per test JVM (the WASM start-up is the slow part); keys are repo-relative paths. */
    static synchronized Map<String, JsonNode> parseAll(List<Path> files) throws IOException, InterruptedException {
        if (cache != null && cache.keySet().containsAll(relative(files))) {
            return cache;
        }
        Path tool = RepoFiles.resolve("tools/hcl2json");
        ensureInstalled(tool);
        List<String> command = new ArrayList<>(List.of("node", tool.resolve("parse.js").toString()));
        command.addAll(relative(files));
        Process p = new ProcessBuilder(command).directory(RepoFiles.root().toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("HCL parse error (HashiCorp's HCL2 parser): " + err.strip());
        }
        Map<String, JsonNode> parsed = new LinkedHashMap<>();
        JSON.readTree(out).fields().forEachRemaining(e -> parsed.put(e.getKey(), e.getValue()));
        cache = parsed;
        return parsed;
    }

    static JsonNode parse(String relativePath) throws IOException, InterruptedException {
        return parseAll(RepoFiles.filesEndingWith(".hcl")).get(relativePath);
    }

    private static List<String> relative(List<Path> files) {
        Path root = RepoFiles.root();
        return files.stream().map(f -> root.relativize(f.toAbsolutePath()).toString()).toList();
    }

    private static void ensureInstalled(Path tool) throws IOException, InterruptedException {
        if (Files.isDirectory(tool.resolve("node_modules/@cdktf/hcl2json"))) {
            return;
        }
        Process npm;
        try {
            npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(tool.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("npm is not installed: the HCL checks need node and npm "
                    + "(Debian: apt-get install nodejs npm) to install @cdktf/hcl2json", e);
        }
        String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
            throw new AssertionError("npm ci in tools/hcl2json failed (is the npm registry reachable?):\n" + log);
        }
    }
}
