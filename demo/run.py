"""`sdg-tags demo`: serve the demo gateway, crawl it from the bundled registry, summarise per provider.

Steps: start the three loopback sites (`demo.server`), write the bundled registry with the real ports into the
output folder, run `sdg-tags crawl` in a child process (Scrapy's reactor wants a process of its own), read the
run back from the repository and print one row per provider with a column per verdict (SPEC §6.1). Steps that
write further results from the same run (the compliance report, the registry diff) go in `FOLLOW_UP_STEPS`.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from sdg_tags.demo.server import PROVIDERS, DemoGateway, DemoProvider, substitute_hosts

DEMO_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = DEMO_DIR.parent
REGISTRY_TEMPLATE = DEMO_DIR / "registry.csv"
DEFAULT_OUT_DIR = Path("demo-output")
DEFAULT_DB_URL = "sqlite:///sdg-tags.db"
# One port on all three addresses: each provider has its own address, so the same port never collides, and the
# URLs stay the same from one demo run to the next (registry entries, conditional requests and trends line up).
DEFAULT_PORT = 8700
# The demo crawl takes about 25 s (1 s per host between requests); this only stops a hung crawl.
CRAWL_TIMEOUT_S = 600
LOG_TAIL_LINES = 25

# The SPEC §6.1 verdict names, in the order of the summary columns (validators.models.VERDICTS, kept in
# sync by a test; not imported so that `sdg-tags demo --help` stays light).
VERDICT_COLUMNS: tuple[str, ...] = (
    "compliant",
    "compliant-with-warnings",
    "non-compliant",
    "not-self-describing",
    "not-evaluated",
)


class DemoError(Exception):
    """The demo could not complete a step; the message says which and what to do. One line or a few."""


@dataclass
class ResultFile:
    """A file the demo wrote, listed at the end under "where the results are"."""

    label: str
    path: Path


@dataclass
class ProviderSummary:
    """Pages of one provider in the demo run, counted per verdict."""

    provider: DemoProvider
    host: str
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICT_COLUMNS, 0))

    @property
    def pages(self) -> int:
        return sum(self.verdicts.values())


@dataclass
class DemoRun:
    """What the steps after the crawl get: where everything is and what the crawl produced."""

    out_dir: Path
    db_url: str
    run_id: int
    registry_file: Path
    hosts: dict[str, str]  # provider key -> host:port
    summaries: list[ProviderSummary]
    files: list[ResultFile] = field(default_factory=list)


# Later steps that write results of the finished run into the output folder and return what they wrote.
def write_report_and_diff(demo_run: DemoRun) -> list[ResultFile]:
    """The compliance report (with one page per provider) and the registry-vs-crawl diff of the demo run."""
    from sdg_tags.reports.api import (
        write_demo_outputs,  # Jinja2 and the report code only load when the demo gets here
    )

    paths = write_demo_outputs(demo_run.db_url, demo_run.run_id, demo_run.out_dir)
    return [ResultFile("report", paths["report"]), ResultFile("registry diff", paths["diff"])]


FOLLOW_UP_STEPS: tuple[Callable[[DemoRun], list[ResultFile]], ...] = (write_report_and_diff,)


# -- registry -----------------------------------------------------------------------------------------------


def write_registry(hosts: Mapping[str, str], out_file: Path, template: Path = REGISTRY_TEMPLATE) -> Path:
    """Write the bundled registry with `{{be}}`-style placeholders replaced by the running hosts."""
    text = substitute_hosts(template.read_text(encoding="utf-8"), hosts)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    return out_file


# -- crawl --------------------------------------------------------------------------------------------------


def crawl_command(registry_file: Path, db_url: str) -> list[str]:
    """The `sdg-tags crawl` command line run in the child process."""
    return [
        sys.executable,
        "-m",
        "sdg_tags.cli.main",
        "crawl",
        "--registry",
        str(registry_file),
        "--db",
        db_url,
    ]


def child_environment() -> dict[str, str]:
    """The environment of the crawl process: ours, with the project importable even without installation."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_crawl(command: Sequence[str], log_file: Path, timeout: float = CRAWL_TIMEOUT_S) -> int:
    """Run the crawl, its output going to `log_file`; return its exit code (DemoError on timeout)."""
    with log_file.open("w", encoding="utf-8") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=child_environment())
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise DemoError(
                f"the crawl did not finish within {timeout:.0f} s and was stopped; see {log_file}"
            ) from None
        except BaseException:  # Ctrl-C: do not leave the crawl running behind us
            process.kill()
            process.wait()
            raise


def log_tail(log_file: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# -- repository ---------------------------------------------------------------------------------------------


def latest_run_id(db_url: str) -> int | None:
    """The newest run in the repository (finished or not), or None when there is none (or no database yet)."""
    from sdg_tags.repository.store import Repository

    with Repository(db_url) as repository:
        return repository.latest_run_id(finished_only=False)


def run_finished(db_url: str, run_id: int) -> bool:
    from sdg_tags.repository.store import Repository

    with Repository(db_url) as repository:
        return any(run.id == run_id and run.finished_at is not None for run in repository.runs())


def summarise(
    records: Iterable[Mapping[str, object]],
    hosts: Mapping[str, str],
    providers: Sequence[DemoProvider] = PROVIDERS,
) -> list[ProviderSummary]:
    """Count result records per provider (by the host of the page URL) and verdict.

    Pages discovered inside a registered folder carry no registry provider, so the host decides.
    """
    by_key = {provider.key: ProviderSummary(provider, hosts.get(provider.key, "")) for provider in providers}
    by_host = {host: by_key[key] for key, host in hosts.items() if key in by_key}
    for record in records:
        netloc = urlsplit(str(record.get("url") or "")).netloc
        summary = by_host.get(netloc)
        verdict = str(record.get("verdict"))
        if summary is None or verdict not in summary.verdicts:
            continue  # not a demo host or an unknown verdict: nothing the demo produced
        summary.verdicts[verdict] += 1
    return list(by_key.values())


def read_summaries(db_url: str, run_id: int, hosts: Mapping[str, str]) -> list[ProviderSummary]:
    from sdg_tags.repository.store import Repository

    with Repository(db_url) as repository:
        return summarise(repository.iter_results(run_id), hosts)


def format_summary(summaries: Sequence[ProviderSummary]) -> str:
    """The per-provider table: pages and one column per verdict, plus a total row.

    Verdict headers are split over two lines at their hyphens, so the table fits ~110 columns.
    """
    headers = [("", "Provider"), ("", "Country"), ("", "Pages")]
    for verdict in VERDICT_COLUMNS:
        first, _, rest = verdict.rpartition("-") if verdict.count("-") else ("", "", verdict)
        headers.append((f"{first}-" if first else "", rest))
    rows: list[list[str]] = []
    for summary in summaries:
        rows.append(
            [summary.provider.name, summary.provider.country, str(summary.pages)]
            + [str(summary.verdicts[verdict]) for verdict in VERDICT_COLUMNS]
        )
    totals = [sum(summary.verdicts[verdict] for summary in summaries) for verdict in VERDICT_COLUMNS]
    rows.append(["Total", "", str(sum(totals))] + [str(total) for total in totals])
    widths = [
        max(len(headers[column][0]), len(headers[column][1]), *(len(row[column]) for row in rows))
        for column in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        parts = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
        parts += [cell.rjust(width) for cell, width in zip(cells[2:], widths[2:], strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    output = [line([top for top, _ in headers]), line([bottom for _, bottom in headers]), rule]
    output += [line(row) for row in rows[:-1]]
    output += [rule, line(rows[-1])]
    return "\n".join(output)


def sqlite_path(db_url: str) -> Path | None:
    """The absolute file of a `sqlite:///` URL, else None."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix) or db_url == prefix or ":memory:" in db_url:
        return None
    return Path(db_url.removeprefix(prefix)).resolve()


def format_locations(demo_run: DemoRun) -> str:
    """Where the results are: the database, the command that lists every page, and the files written."""
    database = sqlite_path(demo_run.db_url)
    where = str(database) if database is not None else demo_run.db_url
    lines = [
        "Where the results are:",
        f"  repository     {where} (run {demo_run.run_id})",
        f"  every page     sdg-tags results --db {demo_run.db_url} --run {demo_run.run_id} --format jsonl",
        f"  as CSV         sdg-tags results --db {demo_run.db_url} --run {demo_run.run_id} --format csv",
    ]
    for result_file in demo_run.files:
        lines.append(f"  {result_file.label:<14} {result_file.path}")
    return "\n".join(lines)


def command_hint(scripts_dir: Path | None = None, search_path: str | None = None) -> list[str]:
    """How to run the `sdg-tags` commands printed above, when the shell would not find this environment's command
    (after `make demo` it sits in `.venv/bin`, which is on no PATH). Nothing when it would."""
    scripts = scripts_dir or Path(sys.executable).parent  # not resolved: a venv's python is a symlink
    ours = scripts / "sdg-tags"
    found = shutil.which("sdg-tags", path=search_path)
    if not ours.is_file() or (found is not None and Path(found).resolve() == ours.resolve()):
        return []
    try:
        shown = scripts.absolute().relative_to(Path.cwd())
    except ValueError:
        shown = scripts
    if (scripts / "activate").is_file():
        how = f"`. {shown / 'activate'}` in this shell first (or call {shown / 'sdg-tags'} …)"
    else:
        how = f"{shown / 'sdg-tags'}"
    lines = [f"The sdg-tags commands above need {how}."]
    if (PROJECT_ROOT / "Makefile").is_file():
        make = "make" if PROJECT_ROOT == Path.cwd().resolve() else f"make -C {PROJECT_ROOT}"
        lines.append(
            f"`{make} install-user` puts sdg-tags on the PATH of every shell (a link in ~/.local/bin)."
        )
    return lines


# -- the demo -----------------------------------------------------------------------------------------------


@dataclass
class DemoOptions:
    out_dir: Path = DEFAULT_OUT_DIR
    db_url: str = DEFAULT_DB_URL
    keep_serving: bool = False
    port: int = DEFAULT_PORT  # 0 = an ephemeral port per host


def start_gateway(port: int, access_log: TextIO, out: TextIO) -> DemoGateway:
    """Serve the three sites on `port` (ephemeral ports when it is 0 or already taken)."""
    attempts = [port, 0] if port else [0]
    for attempt in attempts:
        try:
            return DemoGateway(ports={p.key: attempt for p in PROVIDERS}, access_log=access_log).start()
        except OSError as exc:
            if attempt != 0 and exc.errno == errno.EADDRINUSE:
                print(
                    f"Port {port} is in use on a demo address; serving on ephemeral ports instead.", file=out
                )
                continue
            raise DemoError(
                f"cannot serve the demo sites on 127.0.0.1-127.0.0.3: {exc.strerror or exc}. On Linux every "
                "127.x.y.z address is loopback; on macOS add them with 'sudo ifconfig lo0 alias 127.0.0.2 up' "
                "(and .3)"
            ) from None
    raise AssertionError("unreachable: the ephemeral attempt either returns or raises")


def run_demo(options: DemoOptions, stdout: TextIO | None = None) -> DemoRun:
    """Serve, crawl, summarise; return the run. DemoError says which step failed and why."""
    out = stdout or sys.stdout
    out_dir = options.out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoError(f"cannot create the output folder {out_dir}: {exc.strerror or exc}") from None
    # Before any site is served: a bad --db should cost nothing but one line.
    before = check_repository(options.db_url)
    access_log_file = out_dir / "access.log"
    with access_log_file.open("w", encoding="utf-8") as access_log:
        gateway = start_gateway(options.port, access_log, out)
        try:
            return serve_and_crawl(gateway, options, out, access_log_file, before)
        finally:
            gateway.stop()


def check_repository(db_url: str) -> int | None:
    """Open the repository once; return its newest run id (None if empty). DemoError if it cannot be opened."""
    from sdg_tags.repository.errors import RepositoryError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return latest_run_id(db_url)
    except (RepositoryError, SQLAlchemyError) as exc:  # bad --db URL, server down, unreadable file
        raise DemoError(f"cannot open the repository {db_url}: {exc}") from None


def serve_and_crawl(
    gateway: DemoGateway, options: DemoOptions, out: TextIO, access_log_file: Path, before: int | None
) -> DemoRun:
    hosts = gateway.hosts
    print("Demo gateway (three fictional authorities, served on loopback):", file=out)
    for provider in gateway.providers:
        print(f"  {provider.country}  {gateway.origin(provider.key)}/  {provider.name}", file=out)
    registry_file = write_registry(hosts, options.out_dir / "registry.csv")
    crawl_log = options.out_dir / "crawl.log"

    print(f"\nCrawling the registry {registry_file} into {options.db_url}", file=out)
    print(
        "(robots.txt, Crawl-delay and a 1 s gap per host apply, so this takes about half a minute) ...",
        file=out,
    )
    out.flush()
    started = time.monotonic()
    exit_code = run_crawl(crawl_command(registry_file, options.db_url), crawl_log)
    elapsed = time.monotonic() - started
    run_id = latest_run_id(options.db_url)
    if exit_code != 0 or run_id is None or run_id == before:
        tail = log_tail(crawl_log)
        reason = f"exited with code {exit_code}" if exit_code != 0 else "wrote no run into the repository"
        raise DemoError(
            f"the crawl {reason} after {elapsed:.1f} s; the demo cannot summarise it.\n"
            f"Last lines of {crawl_log}:\n{tail}\n"
            f"Run it yourself while the demo serves: sdg-tags demo --keep-serving, then\n"
            f"  sdg-tags crawl --registry {registry_file} --db {options.db_url}"
        )
    if not run_finished(options.db_url, run_id):
        print(f"Note: run {run_id} did not finish; the table shows the pages written so far.", file=out)
    print(f"Crawl finished in {elapsed:.1f} s (run {run_id}).\n", file=out)

    summaries = read_summaries(options.db_url, run_id, hosts)
    table = format_summary(summaries)
    print(table, file=out)
    summary_file = options.out_dir / "summary.txt"
    summary_file.write_text(table + "\n", encoding="utf-8")

    demo_run = DemoRun(
        out_dir=options.out_dir,
        db_url=options.db_url,
        run_id=run_id,
        registry_file=registry_file,
        hosts=hosts,
        summaries=summaries,
        files=[
            ResultFile("summary", summary_file),
            ResultFile("registry used", registry_file),
            ResultFile("crawl log", crawl_log),
            ResultFile("server log", access_log_file),
        ],
    )
    for step in FOLLOW_UP_STEPS:
        demo_run.files.extend(step(demo_run))
    print("\n" + format_locations(demo_run), file=out)
    hint = command_hint()
    if hint:
        print("\n" + "\n".join(hint), file=out)
    if options.keep_serving:
        keep_serving(gateway, out)
    return demo_run


def keep_serving(gateway: DemoGateway, out: TextIO) -> None:
    """Serve until Ctrl-C, so the sites can be browsed or crawled again by hand."""
    print("\nStill serving (Ctrl-C to stop):", file=out)
    for provider in gateway.providers:
        print(f"  {gateway.origin(provider.key)}/", file=out)
    out.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopped.", file=out)
