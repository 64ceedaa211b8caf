#!/usr/bin/env python3
"""Prints the figures, ratios and target verdicts of one bench/run from its results folder.

Usage: report.py RESULTS_DIR   (reads results.tsv, footprint.tsv, machine.txt written by bench/run)
Figures per variant and scenario are medians over the alternating rounds; ratios compare those medians,
so they come from one run as the targets in docs/performance.md require.
"""
import csv
import statistics
import sys
from pathlib import Path

MIB = 1024


def load(out):
    rows = list(csv.DictReader(open(out / "results.tsv"), delimiter="\t"))
    foot = {}
    fp = out / "footprint.tsv"
    if fp.exists():
        for line in fp.read_text().splitlines():
            key, value = line.split()
            foot.setdefault(key, []).append(float(value))
    machine = dict(line.split("=", 1) for line in (out / "machine.txt").read_text().splitlines() if "=" in line)
    return rows, foot, machine


def med(rows, variant, scenario, field, agg=statistics.median):
    """Median (or agg) over the rounds; None when a variant completed no request (its figures mean nothing)."""
    picked = [r for r in rows if r["variant"] == variant and r["scenario"] == scenario]
    if not picked or any(int(r["requests"]) == 0 for r in picked) and field != "rss_peak_kib":
        return None
    values = [float(r[field]) for r in picked if r[field] != ""]
    return agg(values) if values else None


def fmt(value, digits=2):
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    out = Path(sys.argv[1])
    rows, foot, machine = load(out)
    variants = [v for v in ("direct", "nginx", "agent") if any(r["variant"] == v for r in rows)]
    rounds = sorted({r["round"] for r in rows if r["round"] != "footprint"})
    print(f"filewcount bench {machine.get('date_utc')}  ({len(rounds)} alternating round(s); medians)")
    print(f"machine: {machine.get('nproc')} cores, {machine.get('memory')}, {machine.get('cpu')}, "
          f"kernel {machine.get('kernel')}; {machine.get('java')}; nginx {machine.get('nginx')}; wrk {machine.get('wrk')}")
    print(f"load average before: {machine.get('load')}; after: {machine.get('load_after')}")
    print(f"agent launcher: {machine.get('launcher', '-')}  JAVA_OPTS: '{machine.get('java_opts', '')}'")
    print(f"{machine.get('duration_s')} s per measurement; paced rates: small {machine.get('small_rate')} req/s, "
          f"uploads {machine.get('upload_rate')} req/s")
    print()

    problems = []
    for r in rows:
        if int(r["requests"]) == 0:
            problems.append(f"round {r['round']} {r['variant']} {r['scenario']}: no request completed "
                            f"(the variant hung or refused; its figures are void)")
        if int(r["errors"]) or int(r["non2xx"]):
            problems.append(f"round {r['round']} {r['variant']} {r['scenario']}: {r['errors']} socket errors, "
                            f"{r['non2xx']} non-2xx answers")

    def table(title, scenario_max, scenario_paced, upload):
        print(title)
        head = ("variant", "max req/s", "MB/s" if upload else "", "p50 ms", "p99 ms", "p99.9 ms",
                "| paced req/s", "p50 ms", "p99 ms", "p99.9 ms", "CPU s/10k", "peak RSS MiB", "peak PSS MiB")
        print("  {:<7}{:>11}{:>9}{:>9}{:>9}{:>10} {:>13}{:>9}{:>9}{:>10}{:>11}{:>14}{:>14}".format(*head))
        for v in variants:
            print("  {:<7}{:>11}{:>9}{:>9}{:>9}{:>10} {:>13}{:>9}{:>9}{:>10}{:>11}{:>14}{:>14}".format(
                v, fmt(med(rows, v, scenario_max, "rps"), 0),
                fmt(med(rows, v, scenario_max, "upload_mb_s"), 0) if upload else "",
                fmt(med(rows, v, scenario_max, "p50_ms"), 3), fmt(med(rows, v, scenario_max, "p99_ms"), 3),
                fmt(med(rows, v, scenario_max, "p999_ms"), 3),
                "| " + fmt(med(rows, v, scenario_paced, "rps"), 0),
                fmt(med(rows, v, scenario_paced, "p50_ms"), 3), fmt(med(rows, v, scenario_paced, "p99_ms"), 3),
                fmt(med(rows, v, scenario_paced, "p999_ms"), 3),
                fmt(med(rows, v, scenario_paced, "cpu_s_per_10k"), 2),
                fmt(med(rows, v, scenario_max, "rss_peak_kib", max) and med(rows, v, scenario_max, "rss_peak_kib", max) / MIB, 1),
                fmt(med(rows, v, scenario_max, "pss_peak_kib", max) and med(rows, v, scenario_max, "pss_peak_kib", max) / MIB, 1)))
        print()

    table("Small requests (GET /, 277-byte page; max = closed loop, 16 connections; paced = fixed offered load)",
          "small-max", "small-paced", False)
    table("Uploads (POST /file_upload, 1 MiB multipart; max = closed loop, 8 connections; paced = fixed offered load)",
          "upload-max", "upload-paced", True)

    verdicts = []

    def verdict(name, ok, detail):
        verdicts.append((name, "n/a" if ok is None else ("PASS" if ok else "MISS"), detail))

    if "agent" in variants:
        print("Ratios (agent / nginx, agent / direct)")
        for label, scen, field in (("small req/s", "small-max", "rps"), ("upload MB/s", "upload-max", "upload_mb_s"),
                                   ("small CPU s/10k (paced)", "small-paced", "cpu_s_per_10k"),
                                   ("upload CPU s/10k (paced)", "upload-paced", "cpu_s_per_10k")):
            a = med(rows, "agent", scen, field)
            print(f"  {label:<26} agent/nginx {fmt(ratio(a, med(rows, 'nginx', scen, field)))}"
                  f"   agent/direct {fmt(ratio(a, med(rows, 'direct', scen, field)))}")
        for label, scen in (("small p99 (paced)", "small-paced"), ("upload p99 (paced)", "upload-paced")):
            a, n = med(rows, "agent", scen, "p99_ms"), med(rows, "nginx", scen, "p99_ms")
            print(f"  {label:<26} agent - nginx {fmt(None if a is None or n is None else a - n, 3)} ms")
        print()

        small = ratio(med(rows, "agent", "small-max", "rps"), med(rows, "nginx", "small-max", "rps"))
        upl = ratio(med(rows, "agent", "upload-max", "upload_mb_s"), med(rows, "nginx", "upload-max", "upload_mb_s"))
        # Issue 15's targets (docs/performance.md): 1.0x is the aim for small requests, below 0.9x is not accepted.
        verdict("throughput small >= 0.9x nginx (aim 1.0x)", None if small is None else small >= 0.9, f"{fmt(small)}x")
        verdict("throughput uploads >= 1.0x nginx", None if upl is None else upl >= 1.0, f"{fmt(upl)}x")
        cpu = ratio(med(rows, "agent", "small-paced", "cpu_s_per_10k"), med(rows, "nginx", "small-paced", "cpu_s_per_10k"))
        verdict("CPU per 10k small requests <= 1.5x nginx (paced)", None if cpu is None else cpu <= 1.5, f"{fmt(cpu)}x")
        for label, scen in (("small", "small-paced"), ("uploads", "upload-paced")):
            a, n = med(rows, "agent", scen, "p99_ms"), med(rows, "nginx", scen, "p99_ms")
            ok = None if a is None or n is None else a <= n + 0.5
            verdict(f"p99 {label} <= nginx p99 + 0.5 ms (paced)", ok, f"agent {fmt(a, 3)} ms, nginx {fmt(n, 3)} ms")

        print("Agent footprint")
        starts = foot.get("startup_ms", [])
        if starts:
            print(f"  JVM start -> /health/live 200: median {statistics.median(starts):.0f} ms "
                  f"(runs: {', '.join(f'{s:.0f}' for s in starts)})")
            cpu = foot.get("startup_cpu_ms", [])
            if cpu:
                print(f"  CPU used by the JVM until then:  median {statistics.median(cpu):.0f} ms "
                      f"(wall time can be no less than CPU / {machine.get('nproc')} cores)")
            verdict("ready within 1.5 s of JVM start", statistics.median(starts) <= 1500,
                    f"{statistics.median(starts):.0f} ms (load average {machine.get('load', '?').split()[0]})")
        for key, label in (("agent_idle_rss_kib_after_start", "RSS idle after start"),
                           ("agent_rss_kib_after_rounds", "RSS after the rounds"),
                           ("agent_idle_rss_kib", "RSS idle (fresh agent)"),
                           ("agent_rss_kib_after_footprint", "RSS after the footprint loads")):
            if key in foot:
                print(f"  {label:<32} {foot[key][-1] / MIB:7.1f} MiB")
        peaks = {s: med(rows, "agent", s, "rss_peak_kib", max) for s in
                 ("small-max", "small-paced", "upload-max", "upload-paced", "upload-10k", "upload-10m")}
        for s, p in peaks.items():
            if p is not None:
                print(f"  peak RSS under {s:<17} {p / MIB:7.1f} MiB")
        under_load = [p for p in peaks.values() if p is not None]
        if under_load:
            verdict("RSS under load <= 160 MiB", max(under_load) / MIB <= 160, f"max {max(under_load) / MIB:.1f} MiB")
        if med(rows, "agent", "upload-10k", "requests") and med(rows, "agent", "upload-10m", "requests"):
            growth = peaks["upload-10m"] / peaks["upload-10k"] - 1
            print(f"  10 MiB vs 10 KiB uploads: {growth * 100:+.1f}% RSS "
                  f"({fmt(med(rows, 'agent', 'upload-10k', 'rps'), 0)} vs {fmt(med(rows, 'agent', 'upload-10m', 'rps'), 0)} req/s)")
            verdict("RSS flat within 15% from 10 KiB to 10 MiB uploads", growth <= 0.15, f"{growth * 100:+.1f}%")
        print()

    paced = [r for r in rows if r["scenario"].endswith("-paced")]
    for r in paced:
        target = float(machine.get("small_rate" if r["scenario"] == "small-paced" else "upload_rate", 0) or 0)
        if target and float(r["rps"]) < 0.97 * target:
            problems.append(f"round {r['round']} {r['variant']} {r['scenario']}: offered {target:.0f} req/s, "
                            f"achieved {float(r['rps']):.0f} (the latency comparison is not at equal load)")

    if verdicts:
        print("Targets")
        for name, result, detail in verdicts:
            print(f"  {result:<5} {name:<52} {detail}")
        print()
    if problems:
        print("Problems")
        for p in problems:
            print(f"  {p}")
        print()
    print(f"raw figures: {out}/results.tsv")


if __name__ == "__main__":
    main()
