# The edge: an ingress gateway on :8080 routing every host to filewcount (ADR 0005).
# nomad/gateway.nomad.hcl declares the same listener (Nomad writes this entry when the job is
# registered); scripts/up writes this full entry right after, adding the Defaults Nomad cannot express.
# ConsulConfigEntriesTest checks that both agree on port, protocol, service and hosts.
Kind = "ingress-gateway"
Name = "filewcount-gateway"

Defaults {
  # Circuit breaking towards each filewcount instance.
  MaxConnections        = 1024
  MaxPendingRequests    = 1024
  MaxConcurrentRequests = 1024
  # Outlier detection: eject an instance after 3 consecutive 5xx for 30 s, at most half of them.
  PassiveHealthCheck {
    Interval                = "10s"
    MaxFailures             = 3
    EnforcingConsecutive5xx = 100
    MaxEjectionPercent      = 50
    BaseEjectionTime        = "30s"
  }
}

Listeners = [
  {
    Port     = 8080
    Protocol = "http"
    Services = [
      {
        Name  = "filewcount"
        # "*" (any Host header) is allowed because filewcount is the only service on this listener.
        Hosts = ["*"]
      },
    ]
  },
]
