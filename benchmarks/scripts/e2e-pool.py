#!/usr/bin/env python3
"""Pools the raw samples of several e2e-bench.sh runs (E2E_OUT/e2e-samples.tsv) into one markdown table.

Each cell: median (min-max) over every repetition of every run; a ratio is taken per repetition against the
reference tool of the same run and repetition (the machines are shared and their speed drifts between runs, so
ratios within a repetition are the stable comparison), then summarized the same way. "one" pools every hyperfine run.

Before/after: --old RUN... --new RUN... pairs the k-th old run with the k-th new run (runs made alternately on one
machine, one backlog, as benchmarks/scripts/before-after.sh makes them) and, for every tool in both, prints each
row's old and new values and the new/old ratio taken per pair and repetition (same run index, same repetition),
then summarized as median (min-max). `cp` in the runs is the drift control: its new/old ratio is the machine's noise.

Usage: benchmarks/scripts/e2e-pool.py RUN... [--vs cp --vs pgbr-async]
       benchmarks/scripts/e2e-pool.py --old RUN... --new RUN... [--tool walstow-daemon]
  RUN: an E2E_OUT directory, or a samples file (e.g. benchmarks/results/e2e-samples-20261207-e.tsv)
"""
import argparse
import collections
import statistics

NAMES = {"cp": "`cp`", "pgbr-sync": "pgBackRest sync", "pgbr-async": "pgBackRest async, process-max=2",
         "walstow": "walstow in-process", "walstow-daemon": "walstow daemon"}
ROWS = [("drain_s", "drain_cpu_s", "drain 96-segment backlog"), ("get_s", "get_cpu_s", "96 sequential restore calls"),
        ("pitr_s", "pitr_cpu_s", "PITR to a target time")]


def spread(values, fmt):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def load(runs):
    """(run, tool, rep, metric) -> values, and the tools in order of appearance."""
    samples = collections.defaultdict(list)
    tools = []
    for run in runs:
        with open(run if run.endswith(".tsv") else f"{run}/e2e-samples.tsv") as f:
            for line in f:
                tool, rep, metric, value = line.rstrip("\n").split("\t")
                samples[(run, tool, rep, metric)].append(float(value))
                if tool not in tools:
                    tools.append(tool)
    return samples, tools


# Before/after rows: (metric, label, scale to the unit shown, unit, format)
PAIR_ROWS = [("drain_s", "drain, wall", 1, "s", "{:.2f}"), ("drain_cpu_s", "drain, CPU", 1, "s", "{:.1f}"),
             ("get_s", "96 restore calls, wall", 1, "s", "{:.2f}"), ("get_cpu_s", "96 restore calls, CPU", 1, "s", "{:.1f}"),
             ("pitr_s", "PITR, wall", 1, "s", "{:.2f}"), ("pitr_cpu_s", "PITR, CPU", 1, "s", "{:.1f}"),
             ("one_s", "one call, already handled", 1000, "ms", "{:.1f}")]


def before_after(old_runs, new_runs, only):
    if len(old_runs) != len(new_runs):
        raise SystemExit(f"--old has {len(old_runs)} runs, --new {len(new_runs)}: they are paired one to one")
    old, old_tools = load(old_runs)
    new, new_tools = load(new_runs)
    order = [t for t in NAMES if t in old_tools and t in new_tools and (not only or t in only)]
    if not order:
        raise SystemExit("no tool in both the old and the new runs")
    pairs = list(zip(old_runs, new_runs))
    for tool in order:
        print(f"| {NAMES[tool]} | old, median (min–max) | new, median (min–max) | new/old per pair, median (min–max) | n |")
        print("|---|---:|---:|---:|---:|")
        for metric, label, scale, unit, fmt in PAIR_ROWS:
            olds = [x * scale for k, xs in old.items() if k[1] == tool and k[3] == metric for x in xs]
            news = [x * scale for k, xs in new.items() if k[1] == tool and k[3] == metric for x in xs]
            if not olds and not news:
                continue
            ratios = []
            for o, n in pairs:
                if metric == "one_s":  # many hyperfine runs per repetition: the ratio of the two runs' medians
                    ov = [x for k, xs in old.items() if k[0] == o and k[1] == tool and k[3] == metric for x in xs]
                    nv = [x for k, xs in new.items() if k[0] == n and k[1] == tool and k[3] == metric for x in xs]
                    if ov and nv:
                        ratios.append(statistics.median(nv) / statistics.median(ov))
                    continue
                reps = sorted({k[2] for k in old if k[0] == o and k[1] == tool and k[3] == metric}
                              & {k[2] for k in new if k[0] == n and k[1] == tool and k[3] == metric})
                ratios += [new[(n, tool, r, metric)][0] / old[(o, tool, r, metric)][0] for r in reps]
            cells = [spread(v, fmt) + f" {unit}" if v else "n/a" for v in (olds, news)]
            cells.append(f"**{statistics.median(ratios):.2f}×** ({min(ratios):.2f}–{max(ratios):.2f})" if ratios else "n/a")
            print(f"| {label} | " + " | ".join(cells) + f" | {len(ratios)} |")
        print()
    print(f"{len(pairs)} pairs of runs (old k, new k); a ratio per pair and repetition (one call: per pair, the ratio of "
          "the medians of its hyperfine runs); median (min–max).")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="*", help="E2E_OUT directories or their e2e-samples.tsv files")
    parser.add_argument("--vs", action="append", default=None, help="reference tool(s) for ratios (default cp)")
    parser.add_argument("--old", nargs="+", default=None, help="before/after: the runs of the old distribution")
    parser.add_argument("--new", nargs="+", default=None, help="before/after: the runs of the new one, in the same order")
    parser.add_argument("--tool", action="append", default=None, help="before/after: only this tool (repeatable)")
    args = parser.parse_args()
    if args.old or args.new:
        if not (args.old and args.new) or args.runs:
            parser.error("before/after takes --old RUN... and --new RUN... and no other run")
        before_after(args.old, args.new, args.tool)
        return
    if not args.runs:
        parser.error("no run given")
    refs = args.vs or ["cp"]
    # (run, tool, rep, metric) -> values
    samples, tools = load(args.runs)
    order = [t for t in NAMES if t in tools]
    print("| | " + " | ".join(NAMES[t] for t in order) + " |")
    print("|---|" + "---|" * len(order))
    for metric, cpu, label in ROWS:
        cells = []
        for tool in order:
            keys = [k for k in samples if k[1] == tool and k[3] == metric]
            if not keys:
                cells.append("n/a")
                continue
            cell = spread([samples[k][0] for k in keys], "{:.2f}") + " s"
            # A reference tool is compared only with the references before it (pgBackRest with cp, not cp with it).
            for ref in refs[:refs.index(tool)] if tool in refs else refs:
                ratios = [samples[k][0] / samples[(k[0], ref, k[2], metric)][0] for k in keys
                          if (k[0], ref, k[2], metric) in samples]
                if ratios:
                    cell += f", **{statistics.median(ratios):.2f}×** {NAMES[ref].split(',')[0]} ({min(ratios):.2f}–{max(ratios):.2f})"
            cpus = [samples[(k[0], tool, k[2], cpu)][0] for k in keys if (k[0], tool, k[2], cpu) in samples]
            if cpus:
                cell += f", CPU {spread(cpus, '{:.1f}')} s"
            cells.append(cell)
        print(f"| {label} | " + " | ".join(cells) + " |")
    ones = []
    for tool in order:
        v = [x * 1000 for k, xs in samples.items() if k[1] == tool and k[3] == "one_s" for x in xs]
        ones.append(("`test -f` " if tool == "cp" else "") + (spread(v, "{:.1f}") + " ms" if v else "n/a"))
    print("| one call, segment already handled | " + " | ".join(ones) + " |")
    reps = sorted({(k[0], k[2]) for k in samples})
    print(f"\nn = {len(reps)} repetitions ({len(args.runs)} runs); median (min–max); ratios per repetition.")


if __name__ == "__main__":
    main()
