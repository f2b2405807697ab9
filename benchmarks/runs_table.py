#!/usr/bin/env python3
"""benchmarks/runs_table.py - one table over several scripts/bench runs.

Each argument is a directory holding one run's JSON files (a copy of
build-bench/bench-results/ taken after scripts/bench). Prints a Markdown
table: per row and system the median over the runs of that run's median,
then litepool's ratio to tbb, asio, the ceiling and (balance rows) the best
peer of tbb/asio/rvaser, as the median of the per-run ratios with their
range: only ratios inside one run mean anything on a noisy machine.

Usage: runs_table.py RUN_DIR...      (standard library only)
       runs_table.py --targets --set LABEL RUN_DIR... [--set LABEL RUN_DIR...]

--targets prints one row per target instead (ratios to peers, CPU per task
with a core held, traced over plain): per set of runs
(e.g. the old engine's runs and the new engine's), the median over the runs
of the per-run value (a ratio inside one run, or an absolute value) with
its range, and the verdict of the last set: "met" when its median is within
the target, else "missed" with the median; "k/n runs" counts the runs of
that set within the target.
"""
import glob
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

SYSTEMS = ["litepool", "tbb", "asio", "rvaser", "ceiling"]
ROWS = [
    ("EmptyTask/p1/plain", "ns_per_task", "ns/task"),
    ("EmptyTask/p1/plain", "cpu_ns_per_task", "CPU ns/task"),
    ("EmptyTask/p2/plain", "ns_per_task", "ns/task"),
    ("EmptyTask/p2/plain", "cpu_ns_per_task", "CPU ns/task"),
    ("EmptyTask/p1/plain_held", "ns_per_task", "ns/task"),
    ("EmptyTask/p1/plain_held", "cpu_ns_per_task", "CPU ns/task"),
    ("EmptyTask/p2/plain_held", "ns_per_task", "ns/task"),
    ("EmptyTask/p2/plain_held", "cpu_ns_per_task", "CPU ns/task"),
    ("EmptyTask/p1/traced", "ns_per_task", "ns/task"),
    ("EmptyTask/p2/traced", "ns_per_task", "ns/task"),
    ("UserPath/empty200k", "ns_per_task", "ns/task"),
    ("UserPath/empty200k", "cpu_ns_per_task", "CPU ns/task"),
    ("UserPath/empty200k", "teardown_us", "teardown µs"),
    ("UserPath/spin1us_50k", "ns_per_task", "ns/task"),
    ("UserPath/spin1us_50k", "cpu_ns_per_task", "CPU ns/task"),
    ("UserPath/spin1us_50k", "teardown_us", "teardown µs"),
    ("UserPath/empty200k_held", "ns_per_task", "ns/task"),
    ("UserPath/empty200k_held", "cpu_ns_per_task", "CPU ns/task"),
    ("UserPath/spin1us_50k_held", "ns_per_task", "ns/task"),
    ("UserPath/spin1us_50k_held", "cpu_ns_per_task", "CPU ns/task"),
    ("Spin1us/100k", "ns_per_task", "ns/task"),
    ("WakeUp/idle", "p50_ns", "p50 ns"),
    ("WakeUp/idle", "p99_ns", "p99 ns"),
    ("Memory/empty", "new_per_task", "new/task"),
    ("Memory/empty", "heap_per_task", "malloc/task"),
]
NO_RATIO = {"new_per_task", "heap_per_task", "makespan_over_ideal", "imbalance"}


def main(dirs):
    runs = [report.load(glob.glob(os.path.join(d, "*.json")))[0] for d in dirs]

    def val(run, group, system, counter):
        return run.get(group, {}).get(system, {}).get(counter)

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def ratios(group, counter, peer):
        out = []
        for run in runs:
            ours = val(run, group, "litepool", counter)
            if peer == "best":
                peers = [val(run, group, p, counter) for p in ("tbb", "asio", "rvaser")]
                peers = [p for p in peers if p]
                theirs = min(peers) if peers else None
            else:
                theirs = val(run, group, peer, counter)
            if ours is not None and theirs:
                out.append(ours / theirs)
        if not out:
            return "—"
        return f"{statistics.median(out):.2f}× ({min(out):.2f}–{max(out):.2f})"

    rows = list(ROWS)
    for group in sorted({g for run in runs for g in run if g.startswith("Balance/")}):
        rows += [(group, "makespan_ms", "makespan ms"),
                 (group, "makespan_over_ideal", "makespan/ideal"),
                 (group, "imbalance", "max/mean busy")]
    print(f"{len(runs)} runs; values: median over the runs; ratios: median "
          "of the per-run ratios (min–max)\n")
    print("| benchmark | metric | " + " | ".join(SYSTEMS)
          + " | litepool/tbb | litepool/asio | litepool/ceiling | litepool/best peer |")
    print("|---|---|" + "---:|" * (len(SYSTEMS) + 4))
    for group, counter, label in rows:
        if not any(group in run for run in runs):
            continue
        cells = [group, label] + [
            report.fmt(median([val(run, group, s, counter) for run in runs]))
            for s in SYSTEMS]
        if counter in NO_RATIO:
            cells += [""] * 4
        else:
            cells += [ratios(group, counter, p) for p in ("tbb", "asio", "ceiling")]
            cells.append(ratios(group, counter, "best")
                         if group.startswith("Balance/") else "")
        print("| " + " | ".join(cells) + " |")


# The targets: (label, group, counter, peer or None, limit, unit).
# peer None: litepool's own value; "best": the fastest of tbb/asio/rvaser;
# a (group, system) pair: that row of the same run (litepool traced over
# litepool plain).
TARGETS = [
    ("EmptyTask/p1/plain ÷ ceiling", "EmptyTask/p1/plain", "ns_per_task", "ceiling", 2.0, "×"),
    ("EmptyTask/p2/plain ÷ ceiling", "EmptyTask/p2/plain", "ns_per_task", "ceiling", 2.0, "×"),
    ("EmptyTask/p1/plain ÷ oneTBB", "EmptyTask/p1/plain", "ns_per_task", "tbb", 0.8, "×"),
    ("EmptyTask/p2/plain ÷ oneTBB", "EmptyTask/p2/plain", "ns_per_task", "tbb", 0.8, "×"),
    ("EmptyTask/p1/plain ÷ Asio", "EmptyTask/p1/plain", "ns_per_task", "asio", 0.6, "×"),
    ("EmptyTask/p2/plain ÷ Asio", "EmptyTask/p2/plain", "ns_per_task", "asio", 0.6, "×"),
    ("UserPath/empty200k ÷ oneTBB", "UserPath/empty200k", "ns_per_task", "tbb", 1.0, "×"),
    ("UserPath/spin1us_50k ÷ Asio", "UserPath/spin1us_50k", "ns_per_task", "asio", 1.0, "×"),
    ("Spin1us/100k ÷ ceiling", "Spin1us/100k", "ns_per_task", "ceiling", 1.1, "×"),
    ("WakeUp/idle p99 (µs)", "WakeUp/idle", "p99_ns", None, 50.0, " µs"),
    ("Memory/empty operator new per task", "Memory/empty", "new_per_task", None, 1.0, ""),
    ("Memory/empty malloc per task", "Memory/empty", "heap_per_task", None, 1.0, ""),
    # CPU per task while another process holds a core: within 1.2x oneTBB's.
    ("EmptyTask/p1/plain_held CPU ÷ oneTBB's", "EmptyTask/p1/plain_held", "cpu_ns_per_task", "tbb", 1.2, "×"),
    ("EmptyTask/p2/plain_held CPU ÷ oneTBB's", "EmptyTask/p2/plain_held", "cpu_ns_per_task", "tbb", 1.2, "×"),
    ("UserPath/empty200k_held CPU ÷ oneTBB's", "UserPath/empty200k_held", "cpu_ns_per_task", "tbb", 1.2, "×"),
    ("UserPath/spin1us_50k_held CPU ÷ oneTBB's", "UserPath/spin1us_50k_held", "cpu_ns_per_task", "tbb", 1.2, "×"),
    # Tracing on costs at most 15 % more time per task than tracing off.
    ("EmptyTask/p1/traced ÷ plain", "EmptyTask/p1/traced", "ns_per_task",
     ("EmptyTask/p1/plain", "litepool"), 1.15, "×"),
    ("EmptyTask/p2/traced ÷ plain", "EmptyTask/p2/traced", "ns_per_task",
     ("EmptyTask/p2/plain", "litepool"), 1.15, "×"),
]
BALANCE_LIMIT = 1.05


def targets(sets):
    """sets: [(label, [run, ...])]; prints the targets table."""
    rows = list(TARGETS)
    groups = sorted({g for _, runs in sets for run in runs for g in run
                     if g.startswith("Balance/")})
    rows += [(f"{g} makespan ÷ best peer", g, "makespan_ms", "best",
              BALANCE_LIMIT, "×") for g in groups]

    def per_run(run, group, counter, peer):
        ours = run.get(group, {}).get("litepool", {}).get(counter)
        if ours is None:
            return None
        if counter == "p99_ns":
            ours /= 1000.0  # the target is in µs
        if peer is None:
            return ours
        if peer == "best":
            vals = [run.get(group, {}).get(p, {}).get(counter)
                    for p in ("tbb", "asio", "rvaser")]
            vals = [v for v in vals if v]
            theirs = min(vals) if vals else None
        elif isinstance(peer, tuple):
            other_group, other_system = peer
            theirs = run.get(other_group, {}).get(other_system, {}).get(counter)
        else:
            theirs = run.get(group, {}).get(peer, {}).get(counter)
        return ours / theirs if theirs else None

    def num(v, unit):
        return f"{v:.0f}" if unit == " µs" else (
            f"{v:.3f}" if unit == "" else f"{v:.2f}")

    labels = [f"{label} ({len(runs)} runs)" for label, runs in sets]
    print("| target | " + " | ".join(labels) + " | limit | verdict |")
    print("|---|" + "---:|" * len(sets) + "---:|---|")
    for label, group, counter, peer, limit, unit in rows:
        cells, last = [], None
        for _, runs in sets:
            vals = [v for v in (per_run(r, group, counter, peer) for r in runs)
                    if v is not None]
            if not vals:
                cells.append("—")
                last = None
                continue
            med = statistics.median(vals)
            cells.append(f"{num(med, unit)}{unit} ({num(min(vals), unit)}–"
                         f"{num(max(vals), unit)})")
            last = (med, vals)
        if last is None:
            verdict = "—"
        else:
            med, vals = last
            k = sum(1 for v in vals if v <= limit)
            verdict = (("met" if med <= limit else f"missed: {num(med, unit)}{unit}")
                       + f" ({k}/{len(vals)} runs)")
        print(f"| {label} | " + " | ".join(cells)
              + f" | ≤ {num(limit, unit) if unit != '' else limit:}{unit} | {verdict} |")


def parse_sets(args):
    sets, label = [], None
    it = iter(args)
    for a in it:
        if a == "--set":
            label = next(it)
            sets.append((label, []))
        elif label is None:
            sys.exit("runs_table.py --targets: a --set LABEL must come first")
        else:
            sets[-1][1].append(a)
    return [(lab, [report.load(glob.glob(os.path.join(d, "*.json")))[0]
                   for d in dirs]) for lab, dirs in sets]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--targets":
        targets(parse_sets(sys.argv[2:]))
        sys.exit(0)
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) > 1 else 2)
    main(sys.argv[1:])
