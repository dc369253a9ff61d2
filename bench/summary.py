"""One table for `make bench`: figure, anchor, ratio and goal from every benchmark.

    .venv/bin/python bench/summary.py            # what `make bench` runs

Each benchmark prints its own report and, when ISODOC_BENCH_SUMMARY names a file,
appends its headline rows there as JSON lines:

    {"bench": "search", "figure": "search 50k: p95 ms", "value": 2.1, "anchor": 0.9,
     "goal": 3.0, "unit": "ms", "higher": false}

`goal` bounds value / anchor: at most `goal` (latency, time, memory against a limit),
or at least `goal` when "higher" is true (req/s as a share of the bare page's).
This script runs bench/search.py, bench/issue.py and bench/load.py one after the other
(each with the arguments in ISODOC_BENCH_SEARCH_ARGS, ISODOC_BENCH_ISSUE_ARGS,
ISODOC_BENCH_LOAD_ARGS; small defaults that run in a few minutes), then prints one
table. A benchmark that is missing or writes no rows is named under the table.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = (  # name, script, default arguments (small: minutes, not hours)
    ("search", "search.py", "--sizes 2000 --queries 200"),
    ("issue", "issue.py", "--documents 100 --commits 500 --samples 50"),
    ("load", "load.py", "--seconds 20"),
)


def write_rows(bench: str, rows: list[dict]) -> None:
    """Append `rows` to the summary file, if `make bench` asked for one."""
    target = os.environ.get("ISODOC_BENCH_SUMMARY")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({"bench": bench, "higher": False, **row},
                                 ensure_ascii=False) + "\n")


def verdict(row: dict) -> tuple[float, bool]:
    ratio = row["value"] / row["anchor"] if row["anchor"] else float("inf")
    return ratio, ratio >= row["goal"] if row.get("higher") else ratio <= row["goal"]


def print_rows(rows: list[dict]) -> None:
    print(f"{'figure':<34}{'value':>10}{'anchor':>10}{'ratio':>8}  {'goal':<8}")
    for row in rows:
        ratio, ok = verdict(row)
        goal = f"{'≥' if row.get('higher') else '≤'} {row['goal']:g}"
        print(f"{row['figure']:<34}{row['value']:>10.2f}{row['anchor']:>10.2f}"
              f"{ratio:>8.2f}  {goal:<8}{'ok' if ok else 'MISSED'}")


def machine() -> str:
    cpus = os.cpu_count()
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return f"{platform.node()} · {platform.processor() or platform.machine()} · " \
           f"{cpus} CPUs · load {load} · Python {platform.python_version()}"


def main() -> int:
    with tempfile.NamedTemporaryFile("w+", suffix=".jsonl", delete=False) as f:
        summary = Path(f.name)
    env = {**os.environ, "ISODOC_BENCH_SUMMARY": str(summary)}
    failed, silent = [], []
    try:
        for name, script, default in BENCHES:
            path = HERE / script
            if not path.exists():
                silent.append(f"{name}: bench/{script} is missing")
                continue
            args = shlex.split(os.environ.get(f"ISODOC_BENCH_{name.upper()}_ARGS", default))
            print(f"\n=== bench/{script} {' '.join(args)}", flush=True)
            before = len(summary.read_text(encoding="utf-8").splitlines())
            code = subprocess.call([sys.executable, str(path), *args], env=env)
            after = len(summary.read_text(encoding="utf-8").splitlines())
            if code:
                failed.append(f"{name}: bench/{script} exited with {code}")
            elif after == before:
                silent.append(f"{name}: bench/{script} wrote no summary rows "
                              "(ISODOC_BENCH_SUMMARY)")
        rows = [json.loads(line) for line in summary.read_text(encoding="utf-8").splitlines()]
    finally:
        summary.unlink(missing_ok=True)
    print(f"\n=== make bench — {machine()}\n")
    print_rows(rows)
    for note in failed + silent:
        print(f"  ! {note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
