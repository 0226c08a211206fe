"""Benchmark of `sdg-tags report` on a 100,000-page run (budget: under 30 s), and of the HTML in Chromium.

(1) A repository with two runs of 100,000 pages each (200 providers in 30 countries, a realistic verdict mix,
1-6 findings per page, a few percent of failed fetches) is generated synthetically through
`Repository.write_pages` in batches, and cached in bench/results/tmp/ so later runs skip it.
(2) Wall and CPU time of `write_report` for the newest run (with the previous run for changes and trend), and
of the same with `--by-provider`; peak memory; sizes of the files.
(3) If Chromium is installed: time until the page table shows its first rows, and until a filter and a sort
over all 100,000 rows have been applied.
Writes bench/results/report.json. No assertions: numbers for people, compared over time.
Run: `.venv/bin/python -m bench.bench_report [--pages N] [--no-browser]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.results_file import RESULTS, write_result

CACHE = RESULTS / "tmp"
GENERATOR_VERSION = 1  # bump when the generated repository changes shape
BUDGET_S = 30.0
BATCH = 2000
PROVIDERS = 200
COUNTRIES = (
    "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO"
).split()
CHROMIUM = Path("/usr/bin/chromium")

# Page templates with the verdict mix seen in practice: most pages tagged, many with warnings or errors.
TEMPLATES: tuple[tuple[float, str], ...] = (
    (
        0.30,
        '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="{cc}">'
        '<meta name="DC.Service" content="information"><meta name="policy-code" content="{code}">'
        '<link rel="canonical" href="{url}">',
    ),
    (
        0.20,
        '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="{cc}">'
        '<meta name="DC.Service" content="Information;procedure"><meta name="policy-code" content="{code};X1">'
        '<meta name="DC.Policy" content="acquiring and renewing a driving licence">',
    ),
    (
        0.15,
        '<meta name="sdg-tag" content="SDG"><meta name="DC.ISO3166" content="{cc_lower}">'
        '<meta name="DC.Location" content="{cc}1"><meta name="DC.Service" content="information">'
        '<meta name="policy-code" content="{code_padded}">',
    ),
    (
        0.10,
        '<meta name="DC.ISO3166" content="{cc}"><meta name="DC.Service" content="procedure">'
        '<meta name="policy-code" content="I">',
    ),
    (
        0.05,
        '<meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="{cc}">'
        '<meta name="DC.Service" content="assistance"><meta name="policy-code" content="SOLVIT">',
    ),
    (0.20, ""),  # no SDG tags
)
CODES = ("A1", "B2", "C2", "D3", "E1", "F4", "G1", "H5", "J1", "K3", "L2", "M4", "N1", "O2", "P3", "Q1")
FAILED_SHARE = 0.03


def page_html(template: str, url: str, cc: str, code: str) -> bytes:
    head = template.format(
        url=url, cc=cc, cc_lower=cc.lower(), code=code, code_padded=code[0] + "0" + code[1:]
    )
    return f'<!DOCTYPE html><html lang="en"><head><title>Page {url}</title>{head}</head><body></body></html>'.encode()


def build_repository(db_path: Path, pages: int) -> None:
    """Two runs of `pages` pages; run 2 differs from run 1 on ~5 % of the pages."""
    from sdg_tags.repository.records import PageRecord, RegistryEntry
    from sdg_tags.repository.store import Repository
    from sdg_tags.validators.engine import check_page

    rng = random.Random(1724)
    providers = [
        (f"Authority {number:03d}", COUNTRIES[number % len(COUNTRIES)]) for number in range(PROVIDERS)
    ]
    with Repository(f"sqlite:///{db_path}") as repository:
        repository.import_registry(
            [
                RegistryEntry(
                    url=f"https://www.authority{number:03d}.example/",
                    url_type="web folder",
                    country=country,
                    provider=name,
                    notification_type="CRAWL",
                )
                for number, (name, country) in enumerate(providers)
            ],
            source="bench",
        )
        results: dict[tuple[int, str, str], Any] = {}
        weights = [weight for weight, _ in TEMPLATES]
        for run in (1, 2):
            run_id = repository.start_run(profile="harvester", settings={"bench": True}, code_lists={})
            fetched = datetime(2025, 1, 31, 23, 0, tzinfo=UTC) + timedelta(days=run)
            batch: list[PageRecord] = []
            page_rng = random.Random(2020)
            for number in range(pages):
                provider = number % PROVIDERS
                country = providers[provider][1]
                root = f"https://www.authority{provider:03d}.example/"
                url = f"{root}page/{number}"
                template = page_rng.choices(range(len(TEMPLATES)), weights)[0]
                if run == 2 and rng.random() < 0.05:
                    template = rng.randrange(len(TEMPLATES))
                code = CODES[number % len(CODES)]
                if page_rng.random() < FAILED_SHARE:
                    record = PageRecord(
                        url=url,
                        fetch_status="http-4xx",
                        http_status=404,
                        fetched_at=fetched,
                        registry_url=root,
                        discovered=True,
                    )
                else:
                    key = (template, country, code)
                    if key not in results:
                        results[key] = check_page(
                            page_html(TEMPLATES[template][1], root, country, code), url=root
                        )
                    result = results[key].model_copy(
                        update={"target": url, "url": url, "title": f"Page {number}"}
                    )
                    record = PageRecord(
                        url=url,
                        final_url=url,
                        fetch_status="ok",
                        http_status=200,
                        fetched_at=fetched,
                        registry_url=root,
                        discovered=True,
                        result=result,
                    )
                batch.append(record)
                if len(batch) == BATCH:
                    repository.write_pages(run_id, batch)
                    batch = []
            repository.write_pages(run_id, batch)
            repository.finish_run(run_id, stats={})


def cached_repository(pages: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"report-bench-{pages}-v{GENERATOR_VERSION}.db"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        build_repository(partial, pages)
        partial.rename(path)
        print(f"generated {path} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def timed(function: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def browser_timings(index: Path) -> dict[str, float]:
    """Seconds until the table shows rows, and until a filter and a sort over every row are applied."""
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(index.as_uri(), timeout=120_000)
        page.locator("#pages tbody tr").first.wait_for(timeout=120_000)
        loaded = time.perf_counter() - started
        total = page.locator("#pages [data-count]").get_attribute("data-count")
        started = time.perf_counter()
        page.locator('#pages select[data-filter="verdict"]').select_option(label="non-compliant")
        page.locator(f'#pages [data-count]:not([data-count="{total}"])').wait_for(timeout=120_000)
        filtered = time.perf_counter() - started
        page.locator("#pages button", has_text="Reset").click()
        page.locator(f'#pages [data-count="{total}"]').wait_for(timeout=120_000)
        started = time.perf_counter()
        page.locator('#pages button[data-sort="url"]').click()
        page.locator('#pages th[aria-sort="ascending"]').wait_for(timeout=120_000)
        sorted_in = time.perf_counter() - started
        browser.close()
    return {"first_rows_s": round(loaded, 2), "filter_s": round(filtered, 2), "sort_s": round(sorted_in, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000, help="pages per run (default 100000)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args(argv)
    from sdg_tags.reports.compliance import write_report
    from sdg_tags.repository.store import Repository

    db_path = cached_repository(args.pages)
    out = Path(tempfile.mkdtemp(prefix="sdg-report-bench-"))
    try:
        with Repository(f"sqlite:///{db_path}", create=False) as repository:
            outputs, wall, cpu = timed(lambda: write_report(repository, out / "plain"))
            _, wall_by_provider, cpu_by_provider = timed(
                lambda: write_report(repository, out / "by-provider", by_provider=True)
            )
        sizes = {name: path.stat().st_size for name, path in outputs.files.items()}
        result: dict[str, Any] = {
            "benchmark": "report",
            "ran_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "pages_per_run": args.pages,
            "runs": 2,
            "budget_s": BUDGET_S,
            "report": {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "within_budget": wall < BUDGET_S},
            "report_by_provider": {
                "wall_s": round(wall_by_provider, 2),
                "cpu_s": round(cpu_by_provider, 2),
                "provider_reports": PROVIDERS,
            },
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "file_bytes": sizes,
            "headline": outputs.summary["headline"]["verdicts"],
        }
        if not args.no_browser and CHROMIUM.exists():
            result["browser"] = browser_timings(outputs.files["index.html"])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    write_result("report", result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
