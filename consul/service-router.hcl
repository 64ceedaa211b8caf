# Static: applied by scripts/up. The router sits in front of the agent-owned splitter: a destination of
# Service = "filewcount" without ServiceSubset hands each request on to the splitter's weights.
Kind = "service-router"
Name = "filewcount"

Routes = [
  {
    # `Match = {` rather than `Match {`: inside a list only attribute syntax is valid HCL2 (Consul reads both).
    Match = {
      HTTP = {
        PathPrefix = "/"
      }
    }
    Destination = {
      Service = "filewcount"
      # Uploads are not idempotent: retry only when the request never reached an instance
      # (connect failure, refused stream), never after a reset or a 5xx.
      NumRetries            = 2
      RetryOnConnectFailure = true
      RetryOn               = ["refused-stream"]
      # A 10 MiB upload over a slow link: allow a minute, and cut a connection idle for 30 s.
      RequestTimeout = "60s"
      IdleTimeout    = "30s"
    }
  },
]
