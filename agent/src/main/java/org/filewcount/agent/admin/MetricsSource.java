package org.filewcount.agent.admin;

import java.io.IOException;
import java.io.OutputStream;

/** What the admin endpoint serves at /metrics (telemetry's Prometheus reader). */
public interface MetricsSource {

  String contentType();

  void writeTo(OutputStream out) throws IOException;

  /**
   * The content type for a scrape that sent this Accept header (may be null). Prometheus asks for
   * OpenMetrics, the only text format that carries exemplars; curl gets the classic text format.
   */
  default String contentType(String acceptHeader) {
    return contentType();
  }

  /** Writes the format {@link #contentType(String)} named for the same Accept header. */
  default void writeTo(OutputStream out, String acceptHeader) throws IOException {
    writeTo(out);
  }
}
