package org.filewcount.agent.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/** An OTLP/HTTP (protobuf) receiver on loopback that keeps what it was sent, as a collector would. */
public final class OtlpReceiver implements AutoCloseable {

  public final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
  public final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
  public final List<ExportLogsServiceRequest> logs = new CopyOnWriteArrayList<>();
  final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/traces", exchange -> {
      traces.add(ExportTraceServiceRequest.parseFrom(body(exchange)));
      answer(exchange, ExportTraceServiceResponse.getDefaultInstance().toByteArray());
    });
    server.createContext("/v1/metrics", exchange -> {
      metrics.add(ExportMetricsServiceRequest.parseFrom(body(exchange)));
      answer(exchange, ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
    });
    server.createContext("/v1/logs", exchange -> {
      logs.add(ExportLogsServiceRequest.parseFrom(body(exchange)));
      answer(exchange, ExportLogsServiceResponse.getDefaultInstance().toByteArray());
    });
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private byte[] body(HttpExchange exchange) throws IOException {
    contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
    InputStream in = exchange.getRequestBody();
    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    return in.readAllBytes();
  }

  private static void answer(HttpExchange exchange, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Every span received, from every request. */
  public List<io.opentelemetry.proto.trace.v1.Span> spans() {
    return traces.stream()
        .flatMap(r -> r.getResourceSpansList().stream())
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream())
        .toList();
  }

  /** Every log record received, each with the resource it came with. */
  public List<ReceivedLog> logRecords() {
    return logs.stream()
        .flatMap(r -> r.getResourceLogsList().stream())
        .flatMap(rl -> rl.getScopeLogsList().stream().flatMap(sl -> sl.getLogRecordsList().stream()
            .map(lr -> new ReceivedLog(rl.getResource(), sl.getScope().getName(), lr))))
        .toList();
  }

  /** One log record as a collector would see it: its resource, its scope (the logger name) and itself. */
  public record ReceivedLog(io.opentelemetry.proto.resource.v1.Resource resource, String scope,
      io.opentelemetry.proto.logs.v1.LogRecord record) {
    public String body() {
      return record.getBody().getStringValue();
    }

    public String traceId() {
      return java.util.HexFormat.of().formatHex(record.getTraceId().toByteArray());
    }

    public String spanId() {
      return java.util.HexFormat.of().formatHex(record.getSpanId().toByteArray());
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
