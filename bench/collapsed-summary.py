#!/usr/bin/env python3
"""Summarises an async-profiler CPU profile in collapsed form (recorded with the `threads` option).

Usage: collapsed-summary.py PROFILE.collapsed [TOP]
Prints CPU samples by thread group, then for the proxy's I/O threads: self time by library (kernel
frames included, which JFR cannot see), the methods with the most self time, and the agent's and
OpenTelemetry's frames with the most inclusive time (a frame's share of all samples it appears in).
"""
import collections
import re
import sys

GROUPS = [
    ("proxy-io", "proxy I/O threads"),
    ("C1 CompilerThre", "JIT (C1)"),
    ("C2 CompilerThre", "JIT (C2)"),
    ("BatchSpanProcessor", "span export"),
    ("okhttp", "OTLP/Consul HTTP client"),
    ("VM Thread", "GC and safepoints"),
    ("GC Thread", "GC and safepoints"),
]


def group_of(thread):
    for prefix, name in GROUPS:
        if thread.startswith(prefix):
            return name
    return "other"


def library(frame):
    if frame.endswith("_[k]"):
        return "kernel"
    f = frame.replace("/", ".")
    for prefix, name in (("org.filewcount.agent.telemetry", "agent telemetry"),
                         ("org.filewcount.agent.proxy", "agent proxy"), ("org.filewcount", "agent other"),
                         ("io.netty.handler.codec.http", "Netty HTTP codec"), ("io.netty", "Netty core"),
                         ("io.opentelemetry", "OpenTelemetry"), ("java.", "JDK"), ("jdk.", "JDK"),
                         ("sun.", "JDK")):
        if f.startswith(prefix):
            return name
    if "/" not in frame and "." not in frame:
        return "native (libc, JVM)"
    return f.split(".")[0]


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    by_group = collections.Counter()
    stacks = []
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        frames = stack.split(";")
        thread = re.sub(r" tid=\d+\]$", "", frames[0]).lstrip("[")
        n = int(count)
        by_group[group_of(thread)] += n
        if group_of(thread) == "proxy I/O threads":
            stacks.append((frames[1:], n))
    total = sum(by_group.values())
    print(f"CPU samples: {total}; by thread: " + ", ".join(f"{k} {v * 100 / total:.0f}%" for k, v in by_group.most_common()))
    io = sum(n for _, n in stacks)
    if not io:
        return
    self_lib = collections.Counter()
    self_method = collections.Counter()
    inclusive = collections.Counter()
    for frames, n in stacks:
        leaf = frames[-1]
        self_lib[library(leaf)] += n
        self_method[leaf] += n
        for f in set(frames):
            if f.startswith(("org/filewcount", "io/opentelemetry")) or "HttpObjectDecoder.decode" in f \
                    or "HttpObjectEncoder.encode" in f:
                inclusive[f] += n
    print(f"proxy I/O threads: {io} samples; self time by library: "
          + ", ".join(f"{k} {v * 100 / io:.0f}%" for k, v in self_lib.most_common(10)))
    print(f"  top {top} methods by self time:")
    for k, v in self_method.most_common(top):
        print(f"    {v * 100 / io:5.1f}%  {k}")
    print(f"  top {top} agent / OpenTelemetry / HTTP codec frames by inclusive time:")
    for k, v in inclusive.most_common(top):
        print(f"    {v * 100 / io:5.1f}%  {k}")


if __name__ == "__main__":
    main()
