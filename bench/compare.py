#!/usr/bin/python3
"""compare.py: time two commands in alternating rounds and print their ratio.

A shared 2-vCPU VM drifts by 20% and more from one minute to the next, so
timing all runs of one command and then all runs of the other can make
either look faster. Here each round runs hyperfine (-N, no shell) on A for
RUNS_A runs and then on B for RUNS_B runs, and the figures pool every
round's runs: both commands see the same machine.

Usage: compare.py [--rounds N] [--runs-a N] [--runs-b N] NAME_A CMD_A NAME_B CMD_B [CMD_B ...]
With several B commands (crit x ps, then crit x mems), a run of B is one run
of each, and its time their sum. Prints one Markdown table row:
| NAME_A vs NAME_B | A mean (median) | B mean (median) | B/A of means (medians) |
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile


def times(cmd, runs):
    """Runs hyperfine once on cmd and returns the wall times in seconds."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        r = subprocess.run(
            ["hyperfine", "-N", "--style", "none", "--warmup", "2", "-r", str(runs),
             "--export-json", out.name, cmd],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:  # hyperfine's warnings on stderr are dropped otherwise
            sys.exit(f"hyperfine {cmd}: exit {r.returncode}\n{r.stderr}")
        with open(out.name) as f:
            return json.load(f)["results"][0]["times"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--runs-a", type=int, default=10)
    p.add_argument("--runs-b", type=int, default=3)
    p.add_argument("name_a")
    p.add_argument("cmd_a")
    p.add_argument("name_b")
    p.add_argument("cmd_b", nargs="+")
    a = p.parse_args()
    ta, tb = [], []
    for _ in range(a.rounds):
        ta += times(a.cmd_a, a.runs_a)
        tb += [sum(ts) for ts in zip(*(times(c, a.runs_b) for c in a.cmd_b))]
    ma, mb = statistics.mean(ta), statistics.mean(tb)
    da, db = statistics.median(ta), statistics.median(tb)
    print(f"| `{a.name_a}` vs `{a.name_b}` | {ma*1e3:.1f} ms ({da*1e3:.1f}) | "
          f"{mb*1e3:.1f} ms ({db*1e3:.1f}) | **{mb/ma:.1f}x** ({db/da:.1f}x) |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
