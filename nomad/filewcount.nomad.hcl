# filewcount as a service: per allocation, the app, our agent (registrator + in-path proxy) and an Envoy
# sidecar of Consul's service mesh share one network namespace (bridge mode). ADR 0006 says who does what.
#
# Run through scripts/up, or by hand with the -var flags nomad/README.md lists (values from versions.env).
# The pinned images have no default on purpose: versions.env is their only source.

variable "filewcount_image" {
  type        = string
  description = "App image repository (FILEWCOUNT_IMAGE in versions.env)."
}

variable "filewcount_version" {
  type        = string
  description = "App image tag, also the version the agent registers (FILEWCOUNT_VERSION in versions.env)."
}

variable "agent_image" {
  type        = string
  description = "Agent image (AGENT_IMAGE in versions.env; scripts/up builds it locally)."
}

variable "envoy_image" {
  type        = string
  description = "Envoy 1.34.x image (ENVOY_IMAGE in versions.env)."
}

variable "count" {
  type        = number
  default     = 3
  description = "Instances. Three, so one canary is a third of the capacity, never all of it."
}

variable "canaries" {
  type    = number
  default = 1
}

variable "drain" {
  type        = string
  default     = "5s"
  description = "Agent --drain: how long it keeps serving after going to maintenance. kill_timeout must exceed it."
}

variable "consul_host" {
  type        = string
  default     = "172.26.64.1"
  description = "Consul as a bridge-mode allocation reaches it: the gateway of Nomad's bridge (nomad/agent-dev.hcl), where consul/agent-dev.hcl listens besides loopback."
}

variable "consul_http_port" {
  type    = number
  default = 8500
}

variable "consul_grpc_port" {
  type    = number
  default = 8502
}

variable "otlp_grpc_port" {
  type    = number
  default = 4317
}

variable "otlp_http_port" {
  type    = number
  default = 4318
}

# Sizes: the app (nginx + uwsgi + Flask) idles near 60 MiB; the agent's budget is issue 7's target
# (<= 160 MiB RSS under load with the launcher's flags); Envoy idles near 30 MiB. CPU in MHz shares.
variable "resources" {
  type = object({
    app_cpu      = number
    app_memory   = number
    agent_cpu    = number
    agent_memory = number
    envoy_cpu    = number
    envoy_memory = number
  })
  default = {
    app_cpu      = 300
    app_memory   = 192
    agent_cpu    = 300
    agent_memory = 192
    envoy_cpu    = 200
    envoy_memory = 128
  }
}

job "filewcount" {
  datacenters = ["*"]
  type        = "service"

  update {
    max_parallel = 1
    # New versions start as canaries beside the old ones; the agent's `rollout` shifts Consul traffic to
    # them step by step and promotes the deployment only once they were judged on real traffic.
    canary = var.canaries
    # Promotion is the rollout's decision (issue 4), never a timer's.
    auto_promote = false
    # A failed deployment (rollout marks it failed, or canaries never get healthy) returns the job to the
    # last stable version.
    auto_revert = true
    # Health = the checks below (the agent's /health/ready, which passes only after a real upload probe).
    health_check = "checks"
    # Two agent check intervals (10 s) in a row: one lucky probe does not make an instance healthy.
    min_healthy_time = "20s"
    # Image pull + JVM start + first functional probe + Envoy getting its config from Consul: 3 minutes
    # is generous locally and still fails a broken version quickly.
    healthy_deadline = "3m"
    # Must exceed healthy_deadline; leaves room for one reschedule of a canary before the deployment fails.
    progress_deadline = "10m"
  }

  group "filewcount" {
    count = var.count

    # Instances of one version on different nodes, so losing a node never takes a version away.
    spread {
      attribute = "${node.unique.id}"
      weight    = 100
    }

    # Uploads live in the alloc's data dir (mounted into the app below). Sticky + migrate: a new version on
    # the same node takes over the previous allocation's data dir, and a move to another node copies it
    # while the old node is still up. Lost when a node dies: everything that instance stored (docs/setup.md).
    ephemeral_disk {
      sticky  = true
      migrate = true
      size    = 1024
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    reschedule {
      delay          = "15s"
      delay_function = "exponential"
      max_delay      = "5m"
      unlimited      = true
    }

    meta {
      # The agent reads NOMAD_META_version for the version it registers (meta key and tag v<version>).
      version = var.filewcount_version
    }

    network {
      mode = "bridge"
      # Envoy's public mTLS listener: Envoy binds NOMAD_ALLOC_PORT_mesh inside, others reach
      # NOMAD_HOST_PORT_mesh; the agent registers the sidecar proxy with both.
      port "mesh" {}
      # Envoy's Prometheus listener (envoy/bootstrap.properties: prometheus.bind).
      port "envoy_metrics" {
        to = 9102
      }
      # The agent's admin endpoint: Consul's HTTP check and Nomad's deployment health reach /health/ready
      # through this mapping, Prometheus scrapes /metrics.
      port "admin" {
        to = 9464
      }
    }

    # Deployment health comes from the agent's readiness, registered in Nomad's own service catalog so
    # the filewcount service in Consul stays the agent's alone (one registrator, ADR 0006).
    service {
      provider = "nomad"
      name     = "filewcount-agent"
      port     = "admin"
      # v1.0 for 1.0, and v1 (not vv1) for v1: the agent's rule (InstanceIdentity.versionTag).
      tags     = ["v${trimprefix(var.filewcount_version, "v")}"]

      check {
        name     = "agent ready (functional upload probe passed)"
        type     = "http"
        path     = "/health/ready"
        interval = "10s"
        timeout  = "2s"
      }
    }

    # 0. The app's upload folder, before the app starts: left to Docker, the bind source would be created as
    #    root 0755 and an app writing as another user would fail every upload. Created by the agent image's
    #    user (10001), mode 3777: any user may create files (the app image's user is not known), the sticky
    #    bit lets only a file's owner or the folder's owner (the agent) remove one, setgid gives new files the
    #    agent's group so it can read them. ADR 0017.
    task "uploads-dir" {
      driver = "docker"

      lifecycle {
        hook    = "prestart"
        sidecar = false
      }

      config {
        image      = var.agent_image
        entrypoint = ["/bin/sh", "-c"]
        # $NOMAD_ALLOC_DIR is expanded by the shell (Nomad sets it in the task's environment).
        args = [<<-SH
          d="$NOMAD_ALLOC_DIR/data/uploads"
          mkdir -p "$d" && chmod 3777 "$d" || {
            echo "cannot prepare $d (owner: $(stat -c %U "$d" 2>/dev/null)): a folder created before this task existed is root's; chown it to 10001 once" >&2
            exit 1
          }
          SH
        ]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }

    # 1. Writes Envoy's bootstrap into the alloc dir before anything else starts.
    task "envoy-bootstrap" {
      driver = "docker"

      lifecycle {
        hook    = "prestart"
        sidecar = false
      }

      config {
        image = var.agent_image
        args = [
          "envoy-bootstrap",
          "--service", "filewcount",
          "--consul-grpc", "${var.consul_host}:${var.consul_grpc_port}",
          "--otel-collector", "${attr.unique.network.ip-address}:${var.otlp_grpc_port}",
          "--output", "${NOMAD_ALLOC_DIR}/tmp/envoy-bootstrap.json",
        ]
      }

      resources {
        cpu    = 200
        memory = 128
      }
    }

    # 2. The app. nginx stops gracefully on SIGQUIT (the image's stop signal).
    task "app" {
      driver = "docker"

      config {
        image = "${var.filewcount_image}:${var.filewcount_version}"
        # Uploads go to the sticky alloc data dir (see ephemeral_disk).
        volumes = ["../alloc/data/uploads:/opt/upload/uploads"]
      }

      kill_signal  = "SIGQUIT"
      kill_timeout = "20s"
      # Keep serving while the agent drains: the agent gets SIGTERM at once and stops taking new requests
      # only after --drain; the app must outlive that, so its stop signal comes later.
      shutdown_delay = "8s"

      resources {
        cpu    = var.resources.app_cpu
        memory = var.resources.app_memory
      }
    }

    # 3. The agent: registers the service and its sidecar proxy once the app passes a real upload probe,
    #    proxies Envoy -> app on 127.0.0.1:8081, exports telemetry, deregisters on SIGTERM after the drain.
    task "agent" {
      driver = "docker"

      config {
        image = var.agent_image
        args = [
          "run",
          "--mesh",
          "--service", "filewcount",
          "--app-url", "http://127.0.0.1:80",
          "--listen", "127.0.0.1:8081",
          # 0.0.0.0 inside the namespace only: reachable from outside through the "admin" port mapping.
          "--admin", "0.0.0.0:9464",
          "--advertise-address", "${attr.unique.network.ip-address}",
          "--consul", "http://${var.consul_host}:${var.consul_http_port}",
          "--drain", var.drain,
        ]
      }

      env {
        OTEL_EXPORTER_OTLP_ENDPOINT = "http://${attr.unique.network.ip-address}:${var.otlp_http_port}"
        OTEL_SERVICE_NAME           = "filewcount"
        # Nomad has no variable for the node's name; the agent puts it in the Consul meta "node".
        NODE_NAME = "${node.unique.name}"
        # The uploads carry (ADR 0017): a canary starts with an empty folder, so the agent copies what the
        # allocation of its name holds, through Nomad's Task API socket (Nomad binds loopback only, outside
        # this network namespace) with the task's workload identity below (docs/security.md: its scope).
        NOMAD_ADDR       = "unix://${NOMAD_SECRETS_DIR}/api.sock"
        NOMAD_TOKEN_FILE = "${NOMAD_SECRETS_DIR}/nomad_token"
      }

      # The default workload identity as a file in the task's secrets dir, not as NOMAD_TOKEN in the
      # environment (docker inspect shows the environment). hashicorp/nomad v1.10.5
      # client/allocrunner/taskrunner/identity_hook.go: written as secrets/nomad_token.
      identity {
        file = true
      }

      # SIGTERM: maintenance, drain, deregister, finish in-flight requests. kill_timeout must exceed the drain
      # (5 s) plus the bounded wait for in-flight requests, or Nomad SIGKILLs a clean shutdown.
      kill_signal  = "SIGTERM"
      kill_timeout = "20s"

      # memory_max needs memory oversubscription in Nomad's scheduler configuration, or it is ignored:
      # scripts/up turns it on (lib.sh enable_memory_oversubscription).
      resources {
        cpu        = var.resources.agent_cpu
        memory     = var.resources.agent_memory
        memory_max = 256
      }
    }

    # 4. Envoy, configured by Consul over ADS once the agent has registered the sidecar proxy.
    task "envoy" {
      driver = "docker"

      config {
        image = var.envoy_image
        args = [
          "-c", "${NOMAD_ALLOC_DIR}/tmp/envoy-bootstrap.json",
          "--disable-hot-restart",
          "--log-level", "info",
        ]
      }

      env {
        # The image's entrypoint runs Envoy as this uid: the agent image's user, which owns the bootstrap
        # (written 0600 because it may hold the ACL token).
        ENVOY_UID = "10001"
      }

      kill_timeout = "20s"
      # Envoy exits at once on SIGTERM; keep it routing while the agent drains (same reason as the app).
      shutdown_delay = "8s"

      resources {
        cpu    = var.resources.envoy_cpu
        memory = var.resources.envoy_memory
      }
    }
  }
}
