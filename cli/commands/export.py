"""`sdg-tags export`: a link-registry upload file of the correctly tagged pages, with a recorded export id."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DB = "sqlite:///sdg-tags.db"
FORMATS = ("registry-csv", "registry-json")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a registry upload file (CSV or web-service JSON) of the pages whose tags are correct",
        description="Write a link-registry upload file (CSV upload columns, or the web service's linkData JSON) "
        "from the crawled tags of pages whose verdict is compliant or compliant-with-warnings, so a provider "
        "can notify them without typing. Each export gets a unique id, recorded in the repository; a corrected "
        "file names the export it corrects (--corrects). The summary goes to standard error.",
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, metavar="URL", help=f"repository database (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--run",
        default="latest",
        metavar="latest|ID",
        help="run to export from: a run id, or 'latest' (default)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="registry-csv (upload file) or registry-json (web service)"
    )
    parser.add_argument("--country", metavar="CC", help="only pages of this country")
    parser.add_argument("--provider", metavar="NAME", help="only pages of this provider")
    parser.add_argument("--corrects", metavar="EXPORT_ID", help="this file corrects the export with this id")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--list", action="store_true", help="list the recorded exports and exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.commands.report import check_country
    from sdg_tags.cli.commands.results import chosen_run
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.crawler.registry import address_problem
    from sdg_tags.reports.compliance import ReportError
    from sdg_tags.reports.registry_export import ExportError, write_export
    from sdg_tags.repository.errors import RepositoryError, database_failure
    from sdg_tags.repository.exports import list_exports
    from sdg_tags.repository.store import Repository
    from sdg_tags.repository.timestamps import iso_utc
    from sqlalchemy.exc import DBAPIError

    country = check_country(args.country)
    out = Path(args.out) if args.out else None
    if out is not None and out.is_dir():
        raise CommandLineError(f"--out {out} is a folder; give a file name")
    try:
        with Repository(args.db, create=False) as repository:
            if args.list:
                records = list_exports(repository)
                if not records:
                    print(f"no exports recorded in {repository.display_url}")
                for record in records:
                    corrects = f" corrects {record.corrects}" if record.corrects else ""
                    where = record.out_path or "(standard output)"
                    print(
                        f"{record.id}  {iso_utc(record.created_at)}  run {record.run_id}  {record.format}  "
                        f"{record.page_count} links  {where}{corrects}"
                    )
                return 0
            if args.format is None:
                raise CommandLineError("--format is required (registry-csv or registry-json)")
            run_id = chosen_run(repository, args.run)
            try:
                result = write_export(
                    repository,
                    file_format=args.format,
                    out=out,
                    run_id=run_id,
                    country=country,
                    provider=args.provider,
                    corrects=args.corrects,
                    address_problem=address_problem,
                )
            except OSError as exc:
                raise CommandLineError(f"cannot write {out}: {exc.strerror or exc}") from None
    except (RepositoryError, ReportError, ExportError) as exc:
        raise CommandLineError(str(exc)) from None
    except DBAPIError as exc:  # met once the database was open (a damaged page, a read-only file): one line
        raise CommandLineError(str(database_failure(repository.display_url, exc))) from None
    for line in result.unusable:
        print(f"sdg-tags export: skipped {line}", file=sys.stderr)
    record = result.record
    skipped = "; ".join(f"{count} {reason}" for reason, count in result.skipped.items())
    print(
        f"export {record.id}: {record.page_count} links from run {record.run_id} ({record.format})"
        + (f" written to {out}" if out else "")
        + (f"; corrects {record.corrects}" if record.corrects else "")
        + (f"; left out: {skipped}" if skipped else ""),
        file=sys.stderr,
    )
    return 0
