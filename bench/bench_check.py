"""Benchmark of the editor's path: extraction + validation throughput and the cold start of `sdg-tags check`.

(1) Pages per second through `check_page` on realistic 60 KB pages (a head with ~40 elements including the SDG
tags, a ~55 KB body), against `lxml.html.document_fromstring` on the same bytes in the same run, one core. The
headline cycles through 200 distinct pages of one site: title, canonical link, descriptions and body differ per
page, the SDG values come from a site's small set of combinations (the validator caches per distinct value,
as a site repeats them). Two bounds are reported beside it: one page repeated (every cache hits) and the
distinct pages with the validator's caches cleared before each page (every value new).
(2) Wall and CPU time of `sdg-tags check page.html` in a fresh process, best of N (budget 0.35 s).
Writes bench/results/check.json. No assertions: numbers for people, compared over time.
Run: `.venv/bin/python -m bench.bench_check [--runs N] [--seconds S]`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.results_file import write_result

COLD_START_BUDGET_S = 0.35
PAGE_BYTES = 60_000
WORDS = (
    "permit licence application residence registration citizen business authority municipality tax "
    "social security pension health insurance vehicle document certificate procedure online service "
    "form office address deadline payment fee appeal decision request support contact information "
    "rules rights obligations european union member state national regional local"
).split()

DISTINCT_PAGES = 200
# What varies between the SDG blocks of one site's pages (all valid): region, page types, Annex items.
LOCATIONS = ("BE1", "BE2", "BE3", "BE10", "BE21", "BE100")
SERVICES = ("information;procedure", "information", "procedure")
DRIVING_LICENCE = "acquiring and renewing a driving licence"
BUSINESS_REGISTRATION = (
    "registering, changing the legal form of or closing a business (registration procedures and legal forms for "
    "carrying out business)"
)
POLICIES = (
    ("C2;J1", f"{DRIVING_LICENCE};{BUSINESS_REGISTRATION}"),
    ("C2", DRIVING_LICENCE),
    ("J1", BUSINESS_REGISTRATION),
)


def sdg_block(page_number: int) -> str:
    """The SDG tags of page `page_number` of the site."""
    codes, titles = POLICIES[page_number % len(POLICIES)]
    return "\n".join(
        (
            '<meta name="sdg-tag" content="sdg">',
            '<meta name="DC.ISO3166" content="BE">',
            f'<meta name="DC.Location" content="{LOCATIONS[page_number % len(LOCATIONS)]}">',
            f'<meta name="DC.Service" content="{SERVICES[page_number % len(SERVICES)]}">',
            f'<meta name="policy-code" content="{codes}">',
            f'<meta name="DC.Policy" content="{titles}">',
        )
    )


def realistic_page(with_sdg_tags: bool = True, seed: int = 2020, page_number: int = 0) -> bytes:
    """A CMS-like page of ~60 KB: a head with ~40 elements (SDG tags among them), navigation, text, tables.

    `page_number` > 0 makes another page of the same site: its own title, address, texts and SDG values.
    """
    rng = random.Random(seed + page_number)
    slug = "driving-licence" if page_number == 0 else f"driving-licence-{page_number}"
    title = "Driving licences" if page_number == 0 else f"Driving licences, part {page_number}"

    def sentence(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} and business registration | Example authority</title>",
        f'<meta name="description" content="{sentence(20)}">',
        '<meta name="robots" content="index, follow">',
        f'<link rel="canonical" href="https://www.example.be/en/{slug}">',
        *(
            f'<meta property="og:{key}" content="{sentence(6)}">'
            for key in ("title", "description", "site_name")
        ),
        '<meta property="og:type" content="website">',
        f'<meta property="og:url" content="https://www.example.be/en/{slug}">',
        *(f'<meta name="twitter:{key}" content="{sentence(5)}">' for key in ("card", "title", "description")),
        *(
            f'<link rel="alternate" hreflang="{lang}" href="https://www.example.be/{lang}/x">'
            for lang in "fr nl de".split()
        ),
        *(
            f'<link rel="stylesheet" href="/assets/css/{name}.css?v=3.2.1">'
            for name in "base layout theme print".split()
        ),
        *(
            f'<link rel="preload" href="/assets/fonts/{name}.woff2" as="font" crossorigin>'
            for name in "a b".split()
        ),
        '<link rel="icon" href="/favicon.ico">',
        '<link rel="apple-touch-icon" href="/apple-touch-icon.png">',
        '<meta name="theme-color" content="#003399">',
        '<meta name="generator" content="Drupal 10">',
        f'<meta name="DC.Title" content="{title}">',
        '<meta name="DC.Creator" content="Example authority">',
        '<meta name="DC.Date.modified" content="2024-05-01">',
        *(sdg_block(page_number).splitlines() if with_sdg_tags else []),
        "<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>",
        *(f'<script src="/assets/js/{name}.js" defer></script>' for name in "vendor app menu search".split()),
        "<style>.skip-link{position:absolute;left:-999px}.skip-link:focus{left:0}</style>",
    ]
    body = ['<a class="skip-link" href="#main">Skip to content</a>', "<header><nav><ul>"]
    body += [f'<li><a href="/en/section-{i}">{sentence(2)}</a></li>' for i in range(40)]
    body += ["</ul></nav></header>", '<main id="main">']
    section = 0
    while sum(map(len, body)) < PAGE_BYTES - 3_000:
        section += 1
        body.append(f'<section id="s{section}"><h2>{sentence(5)}</h2>')
        body += [f"<p>{sentence(rng.randint(25, 60))}</p>" for _ in range(3)]
        body.append(
            "<ul>"
            + "".join(f'<li><a href="/en/p{section}-{i}">{sentence(4)}</a></li>' for i in range(5))
            + "</ul>"
        )
        body.append(
            "<table><tr><th>Item</th><th>Fee</th></tr>"
            + "".join(f"<tr><td>{sentence(3)}</td><td>{rng.randint(5, 90)} EUR</td></tr>" for _ in range(4))
            + "</table></section>"
        )
    body += ["</main>", f"<footer><p>{sentence(30)}</p></footer>"]
    document = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    return document.encode("utf-8")


def pages_per_second(work: Callable[[], object], seconds: float) -> float:
    """Best rate of several timed rounds of `work`, each about `seconds` / 5 long."""
    work()  # warm: lazy tables, caches
    rounds = []
    for _ in range(5):
        done = 0
        started = time.perf_counter()
        deadline = started + seconds / 5
        while time.perf_counter() < deadline:
            work()
            done += 1
        rounds.append(done / (time.perf_counter() - started))
    return max(rounds)


def one_core() -> int | None:
    """Pin this process to one CPU so the numbers are single-core numbers; returns the CPU, or None."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def value_caches() -> list[Any]:
    """The validator's bounded per-value caches (the reference tables, cached without bound, are not among them)."""
    caches = []
    for name, module in list(sys.modules.items()):
        if name.startswith("sdg_tags.validators"):
            for value in vars(module).values():
                parameters = getattr(value, "cache_parameters", None)
                if parameters is not None and parameters()["maxsize"] is not None:
                    caches.append(value)
    return caches


def cycling(work: Callable[[bytes], object], pages: list[bytes]) -> Callable[[], object]:
    """`work` on the next page of `pages` at each call."""
    next_page = itertools.cycle(pages).__next__
    return lambda: work(next_page())


def throughput(seconds: float) -> dict[str, Any]:
    import lxml.html
    from sdg_tags.validators.engine import check_page

    tagged = [realistic_page(True, page_number=number) for number in range(DISTINCT_PAGES)]
    untagged = [realistic_page(False, page_number=number) for number in range(DISTINCT_PAGES)]
    verdicts = Counter(check_page(page).verdict for page in tagged)

    caches = value_caches()

    def cold(page: bytes) -> object:
        for cache in caches:
            cache.cache_clear()
        return check_page(page)

    ours = pages_per_second(cycling(check_page, tagged), seconds)
    same_page = pages_per_second(lambda: check_page(tagged[0]), seconds)
    cold_caches = pages_per_second(cycling(cold, tagged), seconds)
    full_scan = pages_per_second(cycling(check_page, untagged), seconds)
    lxml_rate = pages_per_second(cycling(lxml.html.document_fromstring, tagged), seconds)
    return {
        "page_bytes": len(tagged[0]),
        "distinct_pages": DISTINCT_PAGES,
        "distinct_pages_verdicts": dict(verdicts),
        "extract_validate_pages_per_s": round(ours, 1),
        "extract_validate_same_page_pages_per_s": round(same_page, 1),
        "extract_validate_cold_caches_pages_per_s": round(cold_caches, 1),
        # no SDG tags: the whole page is scanned
        "extract_validate_untagged_pages_per_s": round(full_scan, 1),
        "lxml_full_parse_pages_per_s": round(lxml_rate, 1),
        "ratio_vs_lxml": round(ours / lxml_rate, 2),
        "ratio_untagged_vs_lxml": round(full_scan / lxml_rate, 2),
    }


def cold_start(runs: int) -> dict[str, float | str]:
    """`sdg-tags check page.html` in fresh processes: best and median wall time, best CPU time."""
    script = Path(sys.executable).with_name("sdg-tags")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        page.write_bytes(realistic_page(True))
        command = (
            [str(script), "check", str(page)]
            if script.exists()
            else [sys.executable, "-m", "sdg_tags.cli.main", "check", str(page)]
        )
        subprocess.run(command, stdout=subprocess.DEVNULL, check=False)  # warm the OS file cache
        wall, cpu = [], []
        for _ in range(runs):
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            wall.append(time.perf_counter() - started)
            cpu.append(usage.ru_utime + usage.ru_stime)
            if os.waitstatus_to_exitcode(status) not in (0, 1):
                raise RuntimeError(f"{' '.join(command)} failed")
    return {
        "command": "sdg-tags check page.html"
        if script.exists()
        else "python -m sdg_tags.cli.main check page.html",
        "cold_start_best_s": round(min(wall), 3),
        "cold_start_median_s": round(statistics.median(wall), 3),
        "cold_start_cpu_best_s": round(min(cpu), 3),
        "cold_start_budget_s": COLD_START_BUDGET_S,
        "cold_start_runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold-start runs (default 10)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput measurement")
    args = parser.parse_args(argv)
    load_before = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    starts = cold_start(args.runs)  # before pinning: a fresh process may use any core
    cpu = one_core()
    rates = throughput(args.seconds)
    result = {
        "benchmark": "check",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "pinned_cpu": cpu,
        "load_average_1min": load_before,
        **rates,
        **starts,
    }
    written = write_result("check", result)
    print(
        f"extract+validate: {rates['extract_validate_pages_per_s']:.0f} pages/s on {DISTINCT_PAGES} distinct "
        f"{rates['page_bytes'] / 1000:.0f} KB pages (one page repeated: "
        f"{rates['extract_validate_same_page_pages_per_s']:.0f}; caches cleared per page: "
        f"{rates['extract_validate_cold_caches_pages_per_s']:.0f}; untagged, whole page scanned: "
        f"{rates['extract_validate_untagged_pages_per_s']:.0f}); "
        f"lxml full parse: {rates['lxml_full_parse_pages_per_s']:.0f} pages/s; ratio {rates['ratio_vs_lxml']}x"
    )
    verdict = "OK" if starts["cold_start_best_s"] <= COLD_START_BUDGET_S else "OVER BUDGET"
    print(
        f"cold start ({starts['command']}): best {starts['cold_start_best_s']:.3f} s, median "
        f"{starts['cold_start_median_s']:.3f} s, CPU {starts['cold_start_cpu_best_s']:.3f} s; "
        f"budget {COLD_START_BUDGET_S} s -> {verdict} (load average {load_before})"
    )
    print(f"written: {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
