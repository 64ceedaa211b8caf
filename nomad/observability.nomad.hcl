# The local observability stack: OpenTelemetry Collector, Tempo, Prometheus and Grafana,
# Loki (logs) and Alertmanager (alerts to people).
#
# Run from the repository root, with the images from versions.env:
#   set -a; . ./versions.env; set +a
#   nomad job run \
#     -var "prometheus_image=$PROMETHEUS_IMAGE" -var "grafana_image=$GRAFANA_IMAGE" \
#     -var "tempo_image=$TEMPO_IMAGE" -var "otel_collector_image=$OTEL_COLLECTOR_IMAGE" \
#     -var "loki_image=$LOKI_IMAGE" -var "alertmanager_image=$ALERTMANAGER_IMAGE" \
#     -var "repo_root=$PWD" nomad/observability.nomad.hcl
#
# The configuration files are the ones in observability/ (the same files docker compose mounts):
# the Nomad CLI reads them with file()/fileset() when it parses this job and ships them as templates.
# Their own {{ }} (alert annotations, Grafana legends) must reach the tasks untouched, so the
# templates use delimiters that appear in none of them.
#
# Host networking: every component talks to the others and to Consul on loopback, and agents in
# their bridge namespaces reach the collector on the host's address (ports 4317/4318). Grafana,
# Prometheus and Tempo listen on 127.0.0.1 only.

variable "prometheus_image" {
  type        = string
  description = "PROMETHEUS_IMAGE from versions.env"
}

variable "grafana_image" {
  type        = string
  description = "GRAFANA_IMAGE from versions.env"
}

variable "tempo_image" {
  type        = string
  description = "TEMPO_IMAGE from versions.env"
}

variable "otel_collector_image" {
  type        = string
  description = "OTEL_COLLECTOR_IMAGE from versions.env"
}

variable "loki_image" {
  type        = string
  description = "LOKI_IMAGE from versions.env"
}

variable "alertmanager_image" {
  type        = string
  description = "ALERTMANAGER_IMAGE from versions.env"
}

variable "repo_root" {
  type        = string
  default     = "."
  description = "Repository root, where observability/ lives (the CLI reads the files)"
}

variable "datacenters" {
  type    = list(string)
  default = ["dc1"]
}

locals {
  obs         = "${var.repo_root}/observability"
  left_delim  = "[[obs-no-template:"
  right_delim = ":obs-no-template]]"
}

job "observability" {
  datacenters = var.datacenters
  type        = "service"

  group "observability" {
    count = 1

    network {
      mode = "host"
      port "grafana" { static = 3000 }
      port "prometheus" { static = 9090 }
      port "tempo" { static = 3200 }
      port "otlp_grpc" { static = 4317 }
      port "otlp_http" { static = 4318 }
      port "collector_health" { static = 13133 }
      port "loki" { static = 3100 }
      port "alertmanager" { static = 9093 }
    }

    # The Nomad client's allocation directories, read-only (scripts/up declares the host volume on
    # the dev agent): the collector reads the app task's stdout/stderr from them.
    volume "nomad-alloc" {
      type      = "host"
      source    = "nomad-alloc"
      read_only = true
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    # Registered in Consul so `consul catalog services` shows the stack and agents can find the
    # collector. The checks go to loopback, where these components listen.
    service {
      name     = "otel-collector"
      port     = "otlp_http"
      provider = "consul"
      tags     = ["otlp"]
      check {
        type     = "http"
        port     = "collector_health"
        path     = "/"
        interval = "10s"
        timeout  = "2s"
      }
    }

    service {
      name     = "prometheus"
      port     = "prometheus"
      address  = "127.0.0.1"
      provider = "consul"
      check {
        type     = "http"
        path     = "/-/ready"
        interval = "10s"
        timeout  = "2s"
      }
    }

    service {
      name     = "tempo"
      port     = "tempo"
      address  = "127.0.0.1"
      provider = "consul"
      check {
        type     = "http"
        path     = "/ready"
        interval = "10s"
        timeout  = "2s"
      }
    }

    service {
      name     = "loki"
      port     = "loki"
      address  = "127.0.0.1"
      provider = "consul"
      check {
        type     = "http"
        path     = "/ready"
        interval = "10s"
        timeout  = "2s"
      }
    }

    service {
      name     = "alertmanager"
      port     = "alertmanager"
      address  = "127.0.0.1"
      provider = "consul"
      check {
        type     = "http"
        path     = "/-/ready"
        interval = "10s"
        timeout  = "2s"
      }
    }

    service {
      name     = "grafana"
      port     = "grafana"
      address  = "127.0.0.1"
      provider = "consul"
      check {
        type     = "http"
        path     = "/api/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "otel-collector" {
      driver = "docker"

      config {
        image        = var.otel_collector_image
        network_mode = "host"
        args         = ["--config=/local/otel-collector/config.yaml"]
      }

      volume_mount {
        volume      = "nomad-alloc"
        destination = "/nomad/alloc"
        read_only   = true
      }

      template {
        data            = file("${local.obs}/otel-collector/config.yaml")
        destination     = "local/otel-collector/config.yaml"
        left_delimiter  = local.left_delim
        right_delimiter = local.right_delim
      }

      resources {
        cpu    = 200
        memory = 256
      }
    }

    task "tempo" {
      driver = "docker"

      config {
        image        = var.tempo_image
        network_mode = "host"
        args         = ["-config.file=/local/tempo/tempo.yaml"]
      }

      template {
        data            = file("${local.obs}/tempo/tempo.yaml")
        destination     = "local/tempo/tempo.yaml"
        left_delimiter  = local.left_delim
        right_delimiter = local.right_delim
      }

      resources {
        cpu    = 200
        memory = 384
      }
    }

    task "prometheus" {
      driver = "docker"

      config {
        image        = var.prometheus_image
        network_mode = "host"
        # rule_files in prometheus.yml are relative to it: /local/prometheus/rules/*.rules.yml.
        args = [
          "--config.file=/local/prometheus/prometheus.yml",
          "--storage.tsdb.path=/prometheus",
          "--storage.tsdb.retention.time=7d",
          "--web.listen-address=127.0.0.1:9090",
          "--web.enable-remote-write-receiver",
          "--web.enable-lifecycle",
          "--enable-feature=exemplar-storage",
        ]
      }

      template {
        data            = file("${local.obs}/prometheus/prometheus.yml")
        destination     = "local/prometheus/prometheus.yml"
        left_delimiter  = local.left_delim
        right_delimiter = local.right_delim
        # A changed config or rule is reloaded, not restarted: the TSDB stays warm.
        change_mode     = "signal"
        change_signal   = "SIGHUP"
      }

      dynamic "template" {
        for_each = fileset(local.obs, "prometheus/rules/*.rules.yml")
        content {
          data            = file("${local.obs}/${template.value}")
          destination     = "local/${template.value}"
          left_delimiter  = local.left_delim
          right_delimiter = local.right_delim
          change_mode     = "signal"
          change_signal   = "SIGHUP"
        }
      }

      resources {
        cpu    = 300
        memory = 512
      }
    }

    task "grafana" {
      driver = "docker"

      config {
        image        = var.grafana_image
        network_mode = "host"
        # Relative host paths are the task's own directory: allowed without docker volume support.
        volumes = [
          "local/grafana/provisioning:/etc/grafana/provisioning",
          "local/grafana/dashboards:/var/lib/grafana/dashboards",
        ]
      }

      env {
        GF_SERVER_HTTP_ADDR                       = "127.0.0.1"
        GF_SERVER_HTTP_PORT                       = "3000"
        GF_AUTH_ANONYMOUS_ENABLED                 = "true"
        GF_AUTH_ANONYMOUS_ORG_ROLE                = "Editor"
        GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH = "/var/lib/grafana/dashboards/filewcount-overview.json"
        GF_ANALYTICS_REPORTING_ENABLED            = "false"
        GF_ANALYTICS_CHECK_FOR_UPDATES            = "false"
      }

      dynamic "template" {
        for_each = fileset(local.obs, "grafana/provisioning/*/*.yaml")
        content {
          data            = file("${local.obs}/${template.value}")
          destination     = "local/${template.value}"
          left_delimiter  = local.left_delim
          right_delimiter = local.right_delim
        }
      }

      # Dashboards are re-read by Grafana every 30 s (updateIntervalSeconds): no restart needed.
      dynamic "template" {
        for_each = fileset(local.obs, "grafana/dashboards/*.json")
        content {
          data            = file("${local.obs}/${template.value}")
          destination     = "local/${template.value}"
          left_delimiter  = local.left_delim
          right_delimiter = local.right_delim
          change_mode     = "noop"
        }
      }

      resources {
        cpu    = 200
        memory = 256
      }
    }

    # Logs: agent records over OTLP and the app's Nomad logs, both through the collector.
    task "loki" {
      driver = "docker"

      config {
        image        = var.loki_image
        network_mode = "host"
        args         = ["-config.file=/local/loki/loki.yaml"]
      }

      template {
        data            = file("${local.obs}/loki/loki.yaml")
        destination     = "local/loki/loki.yaml"
        left_delimiter  = local.left_delim
        right_delimiter = local.right_delim
      }

      resources {
        cpu    = 200
        memory = 256
      }
    }

    # Alerts from Prometheus to people: grouping, inhibition and routes in alertmanager.yml.
    task "alertmanager" {
      driver = "docker"

      config {
        image        = var.alertmanager_image
        network_mode = "host"
        args = [
          "--config.file=/local/alertmanager/alertmanager.yml",
          "--storage.path=/alertmanager",
          "--web.listen-address=127.0.0.1:9093",
          # One instance: no gossip cluster to join or to listen for.
          "--cluster.listen-address=",
          "--web.external-url=http://127.0.0.1:9093",
        ]
      }

      template {
        data            = file("${local.obs}/alertmanager/alertmanager.yml")
        destination     = "local/alertmanager/alertmanager.yml"
        left_delimiter  = local.left_delim
        right_delimiter = local.right_delim
        # Alertmanager reloads its configuration on SIGHUP, keeping silences and notification state.
        change_mode   = "signal"
        change_signal = "SIGHUP"
      }

      resources {
        cpu    = 100
        memory = 128
      }
    }
  }
}
