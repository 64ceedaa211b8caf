# filewcount speaks HTTP/1.1 (nginx in the app image). Static: applied by scripts/up; the agent's
# traffic code writes the same Protocol and keeps what it does not own (issue 4).
Kind     = "service-defaults"
Name     = "filewcount"
Protocol = "http"

# Outlier detection for any mesh service calling filewcount (today: none besides the gateway, whose
# passive health check lives in ingress-gateway.hcl because gateways do not read UpstreamConfig).
UpstreamConfig {
  Defaults {
    ConnectTimeoutMs = 2000
    PassiveHealthCheck {
      # Eject an instance after 3 consecutive 5xx (refused or reset connections count as 5xx).
      Interval                = "10s"
      MaxFailures             = 3
      EnforcingConsecutive5xx = 100
      # Never eject more than half the instances: better slow than empty.
      MaxEjectionPercent = 50
      BaseEjectionTime   = "30s"
    }
  }
}
