#!/usr/bin/env python3
"""Summarises a JFR recording of the agent: where its CPU samples and allocations go.

Usage: jfr-summary.py JFR_TOOL RECORDING.jfr [TOP]
Prints the methods on top of the stack (self time), the frames present anywhere in a stack (inclusive
time, grouped by library: our code, Netty, OpenTelemetry, JDK...), and the sampled allocations by class
and by the first frame of our own code or a library that made them. Uses `jfr print --json`.
"""
import collections
import json
import subprocess
import sys

LIBRARIES = [
    ("org.filewcount.", "filewcount agent"),
    ("io.netty.", "Netty"),
    ("io.opentelemetry.", "OpenTelemetry"),
    ("ch.qos.logback.", "logback"),
    ("org.slf4j.", "slf4j"),
    ("okhttp3.", "OkHttp"),
    ("com.fasterxml.", "Jackson"),
    ("java.", "JDK"),
    ("javax.", "JDK"),
    ("jdk.", "JDK"),
    ("sun.", "JDK"),
]


def library(type_name):
    for prefix, name in LIBRARIES:
        if type_name.startswith(prefix):
            return name
    return type_name.rsplit(".", 1)[0]


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    for f in trace.get("frames") or []:
        m = f.get("method") or {}
        t = (m.get("type") or {}).get("name", "?").replace("/", ".")
        yield t, m.get("name", "?")


def load(tool, path, event_type):
    out = subprocess.run([tool, "print", "--json", "--stack-depth", "64", "--events", event_type, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def main():
    tool, path = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 15

    samples = load(tool, path, "jdk.ExecutionSample")
    n = len(samples)
    print(f"CPU samples: {n} (jdk.ExecutionSample, Java frames only; time in the kernel's socket calls shows "
          f"as the JDK/Netty native frame that made the call)")
    if n:
        self_time = collections.Counter()
        inclusive = collections.Counter()
        by_library = collections.Counter()
        for e in samples:
            fr = list(frames(e))
            if not fr:
                continue
            self_time[f"{fr[0][0]}.{fr[0][1]}"] += 1
            by_library[library(fr[0][0])] += 1
            for key in {f"{t}.{m}" for t, m in fr if t.startswith(("org.filewcount.", "io.opentelemetry."))}:
                inclusive[key] += 1
        print(f"  self time by library: " + ", ".join(f"{k} {v * 100 / n:.0f}%" for k, v in by_library.most_common(8)))
        print(f"  top {top} methods by self time:")
        for k, v in self_time.most_common(top):
            print(f"    {v * 100 / n:5.1f}%  {k}")
        print(f"  top {top} agent / OpenTelemetry frames by inclusive time:")
        for k, v in inclusive.most_common(top):
            print(f"    {v * 100 / n:5.1f}%  {k}")

    allocs = load(tool, path, "jdk.ObjectAllocationSample")
    if allocs:
        weight = sum(e["values"].get("weight", 0) for e in allocs)
        by_class = collections.Counter()
        by_site = collections.Counter()
        for e in allocs:
            w = e["values"].get("weight", 0)
            cls = (e["values"].get("objectClass") or {}).get("name", "?").replace("/", ".")
            by_class[cls] += w
            site = next((f"{t}.{m}" for t, m in frames(e) if not t.startswith(("java.", "jdk.", "sun."))), "JDK")
            by_site[site] += w
        print(f"Allocation samples: {len(allocs)}, weight {weight / 1048576:.0f} MiB (jdk.ObjectAllocationSample)")
        print(f"  top {top // 2} classes:")
        for k, v in by_class.most_common(top // 2):
            print(f"    {v * 100 / max(weight, 1):5.1f}%  {k}")
        print(f"  top {top // 2} allocating frames (first non-JDK frame):")
        for k, v in by_site.most_common(top // 2):
            print(f"    {v * 100 / max(weight, 1):5.1f}%  {k}")


if __name__ == "__main__":
    main()
