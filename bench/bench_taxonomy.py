"""Benchmark: time to load every taxonomy table (budget 0.3 s) and the cost of lookups after loading.

Each load is measured in a fresh interpreter, because the tables are cached for the life of a process.
Run: `.venv/bin/python -m bench.bench_taxonomy [--repeat N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import timeit

LOAD_BUDGET_S = 0.3

_LOAD_SCRIPT = """
import json, time
started = time.perf_counter()
from sdg_tags import taxonomy
imported = time.perf_counter()
from sdg_tags.taxonomy import annexes, countries, languages, lau, nuts
tables = {}
for module in (countries, languages, annexes, nuts, lau):
    before = time.perf_counter()
    module.load()
    tables[module.__name__.split(".")[-1]] = time.perf_counter() - before
print(json.dumps({"import": imported - started, "load_all": time.perf_counter() - imported, "tables": tables}))
"""


def measure_loads(repeat: int) -> list[dict]:
    """`repeat` cold loads, each in its own interpreter."""
    runs = []
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, "-c", _LOAD_SCRIPT], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(output.stdout))
    return runs


def measure_lookups() -> dict[str, float]:
    """Microseconds per call of the lookups the validator makes per page, tables already loaded."""
    from sdg_tags import taxonomy

    taxonomy.load_all()
    calls = {
        "classify_country": lambda: taxonomy.classify_country("SE"),
        "iso639_1": lambda: taxonomy.iso639_1("sv"),
        "parse_bcp47": lambda: taxonomy.parse_bcp47("en-GB"),
        "nuts_status": lambda: taxonomy.nuts_status("DEG0F"),
        "lau_unit": lambda: taxonomy.lau_unit("IT", "001001"),
        "countries_with_lau_code": lambda: taxonomy.countries_with_lau_code("21001"),
        "annex1_item": lambda: taxonomy.annex1_item("J10"),
        "assistance_service": lambda: taxonomy.assistance_service("Product contact points for construction"),
    }
    number = 20_000
    return {
        name: min(timeit.repeat(call, number=number, repeat=3)) / number * 1e6 for name, call in calls.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="cold loads to measure (default 7)")
    args = parser.parse_args(argv)
    runs = measure_loads(args.repeat)
    loads = [run["load_all"] for run in runs]
    median = statistics.median(loads)
    print(
        f"load_all (cold, {args.repeat} runs): median {median * 1000:.1f} ms, min {min(loads) * 1000:.1f} ms, "
        f"max {max(loads) * 1000:.1f} ms; budget {LOAD_BUDGET_S * 1000:.0f} ms -> "
        f"{'OK' if median < LOAD_BUDGET_S else 'OVER BUDGET'}"
    )
    print(f"import taxonomy: median {statistics.median(run['import'] for run in runs) * 1000:.1f} ms")
    for table in runs[0]["tables"]:
        print(
            f"  {table:<10} median {statistics.median(run['tables'][table] for run in runs) * 1000:7.1f} ms"
        )
    print("lookups after load (µs per call):")
    for name, micros in measure_lookups().items():
        print(f"  {name:<24} {micros:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
