"""Where the benchmarks keep their record: one JSON file per benchmark in bench/results/, compared over time."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write bench/results/<name>.json (indented, one trailing newline); its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


def run_header(benchmark: str) -> dict[str, Any]:
    """The first keys of a results file: which benchmark, when (UTC), Python, CPUs, and the load at the end of
    the run (on shared cores other load lowers a figure; a high value marks it a lower bound)."""
    return {
        "benchmark": benchmark,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
