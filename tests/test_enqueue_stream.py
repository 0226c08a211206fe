"""`sdg-tags enqueue` streams the registry (issue 15): the rows are read and planned in batches, and what lands in
Redis and the repository is what the in-memory plan of the registry spider says (no timings here: the time and
memory of a million-URL enqueue are bench/bench_enqueue.py's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sdg_tags.crawler.distributed.enqueue import enqueue_registry_file, scan_registry
from sdg_tags.crawler.distributed.frontier import SharedFrontier
from sdg_tags.crawler.distributed.members import encode_target
from sdg_tags.crawler.registry import (
    ROW_BATCH,
    FirstRowsInMemory,
    csv_rows,
    folder_entries,
    load_registry,
    open_registry,
    read_batches,
)
from sdg_tags.crawler.scope import site_key
from sdg_tags.crawler.spiders.registry import RegistrySpider
from sdg_tags.repository.store import Repository
from sdg_tags.validators.url_identity import _identity, url_identity

HEADER = "url,title,type,url type\n"


def test_rows_are_read_as_the_file_is_read() -> None:
    """csv_rows pulls lines one at a time: row 2 comes out while the rest of the file is still unread."""
    pulled: list[int] = []

    def lines() -> Iterator[str]:
        yield HEADER
        for number in range(2, 1000):
            pulled.append(number)
            yield f"https://a.example.eu/{number},t,Information,web page\n"

    rows = csv_rows(Path("r.csv"), lines(), ",")
    number, row = next(rows)
    assert (number, row["url"]) == (2, "https://a.example.eu/2")
    assert pulled == [2]


def test_batches_come_before_the_rows_are_exhausted() -> None:
    read: list[int] = []

    def rows() -> Iterator[tuple[int, Any]]:
        for number in range(1, 11):
            read.append(number)
            yield number, {"url": f"https://a.example.eu/{number}"}

    batches = read_batches(rows(), FirstRowsInMemory(), size=3)
    first = next(batches)
    assert [entry.url for entry in first.entries] == [f"https://a.example.eu/{n}" for n in (1, 2, 3)]
    assert first.rows_read == 3
    assert read == [1, 2, 3]
    assert [batch.rows_read for batch in batches] == [6, 9, 10]


def test_the_csv_folder_scan_finds_what_the_row_scan_finds(tmp_path: Path) -> None:
    """The scan reads a CSV file's cells by column index; it must find the folders that reading the same rows
    as dicts finds: a repeated column name (its last column holds), short rows, blank and bad rows, a folder
    whose URL came first as a page (no folder then), a folder row repeated, a deleted folder, a bad folder."""
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "url,url type,title,url type,delete\n"
        "https://a.example/docs/,web folder,first the page,web page\n"  # row 2: a page (last 'url type' column)
        "https://b.example/x/,web page,,web folder\n"  # row 3: a folder
        "https://c.example/y/\n"  # row 4: short row
        " , ,\n"  # row 5: white space only, no entry
        '"https://d.example/z/","web page","two\nlines","Web_Folder"\n'  # row 6: a folder, spelt loosely
        "https://a.example/docs/,web page,the folder later,web folder\n"  # row 7: no folder (row 2 came first)
        "https://b.example/x/,web page,again,web folder\n"  # row 8: repeated folder
        "https://e.example/gone/,web page,,web folder,y\n"  # row 9: a deleted folder
        "ftp://f.example/bad/,web page,,web folder\n"  # row 10: a bad folder row
        "https://g.example/late/,web page,,webfolder\n",  # row 11: a folder
        encoding="utf-8",
    )
    rows = open_registry(registry)
    assert rows.records is not None
    by_cells = folder_entries(rows)
    by_dicts = folder_entries(list(rows))  # a plain list of rows: read as dicts
    assert by_cells == by_dicts
    assert [(entry.url, entry.source_row) for entry in by_cells] == [
        ("https://b.example/x/", 3),
        ("https://d.example/z/", 6),
        ("https://g.example/late/", 11),
    ]


def write_boundary_registry(path: Path) -> int:
    """2 * ROW_BATCH + 1 rows: a URL repeated across batches, a folder in the second batch whose registered pages
    are in the first and third batches, a bad row; returns the row number of the repeat."""
    lines = [HEADER]
    for index in range(2 * ROW_BATCH + 1):
        row = index + 2  # spreadsheet row: the header is row 1
        if index == 10:
            lines.append("https://f.example.eu/docs/a.html,page before its folder,Information,web page\n")
        elif index == ROW_BATCH + 5:
            lines.append("https://f.example.eu/docs/,the folder,Information,web folder\n")
        elif index == 2 * ROW_BATCH:
            lines.append("https://f.example.eu/docs/b.html,page after its folder,Procedure,web page\n")
        elif index == ROW_BATCH + 100:
            lines.append("https://h3.example.eu/page/3,repeated across batches,Information,web page\n")
            repeat = row
        elif index == 77:
            lines.append("ftp://bad.example.eu/,bad row,Information,web page\n")
        else:
            lines.append(f"https://h{index % 40}.example.eu/page/{index},p,Information,web page\n")
    path.write_text("".join(lines), encoding="utf-8")
    return repeat


def redis_state(client: redis.Redis, name: str) -> dict[str, Any]:
    prefix = f"sdg:{name}:"
    state: dict[str, Any] = {}
    for key in client.scan_iter(match=f"{prefix}*"):
        kind = client.type(key)
        short = key.decode().removeprefix(prefix)
        if kind == b"zset":
            state[short] = client.zrange(key, 0, -1)
        elif kind == b"hash":
            state[short] = client.hgetall(key)
        elif kind == b"set":
            state[short] = client.smembers(key)
    return state


@pytest.mark.redis
def test_streamed_enqueue_plans_what_the_spider_plans(tmp_path: Path, redis_url: str) -> None:
    registry = tmp_path / "registry.csv"
    repeat = write_boundary_registry(registry)
    frontier = SharedFrontier.connect(redis_url, "stream")
    progress: list[tuple[int, int]] = []
    reported: list[str] = []
    with Repository(f"sqlite:///{tmp_path / 'run.db'}") as repository:
        summary = enqueue_registry_file(
            scan_registry(registry),
            frontier,
            repository,
            {},
            source=str(registry),
            progress=lambda rows, queued: progress.append((rows, queued)),
            on_errors=lambda errors: reported.extend(str(error) for error in errors),
        )
        stored = {entry.url for entry in repository.registry_entries()}
        invalid = [record["fetch_status"] for record in repository.iter_results(summary.run_id)]

    # The in-memory plan of the single-process spider, as the enqueue did it before it streamed.
    loaded = load_registry(registry)
    planner = RegistrySpider(entries=loaded.entries)
    planner.plan(loaded.entries)
    seeds = {target.key: target for target in reversed(planner.seeds)}  # the first seed of a key is queued
    assert summary.entries == len(loaded.entries) == 2 * ROW_BATCH - 1
    assert summary.queued == len(seeds)
    assert summary.held == len(planner.held_back) == 2
    assert summary.duplicates == len(planner.seeds) - len(seeds)
    assert summary.hosts == len({scope.site for scope in planner.scopes.values()})
    assert summary.invalid_urls == 1 and invalid == ["invalid-url"]
    assert reported == [str(error) for error in loaded.errors]
    assert any("first in row 5" in line and f"{registry}:{repeat}" in line for line in reported)
    assert stored == {entry.url for entry in loaded.entries}
    assert progress == [
        (ROW_BATCH, progress[0][1]),
        (2 * ROW_BATCH, progress[1][1]),
        (2 * ROW_BATCH + 1, summary.queued),
    ]

    state = redis_state(redis.Redis.from_url(redis_url), "stream")
    queued: set[bytes] = set()
    for key, members in state.items():
        if key.startswith("q:"):
            queued |= set(members)
    assert queued == {encode_target(target) for target in seeds.values()}
    held = {key.decode(): value.split(b"\t", 2) for key, value in state["held"].items()}
    assert held == {
        key: [site_key(target.url).encode(), b"0", encode_target(target)]
        for key, target in planner.held_back.items()
    }
    assert {target.scope_url for target in planner.held_back.values()} == {"https://f.example.eu/docs/"}
    assert state["folder_pages"] == {b"https://f.example.eu/docs/": b"1"}
    assert set(state["entries"]) == {url.encode() for url in planner.scopes}
    assert not any(key.startswith("enqueue:") for key in state)  # the enqueue's own keys are gone


@pytest.mark.redis
def test_an_in_memory_repository_is_filled_by_the_enqueue_itself(tmp_path: Path, redis_url: str) -> None:
    """No forked reader can reach an in-memory database: the rows are read in the enqueue process and imported
    with the plan, and the outcome is the forked reader's."""
    registry = tmp_path / "registry.csv"
    write_boundary_registry(registry)
    summaries = []
    stored = []
    for name, db in (("forked", f"sqlite:///{tmp_path / 'run.db'}"), ("in-process", "sqlite://")):
        with Repository(db) as repository:
            summaries.append(
                enqueue_registry_file(
                    scan_registry(registry),
                    SharedFrontier.connect(redis_url, name),
                    repository,
                    {},
                    source="r",
                )
            )
            stored.append(repository.registry_entries())
    assert Repository("sqlite://").in_memory
    assert summaries[0] == summaries[1]
    assert stored[0] == stored[1] and len(stored[0]) == summaries[0].entries == 2 * ROW_BATCH - 1


@pytest.mark.redis
def test_a_registry_with_nothing_to_crawl_writes_no_run(tmp_path: Path, redis_url: str) -> None:
    from sdg_tags.crawler.distributed.enqueue import NothingToCrawlError

    registry = tmp_path / "registry.csv"
    registry.write_text(HEADER + "ftp://a.example.eu/,x,Information,web page\n", encoding="utf-8")
    frontier = SharedFrontier.connect(redis_url, "empty")
    with Repository(f"sqlite:///{tmp_path / 'run.db'}") as repository:
        with pytest.raises(NothingToCrawlError, match=r"no registry entry to crawl \(1 rows skipped"):
            enqueue_registry_file(scan_registry(registry), frontier, repository, {}, source=str(registry))
        assert repository.latest_run_id(finished_only=False) is None
    assert frontier.run_info() == {}


def test_import_registry_is_the_same_on_every_database(tmp_path: Path, db_url: str) -> None:
    """PostgreSQL imports through COPY, SQLite through INSERT: the stored entries are the same."""
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "url,title,type,language,excluded paths,delete\n"
        'https://a.example.eu/,A,Information;Procedure,en;sv,"/x,/y",\n'
        "https://b.example.eu/docs/,,,,,y\n",
        encoding="utf-8",
    )
    entries = load_registry(registry).entries
    with Repository(db_url) as repository:
        assert repository.import_registry(entries, source="registry.csv") == 2
        assert repository.import_registry(entries[:1], source="again.csv") == 1
        assert repository.registry_entries() == entries


def test_plain_urls_take_a_short_cut_to_the_same_identity() -> None:
    urls = [
        "https://a.se",
        "https://a.se/docs/",
        "http://www.x-y.example.eu/p/1.html",
        "https://a.se/a..b/c",
        "https://a.se/~u/",
        "https://A.se/",
        "https://a.se/a/./b",
        "https://a.se./x",
        "https://xn--caf-dma.se/",
        "https://a.se:443/",
        "https://a.se/%7E",
        "https://a.se/x?b=1&a=2",
    ]
    assert [url_identity(url) for url in urls] == [_identity(url, frozenset()) for url in urls]
