package org.filewcount.agent.mesh;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The bootstrap as Envoy reads it: protobuf's canonical JSON (snake_case field names, as Envoy's docs),
 * with every {@code Any} the builder packs resolvable through {@link #TYPES}.
 */
final class BootstrapJson {

  /** Every message type packed into an {@code Any} inside the bootstrap. */
  static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpProtocolOptions.getDescriptor())
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(UpstreamTlsContext.getDescriptor())
      .add(OpenTelemetryConfig.getDescriptor())
      .build();

  private BootstrapJson() {}

  public static String print(Bootstrap bootstrap) {
    try {
      return JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames().print(bootstrap) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("bootstrap holds a type missing from BootstrapJson.TYPES: " + e.getMessage(), e);
    }
  }

  /** Parses a bootstrap back, rejecting unknown fields, bad enum values and wrong types. */
  static Bootstrap parse(String json) throws InvalidProtocolBufferException {
    Bootstrap.Builder b = Bootstrap.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(json, b);
    return b.build();
  }

  /**
   * Writes the file readable by its owner only (it may hold the ACL token), through a temporary file and a
   * rename, so Envoy never reads half a bootstrap.
   */
  public static void write(Path target, String json) {
    try {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".bootstrap", ".json.tmp");
      try {
        setOwnerOnly(tmp);
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        try {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Envoy bootstrap to " + target + ": " + e.getMessage(), e);
    }
  }

  private static void setOwnerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: nothing stricter to ask for.
    }
  }
}
