package org.filewcount.agent.uploads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.filewcount.agent.config.Secret;
import org.filewcount.agent.net.HttpClients;

/**
 * The three read-only Nomad HTTP calls the carry makes, with the shapes of hashicorp/nomad v1.10.5:
 *
 * <ul>
 *   <li>{@code GET /v1/job/:job/allocations}: a JSON array of {@code AllocListStub} (ID, Name,
 *       ClientStatus, CreateIndex, ...; nomad/structs/structs.go, command/agent/job_endpoint.go
 *       jobAllocations). Needs {@code read-job} on the namespace.
 *   <li>{@code GET /v1/client/fs/ls/:alloc?path=P}: a JSON array of {@code AllocFileInfo} (Name, IsDir,
 *       Size, FileMode as Go's FileMode.String, e.g. {@code -rw-r--r--}, ModTime RFC 3339;
 *       client/structs/structs.go); 404 for an unknown allocation, a missing path or an unreachable
 *       node (command/agent/fs_endpoint.go DirectoryListRequest). Needs {@code read-fs}.
 *   <li>{@code GET /v1/client/fs/cat/:alloc?path=P}: the file's raw bytes (fs_endpoint.go FileCatRequest).
 * </ul>
 *
 * Configured like the {@code nomad} CLI ({@code NomadSettings} reads the variables); the token is
 * sent as X-Nomad-Token only and is in no message built here.
 */
final class NomadAllocFs {

  /** One allocation of the job, as the carry needs it. */
  record Allocation(String id, String name, String clientStatus, long createIndex) {
    /** client's terminal statuses (nomad/structs/structs.go terminalAllocationStatuses). */
    boolean terminal() {
      return clientStatus.equals("complete") || clientStatus.equals("failed") || clientStatus.equals("lost");
    }

    String shortId() {
      return id.length() > 8 ? id.substring(0, 8) : id;
    }
  }

  /** One directory entry. */
  record Entry(String name, boolean dir, long size, String fileMode, Optional<Instant> modTime) {
    boolean regularFile() {
      return !dir && fileMode.startsWith("-");
    }
  }

  /** A call Nomad refused or did not answer; {@code errorType} labels the failure metric. */
  static final class CallException extends IOException {
    private static final long serialVersionUID = 1L;
    final String errorType;

    CallException(String message, String errorType, Throwable cause) {
      super(message, cause);
      this.errorType = errorType;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final String address;
  private final Optional<Path> socket;
  private final HttpClient http;
  private final Optional<Secret> token;
  private final String query;

  NomadAllocFs(String address, Optional<Secret> token, Optional<Path> caCert, Optional<String> namespace,
      Optional<String> region) {
    String a = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
    this.address = a;
    this.socket = a.startsWith("unix://") ? Optional.of(Path.of(a.substring("unix://".length()))) : Optional.empty();
    this.http = socket.isPresent() ? null : HttpClients.trusting(caCert, "NOMAD_CACERT", Duration.ofSeconds(5));
    this.token = token;
    List<String> params = new ArrayList<>();
    namespace.ifPresent(ns -> params.add("namespace=" + encode(ns)));
    region.ifPresent(r -> params.add("region=" + encode(r)));
    this.query = String.join("&", params);
  }

  /** Empty when no Nomad address is set (NOMAD_ADDR, NOMAD_UNIX_ADDR); {@code NomadSettings} reads it. */
  static Optional<NomadAllocFs> fromEnvironment(Map<String, String> env) {
    return NomadSettings.fromEnvironment(env)
        .map(n -> new NomadAllocFs(n.address(), n.token(), n.caCert(), n.namespace(), n.region()));
  }

  String describe() {
    return "Nomad at " + address;
  }

  List<Allocation> allocations(String job) throws CallException {
    JsonNode array = json(get("/v1/job/" + encode(job) + "/allocations", Map.of(), 64L << 20, false).orElseThrow());
    List<Allocation> out = new ArrayList<>();
    for (JsonNode a : array) {
      out.add(new Allocation(a.path("ID").asText(), a.path("Name").asText(), a.path("ClientStatus").asText(),
          a.path("CreateIndex").asLong()));
    }
    return out;
  }

  /** Empty on 404: the allocation is gone (garbage-collected), the path is missing or its node unreachable. */
  Optional<List<Entry>> list(String allocId, String dir) throws CallException {
    Optional<byte[]> body = get("/v1/client/fs/ls/" + encode(allocId), Map.of("path", dir), 64L << 20, true);
    if (body.isEmpty()) {
      return Optional.empty();
    }
    List<Entry> out = new ArrayList<>();
    for (JsonNode f : json(body.get())) {
      out.add(new Entry(f.path("Name").asText(), f.path("IsDir").asBoolean(), f.path("Size").asLong(),
          f.path("FileMode").asText(""), instant(f.path("ModTime").asText(""))));
    }
    return Optional.of(out);
  }

  /** Empty on 404 (the file went away). */
  Optional<byte[]> read(String allocId, String path, long maxBytes) throws CallException {
    return get("/v1/client/fs/cat/" + encode(allocId), Map.of("path", path), maxBytes, true);
  }

  private Optional<byte[]> get(String path, Map<String, String> params, long maxBody, boolean notFoundIsEmpty)
      throws CallException {
    StringBuilder q = new StringBuilder(query);
    params.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(k).append('=').append(encode(v)));
    String pathAndQuery = path + (q.length() == 0 ? "" : "?" + q);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    token.ifPresent(t -> headers.put("X-Nomad-Token", t.reveal()));
    int status;
    byte[] body;
    try {
      if (socket.isPresent()) {
        UnixSocketHttp.Response r = new UnixSocketHttp(socket.get(), TIMEOUT).get(pathAndQuery, headers, maxBody);
        status = r.status();
        body = r.body();
      } else {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(address + pathAndQuery)).timeout(TIMEOUT).GET();
        headers.forEach(b::header);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        status = r.statusCode();
        body = r.body();
        if (body.length > maxBody) {
          throw new IOException("answer larger than " + maxBody + " bytes");
        }
      }
    } catch (IOException e) {
      throw new CallException(describe() + " did not answer GET " + path + " (" + e.getClass().getSimpleName()
          + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")", e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallException("interrupted while calling " + describe(), "InterruptedException", e);
    }
    if (status == 404 && notFoundIsEmpty) {
      return Optional.empty();
    }
    if (status / 100 != 2) {
      String text = new String(body, StandardCharsets.UTF_8).strip();
      String hint = status == 401 || status == 403
          ? ": the token (NOMAD_TOKEN_FILE, NOMAD_TOKEN: the task's workload identity) needs read-job and read-fs"
              + " on the job's namespace (docs/security.md)"
          : "";
      throw new CallException("GET " + path + " failed: " + describe() + " answered " + status
          + (text.isEmpty() ? "" : " (" + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + ")") + hint,
          "http_" + status, null);
    }
    return Optional.of(body);
  }

  private JsonNode json(byte[] body) throws CallException {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isArray()) {
        throw new CallException(describe() + " answered something other than a JSON array", "BadAnswer", null);
      }
      return n;
    } catch (IOException e) {
      throw new CallException(describe() + " answered JSON that does not parse (" + e.getClass().getSimpleName()
          + ")", "BadAnswer", e);
    }
  }

  /** Go marshals time.Time as RFC 3339 with nanoseconds and the node's offset. */
  private static Optional<Instant> instant(String text) {
    try {
      return text.isEmpty() ? Optional.empty() : Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
