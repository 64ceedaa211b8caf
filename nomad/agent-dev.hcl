# Nomad dev agent of the local stack: scripts/up runs
#   nomad agent -dev -config nomad/agent-dev.hcl -config .local/nomad-cni.hcl -network-interface <iface>
# (.local/nomad-cni.hcl holds the absolute cni_path, alloc_dir and the read-only host volume "nomad-alloc"
# over it, which depend on where the repo is checked out; the collector reads the app's logs there).
# Bridge networking (our bridge-mode groups and Connect gateways) needs the CNI plugins: their folder
# (client.cni_path) is in .local/nomad-cni.hcl.

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
