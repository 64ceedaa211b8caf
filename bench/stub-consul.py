#!/usr/bin/env python3
"""Stand-in for the local Consul agent and the OTLP/HTTP collector during benchmarks.

The agent's `run` needs a Consul agent to register with and pushes OTLP to a collector. In a benchmark
neither may cost anything or fail loudly, so that only the proxy is measured: this answers the few
Consul agent endpoints the registrator uses the way Consul does (registrations are kept in memory, so
reads see what was written), holds blocking queries (?index=) until `wait` like Consul instead of
answering at once (a tight watch loop would burn the CPU being measured), and accepts OTLP exports
(/v1/traces, /v1/metrics, /v1/logs) with 200, counting the bytes.

Usage: stub-consul.py PORT    (binds 127.0.0.1 only; stops on SIGTERM; prints what it saw on exit)
"""
import json
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_BLOCK_SECONDS = 10.0

services = {}
checks = {}
stats = {"requests": 0, "otlp_bytes": 0, "otlp_exports": 0, "unknown": set()}
index = [1]
lock = threading.Lock()


def parse_wait(text):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", text or "")
    if not m:
        return MAX_BLOCK_SECONDS
    value = int(m.group(1))
    unit = m.group(2) or "s"
    seconds = value / 1000 if unit == "ms" else value * 60 if unit == "m" else value
    return min(seconds, MAX_BLOCK_SECONDS)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the benchmark prints the figures
        pass

    def reply(self, status, body=b"", content_type="application/json"):
        if content_type == "application/json" and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("X-Consul-Index", str(index[0]))
        self.send_header("X-Consul-Knownleader", "true")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def block(self, query):
        """Blocking query: hold the answer while the caller already has the current index."""
        if "index" not in query:
            return
        try:
            known = int(query["index"][0])
        except ValueError:
            return
        if known >= index[0]:
            time.sleep(parse_wait(query.get("wait", [""])[0]))

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        path = url.path
        with lock:
            stats["requests"] += 1
        if path == "/v1/status/leader":
            return self.reply(200, "127.0.0.1:8300")
        if path == "/v1/agent/self":
            return self.reply(200, {"Config": {"Datacenter": "dc1", "NodeName": "bench", "Version": "1.21.0"},
                                    "Member": {"Name": "bench", "Addr": "127.0.0.1"}})
        self.block(query)
        if path == "/v1/agent/services":
            with lock:
                return self.reply(200, dict(services))
        m = re.fullmatch(r"/v1/agent/service/([^/]+)", path)
        if m:
            with lock:
                svc = services.get(m.group(1))
            return self.reply(200, svc) if svc else self.reply(404, "unknown service ID", "text/plain")
        if path == "/v1/agent/checks":
            with lock:
                return self.reply(200, dict(checks))
        if re.fullmatch(r"/v1/(health/service|catalog/service|health/checks)/[^/]+", path):
            return self.reply(200, [])
        if path.startswith("/v1/config/"):
            return self.reply(404, "Config entry not found", "text/plain")
        return self.unknown()

    def do_PUT(self):
        url = urlparse(self.path)
        path = url.path
        body = self.read_body()
        with lock:
            stats["requests"] += 1
        if path == "/v1/agent/service/register":
            reg = json.loads(body or b"{}")
            sid = reg.get("ID") or reg.get("Name")
            with lock:
                services[sid] = {"ID": sid, "Service": reg.get("Name"), "Tags": reg.get("Tags") or [],
                                 "Meta": reg.get("Meta") or {}, "Address": reg.get("Address", ""),
                                 "Port": reg.get("Port", 0), "Weights": reg.get("Weights") or {"Passing": 1, "Warning": 1}}
                for i, check in enumerate(reg.get("Checks") or ([reg["Check"]] if reg.get("Check") else [])):
                    cid = check.get("CheckID") or check.get("CheckId") or f"service:{sid}:{i + 1}"
                    checks[cid] = {"CheckID": cid, "ServiceID": sid, "Status": check.get("Status", "critical")}
                index[0] += 1
            return self.reply(200, b"", "text/plain")
        m = re.fullmatch(r"/v1/agent/service/deregister/([^/]+)", path)
        if m:
            with lock:
                services.pop(m.group(1), None)
                for cid in [c for c, v in checks.items() if v["ServiceID"] == m.group(1)]:
                    checks.pop(cid)
                index[0] += 1
            return self.reply(200, b"", "text/plain")
        m = re.fullmatch(r"/v1/agent/check/(pass|warn|fail|update)/(.+)", path)
        if m:
            with lock:
                if m.group(2) not in checks:
                    return self.reply(404, f'Unknown check ID "{m.group(2)}"', "text/plain")
            return self.reply(200, b"", "text/plain")
        if re.fullmatch(r"/v1/agent/service/maintenance/[^/]+", path):
            return self.reply(200, b"", "text/plain")
        if path.startswith("/v1/config"):
            return self.reply(200, "true")
        return self.unknown()

    def do_POST(self):
        path = urlparse(self.path).path
        body = self.read_body()
        if path in ("/v1/traces", "/v1/metrics", "/v1/logs"):
            with lock:
                stats["otlp_bytes"] += len(body)
                stats["otlp_exports"] += 1
            return self.reply(200, b"", "application/x-protobuf")
        with lock:
            stats["requests"] += 1
        return self.unknown()

    def unknown(self):
        with lock:
            stats["unknown"].add(f"{self.command} {urlparse(self.path).path}")
        self.reply(404, "stub-consul: endpoint not served by the benchmark stub", "text/plain")


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print("usage: stub-consul.py PORT", file=sys.stderr)
        sys.exit(2)
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    print(f"stub-consul: {stats['requests']} Consul requests, {len(services)} service(s) registered, "
          f"{stats['otlp_exports']} OTLP exports ({stats['otlp_bytes']} bytes); "
          f"unserved: {sorted(stats['unknown']) or 'none'}", flush=True)


if __name__ == "__main__":
    main()
