package org.filewcount.agent.admin;

import java.io.IOException;
import java.io.OutputStream;

/** What the admin endpoint serves at /metrics (telemetry's Prometheus reader). */
public interface MetricsSource {

  String contentType();

  void writeTo(OutputStream out) throws IOException;
}
