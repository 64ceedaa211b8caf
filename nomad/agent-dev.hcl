# Nomad dev agent of the local stack: scripts/up runs
#   nomad agent -dev -config nomad/agent-dev.hcl -config .local/nomad-cni.hcl -network-interface <iface>
# (.local/nomad-cni.hcl holds the absolute cni_path, alloc_dir and the read-only host volume "nomad-alloc"
# over it, which depend on where the repo is checked out; the collector reads the app's logs there).
# Bridge networking (our bridge-mode groups and Connect gateways) needs the CNI plugins: their folder
# (client.cni_path) is in .local/nomad-cni.hcl.

# Loopback only: the CLI, scripts and Prometheus are on this host, and this one agent is server and client, so
# nothing else needs its HTTP, RPC or Serf ports. (-dev alone binds 127.0.0.1 too; `-dev-connect` and
# `-bind 0.0.0.0` would open them, with raw_exec running commands as root, to the whole network.)
bind_addr = "127.0.0.1"

client {
  # Nomad's defaults, stated because the stack depends on them: scripts/up creates this bridge with its
  # gateway address 172.26.64.1 before Consul starts, and Consul listens there for the allocations
  # (consul/agent-dev.hcl). The CNI bridge plugin reuses a bridge that already has its gateway address.
  bridge_network_name   = "nomad"
  bridge_network_subnet = "172.26.64.0/20"
}

# Dev mode turns raw_exec on (client option driver.raw_exec.enable, hashicorp/nomad v1.10.5
# command/agent/config.go DevConfig). Nothing here uses it, and it runs any job's command as root on the
# host: a plugin block's config replaces that option for the internal plugin
# (helper/pluginutils/loader/init.go initInternal at the same tag).
plugin "raw_exec" {
  config {
    enabled = false
  }
}

consul {
  address      = "127.0.0.1:8500"
  # Gateways get their Envoy configuration over gRPC from the local Consul agent.
  grpc_address = "127.0.0.1:8502"
}

plugin "docker" {
  config {
    # The agent image is built locally and never pushed: use it as it is.
    allow_privileged = false
    volumes {
      enabled = false
    }
  }
}
