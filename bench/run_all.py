"""`make bench`: run every `bench/bench_*.py`, each in its own interpreter, one after the other.

Each benchmark writes `bench/results/<name>.json` itself (`bench_check.py` -> `check.json`; committed, so results
can be compared over time); its printed output goes to `bench/results/tmp/<name>.log` and a summary of the run
(which benchmarks ran, how long, exit codes, result files) to `bench/results/tmp/run_all.json` (not committed). Benchmarks run sequentially: two at once on a small
machine would measure each other. A failing benchmark is reported and the others still run.
Run: `.venv/bin/python -m bench.run_all [--only NAME ...] [--timeout SECONDS]`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
LOGS = RESULTS / "tmp"  # git-ignored
DEFAULT_TIMEOUT_S = 1800


def benchmark_names() -> list[str]:
    """`check` for bench/bench_check.py, and so on, sorted."""
    return sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))


def run_one(name: str, timeout: float) -> dict[str, object]:
    """Run `python -m bench.bench_<name>` from the project root; returns what happened."""
    result_file = RESULTS / f"{name}.json"
    before = result_file.stat().st_mtime if result_file.exists() else None
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"bench.bench_{name}"],
            cwd=BENCH_DIR.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        exit_code: int | None = done.returncode
        output = done.stdout + (f"\n--- stderr ---\n{done.stderr}" if done.stderr else "")
    except subprocess.TimeoutExpired as expired:
        exit_code = None
        output = f"{expired.stdout or ''}\n--- timed out after {timeout:g} s ---\n"
    seconds = time.perf_counter() - started
    (LOGS / f"{name}.log").write_text(output, encoding="utf-8")
    written = result_file.exists() and result_file.stat().st_mtime != before
    return {
        "name": name,
        "exit_code": exit_code,
        "seconds": round(seconds, 1),
        "result_file": str(result_file.relative_to(BENCH_DIR.parent)) if written else None,
        "log_file": str((LOGS / f"{name}.log").relative_to(BENCH_DIR.parent)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these (e.g. check taxonomy)")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per benchmark (default 1800)"
    )
    args = parser.parse_args(argv)
    names = benchmark_names()
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"no benchmark named {', '.join(unknown)}; there are: {', '.join(names)}")
        names = [name for name in names if name in args.only]
    LOGS.mkdir(parents=True, exist_ok=True)
    runs = []
    for name in names:
        print(f"bench {name} ...", flush=True)
        run = run_one(name, args.timeout)
        runs.append(run)
        state = "ok" if run["exit_code"] == 0 else f"FAILED (exit {run['exit_code']})"
        print(f"bench {name}: {state} in {run['seconds']} s; output in {run['log_file']}", flush=True)
        log = (BENCH_DIR.parent / str(run["log_file"])).read_text(encoding="utf-8")
        print("  " + log.strip().replace("\n", "\n  "), flush=True)
    summary = {"ran_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "benchmarks": runs}
    (LOGS / "run_all.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    failed = [run["name"] for run in runs if run["exit_code"] != 0]
    if failed:
        print(f"failed: {', '.join(map(str, failed))}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
