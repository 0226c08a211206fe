"""Crawl throughput: a bare Scrapy spider against `sdg-tags crawl` (validation + repository writes), one run.

A generated 20,000-page site (a tree of pages, 10 children each, plus links back up and across; most pages carry
SDG tags) is served on 127.0.0.1 by a small asyncio HTTP/1.1 server in its own process: keep-alive, pages built
from a template per request, no disk. Its capacity is measured first with a load client so the report shows it
is not the bottleneck. Then, with the same concurrency and download settings, (1) a bare spider that only
follows the links and (2) `sdg-tags crawl` on a web-folder entry for the site, each in a fresh process, in
alternating rounds (other load on a shared machine then hits both alike). Reported: pages/s of each (pages /
Scrapy's elapsed crawl time; best and median of the rounds), the ratio (goal >= 0.85), CPU milliseconds per page
of crawler and server, and the ratio of each round (its two crawls ran back to back, under the same load) with
their median. A third crawl per round, the bare spider with sdg-tags' garbage-collector settings, shows
what the ratio owes to those. Writes bench/results/crawl.json. No assertions.
Run: `.venv/bin/python -m bench.bench_crawl [--pages N] [--concurrency N] [--rounds N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.results_file import write_result

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHILDREN = 10
TAGGED_SHARE = 0.8
WORDS = (
    "permit licence application residence registration citizen business authority municipality tax social "
    "security pension health insurance vehicle document certificate procedure online service form office"
).split()
SDG_TAGS = (
    '<meta name="sdg-tag" content="sdg">\n<meta name="DC.ISO3166" content="SE">\n'
    '<meta name="DC.Service" content="information">\n<meta name="policy-code" content="C2">\n'
    '<meta name="DC.Policy" content="acquiring and renewing a driving licence">\n'
)


# --- the site ---------------------------------------------------------------------------------------------------


def page_links(number: int, pages: int) -> list[int]:
    """Children in the tree, the parent, and a few pages across (already seen: de-duplication work)."""
    children = [
        child for child in range(number * CHILDREN + 1, number * CHILDREN + CHILDREN + 1) if child < pages
    ]
    rng = random.Random(number)
    across = [rng.randrange(pages) for _ in range(3)]
    parent = [(number - 1) // CHILDREN] if number else []
    return children + parent + across


def build_page(number: int, pages: int, paragraphs_count: int = 40) -> bytes:
    rng = random.Random(number * 7919)
    tagged = rng.random() < TAGGED_SHARE
    paragraphs = "\n".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + ".</p>" for _ in range(paragraphs_count)
    )
    navigation = "".join(
        f'<li><a href="/site/p{section}">Section {section}</a></li>' for section in range(1, 11)
    )
    content_links = "".join(
        f'<li><a href="/site/p{target}?ref=nav">Page {target}</a></li>'
        for target in page_links(number, pages)
    )
    head = (
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Page {number} | Example authority</title>"
        f'<link rel="canonical" href="/site/p{number}"><link rel="stylesheet" href="/static/site.css">'
        + "".join(f'<meta property="og:k{key}" content="{rng.choice(WORDS)}">' for key in range(12))
        + (SDG_TAGS if tagged else "")
    )
    html = (
        f'<!DOCTYPE html>\n<html lang="sv">\n<head>\n{head}\n</head>\n<body>\n<nav><ul>{navigation}</ul></nav>\n'
        f"<main><h1>Page {number}</h1>\n{paragraphs}\n<ul>{content_links}</ul></main>\n"
        "<footer><a href='/site/p0'>Home</a></footer>\n</body>\n</html>\n"
    )
    return html.encode()


def response_for(path: bytes, pages: int) -> bytes:
    text = path.decode("latin-1").split("?", 1)[0]
    if text == "/robots.txt":
        body, kind, status = b"User-agent: *\nDisallow: /private\n", b"text/plain", b"200 OK"
    elif text == "/site/" or text.startswith("/site/p"):
        try:
            number = 0 if text == "/site/" else int(text.removeprefix("/site/p"))
        except ValueError:
            number = -1
        if 0 <= number < pages:
            body, kind, status = build_page(number, pages), b"text/html; charset=utf-8", b"200 OK"
        else:
            body, kind, status = b"not found", b"text/plain", b"404 Not Found"
    else:
        body, kind, status = b"not found", b"text/plain", b"404 Not Found"
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Type: "
        + kind
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: keep-alive\r\n\r\n"
        + body
    )


async def serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pages: int) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1]
            writer.write(response_for(path, pages))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def run_server(sock: socket.socket, pages: int) -> None:
    async def main() -> None:
        server = await asyncio.start_server(
            lambda reader, writer: serve_connection(reader, writer, pages), sock=sock, backlog=1024
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- load client: server capacity ---------------------------------------------------------------------------------


async def hammer(port: int, pages: int, connections: int, seconds: float) -> int:
    done = 0
    deadline = time.monotonic() + seconds

    async def client(seed: int) -> None:
        nonlocal done
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < deadline:
            writer.write(f"GET /site/p{rng.randrange(pages)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
            await reader.readexactly(length)
            done += 1
        writer.close()

    await asyncio.gather(*(client(seed) for seed in range(connections)))
    return done


# --- the two crawls ---------------------------------------------------------------------------------------------------


def crawl_settings(concurrency: int) -> dict[str, Any]:
    """What both crawls share: concurrency, no delay, robots.txt obeyed, quiet logs."""
    return {
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "SDG_HOST_CONCURRENCY": concurrency,
        "DOWNLOAD_DELAY": 0,
        "SDG_HOST_DELAY": 0,
        "DOWNLOADER": "sdg_tags.crawler.downloader.HostConcurrencyDownloader",
        "CONCURRENT_ITEMS": 8,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
    }


def bare_spider_main(start_url: str, concurrency: int, tune_gc: bool = False) -> None:
    """Child process: a spider that only follows in-site links; prints its stats as JSON.

    `tune_gc`: the garbage-collector settings `sdg-tags crawl` uses (crawler/garbage_collection.py), to show how
    much of the ratio they make.

    It de-duplicates in the spider, as `sdg-tags crawl` does: yielding every link for Scrapy's duplicate filter
    to drop costs Scrapy ~0.2 ms per link, which would make the baseline slower than the real work.
    """
    import scrapy
    from scrapy.crawler import CrawlerProcess

    prefix = start_url
    seen = {start_url}

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            yield scrapy.Request(start_url)

        def parse(self, response: Any) -> Any:
            for href in response.xpath("//a/@href").getall():
                url = response.urljoin(href).split("?", 1)[0]
                if url.startswith(prefix) and url not in seen:
                    seen.add(url)
                    yield scrapy.Request(url, dont_filter=True)

    settings = {
        **crawl_settings(concurrency),
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "COOKIES_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    if tune_gc:
        from scrapy import signals
        from sdg_tags.crawler.garbage_collection import tune_for_crawl

        crawler.signals.connect(tune_for_crawl, signal=signals.engine_started)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    print(
        json.dumps(
            {"pages": stats.get("response_received_count", 0) - 1, "elapsed": stats["elapsed_time_seconds"]}
        )
    )


def run_bare(start_url: str, concurrency: int, tune_gc: bool = False) -> dict[str, float]:
    started = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_crawl",
            "--bare-spider",
            start_url,
            "--concurrency",
            str(concurrency),
            *(["--tune-gc"] if tune_gc else []),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["cpu"] = ended.ru_utime + ended.ru_stime - started.ru_utime - started.ru_stime
    return figures


def run_sdg_tags(start_url: str, concurrency: int, folder: Path) -> dict[str, float]:
    registry = folder / "registry.json"
    registry.write_text(json.dumps([{"url": start_url, "urlType": "web folder", "ignoreParams": ["ref"]}]))
    db_url = f"sqlite:///{folder / 'bench.db'}"
    command = [
        sys.executable,
        "-c",
        "import sys; from sdg_tags.cli.main import main; sys.exit(main())",
        "crawl",
        "--registry",
        str(registry),
        "--db",
        db_url,
        "--max-pages-per-folder",
        "0",
        "--progress-interval",
        "0",
    ]
    for name, value in crawl_settings(concurrency).items():
        command += ["--set", f"{name}={json.dumps(value)}"]
    started = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    from sdg_tags.repository.store import Repository

    with Repository(db_url) as repository:
        run = repository.runs()[-1]
    return {
        "pages": run.counts["pages"],
        "elapsed": run.stats["elapsed_time_seconds"],
        "cpu": ended.ru_utime + ended.ru_stime - started.ru_utime - started.ru_stime,
        "verdicts": run.counts["verdict"],
    }


def summary(name: str, runs: list[dict[str, Any]], server_cpu: list[float]) -> dict[str, Any]:
    rates = [run["pages"] / run["elapsed"] for run in runs]
    best = max(range(len(runs)), key=lambda index: rates[index])
    return {
        f"{name}_pages": runs[best]["pages"],
        f"{name}_pages_per_s": round(rates[best], 1),
        f"{name}_pages_per_s_median": round(statistics.median(rates), 1),
        f"{name}_pages_per_s_all": [round(rate, 1) for rate in rates],
        f"{name}_seconds": round(runs[best]["elapsed"], 2),
        # CPU per page of the whole crawler process (start-up included) and of the server: less sensitive to
        # other load on the machine than wall-clock rates.
        f"{name}_crawler_cpu_ms_per_page": round(min(run["cpu"] / run["pages"] for run in runs) * 1000, 2),
        f"{name}_server_cpu_ms_per_page": round(
            min(cpu / run["pages"] for cpu, run in zip(server_cpu, runs, strict=True)) * 1000, 2
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating bare / sdg-tags crawls; best and median"
    )
    parser.add_argument("--bare-spider", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--tune-gc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_spider:
        bare_spider_main(args.bare_spider, args.concurrency, tune_gc=args.tune_gc)
        return 0

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = multiprocessing.get_context("fork").Process(
        target=run_server, args=(sock, args.pages), daemon=True
    )
    server.start()
    start_url = f"http://127.0.0.1:{port}/site/"
    bare_runs: list[dict[str, Any]] = []
    tuned_runs: list[dict[str, Any]] = []
    sdg_runs: list[dict[str, Any]] = []
    bare_server: list[float] = []
    tuned_server: list[float] = []
    sdg_server: list[float] = []
    try:
        time.sleep(0.3)
        capacity_seconds = 3.0
        served = asyncio.run(hammer(port, args.pages, args.concurrency, capacity_seconds))
        server_rps = served / capacity_seconds
        # Alternating rounds: a burst of load from elsewhere on the machine hits both kinds alike.
        for _ in range(args.rounds):
            before = cpu_seconds(server.pid)
            bare_runs.append(run_bare(start_url, args.concurrency))
            bare_server.append(cpu_seconds(server.pid) - before)
            before = cpu_seconds(server.pid)
            tuned_runs.append(run_bare(start_url, args.concurrency, tune_gc=True))
            tuned_server.append(cpu_seconds(server.pid) - before)
            with tempfile.TemporaryDirectory(prefix="bench-crawl-") as folder:
                before = cpu_seconds(server.pid)
                sdg_runs.append(run_sdg_tags(start_url, args.concurrency, Path(folder)))
                sdg_server.append(cpu_seconds(server.pid) - before)
    finally:
        server.terminate()
        server.join()

    bare = summary("bare", bare_runs, bare_server)
    per_round = [
        round((sdg_run["pages"] / sdg_run["elapsed"]) / (bare_run["pages"] / bare_run["elapsed"]), 3)
        for bare_run, sdg_run in zip(bare_runs, sdg_runs, strict=True)
    ]
    tuned = summary("bare_tuned_gc", tuned_runs, tuned_server)
    sdg = summary("sdg_tags", sdg_runs, sdg_server)
    result = {
        "benchmark": "crawl",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "site_pages": args.pages,
        "page_bytes": len(build_page(1, args.pages)),
        "tagged_share": TAGGED_SHARE,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "server_capacity_pages_per_s": round(server_rps, 1),
        **bare,
        **tuned,
        **sdg,
        "sdg_tags_verdicts": sdg_runs[-1]["verdicts"],
        "ratio": round(sdg["sdg_tags_pages_per_s"] / bare["bare_pages_per_s"], 3),
        "ratio_median": round(sdg["sdg_tags_pages_per_s_median"] / bare["bare_pages_per_s_median"], 3),
        "ratio_cpu": round(bare["bare_crawler_cpu_ms_per_page"] / sdg["sdg_tags_crawler_cpu_ms_per_page"], 3),
        # each round's sdg-tags crawl against the bare crawl just before it (same load on the machine)
        "ratio_per_round": per_round,
        "ratio_median_of_rounds": round(statistics.median(per_round), 3),
        "ratio_goal": 0.85,
        # against a bare spider with sdg-tags' garbage-collector settings: what the ratio owes to those
        "ratio_vs_bare_tuned_gc": round(sdg["sdg_tags_pages_per_s"] / tuned["bare_tuned_gc_pages_per_s"], 3),
        "ratio_vs_bare_tuned_gc_median": round(
            sdg["sdg_tags_pages_per_s_median"] / tuned["bare_tuned_gc_pages_per_s_median"], 3
        ),
    }
    write_result("crawl", result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
