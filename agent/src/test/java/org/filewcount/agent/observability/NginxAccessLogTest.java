package org.filewcount.agent.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's nginx pattern (observability/otel-collector/config.yaml, operator nginx_access) on
 * lines a real nginx (Debian's) writes in its default `combined` format, the format the collector
 * assumes the app's image uses; and its path pattern on Nomad's log file names. Go's RE2 and Java
 * agree on the constructs the patterns use (named groups, classes, optional groups).
 */
class NginxAccessLogTest {

  @TempDir
  Path dir;

  private final JsonNode operators = StackFiles.yaml(StackFiles.observability().resolve("otel-collector/config.yaml"))
      .path("receivers").path("filelog/app").path("operators");

  @Test
  void theAccessPatternReadsStatusPathBytesFromRealNginxLines() throws Exception {
    List<String> lines = realAccessLines();
    Pattern guard = Pattern.compile(guard(operator("nginx_access").path("if").asText()));
    Pattern access = Pattern.compile(operator("nginx_access").path("regex").asText());
    assertThat(lines).hasSize(2);

    Matcher get = access.matcher(lines.get(0));
    assertThat(guard.matcher(lines.get(0)).find()).as("the operator's `if` selects %s", lines.get(0)).isTrue();
    assertThat(get.matches()).as("combined line %s", lines.get(0)).isTrue();
    assertThat(get.group("method")).isEqualTo("GET");
    assertThat(get.group("path")).as("query string left out").isEqualTo("/file_upload");
    assertThat(get.group("status")).isEqualTo("200");
    assertThat(get.group("bytes")).isEqualTo("5");
    assertThat(get.group("agent")).isEqualTo("probe/1.0");
    assertThat(get.group("duration")).as("combined has no $request_time").isNull();

    Matcher post = access.matcher(lines.get(1));
    assertThat(post.matches()).as("combined line %s", lines.get(1)).isTrue();
    assertThat(post.group("method")).isEqualTo("POST");
    assertThat(post.group("status")).isEqualTo("404");

    Matcher timed = access.matcher(lines.get(0) + " 0.012");
    assertThat(timed.matches()).isTrue();
    assertThat(timed.group("duration")).as("a trailing $request_time").isEqualTo("0.012");
    assertThat(guard.matcher("*** Starting uWSGI 2.0.15 (64bit) on [Tue Dec  1 10:00:00 2026] ***").find())
        .as("uwsgi lines are not parsed as access lines").isFalse();
  }

  @Test
  void thePathPatternReadsAllocationTaskAndStreamFromNomadLogNames() {
    Pattern path = Pattern.compile(operator("path").path("regex").asText());
    Matcher m = path.matcher("/nomad/alloc/5b3f6a1c-8e2d-4c1b-9a7e-0f1d2c3b4a59/alloc/logs/app.stderr.3");
    assertThat(m.matches()).isTrue();
    assertThat(m.group("alloc")).isEqualTo("5b3f6a1c-8e2d-4c1b-9a7e-0f1d2c3b4a59");
    assertThat(m.group("task")).isEqualTo("app");
    assertThat(m.group("stream")).isEqualTo("stderr");
    // Every include glob lies under the directory the Nomad job mounts.
    String job = StackFiles.text(StackFiles.root().resolve("nomad/observability.nomad.hcl"));
    assertThat(job).contains("destination = \"/nomad/alloc\"");
    StackFiles.yaml(StackFiles.observability().resolve("otel-collector/config.yaml")).path("receivers")
        .path("filelog/app").path("include").forEach(g -> assertThat(g.asText()).startsWith("/nomad/alloc/*/alloc/logs/app."));
  }

  private JsonNode operator(String id) {
    for (JsonNode op : operators) {
      if (id.equals(op.path("id").asText())) {
        return op;
      }
    }
    throw new AssertionError("no operator " + id + " in filelog/app");
  }

  /** The regex of an expr-language guard {@code body matches "<regex>"} (its string escapes undone). */
  private static String guard(String expression) {
    Matcher m = Pattern.compile("^body matches \"(.*)\"$").matcher(expression);
    assertThat(m.matches()).as("guard %s", expression).isTrue();
    return m.group(1).replace("\\\\", "\\");
  }

  private List<String> realAccessLines() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path log = dir.resolve("access.log");
    Files.writeString(dir.resolve("nginx.conf"), """
        daemon off;
        master_process off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log;
        events {}
        http {
          access_log %2$s combined;
          client_body_temp_path %1$s/body;
          server {
            listen 127.0.0.1:%3$d;
            location = /file_upload { return 200 "form\\n"; }
          }
        }
        """.formatted(dir, log, port));
    Process nginx = new ProcessBuilder("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + port);
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> http.send(
          HttpRequest.newBuilder(base.resolve("/file_upload?probe=1")).header("User-Agent", "probe/1.0").build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      http.send(HttpRequest.newBuilder(base.resolve("/missing")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
          HttpResponse.BodyHandlers.discarding());
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 2);
      List<String> lines = Files.readAllLines(log);
      return lines.subList(lines.size() - 2, lines.size());
    } finally {
      nginx.destroy();
      nginx.waitFor();
    }
  }
}
