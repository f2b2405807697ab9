#!/usr/bin/env python3
"""benchmarks/report.py - summarise a litepool benchmark run.

Reads the Google Benchmark JSON files written by scripts/bench (one per
topic binary, run with --benchmark_repetitions and
--benchmark_report_aggregates_only), and

  * prints a Markdown table of the medians: one row per (benchmark, metric),
    one column per system, then litepool's ratio to every peer
    (ours / peer: every metric is "lower is better", so < 1 means litepool
    wins);
  * prints litepool's own variants relative to its plain run (hooks, group,
    retries) and a check of the performance targets;
  * writes a hand-written SVG bar chart (no plotting library).

Benchmark names are "<Topic>/<variant>/<system>" plus Google Benchmark's
suffixes (min_time:..., real_time, ...), which are dropped here, and
userpath_bench's "round:N" (one benchmark per rotated round): several
single runs of one benchmark and system are summarised by their median
(and coefficient of variation), like Google Benchmark's own aggregates.

Usage:
  report.py RESULT.json... [--svg docs/performance.svg] [--markdown FILE]

Standard library only.
"""

import argparse
import html
import json
import re
import sys

SYSTEM_ORDER = ["litepool", "tbb", "asio", "rvaser", "ceiling"]
OURS = "litepool"

# Metrics shown per topic: (counter, label). The first one is charted.
# "real_time" is Google Benchmark's own time, normalised to ns.
METRICS = {
    "EmptyTask": [("ns_per_task", "ns/task"),
                  ("cpu_ns_per_task", "CPU ns/task")],
    "Spin1us": [("ns_per_task", "ns/task"),
                ("wall_over_ideal", "wall/ideal")],
    "UserPath": [("ns_per_task", "ns/task"),
                 ("cpu_ns_per_task", "CPU ns/task"),
                 ("teardown_us", "teardown µs")],
    "Balance": [("makespan_ms", "makespan ms"),
                ("makespan_over_ideal", "makespan/ideal"),
                ("imbalance", "max/mean busy")],
    "WakeUp": [("p50_ns", "p50 ns"), ("p99_ns", "p99 ns")],
    "Memory": [("new_per_task", "new/task"),
               ("heap_per_task", "malloc/task"),
               ("bytes_per_queued", "bytes/queued task"),
               ("idle_pool_kib", "idle pool KiB")],
    "Retry": [("ns_per_task", "ns/task")],
}

# litepool variants shown relative to a baseline of the same run.
RELATIVE = [
    ("EmptyTask/p1/hooks", "EmptyTask/p1/plain"),
    ("EmptyTask/p1/group", "EmptyTask/p1/plain"),
    ("EmptyTask/p1/hooks_group", "EmptyTask/p1/plain"),
    ("EmptyTask/p2/hooks", "EmptyTask/p2/plain"),
    ("EmptyTask/p2/group", "EmptyTask/p2/plain"),
    ("EmptyTask/p2/hooks_group", "EmptyTask/p2/plain"),
    ("EmptyTask/p1/traced", "EmptyTask/p1/plain"),
    ("EmptyTask/p2/traced", "EmptyTask/p2/plain"),
    ("Retry/fail2", "Retry/plain"),
]

SUFFIX = re.compile(
    r"^(real_time|manual_time|process_time|iterations:\d+|"
    r"min_time:[\d.]+s?|min_warmup_time:[\d.]+|repeats:\d+|threads:\d+|"
    r"round:\d+)$")

TIME_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def split_name(run_name):
    """'EmptyTask/p1/plain/tbb/min_time:0.300/real_time' ->
    ('EmptyTask/p1/plain', 'tbb')."""
    parts = [p for p in run_name.split("/") if not SUFFIX.match(p)]
    if len(parts) < 2:
        return run_name, "?"
    return "/".join(parts[:-1]), parts[-1]


def load(paths):
    """Returns (medians, skipped, contexts, cvs).

    medians[group][system] = {counter: value, "real_time_ns": value}
    skipped[group][system] = error message
    cvs[group][system] = {counter: coefficient of variation} (repetitions)
    """
    medians, skipped, contexts, cvs = {}, {}, [], {}
    singles = {}  # (group, system) -> [row, ...] of single-run benchmarks
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        contexts.append(data.get("context", {}))
        for b in data.get("benchmarks", []):
            group, system = split_name(b.get("run_name", b["name"]))
            if b.get("error_occurred"):
                skipped.setdefault(group, {})[system] = b.get(
                    "error_message", "skipped")
                continue
            if (b.get("run_type") == "aggregate"
                    and b.get("aggregate_name") == "cv"):
                cvs.setdefault(group, {})[system] = {
                    k: v for k, v in b.items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool)}
                continue
            is_median = (b.get("run_type") == "aggregate"
                         and b.get("aggregate_name") == "median")
            single = (b.get("run_type") == "iteration"
                      and b.get("repetitions", 1) <= 1)
            if not (is_median or single):
                continue
            row = {k: v for k, v in b.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)}
            unit = TIME_TO_NS.get(b.get("time_unit", "ns"), 1.0)
            row["real_time_ns"] = b.get("real_time", 0.0) * unit
            if single:
                singles.setdefault((group, system), []).append(row)
            else:
                medians.setdefault(group, {})[system] = row
    # Single runs of one benchmark (userpath_bench's rotated rounds): the
    # median of every counter, and its coefficient of variation.
    for (group, system), runs in singles.items():
        keys = set().union(*runs)
        medians.setdefault(group, {})[system] = {
            k: median([r[k] for r in runs if k in r]) for k in keys}
        if len(runs) > 1:
            cvs.setdefault(group, {})[system] = {
                k: coefficient_of_variation([r[k] for r in runs if k in r])
                for k in keys}
    return medians, skipped, contexts, cvs


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def coefficient_of_variation(values):
    n = len(values)
    mean = sum(values) / n
    if n < 2 or mean == 0:
        return 0.0
    var = sum((x - mean) ** 2 for x in values) / (n - 1)
    return var ** 0.5 / mean


def systems_in(medians):
    seen = set()
    for per_system in medians.values():
        seen.update(per_system)
    ordered = [s for s in SYSTEM_ORDER if s in seen]
    return ordered + sorted(seen - set(ordered))


def topic_of(group):
    return group.split("/", 1)[0]


def fmt(value):
    if value is None:
        return "—"
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 100000:
        return f"{value / 1000:.0f}k"
    if a >= 1000:
        return f"{value:.0f}"
    if a >= 100:
        return f"{value:.1f}"
    if a >= 10:
        return f"{value:.2f}"
    return f"{value:.3f}"


def ratio(ours, peer):
    # A (near-)zero peer value (e.g. 0 allocations) has no meaningful ratio.
    if ours is None or peer is None or abs(peer) < 1e-3:
        return None
    return ours / peer


def rows(medians):
    """(group, counter, label) in a stable, readable order."""
    topic_rank = {t: i for i, t in enumerate(METRICS)}
    out = []
    for group in sorted(medians, key=lambda g: (topic_rank.get(topic_of(g), 99), g)):
        metrics = METRICS.get(topic_of(group))
        if metrics is None:
            metrics = [("real_time_ns", "ns")]
        for counter, label in metrics:
            if any(counter in r for r in medians[group].values()):
                out.append((group, counter, label))
    return out


def value(medians, group, system, counter):
    return medians.get(group, {}).get(system, {}).get(counter)


def max_cv(cvs, group, counter):
    values = [c.get(counter) for c in cvs.get(group, {}).values()]
    values = [v for v in values if v is not None]
    return max(values) if values else None


def markdown_table(medians, skipped, systems, cvs):
    peers = [s for s in systems if s != OURS]
    head = (["benchmark", "metric"] + systems
            + [f"{OURS}/{p}" for p in peers] + ["max cv"])
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|"]
    for group, counter, label in rows(medians):
        cells = [group, label]
        for s in systems:
            v = value(medians, group, s, counter)
            if v is None and s in skipped.get(group, {}):
                cells.append("skip")
            else:
                cells.append(fmt(v))
        ours = value(medians, group, OURS, counter)
        for p in peers:
            r = ratio(ours, value(medians, group, p, counter))
            cells.append("—" if r is None else f"{r:.2f}×")
        cv = max_cv(cvs, group, counter)
        cells.append("—" if cv is None else f"{cv * 100:.0f}%")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def relative_table(medians, systems):
    lines = ["| variant | baseline | " + " | ".join(systems) + " |",
             "|---|---|" + "|".join(["---:"] * len(systems)) + "|"]
    any_row = False
    for variant, base in RELATIVE:
        if variant not in medians or base not in medians:
            continue
        cells = [variant, base]
        for s in systems:
            a = value(medians, variant, s, "ns_per_task")
            b = value(medians, base, s, "ns_per_task")
            r = ratio(a, b)
            cells.append("—" if r is None else f"{r:.2f}×")
        lines.append("| " + " | ".join(cells) + " |")
        any_row = True
    return "\n".join(lines) if any_row else ""


def check(verdicts, name, ok, detail):
    if ok is None:
        verdicts.append(("n/a", name, detail))
    else:
        verdicts.append(("MET" if ok else "MISSED", name, detail))


def targets(medians):
    """The performance targets, evaluated on the medians of this run."""
    v = []
    for p in ("p1", "p2"):
        g = f"EmptyTask/{p}/plain"
        ours = value(medians, g, OURS, "ns_per_task")
        # Throughput >= oneTBB's, >= 1.5x Boost.Asio's (so our
        # time <= 1/1.5 of theirs), faster than rvaser, <= 2x the ceiling.
        for peer, rule, limit in (("tbb", "<=", 1.0), ("asio", "<=", 1 / 1.5),
                                  ("rvaser", "<", 1.0), ("ceiling", "<=", 2.0)):
            theirs = value(medians, g, peer, "ns_per_task")
            r = ratio(ours, theirs)
            if r is None:
                check(v, f"{g}: vs {peer}", None, "peer not in this run")
                continue
            ok = r <= limit if rule == "<=" else r < limit
            check(v, f"{g}: ours/{peer} {rule} {limit:.3g}", ok,
                  f"{fmt(ours)} vs {fmt(theirs)} ns/task = {r:.2f}×")
    ours = value(medians, "Spin1us/100k", OURS, "ns_per_task")
    ceiling = value(medians, "Spin1us/100k", "ceiling", "ns_per_task")
    r = ratio(ours, ceiling)
    if r is not None:
        check(v, "Spin1us/100k: ours/ceiling <= 1.1", r <= 1.1,
              f"{fmt(ours)} vs {fmt(ceiling)} ns/task = {r:.2f}×")
    # The user paths, litepool against the named peer.
    for group, peer in (("UserPath/empty200k", "tbb"),
                        ("UserPath/spin1us_50k", "asio")):
        ours = value(medians, group, OURS, "ns_per_task")
        theirs = value(medians, group, peer, "ns_per_task")
        r = ratio(ours, theirs)
        if r is not None:
            check(v, f"{group}: ours/{peer} <= 1.0", r <= 1.0,
                  f"{fmt(ours)} vs {fmt(theirs)} ns/task = {r:.2f}×")
    # Balance: one ideal for every system (nominal work / min(workers,
    # cores)); the makespan within 1.05x of the best peer's.
    for group in sorted(g for g in medians if topic_of(g) == "Balance"):
        m = value(medians, group, OURS, "makespan_over_ideal")
        i = value(medians, group, OURS, "imbalance")
        if m is not None:
            check(v, f"{group}: makespan/ideal <= 1.02", m <= 1.02, fmt(m))
        if i is not None:
            check(v, f"{group}: max/mean busy <= 1.01", i <= 1.01, fmt(i))
        ours = value(medians, group, OURS, "makespan_ms")
        peers = [(value(medians, group, p, "makespan_ms"), p)
                 for p in medians[group] if p not in (OURS, "ceiling")]
        peers = [(x, p) for x, p in peers if x]
        if ours is not None and peers:
            best, who = min(peers)
            check(v, f"{group}: makespan <= 1.05x the best peer", ours <= 1.05 * best,
                  f"{fmt(ours)} ms vs {who} {fmt(best)} ms = {ours / best:.2f}×")
    a = value(medians, "Memory/empty", OURS, "new_per_task")
    if a is not None:
        check(v, "Memory/empty: <= 1 allocation per task", a <= 1.0 + 1e-3,
              f"{fmt(a)} operator new/task, "
              f"{fmt(value(medians, 'Memory/empty', OURS, 'heap_per_task'))} malloc/task")
    p50 = value(medians, "WakeUp/idle", OURS, "p50_ns")
    p99 = value(medians, "WakeUp/idle", OURS, "p99_ns")
    if p99 is not None:
        check(v, "WakeUp/idle: p99 <= 50 us", p99 <= 50000,
              f"p50 {fmt(p50)} ns, p99 {fmt(p99)} ns")
    return v


# ---- SVG -----------------------------------------------------------------

COLORS = {"litepool": "#d62728", "tbb": "#1f77b4", "asio": "#2ca02c",
          "rvaser": "#9467bd", "ceiling": "#7f7f7f"}
EXTRA_COLORS = ["#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


def svg_chart(medians, systems, title):
    """One panel per (benchmark, first metric): a horizontal bar per
    system, scaled to the largest value of the panel, labelled with the
    value and litepool's ratio."""
    colors = dict(COLORS)
    for i, s in enumerate(x for x in systems if x not in colors):
        colors[s] = EXTRA_COLORS[i % len(EXTRA_COLORS)]
    panels = []
    seen = set()
    for group, counter, label in rows(medians):
        if group in seen:
            continue  # first (primary) metric only
        seen.add(group)
        bars = [(s, value(medians, group, s, counter)) for s in systems]
        bars = [(s, x) for s, x in bars if x is not None]
        if bars:
            panels.append((group, label, bars))

    width, left, right = 920, 250, 150
    bar_h, gap, head_h, top = 13, 3, 20, 64
    plot_w = width - left - right
    height = top + sum(head_h + len(b) * (bar_h + gap) + 8
                       for _, _, b in panels) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" '
           'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="10" y="20" font-size="15" font-weight="bold">'
           f'{html.escape(title)}</text>',
           '<text x="10" y="37" fill="#444">Medians of one run; every metric '
           'is lower-is-better; bars scaled per panel; label: value '
           '(litepool / system).</text>']
    x = 10
    for s in systems:
        out.append(f'<rect x="{x}" y="46" width="10" height="10" '
                   f'fill="{colors[s]}"/>')
        out.append(f'<text x="{x + 14}" y="55">{html.escape(s)}</text>')
        x += 14 + 8 * len(s) + 18
    y = top
    for group, label, bars in panels:
        out.append(f'<text x="10" y="{y + 14}"><tspan font-weight="bold">'
                   f'{html.escape(group)}</tspan><tspan fill="#444">'
                   f'\u00a0\u00a0— {html.escape(label)}</tspan></text>')
        y += head_h
        vmax = max(v for _, v in bars) or 1.0
        ours = dict(bars).get(OURS)
        for s, v in bars:
            w = max(1.0, plot_w * v / vmax) if v > 0 else 0.0
            out.append(f'<text x="{left - 8}" y="{y + bar_h - 3}" '
                       f'text-anchor="end">{html.escape(s)}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" '
                       f'height="{bar_h}" fill="{colors[s]}"/>')
            note = fmt(v)
            r = ratio(ours, v)
            if s != OURS and r is not None:
                note += f"  ({r:.2f}×)"
            out.append(f'<text x="{left + w + 5:.1f}" y="{y + bar_h - 3}">'
                       f'{html.escape(note)}</text>')
            y += bar_h + gap
        y += 8
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="Google Benchmark JSON files")
    ap.add_argument("--svg", help="write the bar chart here")
    ap.add_argument("--markdown", help="also write the report here")
    args = ap.parse_args(argv)

    medians, skipped, contexts, cvs = load(args.results)
    if not medians:
        print("report.py: no results found", file=sys.stderr)
        return 1
    systems = systems_in(medians)
    ctx = contexts[0] if contexts else {}
    parts = []
    parts.append(
        f"Run {ctx.get('date', '?')} on {ctx.get('host_name', '?')}: "
        f"{ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz, "
        f"load average at start {', '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))}; "
        f"systems: {', '.join(systems)}.")
    parts.append("")
    parts.append("Medians; lower is better everywhere; "
                 f"`{OURS}/X` = ours ÷ X (< 1: litepool wins); "
                 "max cv = the largest coefficient of variation over the "
                 "repetitions of the row's systems (how far to trust it).")
    parts.append("")
    parts.append(markdown_table(medians, skipped, systems, cvs))
    rel = relative_table(medians, systems)
    if rel:
        parts.append("")
        parts.append("Variants relative to the plain run of the same system "
                     "(ns/task ratio):")
        parts.append("")
        parts.append(rel)
    skipped_lines = [f"- {g}/{s}: {msg}" for g, per in sorted(skipped.items())
                     for s, msg in sorted(per.items())]
    if skipped_lines:
        parts.append("")
        parts.append("Skipped:")
        parts.append("")
        parts.extend(skipped_lines)
    parts.append("")
    parts.append("Performance targets, this run:")
    parts.append("")
    for verdict, name, detail in targets(medians):
        parts.append(f"- **{verdict}** {name} — {detail}")
    text = "\n".join(parts) + "\n"
    sys.stdout.write(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    if args.svg:
        title = (f"litepool vs peers — {ctx.get('num_cpus', '?')} CPUs, "
                 f"{ctx.get('date', '')[:10]}")
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg_chart(medians, systems, title))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
