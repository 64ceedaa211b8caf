# Consul dev agent of the local stack (scripts/up starts `consul agent -dev -config-file consul/agent-dev.hcl`).
# Dev mode keeps everything in memory: a restart forgets every registration and config entry, and the
# agents re-register within seconds (see docs/agent.md); scripts/up re-applies the config entries.
datacenter = "dc1"
node_name  = "filewcount-dev"

# Nomad bridge-mode allocations reach the agent through the host's address, not loopback: listen on all
# interfaces. Fine on a laptop; a real agent binds to its private address and has ACLs and TLS (docs/setup.md).
client_addr = "0.0.0.0"

# The service mesh: Consul's built-in CA issues the sidecars' certificates.
connect {
  enabled = true
}

ports {
  http = 8500
  # Envoy fetches its configuration (ADS) over plaintext gRPC from the local agent.
  grpc = 8502
}

ui_config {
  enabled = true
}

telemetry {
  # The observability stack scrapes Consul's own metrics at /v1/agent/metrics?format=prometheus.
  prometheus_retention_time = "60s"
  disable_hostname          = true
}
