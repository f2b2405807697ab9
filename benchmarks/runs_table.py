#!/usr/bin/env python3
"""benchmarks/runs_table.py - one table over several scripts/bench runs.

Each argument is a directory holding one run's JSON files (a copy of
build-bench/bench-results/ taken after scripts/bench). Prints a Markdown
table: per row and system the median over the runs of that run's median,
then litepool's ratio to tbb, asio, the ceiling and (balance rows) the best
peer of tbb/asio/rvaser, as the median of the per-run ratios with their
range: only ratios inside one run mean anything on a noisy machine.

Usage: runs_table.py RUN_DIR...      (standard library only)
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
    ("EmptyTask/p2/plain", "ns_per_task", "ns/task"),
    ("UserPath/empty200k", "ns_per_task", "ns/task"),
    ("UserPath/empty200k", "teardown_us", "teardown µs"),
    ("UserPath/spin1us_50k", "ns_per_task", "ns/task"),
    ("UserPath/spin1us_50k", "teardown_us", "teardown µs"),
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


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) > 1 else 2)
    main(sys.argv[1:])
