package org.filewcount.agent.uploads;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A loopback stand-in for the three Nomad HTTP endpoints the carry calls, with the shapes of
 * hashicorp/nomad v1.10.5 (cited in {@link NomadAllocFs}): {@code /v1/job/:job/allocations} answers
 * AllocListStub objects (ID, Name, Namespace, JobID, TaskGroup, ClientStatus, DesiredStatus, CreateIndex,
 * ...), {@code /v1/client/fs/ls/:alloc?path=} AllocFileInfo objects of the real folder under the allocation
 * directory (Name, IsDir, Size, FileMode as Go's os.FileMode.String, ModTime RFC 3339 with the node's
 * offset, ContentType), 404 for an unknown allocation or a missing path, {@code /v1/client/fs/cat} the raw
 * bytes. A request without the expected X-Nomad-Token gets 403, as an ACL-enabled Nomad would answer
 * (the Task API answers 401 with no token at all: command/agent/http.go authMiddleware).
 */
public final class NomadFsStandIn implements AutoCloseable {

  /** One allocation: its directory (holding alloc/data/uploads) and status, changed by the test. */
  public static final class Alloc {
    public final String id;
    public final String name;
    public final Path dir;
    public volatile String clientStatus = "running";
    final long createIndex;

    Alloc(String id, String name, Path dir, long createIndex) {
      this.id = id;
      this.name = name;
      this.dir = dir;
      this.createIndex = createIndex;
    }
  }

  public static final String TOKEN = "5e6a1c0e-wi-token-never-logged";
  private static final ObjectMapper JSON = new ObjectMapper();

  final Map<String, Alloc> allocs = new ConcurrentHashMap<>();
  public final List<String> requests = new CopyOnWriteArrayList<>();
  public volatile boolean down;
  private final String job;
  private HttpServer http;
  private ServerSocketChannel unix;
  private Thread unixThread;

  public NomadFsStandIn(String job) {
    this.job = job;
  }

  public Alloc add(String id, String name, Path dir) throws IOException {
    Files.createDirectories(dir.resolve("alloc/data/uploads"));
    Alloc a = new Alloc(id, name, dir, 100 + allocs.size());
    allocs.put(id, a);
    return a;
  }

  /** Serves on 127.0.0.1; returns the NOMAD_ADDR. */
  public String startHttp() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> {
      Answer a = answer(ex.getRequestURI(), ex.getRequestHeaders().getFirst("X-Nomad-Token"));
      ex.getResponseHeaders().add("Content-Type", a.contentType);
      ex.sendResponseHeaders(a.status, a.body.length == 0 ? -1 : a.body.length);
      ex.getResponseBody().write(a.body);
      ex.close();
    });
    http.start();
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /** Serves HTTP/1.0 on a Unix socket, as Nomad's Task API does; returns the NOMAD_ADDR. */
  public String startUnix(Path socket) throws IOException {
    unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    unix.bind(UnixDomainSocketAddress.of(socket));
    unixThread = new Thread(() -> {
      while (unix.isOpen()) {
        try (SocketChannel c = unix.accept()) {
          InputStream in = Channels.newInputStream(c);
          StringBuilder head = new StringBuilder();
          while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
              break;
            }
            head.append((char) b);
          }
          String[] lines = head.toString().split("\r\n");
          String token = null;
          for (String l : lines) {
            if (l.toLowerCase().startsWith("x-nomad-token:")) {
              token = l.substring(l.indexOf(':') + 1).strip();
            }
          }
          Answer a = answer(URI.create(lines[0].split(" ")[1]), token);
          // Go's net/http answers an HTTP/1.0 request without chunking and closes after the body.
          String h = "HTTP/1.0 " + a.status + " X\r\nContent-Type: " + a.contentType + "\r\n\r\n";
          c.write(ByteBuffer.wrap(h.getBytes(StandardCharsets.ISO_8859_1)));
          c.write(ByteBuffer.wrap(a.body));
        } catch (IOException e) {
          // closed by close(), or a client gone
        }
      }
    }, "nomad-unix-stand-in");
    unixThread.setDaemon(true);
    unixThread.start();
    return "unix://" + socket;
  }

  private record Answer(int status, String contentType, byte[] body) {}

  private Answer answer(URI uri, String token) throws IOException {
    requests.add(uri.getPath());
    if (down) {
      return text(500, "rpc error: No cluster leader");
    }
    if (token == null) {
      return text(401, "Unauthorized");
    }
    if (!TOKEN.equals(token)) {
      return text(403, "Permission denied");
    }
    String path = uri.getPath();
    Map<String, String> q = query(uri);
    if (path.equals("/v1/job/" + job + "/allocations")) {
      ArrayNode out = JSON.createArrayNode();
      for (Alloc a : allocs.values()) {
        ObjectNode n = out.addObject();
        n.put("ID", a.id);
        n.put("EvalID", "eval-" + a.id);
        n.put("Name", a.name);
        n.put("Namespace", "default");
        n.put("NodeID", "node-1");
        n.put("JobID", job);
        n.put("TaskGroup", "filewcount");
        n.put("DesiredStatus", a.clientStatus.equals("running") ? "run" : "stop");
        n.put("ClientStatus", a.clientStatus);
        n.put("CreateIndex", a.createIndex);
        n.put("ModifyIndex", a.createIndex + 1);
      }
      return json(out);
    }
    for (String op : List.of("ls", "cat")) {
      String prefix = "/v1/client/fs/" + op + "/";
      if (!path.startsWith(prefix)) {
        continue;
      }
      Alloc a = allocs.get(path.substring(prefix.length()));
      if (a == null) {
        return text(404, "Unknown allocation \"" + path.substring(prefix.length()) + "\"");
      }
      Path p = a.dir.resolve(q.getOrDefault("path", "/").replaceFirst("^/", "")).normalize();
      if (!p.startsWith(a.dir) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return text(404, "no such file or directory");
      }
      return op.equals("ls") ? json(listing(p)) : new Answer(200, "text/plain", Files.readAllBytes(p));
    }
    return text(404, "Invalid URL");
  }

  private static ArrayNode listing(Path dir) throws IOException {
    ArrayNode out = JSON.createArrayNode();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        ObjectNode n = out.addObject();
        boolean link = Files.isSymbolicLink(f);
        boolean isDir = !link && Files.isDirectory(f);
        n.put("Name", f.getFileName().toString());
        n.put("IsDir", isDir);
        n.put("Size", link ? 0 : Files.size(f));
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS));
        n.put("FileMode", (link ? "L" : isDir ? "d" : "-") + perms);
        n.put("ModTime", Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant()
            .atOffset(ZoneOffset.ofHours(1)).toString());
        n.put("ContentType", isDir ? "" : "text/plain; charset=utf-8");
      }
    }
    return out;
  }

  private static Answer json(Object o) throws IOException {
    return new Answer(200, "application/json", JSON.writeValueAsBytes(o));
  }

  private static Answer text(int status, String body) {
    return new Answer(status, "text/plain", body.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> q = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String kv : uri.getRawQuery().split("&")) {
        int eq = kv.indexOf('=');
        q.put(URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  @Override
  public void close() throws IOException {
    if (http != null) {
      http.stop(0);
    }
    if (unix != null) {
      unix.close();
    }
  }
}
