#!/usr/bin/env bash
# Shared helpers of scripts/up, scripts/down and scripts/upgrade. Sourced, never run.
# shellcheck disable=SC2034 # variables defined here are used by the scripts that source this file

ROOT=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
BIN="$LOCAL/bin"
export PATH="$BIN:$PATH"

# versions.env holds KEY=value data only, nothing for shellcheck to follow.
set -a
# shellcheck source=/dev/null
. "$ROOT/versions.env"
set +a

export CONSUL_HTTP_ADDR="${CONSUL_HTTP_ADDR:-http://127.0.0.1:8500}"
export NOMAD_ADDR="${NOMAD_ADDR:-http://127.0.0.1:4646}"

CURRENT_STEP=""
# Set to DIAG_HINT by scripts/up and scripts/upgrade: each of their failures then ends with the one command that
# collects what a person needs to see.
FAIL_HINT=""
DIAG_HINT="to send someone what they need to see why: make diag (a tarball without tokens; it prints the path)"

# Sourcing this file writes nothing (scripts/doctor relies on it); scripts that write call this first.
ensure_local_dirs() {
  mkdir -p "$BIN" "$LOCAL/downloads" "$LOCAL/logs"
}

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
  if [ -n "$FAIL_HINT" ]; then
    printf '  %s\n' "$FAIL_HINT" >&2
  fi
  exit 1
}

require_command() {
  command -v "$1" >/dev/null 2>&1 || fail "'$1' is not installed" "$2"
}

# Runs a command as root (Nomad's bridge networking needs it), through sudo when we are not root.
# No --preserve-env: sudoers rules narrower than ALL refuse it, and secure_path replaces PATH anyway. Callers
# pass absolute paths and put what the command needs in its arguments (see the Nomad start in scripts/up).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    require_command sudo "Nomad's bridge networking needs root: run as root or install sudo"
    sudo -- "$@"
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

# The version a consul/nomad binary reports ("Consul v1.22.7" -> 1.22.7), empty when it reports none.
binary_version() {
  CHECKPOINT_DISABLE=1 timeout 4 "$1" version 2>/dev/null | head -n1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1
}

# Supported range of a binary found on PATH: the pinned release line (same major.minor as versions.env), since
# the job files, config entries and Envoy pins were written for that line. Prints nothing when VERSION is in
# range, else the one-line problem with its fix.
version_problem() {
  local name="$1" path="$2" found="$3" pinned="$4"
  local line="${pinned%.*}"
  case "$found" in
    "$line".*) return 0 ;;
  esac
  printf '%s at %s is %s, outside the supported %s.x (versions.env pins %s). Fix: put %s %s.x first on PATH, or take %s off PATH so make up downloads %s into .local/bin\n' \
    "$name" "$path" "${found:-of unknown version}" "$line" "$pinned" "$name" "$line" "$(dirname -- "$path")" "$pinned"
}

# ensure_hashicorp_binary consul|nomad VERSION SHA256
ensure_hashicorp_binary() {
  local name="$1" version="$2" sha="$3"
  if command -v "$name" >/dev/null 2>&1; then
    local path found problem
    path=$(command -v "$name")
    found=$(binary_version "$path")
    problem=$(version_problem "$name" "$path" "$found" "$version")
    [ -z "$problem" ] || fail "${problem%%. Fix: *}" "${problem#*. Fix: }"
    info "using $name $found from PATH ($path; versions.env pins $version)"
    return 0
  fi
  local zip="$LOCAL/downloads/${name}_${version}_linux_amd64.zip"
  download_verified "https://releases.hashicorp.com/$name/$version/${name}_${version}_linux_amd64.zip" "$zip" "$sha"
  require_command unzip "install unzip (Debian/Ubuntu: apt-get install unzip)"
  unzip -o -q "$zip" "$name" -d "$BIN"
  chmod +x "$BIN/$name"
  info "installed $name $version into $BIN"
}

# The CNI plugins Nomad's bridge networking chains: its conflist lists loopback, bridge (with host-local IPAM),
# firewall and portmap (hashicorp/nomad v1.10.5, client/allocrunner/cni/bridge.go, NewNomadBridgeConflist).
CNI_PLUGINS_NEEDED="loopback bridge host-local firewall portmap"

# Does folder $1 hold every plugin of CNI_PLUGINS_NEEDED? Prints the missing ones.
cni_missing() {
  local dir="$1" plugin missing=""
  for plugin in $CNI_PLUGINS_NEEDED; do
    [ -x "$dir/$plugin" ] || missing="$missing $plugin"
  done
  printf '%s' "${missing# }"
  [ -z "$missing" ]
}

# Sets CNI_PATH to a folder holding the CNI plugins: /opt/cni/bin when complete, else a verified download.
ensure_cni_plugins() {
  if cni_missing /opt/cni/bin >/dev/null; then
    CNI_PATH=/opt/cni/bin
    info "using CNI plugins from $CNI_PATH"
    return 0
  fi
  CNI_PATH="$LOCAL/cni/bin"
  if ! cni_missing "$CNI_PATH" >/dev/null; then
    local tgz="$LOCAL/downloads/cni-plugins-linux-amd64-v${CNI_PLUGINS_VERSION}.tgz"
    download_verified "https://github.com/containernetworking/plugins/releases/download/v${CNI_PLUGINS_VERSION}/cni-plugins-linux-amd64-v${CNI_PLUGINS_VERSION}.tgz" \
      "$tgz" "$CNI_PLUGINS_SHA256_LINUX_AMD64"
    mkdir -p "$CNI_PATH"
    tar -xzf "$tgz" -C "$CNI_PATH"
  fi
  local missing
  missing=$(cni_missing "$CNI_PATH") ||
    fail "the CNI plugins in $CNI_PATH lack: $missing" "rm -rf .local/cni and make up again, or install containernetworking-plugins into /opt/cni/bin"
  info "using CNI plugins from $CNI_PATH"
}

# Nomad's bridge and its gateway address, created before Consul starts so Consul can listen on it: bridge-mode
# allocations reach the host through this address (Nomad's defaults, stated in nomad/agent-dev.hcl; the CNI bridge
# plugin reuses an existing bridge that already has its gateway address). StackSecurityTest keeps them in step.
NOMAD_BRIDGE=nomad
NOMAD_BRIDGE_GATEWAY=172.26.64.1/20

ensure_nomad_bridge() {
  local ip_bin
  ip_bin=$(command -v ip) || fail "'ip' is not installed" "apt-get install iproute2"
  if "$ip_bin" -o -4 addr show dev "$NOMAD_BRIDGE" 2>/dev/null | grep -qF " inet $NOMAD_BRIDGE_GATEWAY "; then
    info "bridge $NOMAD_BRIDGE has $NOMAD_BRIDGE_GATEWAY already"
    return 0
  fi
  if ! "$ip_bin" link show dev "$NOMAD_BRIDGE" >/dev/null 2>&1; then
    as_root "$ip_bin" link add name "$NOMAD_BRIDGE" type bridge || fail "could not create the bridge $NOMAD_BRIDGE" "sudo ip link add name $NOMAD_BRIDGE type bridge shows why"
  fi
  if ! { as_root "$ip_bin" addr replace "$NOMAD_BRIDGE_GATEWAY" dev "$NOMAD_BRIDGE" && as_root "$ip_bin" link set dev "$NOMAD_BRIDGE" up; }; then
    fail "could not give $NOMAD_BRIDGE the address $NOMAD_BRIDGE_GATEWAY" "ip addr show dev $NOMAD_BRIDGE: another address in 172.26.64.0/20 there?"
  fi
  info "bridge $NOMAD_BRIDGE up with $NOMAD_BRIDGE_GATEWAY"
}

# Nomad's scheduler ignores memory_max (the agent task's burst limit) unless memory oversubscription is on.
# Reads the scheduler configuration and writes it back with the flag set, check-and-set on its ModifyIndex
# (PUT /v1/operator/scheduler/configuration?cas=N, hashicorp/nomad v1.10.5 command/agent/operator_endpoint.go);
# nothing is written when it is on already.
enable_memory_oversubscription() {
  local current index updated attempt
  for attempt in 1 2 3; do
    current=$(curl -fsS "$NOMAD_ADDR/v1/operator/scheduler/configuration") ||
      fail "could not read Nomad's scheduler configuration" "curl $NOMAD_ADDR/v1/operator/scheduler/configuration"
    if [ "$(jq -r '.SchedulerConfig.MemoryOversubscriptionEnabled' <<<"$current")" = true ]; then
      info "memory oversubscription is on (memory_max applies)"
      return 0
    fi
    index=$(jq -r '.SchedulerConfig.ModifyIndex' <<<"$current")
    updated=$(jq -c '.SchedulerConfig | .MemoryOversubscriptionEnabled = true | del(.CreateIndex, .ModifyIndex)' <<<"$current" |
      curl -fsS -X PUT --data-binary @- "$NOMAD_ADDR/v1/operator/scheduler/configuration?cas=$index") ||
      fail "Nomad refused the scheduler configuration" "nomad operator scheduler get-config"
    if [ "$(jq -r '.Updated' <<<"$updated")" = true ]; then
      info "memory oversubscription turned on (memory_max applies)"
      return 0
    fi
    info "the scheduler configuration changed while we wrote it (attempt $attempt): reading it again"
  done
  fail "the scheduler configuration kept changing" "nomad operator scheduler set-config -memory-oversubscription=true"
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
