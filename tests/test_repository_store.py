"""Repository: registry import, runs, idempotent page upserts, conditional-GET data, results records.

Every test runs on SQLite and on PostgreSQL (`db_url`), against real databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sdg_tags.repository.errors import RepositoryError, UnknownRunError
from sdg_tags.repository.migrate import head_revision
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.repository.schema import (
    findings,
    metadata,
    observations,
    raw_tags,
    registry_entries,
    tag_items,
    tag_sets,
)
from sdg_tags.repository.store import Repository, database_url, policy_area
from sqlalchemy import create_engine, func, inspect, select, text

from tests.repository_records import T0, failed_record, finding, tagged_record

TABLES = {
    "alembic_version",
    "registry_entries",
    "runs",
    "run_locks",
    "observations",
    "raw_tags",
    "tag_sets",
    "tag_items",
    "findings",
}
ZERO_STATUS = {
    "ok": 0,
    "not-modified": 0,
    "noindex": 0,
    "http-4xx": 0,
    "http-5xx": 0,
    "dns-error": 0,
    "connection-refused": 0,
    "timeout": 0,
    "tls-error": 0,
    "too-many-redirects": 0,
    "redirected-off-site": 0,
    "robots-disallowed": 0,
    "not-html": 0,
    "too-large": 0,
    "decode-error": 0,
    "out-of-scope": 0,
    "invalid-url": 0,
}
ZERO_VERDICT = {
    "compliant": 0,
    "compliant-with-warnings": 0,
    "non-compliant": 0,
    "not-self-describing": 0,
    "not-evaluated": 0,
}


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    repository = Repository(db_url)
    yield repository
    repository.close()


def row_counts(repository: Repository) -> dict[str, int]:
    with repository.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (observations, raw_tags, tag_sets, tag_items, findings)
        }


def start(repository: Repository, **kwargs: object) -> int:
    return repository.start_run(
        profile="harvester",
        settings={"SDG_PROFILE": "harvester", "DOWNLOAD_DELAY": 1.0},
        code_lists={"annex1": "2018", "nuts": "2024"},
        **kwargs,  # type: ignore[arg-type]
    )


# -- schema ---------------------------------------------------------------------------------------------


def test_schema_is_created_at_head_on_first_use(repo: Repository) -> None:
    assert repo.runs() == []
    import sdg_tags.repository.exports  # noqa: F401  (another area's table on the shared metadata)

    assert set(inspect(repo.engine).get_table_names()) == {"alembic_version", *metadata.tables}
    assert {"alembic_version", *metadata.tables} >= TABLES
    with repo.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()


def test_second_repository_on_the_same_database_finds_the_schema(db_url: str) -> None:
    with Repository(db_url) as first:
        run_id = start(first)
    with Repository(db_url) as second:
        assert [info.id for info in second.runs()] == [run_id]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path) -> None:
    with Repository(f"sqlite:///{tmp_path / 'wal.db'}") as repository, repository.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_bad_database_urls_say_what_to_use(tmp_path) -> None:
    with pytest.raises(RepositoryError, match=r"^'nonsense' is not a database URL; use sqlite:///"):
        Repository("nonsense")
    with pytest.raises(RepositoryError, match=r"^database 'mysql' is not supported"):
        Repository("mysql://user@localhost/db")
    missing = tmp_path / "missing.db"
    with pytest.raises(RepositoryError, match=r"^database file '.*missing\.db' does not exist"):
        _ = Repository(f"sqlite:///{missing}", create=False).engine
    assert not missing.exists()
    with pytest.raises(RepositoryError, match=r"folder '.*no-such-folder' does not exist"):
        _ = Repository(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}").engine


def test_postgres_urls_get_the_psycopg_driver() -> None:
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_in_memory_sqlite_works_for_one_repository() -> None:
    with Repository("sqlite://") as repository:
        run_id = start(repository)
        repository.write_pages(run_id, [tagged_record()])
        assert [record["url"] for record in repository.iter_results(run_id)] == [
            "https://www.example.se/foretag"
        ]


# -- registry -------------------------------------------------------------------------------------------


def test_import_registry_upserts_by_url(repo: Repository) -> None:
    entries = [
        RegistryEntry(url="https://www.example.se/a", types=["Information"], categories=["A1"], country="SE"),
        RegistryEntry(
            url="https://www.example.se/", url_type="web folder", excluded_paths=["/news"], source_row=3
        ),
    ]
    assert repo.import_registry(entries, source="first.csv") == 2
    changed = RegistryEntry(url="https://www.example.se/a", types=["Procedure"], categories=["X1", "J1"])
    assert repo.import_registry([changed], source="second.csv") == 1
    assert repo.registry_entries() == [entries[1], changed]
    assert repo.registry_entry("https://www.example.se/a") == changed
    assert repo.registry_entry("https://www.example.se/unknown") is None
    with repo.engine.connect() as conn:
        sources = dict(conn.execute(select(registry_entries.c.url, registry_entries.c.source)).all())
    assert sources == {"https://www.example.se/": "first.csv", "https://www.example.se/a": "second.csv"}


def test_import_registry_keeps_the_last_of_repeated_urls(repo: Repository) -> None:
    first = RegistryEntry(url="https://www.example.se/a", title="first")
    last = RegistryEntry(url="https://www.example.se/a", title="last")
    assert repo.import_registry([first, last], source="file.json") == 1
    assert repo.registry_entries() == [last]
    assert repo.import_registry([], source="empty.csv") == 0


# -- runs -----------------------------------------------------------------------------------------------


def test_resume_key_reopens_the_unfinished_run(repo: Repository) -> None:
    first = start(repo, resume_key="job-a")
    assert start(repo, resume_key="job-a") == first
    other = start(repo, resume_key="job-b")
    assert other == first + 1
    repo.finish_run(first, stats={})
    reopened_after_finish = start(repo, resume_key="job-a")
    assert reopened_after_finish == other + 1
    assert start(repo) == reopened_after_finish + 1  # no key: always a new run


def test_runs_and_latest_run_id(repo: Repository) -> None:
    assert repo.latest_run_id() is None
    first = start(repo, planned_hosts=3)
    assert repo.latest_run_id() is None
    assert repo.latest_run_id(finished_only=False) == first
    repo.finish_run(first, stats={"covered_hosts": 2, "started": datetime(2025, 1, 31, 22, 0, tzinfo=UTC)})
    second = start(repo)
    assert repo.latest_run_id() == first
    assert repo.latest_run_id(finished_only=False) == second
    infos = repo.runs()
    assert [info.id for info in infos] == [first, second]
    assert infos[0].profile == "harvester"
    assert infos[0].settings == {"SDG_PROFILE": "harvester", "DOWNLOAD_DELAY": 1.0}
    assert infos[0].code_lists == {"annex1": "2018", "nuts": "2024"}
    assert infos[0].planned_hosts == 3
    assert infos[0].covered_hosts == 2
    assert infos[0].stats == {"covered_hosts": 2, "started": "2025-01-31T22:00:00Z"}
    assert infos[0].finished_at is not None and infos[0].finished_at.tzinfo is not None
    assert infos[1].finished_at is None
    assert len(infos[0].config_hash) == 64 and infos[0].config_hash == infos[1].config_hash


def test_finish_run_counts_fetch_statuses_verdicts_and_findings(repo: Repository) -> None:
    run_id = start(repo)
    repo.write_pages(
        run_id,
        [
            tagged_record("https://a.example.se/1", findings=[finding("tag-duplicate", tag="DC.ISO3166")]),
            tagged_record(
                "https://a.example.se/2", findings=[finding("country-missing", "error"), finding("x")]
            ),
            tagged_record("https://b.example.se/3"),
            failed_record("https://b.example.se/4"),
            failed_record("https://c.example.se/5", status="timeout", http_status=None),
        ],
    )
    # An unfinished run already shows its counts so far.
    assert repo.runs()[0].counts["pages"] == 5
    repo.finish_run(run_id, stats={"downloader/request_count": 5})
    info = repo.runs()[0]
    assert info.counts == {
        "pages": 5,
        "fetch_status": ZERO_STATUS | {"ok": 3, "http-4xx": 1, "timeout": 1},
        "verdict": ZERO_VERDICT
        | {"compliant": 1, "compliant-with-warnings": 1, "non-compliant": 1, "not-evaluated": 2},
        "findings": {"error": 1, "warning": 2, "info": 0},
    }
    assert info.covered_hosts == 3  # a., b. and c.example.se
    assert info.stats == {"downloader/request_count": 5}


def test_unknown_run_ids_are_refused(repo: Repository) -> None:
    start(repo)
    with pytest.raises(UnknownRunError, match=r"^run 42 is not in the repository \(runs: 1\)$"):
        repo.write_pages(42, [tagged_record()])
    with pytest.raises(UnknownRunError):
        repo.finish_run(42, stats={})
    with pytest.raises(UnknownRunError):
        repo.iter_results(42)  # raised at the call, before iteration


# -- pages ----------------------------------------------------------------------------------------------


def test_write_pages_twice_gives_the_same_rows(repo: Repository) -> None:
    run_id = start(repo)
    batch = [
        tagged_record("https://www.example.se/1", findings=[finding("tag-duplicate", tag="DC.ISO3166")]),
        tagged_record("https://www.example.se/2", findings=[finding("a"), finding("b", "info")]),
        failed_record("https://www.example.se/3"),
    ]
    expected = {"observations": 3, "raw_tags": 10, "tag_sets": 2, "tag_items": 12, "findings": 3}
    repo.write_pages(run_id, batch)
    assert row_counts(repo) == expected
    repo.write_pages(run_id, batch)
    assert row_counts(repo) == expected
    # A resumed run rewriting one page replaces its findings instead of adding to them.
    repo.write_pages(run_id, [tagged_record("https://www.example.se/2", findings=[finding("c")])])
    assert row_counts(repo) == expected | {"findings": 2}
    # The same URL in another run is another observation.
    repo.write_pages(start(repo), batch[:1])
    assert row_counts(repo) == {
        "observations": 4,
        "raw_tags": 15,
        "tag_sets": 3,
        "tag_items": 18,
        "findings": 3,
    }


def test_a_url_repeated_within_one_batch_is_written_once(repo: Repository) -> None:
    run_id = start(repo)
    repo.write_pages(
        run_id, [failed_record("https://www.example.se/1"), tagged_record("https://www.example.se/1")]
    )
    assert row_counts(repo)["observations"] == 1
    assert [record["fetch_status"] for record in repo.iter_results(run_id)] == ["ok"]


def test_normalised_rows_of_one_page(repo: Repository) -> None:
    run_id = start(repo)
    record = tagged_record(findings=[finding("tag-duplicate", tag="DC.ISO3166", item=0)])
    repo.write_pages(run_id, [record])
    with repo.engine.connect() as conn:
        tags = conn.execute(
            select(
                raw_tags.c.canonical, raw_tags.c.raw, raw_tags.c.line, raw_tags.c.in_head, raw_tags.c.match
            ).order_by(raw_tags.c.position)
        ).all()
        tag_set = conn.execute(select(tag_sets)).mappings().one()
        items = conn.execute(
            select(tag_items.c.tag, tag_items.c.item, tag_items.c.value, tag_items.c.area).order_by(
                tag_items.c.id
            )
        ).all()
        stored = conn.execute(select(findings)).mappings().one()
        observation = conn.execute(select(observations)).mappings().one()
    assert [tuple(row) for row in tags] == [
        ("sdg-tag", "sdg", 6, True, "exact"),
        ("DC.ISO3166", "SE", 7, True, "exact"),
        ("DC.ISO3166", "NO", 8, True, "exact"),
        ("DC.Service", "information;procedure", 9, True, "exact"),
        ("policy-code", "J1;X1", 10, True, "exact"),
    ]
    assert tag_set["country"] == "SE"
    assert tag_set["service"] == "information;procedure"
    assert tag_set["policy_code"] == "J1;X1"
    assert tag_set["html_lang"] == "sv"
    assert tag_set["language"] == "sv"
    assert tag_set["canonical_url"] == "https://www.example.se/foretag"
    assert tag_set["page_types"] == "information;procedure"
    assert [tuple(row) for row in items] == [
        ("sdg-tag", 0, "sdg", None),
        ("DC.ISO3166", 0, "SE", None),
        ("DC.Service", 0, "information", None),
        ("DC.Service", 1, "procedure", None),
        ("policy-code", 0, "J1", "J"),
        ("policy-code", 1, "X1", "X"),
    ]
    assert (stored["rule"], stored["severity"], stored["tag"], stored["item"], stored["observed"]) == (
        "tag-duplicate",
        "warning",
        "DC.ISO3166",
        0,
        "NO",
    )
    assert (stored["citation"], stored["hint"], stored["expected"]) == (
        "Guidance 2020 §multiple values",
        "tag-duplicate hint",
        "one element",
    )
    assert (observation["verdict"], observation["warning_count"], observation["error_count"]) == (
        "compliant-with-warnings",
        1,
        0,
    )


def test_without_occurrences_the_effective_tags_are_stored(repo: Repository) -> None:
    run_id = start(repo)
    record = tagged_record().model_copy(update={"occurrences": []})
    repo.write_pages(run_id, [record])
    with repo.engine.connect() as conn:
        rows = conn.execute(select(raw_tags.c.canonical, raw_tags.c.raw, raw_tags.c.match)).all()
    assert sorted(tuple(row) for row in rows) == [
        ("DC.ISO3166", "SE", None),
        ("DC.Service", "information;procedure", None),
        ("policy-code", "J1;X1", None),
        ("sdg-tag", "sdg", None),
    ]


@pytest.mark.parametrize(
    ("item", "area"),
    [
        ("J10", "J"),
        ("c2", "C"),
        ("A01", "A"),
        ("I", "I"),
        ("X6", "X"),
        ("Y1", None),
        ("EURES", None),
        ("", None),
    ],
)
def test_policy_area_of_an_item(item: str, area: str | None) -> None:
    assert policy_area(item) == area


def test_previous_validators_come_from_the_newest_evaluated_fetch(repo: Repository) -> None:
    url = "https://www.example.se/foretag"
    assert repo.previous_validators(url) is None
    first = start(repo)
    original = tagged_record(url, findings=[finding("tag-duplicate", tag="DC.ISO3166")])
    repo.write_pages(first, [original])
    second = start(repo)
    # A later failed fetch has no validators worth sending: the evaluated one before it is used.
    repo.write_pages(
        second, [failed_record(url, status="http-5xx", http_status=503, fetched_at=T0 + timedelta(1))]
    )
    info = repo.previous_validators(url)
    assert info is not None
    assert (info.run_id, info.etag, info.last_modified, info.content_hash) == (
        first,
        '"v1"',
        "Fri, 31 Jan 2025 22:00:00 GMT",
        "sha256:abc",
    )
    assert info.fetched_at == T0
    assert info.previous == original


def test_iter_results_records(repo: Repository) -> None:
    repo.import_registry(
        [
            RegistryEntry(
                url="https://www.example.se/",
                url_type="web folder",
                types=["Information", "Procedure"],
                categories=["J1", "X1"],
                country="SE",
                provider="Bolagsverket",
            ),
            RegistryEntry(
                url="https://www.example.se/gone", types=["Information"], country="SE", provider="B"
            ),
        ],
        source="registry.csv",
    )
    run_id = start(repo)
    carried = tagged_record(
        "https://www.example.se/",
        fetch_status="not-modified",
        http_status=304,
        evaluated_at=T0 - timedelta(days=7),
        registry_url="https://www.example.se/",
    )
    repo.write_pages(
        run_id,
        [
            carried,
            tagged_record(
                "https://www.example.se/foretag",
                findings=[finding("tag-duplicate", tag="DC.ISO3166")],
                registry_url="https://www.example.se/",
                discovered=True,
                depth=1,
                final_url="https://www.example.se/foretag/",
                redirects=["https://www.example.se/foretag"],
            ),
            failed_record("https://www.example.se/gone", http_status=410),
        ],
    )
    records = list(repo.iter_results(run_id))
    assert [record["url"] for record in records] == [
        "https://www.example.se/",
        "https://www.example.se/foretag",
        "https://www.example.se/gone",
    ]
    folder, discovered, gone = records
    assert list(folder) == [
        "run_id",
        "url",
        "final_url",
        "fetch_status",
        "http_status",
        "fetched_at",
        "evaluated_at",
        "discovered",
        "registry_url",
        "provider",
        "country",
        "type",
        "categories",
        "target",
        "verdict",
        "page_types",
        "page_types_inferred",
        "tags",
        "language",
        "canonical_url",
        "title",
        "robots",
        "findings",
        "status_detail",
        "suggested_tags",
        "structured_data",
        "profile",
    ]
    assert {key: folder[key] for key in list(folder)[:13]} == {
        "run_id": run_id,
        "url": "https://www.example.se/",
        "final_url": None,
        "fetch_status": "not-modified",
        "http_status": 304,
        "fetched_at": "2025-01-31T23:00:00Z",
        "evaluated_at": "2025-01-24T23:00:00Z",
        "discovered": False,
        "registry_url": "https://www.example.se/",
        "provider": "Bolagsverket",
        "country": "SE",
        "type": ["Information", "Procedure"],
        "categories": ["J1", "X1"],
    }
    assert folder["verdict"] == "compliant"
    assert folder["tags"]["DC.ISO3166"]["raw"] == "SE"
    # The page object is re-emitted exactly as the validator produced it.
    assert carried.result is not None
    page = carried.result.model_dump(mode="json")
    assert {key: folder[key] for key in page if key != "url"} == {
        key: page[key] for key in page if key != "url"
    }

    # A page discovered inside a registered folder has no registry fields of its own.
    assert (discovered["provider"], discovered["country"], discovered["type"], discovered["categories"]) == (
        None,
        None,
        [],
        [],
    )
    assert (discovered["final_url"], discovered["evaluated_at"], discovered["discovered"]) == (
        "https://www.example.se/foretag/",
        "2025-01-31T23:00:00Z",
        True,
    )
    assert [item["rule"] for item in discovered["findings"]] == ["tag-duplicate"]

    # Not evaluated: the same keys, verdict not-evaluated, the fetch detail as status_detail.
    assert list(gone) == list(folder)
    assert {
        key: gone[key] for key in ("fetch_status", "http_status", "verdict", "status_detail", "evaluated_at")
    } == {
        "fetch_status": "http-4xx",
        "http_status": 410,
        "verdict": "not-evaluated",
        "status_detail": "HTTP 410",
        "evaluated_at": None,
    }
    assert (gone["provider"], gone["type"], gone["tags"], gone["findings"]) == ("B", ["Information"], {}, [])


def test_timestamps_are_stored_in_utc(repo: Repository) -> None:
    run_id = start(repo)
    helsinki = timezone(timedelta(hours=2))
    repo.write_pages(
        run_id,
        [
            failed_record(
                "https://www.example.fi/aware", fetched_at=datetime(2025, 2, 1, 1, 0, tzinfo=helsinki)
            ),
            failed_record("https://www.example.fi/naive", fetched_at=datetime(2025, 1, 31, 23, 0)),
        ],
    )
    assert [record["fetched_at"] for record in repo.iter_results(run_id)] == [
        "2025-01-31T23:00:00Z",
        "2025-01-31T23:00:00Z",
    ]
    with create_engine(repo.url).connect() as conn:
        raw = conn.execute(select(observations.c.fetched_at).order_by(observations.c.id)).scalars().all()
    assert [str(value)[:19] for value in raw] == ["2025-01-31 23:00:00", "2025-01-31 23:00:00"]


def test_iter_results_streams_many_pages_across_batches(repo: Repository) -> None:
    run_id = start(repo)
    urls = [f"https://www.example.se/page/{number}" for number in range(1200)]
    for begin in range(0, len(urls), 400):
        repo.write_pages(run_id, [failed_record(url) for url in urls[begin : begin + 400]])
    seen = [record["url"] for record in repo.iter_results(run_id)]
    assert seen == urls
