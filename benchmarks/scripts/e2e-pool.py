#!/usr/bin/env python3
"""Pools the raw samples of several e2e-bench.sh runs (E2E_OUT/e2e-samples.tsv) into one markdown table.

Each cell: median (min-max) over every repetition of every run; a ratio is taken per repetition against the
reference tool of the same run and repetition (the machines are shared and their speed drifts between runs, so
ratios within a repetition are the stable comparison), then summarized the same way. "one" pools every hyperfine run.

Usage: benchmarks/scripts/e2e-pool.py RUN... [--vs cp --vs pgbr-async]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", help="E2E_OUT directories or their e2e-samples.tsv files")
    parser.add_argument("--vs", action="append", default=None, help="reference tool(s) for ratios (default cp)")
    args = parser.parse_args()
    refs = args.vs or ["cp"]
    # (run, tool, rep, metric) -> values
    samples = collections.defaultdict(list)
    tools = []
    for run in args.runs:
        with open(run if run.endswith(".tsv") else f"{run}/e2e-samples.tsv") as f:
            for line in f:
                tool, rep, metric, value = line.rstrip("\n").split("\t")
                samples[(run, tool, rep, metric)].append(float(value))
                if tool not in tools:
                    tools.append(tool)
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
