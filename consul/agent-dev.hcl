# Consul dev agent of the local stack (scripts/up starts `consul agent -dev -config-file consul/agent-dev.hcl`).
# Dev mode keeps everything in memory: a restart forgets every registration and config entry, and the
# agents re-register within seconds (see docs/agent.md); scripts/up re-applies the config entries.
datacenter = "dc1"
node_name  = "filewcount-dev"

# HTTP, gRPC and DNS on loopback (the CLI, scripts, Nomad, Prometheus) and on Nomad's bridge gateway, the
# address through which bridge-mode allocations reach the host (our agents and their Envoys: see the
# consul_host variable of nomad/filewcount.nomad.hcl). Nothing else on the network reaches them; there are
# no ACLs in dev mode. A space-separated go-sockaddr template (hashicorp/consul v1.22.7
# agent/config/builder.go expandAddrs); scripts/up creates the bridge before Consul starts. A real agent binds
# to its private address and has ACLs and TLS (docs/setup.md).
client_addr = "127.0.0.1 {{ GetInterfaceIP \"nomad\" }}"

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
  # Prometheus scrapes Consul's own metrics at /v1/agent/metrics?format=prometheus (job "consul" in
  # observability/prometheus/prometheus.yml); the endpoint serves them only while the retention is above zero.
  prometheus_retention_time = "60s"
  disable_hostname          = true
}
