"""Benchmark of `sdg-tags check DIR --format json` end to end, and its memory at 100,000 pages.

(1) A folder of distinct 60 KB pages of one site (bench_check's realistic pages) is checked by the command as a
user runs it: process start, the folder walk, file reads, checks on every CPU (the default), JSON written to a
pipe that is drained. The reference, in the same rounds, is a single-core lxml full parse of the same files in
a fresh process (read each file, `lxml.html.document_fromstring`): what any tool that parses the pages at all
pays. Rounds alternate the two; the ratio is reference time / check time (goal ≥ 2).
(2) Peak RSS of `check DIR --format json` over 100,000 small pages, one process and all CPUs: memory must not
grow with the number of pages (goal: a few hundred MB).
Writes bench/results/check_dir.json. Run: `.venv/bin/python -m bench.bench_check_dir [--pages N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_check import realistic_page
from bench.results_file import run_header, write_result

SDG_TAGS = str(Path(sys.executable).with_name("sdg-tags"))
LXML_PARSE = (
    "import sys, pathlib, lxml.html\n"
    "for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.html')):\n"
    "    lxml.html.document_fromstring(path.read_bytes())\n"
)
SMALL_PAGE = (
    '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n<meta name="sdg-tag" content="sdg">\n'
    '<meta name="DC.ISO3166" content="{country}">\n<meta name="DC.Service" content="information">\n'
    '<meta name="policy-code" content="A{item}">\n<title>Page {number}</title>\n</head>\n'
    "<body><p>page {number}</p></body>\n</html>\n"
)


def write_pages(folder: Path, count: int, realistic: bool) -> None:
    for number in range(count):
        sub = folder / f"part{number % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        if realistic:
            body = realistic_page(page_number=number)
        else:
            country = ("BE", "GR", "SE", "NL")[number % 4]
            body = SMALL_PAGE.format(country=country, item=number % 5 + 1, number=number).encode()
        (sub / f"page{number:06d}.html").write_bytes(body)


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the process tree, and its exit code; output drained into /dev/null."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return wall, cpu, done.returncode


def peak_rss_mb(command: list[str]) -> float:
    """Peak RSS of the largest process of the command's tree (the check process or one of its workers), from
    the kernel's accounting of that child (wait4), not sampling."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed ({process.returncode})")
    return usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4000, help="60 KB pages in the throughput folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-pages", type=int, default=100_000, help="small pages in the memory folder")
    args = parser.parse_args(argv)
    result: dict[str, Any] = run_header("check_dir")
    with tempfile.TemporaryDirectory(prefix="sdg-check-dir-") as scratch:
        site = Path(scratch) / "site"
        write_pages(site, args.pages, realistic=True)
        size = sum(path.stat().st_size for path in site.rglob("*.html"))
        check = [SDG_TAGS, "check", "--format", "json", str(site)]
        reference = [sys.executable, "-c", LXML_PARSE, str(site)]
        timed(check)  # warm the page cache for both
        rounds = []
        for _ in range(args.rounds):
            ref_wall, _, _ = timed(reference)
            wall, cpu, _ = timed(check)
            rounds.append(
                {"check_s": round(wall, 3), "check_cpu_s": round(cpu, 3), "lxml_s": round(ref_wall, 3)}
            )
            print(f"check {wall:.2f} s ({args.pages / wall:,.0f} pages/s), lxml {ref_wall:.2f} s", flush=True)
        best_check = min(r["check_s"] for r in rounds)
        best_ref = min(r["lxml_s"] for r in rounds)
        result["throughput"] = {
            "pages": args.pages,
            "bytes": size,
            "command": "sdg-tags check DIR --format json (every CPU, output to a pipe)",
            "reference": "one process, one core: read each file and lxml.html.document_fromstring",
            "rounds": rounds,
            "check_pages_per_s_best": round(args.pages / best_check, 1),
            "lxml_pages_per_s_best": round(args.pages / best_ref, 1),
            "ratio_best": round(best_ref / best_check, 2),
            "ratio_median_of_rounds": round(statistics.median(r["lxml_s"] / r["check_s"] for r in rounds), 2),
            "goal_ratio": 2.0,
        }
        print(result["throughput"], flush=True)
    with tempfile.TemporaryDirectory(prefix="sdg-check-dir-mem-") as scratch:
        site = Path(scratch) / "site"
        write_pages(site, args.memory_pages, realistic=False)
        memory = {"pages": args.memory_pages}
        for label, jobs in (("one_process_mb", "1"), ("all_cpus_largest_process_mb", "0")):
            command = [SDG_TAGS, "check", "--format", "json", str(site)]
            if jobs != "0":
                command[2:2] = ["--jobs", jobs]
            memory[label] = round(peak_rss_mb(command), 1)
        small = [
            SDG_TAGS,
            "check",
            "--format",
            "json",
            "--jobs",
            "1",
            str(site / "part0" / "page000000.html"),
        ]
        memory["one_page_mb"] = round(peak_rss_mb(small), 1)
        result["memory"] = memory
        print(memory, flush=True)
    path = write_result("check_dir", result)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
