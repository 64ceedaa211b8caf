# The local stack in one command each (Linux with Docker; see docs/setup.md).
.PHONY: up down upgrade test status doctor diag

VERSION ?=

up: ## Consul + Nomad dev agents, mesh config, observability, gateway and filewcount; prints the URLs
	scripts/up

doctor: ## Read-only preflight: is this machine ready for make up? Each problem with its fix (make up runs it first)
	scripts/doctor

diag: ## A tarball (path printed, no tokens) with what someone needs to see why the stack misbehaves
	scripts/diag

down: ## Stops what `make up` started
	scripts/down

upgrade: ## Canary deployment + automated rollout: make upgrade VERSION=2.0
	@test -n "$(VERSION)" || { echo "usage: make upgrade VERSION=2.0" >&2; exit 2; }
	scripts/upgrade "$(VERSION)"

test: ## Installs the tools the suite needs (apt-get, sudo if not root), then ./mvnw -B verify; .ci/run runs this
	scripts/test

status: ## Instances, versions and checks as Consul sees them
	agent/bin/filewcount-agent status --service filewcount
