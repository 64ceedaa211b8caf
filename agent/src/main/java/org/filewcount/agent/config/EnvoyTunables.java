package org.filewcount.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * What an operator may tune in the sidecar bootstrap (envoy/bootstrap.properties; the image carries it at
 * {@link #IMAGE_PATH}). Missing keys take the defaults below, which are the values that file ships with.
 */
public record EnvoyTunables(
    HostPort admin,
    HostPort prometheusBind,
    String tracingCluster,
    HostPort tracingCollector,
    Duration tracingConnectTimeout,
    boolean useAllDefaultTags,
    Duration statsFlushInterval,
    String xdsCluster,
    Duration xdsConnectTimeout) {

  public static final Path IMAGE_PATH = Path.of("/etc/filewcount/envoy/bootstrap.properties");

  public static EnvoyTunables defaults() {
    return from(new Properties(), "built-in defaults");
  }

  public static EnvoyTunables load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("--tunables " + file + " cannot be read (" + e.getClass().getSimpleName()
          + "): fix the path, or leave the flag out to use " + IMAGE_PATH + " or the built-in defaults");
    }
    return from(p, file.toString());
  }

  static EnvoyTunables from(Properties p, String source) {
    Values reader = new Values(p, source);
    return new EnvoyTunables(
        new HostPort(reader.text("admin.address", "127.0.0.1"), reader.port("admin.port", 19000)),
        reader.hostPort("prometheus.bind", "0.0.0.0:9102"),
        reader.text("tracing.cluster", "otel_collector"),
        reader.hostPort("tracing.collector", "127.0.0.1:4317"),
        reader.duration("tracing.connect-timeout", "1s"),
        reader.bool("stats.use-all-default-tags", true),
        reader.duration("stats.flush-interval", "5s"),
        reader.text("xds.cluster", "local_agent"),
        reader.duration("xds.connect-timeout", "1s"));
  }

  /** Copy with another collector address ({@code --otel-collector}). */
  public EnvoyTunables withTracingCollector(HostPort collector) {
    return new EnvoyTunables(admin, prometheusBind, tracingCluster, collector, tracingConnectTimeout,
        useAllDefaultTags, statsFlushInterval, xdsCluster, xdsConnectTimeout);
  }

  private record Values(Properties p, String source) {

    String text(String key, String fallback) {
      String v = p.getProperty(key, fallback).strip();
      if (v.isEmpty()) {
        throw invalid(key, v, "a non-empty value");
      }
      return v;
    }

    int port(String key, int fallback) {
      String v = text(key, Integer.toString(fallback));
      try {
        int port = Integer.parseInt(v);
        if (port > 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw invalid(key, v, "a port 1-65535");
    }

    HostPort hostPort(String key, String fallback) {
      String v = text(key, fallback);
      try {
        return HostPort.parse(v);
      } catch (IllegalArgumentException e) {
        throw invalid(key, v, "host:port");
      }
    }

    Duration duration(String key, String fallback) {
      String v = text(key, fallback);
      try {
        return Durations.parse(v);
      } catch (IllegalArgumentException e) {
        throw invalid(key, v, "a duration such as 1s or 500ms");
      }
    }

    boolean bool(String key, boolean fallback) {
      String v = text(key, Boolean.toString(fallback));
      if (v.equals("true") || v.equals("false")) {
        return Boolean.parseBoolean(v);
      }
      throw invalid(key, v, "true or false");
    }

    private ConfigException invalid(String key, String value, String expected) {
      return new ConfigException(source + ": " + key + "='" + value + "' is not " + expected);
    }
  }
}
