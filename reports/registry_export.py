"""`sdg-tags export`: a link-registry upload file (SPEC §7.1) built from pages whose tags are correct.

Only pages with the verdict compliant or compliant-with-warnings are exported, so a provider can notify them
without typing. The CSV has the upload columns (`title,url,description,type,categories,language,url type,
national code,parent url,excluded paths,ignore params,delete`); the JSON has the web service's `linkData` layout.
Every export gets a unique id, recorded in the repository's export ledger with its run, filters and checksum;
an export that corrects an earlier one names it (`corrects`; in CSV, a `#` comment line above the header).
Timestamps are ISO 8601 UTC (`2025-01-31T23:00:00Z`).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sdg_tags.reports.compliance import collection_paused, resolve_run
from sdg_tags.reports.csv_tables import SpreadsheetSafeWriter
from sdg_tags.reports.html import write_text_atomically
from sdg_tags.reports.pages import ReportPage, load_report_pages
from sdg_tags.reports.registry_diff import normalized_code
from sdg_tags.repository.exports import (
    ExportRecord,
    UnknownExportError,
    export_record,
    new_export_id,
    record_export,
)
from sdg_tags.repository.store import Repository
from sdg_tags.repository.timestamps import iso_utc, utc_now
from sdg_tags.validators.url_identity import url_identity

from sdg_tags.version import package_version

EXPORT_FORMATS: tuple[str, ...] = ("registry-csv", "registry-json")
UPLOAD_COLUMNS: tuple[str, ...] = (
    "title",
    "url",
    "description",
    "type",
    "categories",
    "language",
    "url type",
    "national code",
    "parent url",
    "excluded paths",
    "ignore params",
    "delete",
)
UNUSABLE_ADDRESS = "unusable address"
# Why an address cannot go into an upload file, or None. The command line passes the registry loader's own check
# (crawler.registry.address_problem): the export refuses what `crawl --registry` would refuse when read back.
AddressCheck = Callable[[str], str | None]
EXPORTED_VERDICTS = frozenset({"compliant", "compliant-with-warnings"})
REGISTRY_TYPES: dict[str, str] = {"information": "Information", "procedure": "Procedure"}


class ExportError(Exception):
    """The export cannot be made as asked (unknown run or export id, several countries for JSON). One line."""


@dataclass(frozen=True, slots=True)
class ExportLink:
    """One link of an upload file."""

    title: str
    url: str
    description: str
    types: tuple[str, ...]
    categories: tuple[str, ...]
    language: str
    national_code: str
    parent_url: str
    country: str | None
    provider: str | None


@dataclass
class ExportResult:
    """The file's text and what went into it."""

    record: ExportRecord
    text: str
    links: list[ExportLink]
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> pages
    unusable: list[str] = field(default_factory=list)  # one line per page left out for its address


def link_address(page: ReportPage) -> str:
    """The address to register: the page's canonical URL when it is on the same host, else where it was read."""
    read_at = page.final_url or page.url
    canonical = page.canonical_url
    try:
        if canonical and urlsplit(canonical).scheme in ("http", "https"):
            if (urlsplit(canonical).hostname or "").lower() == (urlsplit(read_at).hostname or "").lower():
                return canonical
    except ValueError:  # a canonical link no parser reads (`http://[::1`): the page's own address
        pass
    return read_at


def plain(text: str | None) -> str:
    return " ".join((text or "").split())


def export_links(
    pages: Sequence[ReportPage], address_problem: AddressCheck | None = None
) -> tuple[list[ExportLink], dict[str, int], list[str]]:
    """The links to export (one per address, first page wins), how many pages were left out by reason, and one
    line per page whose address `address_problem` refuses."""
    links: list[ExportLink] = []
    skipped: Counter[str] = Counter()
    unusable: list[str] = []
    seen: set[str] = set()
    for page in pages:
        if page.verdict not in EXPORTED_VERDICTS:
            skipped[f"verdict {page.verdict}"] += 1
            continue
        types = tuple(REGISTRY_TYPES[kind] for kind in page.page_types if kind in REGISTRY_TYPES)
        if not types:
            skipped["assistance page only (the registry has no assistance type)"] += 1
            continue
        address = link_address(page)
        why = address_problem(address) if address_problem is not None else None
        if why is not None:
            skipped[UNUSABLE_ADDRESS] += 1
            unusable.append(f"page: {UNUSABLE_ADDRESS}: {why}")
            continue
        key = url_identity(address) or address
        if key in seen:
            skipped["same address as another exported page (canonical link)"] += 1
            continue
        seen.add(key)
        codes = [normalized_code(item) for item in (page.tags.get("policy-code") or "").split(";")]
        links.append(
            ExportLink(
                title=plain(page.title),
                url=address,
                description="",
                types=types,
                categories=tuple(dict.fromkeys(code for code in codes if code)),
                language=page.language or "",
                national_code=";".join(
                    item.strip() for item in (page.tags.get("DC.Location") or "").split(";") if item.strip()
                ),
                parent_url=page.registry_url if page.discovered and page.registry_url else "",
                country=page.country,
                provider=page.provider,
            )
        )
    return links, dict(sorted(skipped.items())), unusable


def upload_cells(link: ExportLink) -> dict[str, str]:
    """A link's cells by UPLOAD_COLUMNS name (a column missing here is a KeyError, not a shifted file)."""
    return {
        "title": link.title,
        "url": link.url,
        "description": link.description,
        "type": ";".join(link.types),
        "categories": ";".join(link.categories),
        "language": link.language,
        "url type": "web page",
        "national code": link.national_code,
        "parent url": link.parent_url,
        "excluded paths": "",
        "ignore params": "",
        "delete": "n",
    }


def csv_text(
    links: Sequence[ExportLink], *, export_id: str, created_at: datetime, run_id: int, corrects: str | None
) -> str:
    output = io.StringIO()
    output.write(
        f"# sdg-tags registry export {export_id}; run {run_id}; created {iso_utc(created_at)}; {len(links)} links\n"
    )
    if corrects:
        output.write(f"# corrects {corrects}\n")
    writer = SpreadsheetSafeWriter(output, lineterminator="\n")
    writer.writerow(UPLOAD_COLUMNS)
    for link in links:
        cells = upload_cells(link)
        writer.writerow(cells[column] for column in UPLOAD_COLUMNS)
    return output.getvalue()


def json_text(
    links: Sequence[ExportLink],
    *,
    export_id: str,
    created_at: datetime,
    run_id: int,
    corrects: str | None,
    country: str | None,
    author: str | None,
) -> str:
    document: dict[str, Any] = {
        "exportId": export_id,
        "createdAt": iso_utc(created_at),
        "corrects": corrects,
        "runId": run_id,
        "generator": f"sdg-tags {package_version()}",
    }
    if country:
        document["countryCode"] = country
    if author:
        document["author"] = author
    document["linkData"] = [
        {
            "title": link.title,
            "url": link.url,
            "description": link.description,
            "type": ";".join(link.types),
            "categories": [{"category": code} for code in link.categories],
            "language": link.language,
            "urlType": "WEB PAGE",
            "nationalCode": link.national_code,
            "parentUrl": link.parent_url,
            "excludedPaths": "",
            "ignoreParams": "",
            "delete": "n",
        }
        for link in links
    ]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_export(
    repository: Repository,
    *,
    file_format: str,
    out: Path | None = None,
    run_id: int | None = None,
    country: str | None = None,
    provider: str | None = None,
    corrects: str | None = None,
    address_problem: AddressCheck | None = None,
) -> ExportResult:
    """Build an upload file from a run, record it in the export ledger, and write it to `out` (else stdout);
    pages whose address `address_problem` refuses are left out, one line each in `unusable`."""
    if file_format not in EXPORT_FORMATS:
        raise ExportError(f"unknown format '{file_format}' (use {' or '.join(EXPORT_FORMATS)})")
    run = resolve_run(repository, run_id)
    if corrects is not None:
        try:
            corrects = export_record(repository, corrects).id
        except UnknownExportError:
            raise ExportError(
                f"export '{corrects}' is not in the export ledger of {repository.display_url}; "
                f"list the recorded ids with 'sdg-tags export --db {repository.display_url} --list'"
            ) from None
    with collection_paused():
        pages = load_report_pages(repository, run.id, country=country, provider=provider)
    links, skipped, unusable = export_links(pages, address_problem)
    countries = sorted({link.country for link in links if link.country})
    if file_format == "registry-json" and len(countries) > 1 and not country:
        raise ExportError(
            f"the pages belong to {len(countries)} countries ({', '.join(countries)}); the web service takes one "
            "country per call: add --country CC"
        )
    providers = sorted({link.provider for link in links if link.provider})
    export_id = new_export_id()
    created_at = utc_now()  # full precision in the ledger (orders exports); files show whole seconds
    if file_format == "registry-csv":
        text = csv_text(links, export_id=export_id, created_at=created_at, run_id=run.id, corrects=corrects)
    else:
        text = json_text(
            links,
            export_id=export_id,
            created_at=created_at,
            run_id=run.id,
            corrects=corrects,
            country=(country.upper() if country else None) or (countries[0] if len(countries) == 1 else None),
            author=provider or (providers[0] if len(providers) == 1 else None),
        )
    filters = {key: value for key, value in (("country", country), ("provider", provider)) if value}

    def write() -> None:
        if out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_text_atomically(out, text)

    record = record_export(
        repository,
        export_id=export_id,
        created_at=created_at,
        run_id=run.id,
        format=file_format,
        filters=filters,
        page_count=len(links),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        out_path=str(out.resolve()) if out is not None else None,
        corrects=corrects,
        tool_version=package_version(),
        write=write,
    )
    return ExportResult(record=record, text=text, links=links, skipped=skipped, unusable=unusable)
