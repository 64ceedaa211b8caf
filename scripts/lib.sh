#!/usr/bin/env bash
# Shared helpers of scripts/up, scripts/down and scripts/upgrade. Sourced, never run.
# shellcheck disable=SC2034 # variables defined here are used by the scripts that source this file

ROOT=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
BIN="$LOCAL/bin"
mkdir -p "$BIN" "$LOCAL/downloads" "$LOCAL/logs"
export PATH="$BIN:$PATH"

# versions.env holds KEY=value data only, nothing for shellcheck to follow.
set -a
# shellcheck source=/dev/null
. "$ROOT/versions.env"
set +a

export CONSUL_HTTP_ADDR="${CONSUL_HTTP_ADDR:-http://127.0.0.1:8500}"
export NOMAD_ADDR="${NOMAD_ADDR:-http://127.0.0.1:4646}"

CURRENT_STEP=""

# Prints what the next step does; fail() names it again with what to check.
step() {
  CURRENT_STEP="$1"
  printf '\n==> %s\n' "$1"
}

info() {
  printf '    %s\n' "$*"
}

# fail "what went wrong" "what to check"
fail() {
  printf '\nFAILED: %s\n  step:  %s\n  check: %s\n' "$1" "${CURRENT_STEP:-?}" "$2" >&2
  exit 1
}

require_command() {
  command -v "$1" >/dev/null 2>&1 || fail "'$1' is not installed" "$2"
}

# Runs a command as root (Nomad's bridge networking needs it), through sudo when we are not root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    require_command sudo "Nomad's bridge networking needs root: run as root or install sudo"
    sudo --preserve-env=PATH,CONSUL_HTTP_ADDR,NOMAD_ADDR "$@"
  fi
}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}

# download URL FILE SHA256: fetches once into .local/downloads and refuses a file whose sum differs.
download_verified() {
  local url="$1" file="$2" expected="$3"
  if [ ! -f "$file" ] || [ "$(sha256_of "$file")" != "$expected" ]; then
    info "downloading $url"
    curl -fsSL --retry 3 -o "$file.part" "$url" || fail "download of $url failed" "network access to the release host"
    mv "$file.part" "$file"
  fi
  local actual
  actual=$(sha256_of "$file")
  if [ "$actual" != "$expected" ]; then
    rm -f "$file"
    fail "SHA-256 of $(basename "$file") is $actual, versions.env pins $expected" \
      "the pinned sum in versions.env against the vendor's published SHA256SUMS; never skip this check"
  fi
  info "verified SHA-256 of $(basename "$file")"
}

# ensure_hashicorp_binary consul|nomad VERSION SHA256
ensure_hashicorp_binary() {
  local name="$1" version="$2" sha="$3"
  if command -v "$name" >/dev/null 2>&1; then
    local found
    found=$("$name" version 2>/dev/null | head -n1)
    info "using $name from PATH ($(command -v "$name"): $found; versions.env pins $version)"
    return 0
  fi
  local zip="$LOCAL/downloads/${name}_${version}_linux_amd64.zip"
  download_verified "https://releases.hashicorp.com/$name/$version/${name}_${version}_linux_amd64.zip" "$zip" "$sha"
  require_command unzip "install unzip (Debian/Ubuntu: apt-get install unzip)"
  unzip -o -q "$zip" "$name" -d "$BIN"
  chmod +x "$BIN/$name"
  info "installed $name $version into $BIN"
}

# Sets CNI_PATH to a folder holding the CNI plugins: /opt/cni/bin when complete, else a verified download.
ensure_cni_plugins() {
  if [ -x /opt/cni/bin/bridge ] && [ -x /opt/cni/bin/host-local ] && [ -x /opt/cni/bin/portmap ]; then
    CNI_PATH=/opt/cni/bin
    info "using CNI plugins from $CNI_PATH"
    return 0
  fi
  CNI_PATH="$LOCAL/cni/bin"
  if [ ! -x "$CNI_PATH/bridge" ]; then
    local tgz="$LOCAL/downloads/cni-plugins-linux-amd64-v${CNI_PLUGINS_VERSION}.tgz"
    download_verified "https://github.com/containernetworking/plugins/releases/download/v${CNI_PLUGINS_VERSION}/cni-plugins-linux-amd64-v${CNI_PLUGINS_VERSION}.tgz" \
      "$tgz" "$CNI_PLUGINS_SHA256_LINUX_AMD64"
    mkdir -p "$CNI_PATH"
    tar -xzf "$tgz" -C "$CNI_PATH"
  fi
  info "using CNI plugins from $CNI_PATH"
}

# Is the process in PIDFILE alive?
pid_alive() {
  local pidfile="$1"
  [ -f "$pidfile" ] && as_root kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# wait_until TIMEOUT_SECONDS DESCRIPTION COMMAND...: polls every 2 s, prints progress every 10 s.
wait_until() {
  local timeout="$1" what="$2"
  shift 2
  local start now
  start=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    now=$(date +%s)
    if [ $((now - start)) -ge "$timeout" ]; then
      return 1
    fi
    if [ $(((now - start) % 10)) -eq 0 ]; then
      info "waiting for $what ($((now - start))s of ${timeout}s)"
    fi
    sleep 2
  done
}

consul_ready() {
  curl -fsS "$CONSUL_HTTP_ADDR/v1/status/leader" | grep -q ':'
}

nomad_ready() {
  curl -fsS "$NOMAD_ADDR/v1/agent/health?type=client" >/dev/null &&
    curl -fsS "$NOMAD_ADDR/v1/nodes" | jq -e 'map(select(.Status == "ready")) | length > 0' >/dev/null
}

# The -var arguments that feed versions.env into the filewcount job.
filewcount_job_vars() {
  local version="${1:-$FILEWCOUNT_VERSION}"
  printf '%s\n' \
    -var "filewcount_image=$FILEWCOUNT_IMAGE" \
    -var "filewcount_version=$version" \
    -var "agent_image=$AGENT_IMAGE" \
    -var "envoy_image=$ENVOY_IMAGE"
}

# Number of filewcount instances of VERSION (any, when empty) whose every check passes in Consul.
passing_instances() {
  local version="${1:-}" url="$CONSUL_HTTP_ADDR/v1/health/service/filewcount?passing=true"
  if [ -n "$version" ]; then
    url="$url&filter=$(jq -rn --arg v "$version" '"Service.Meta.version == \"\($v)\"" | @uri')"
  fi
  curl -fsS "$url" | jq 'length'
}
