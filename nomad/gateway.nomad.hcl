# The edge: a Consul ingress gateway (Envoy) on localhost:8080 routing to filewcount through its
# service-router, splitter and resolver. Why an ingress gateway and not an API gateway: ADR 0005.
#
#   nomad job run -var envoy_image=... nomad/gateway.nomad.hcl   (scripts/up passes versions.env)

variable "envoy_image" {
  type        = string
  description = "Envoy 1.34.x image (ENVOY_IMAGE in versions.env)."
}

variable "otlp_grpc_port" {
  type    = number
  default = 4317
}

job "filewcount-gateway" {
  datacenters = ["*"]
  type        = "service"

  group "gateway" {
    count = 1

    network {
      mode = "bridge"
      # A static port: the address reviewers open is http://localhost:8080.
      port "inbound" {
        static = 8080
        to     = 8080
      }
      # Envoy's Prometheus listener (envoy_prometheus_bind_addr in consul/proxy-defaults.hcl).
      port "envoy_metrics" {
        to = 9102
      }
    }

    restart {
      attempts = 5
      interval = "5m"
      delay    = "5s"
      mode     = "delay"
    }

    service {
      name = "filewcount-gateway"
      port = "8080"

      # Prometheus finds every Envoy through this meta (observability/prometheus/prometheus.yml).
      meta {
        envoy_metrics_port = "${NOMAD_HOST_PORT_envoy_metrics}"
      }

      connect {
        gateway {
          proxy {
            config {
              # The tracing provider in consul/proxy-defaults.hcl points at this cluster; Consul's
              # `consul connect envoy`, which Nomad runs for gateways, adds it to the bootstrap.
              envoy_extra_static_clusters_json = <<-JSON
              {
                "name": "otel_collector",
                "type": "STRICT_DNS",
                "connect_timeout": "1s",
                "typed_extension_protocol_options": {
                  "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                    "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                    "explicit_http_config": { "http2_protocol_options": {} }
                  }
                },
                "load_assignment": {
                  "cluster_name": "otel_collector",
                  "endpoints": [{ "lb_endpoints": [{ "endpoint": { "address": { "socket_address": {
                    "address": "${attr.unique.network.ip-address}", "port_value": ${var.otlp_grpc_port}
                  } } } }] }]
                }
              }
              JSON
            }
          }

          # Nomad writes this listener into the ingress-gateway config entry when the job is registered;
          # consul/ingress-gateway.hcl is the same listener plus circuit breakers and passive health
          # checks, written by scripts/up right after (ConsulConfigEntriesTest keeps the two in step).
          ingress {
            listener {
              port     = 8080
              protocol = "http"
              service {
                name  = "filewcount"
                hosts = ["*"]
              }
            }
          }
        }

        # Same Envoy as the sidecars (versions.env), not Nomad's default image choice.
        sidecar_task {
          config {
            image = var.envoy_image
          }
          resources {
            cpu    = 200
            memory = 128
          }
        }
      }
    }
  }
}
