# Mesh-wide Envoy settings (static: applied by scripts/up, never written by the agent).
Kind = "proxy-defaults"
Name = "global"

Config {
  # L7 everywhere: routers, splitters, retries and per-request metrics need HTTP, not TCP.
  protocol = "http"

  # Prometheus stats listener of every sidecar. The agent's `envoy-bootstrap` writes the same listener
  # (envoy/bootstrap.properties: prometheus.bind), since Consul only reads this key when its own
  # `consul connect envoy` generates a bootstrap; both say 0.0.0.0:9102 so either bootstrap path agrees.
  envoy_prometheus_bind_addr = "0.0.0.0:9102"

  # Tracing on every HTTP listener Consul generates: OpenTelemetry over gRPC to the cluster
  # "otel_collector", which the bootstrap defines (envoy/bootstrap.properties: tracing.*).
  # 100% sampling suits a local stack; lower random_sampling in production.
  envoy_listener_tracing_json = <<-JSON
  {
    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.Tracing",
    "provider": {
      "name": "envoy.tracers.opentelemetry",
      "typed_config": {
        "@type": "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig",
        "grpc_service": {
          "envoy_grpc": { "cluster_name": "otel_collector" },
          "timeout": "1s"
        },
        "service_name": "envoy"
      }
    },
    "random_sampling": { "value": 100 },
    "spawn_upstream_span": true
  }
  JSON
}

# One JSON access log line per request on Envoy's stdout (`nomad alloc logs <alloc> envoy`).
AccessLogs {
  Enabled = true
}
