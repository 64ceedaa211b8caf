package org.filewcount.agent.telemetry;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/** W3C trace context and baggage in and out of Netty's (case-insensitive) headers. */
final class NettyHeaders {

  static final TextMapGetter<HttpHeaders> GETTER = new TextMapGetter<>() {
    @Override
    @SuppressWarnings("deprecation") // still abstract in TextMapGetter; getAll is the optional addition
    public Iterable<String> keys(HttpHeaders carrier) {
      return carrier.names();
    }

    @Override
    public String get(HttpHeaders carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  // set, not add: a client's own traceparent must not travel upstream beside ours.
  static final TextMapSetter<HttpHeaders> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.set(key, value);
    }
  };

  private NettyHeaders() {}
}
