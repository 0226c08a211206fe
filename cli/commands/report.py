"""`sdg-tags report`: the coordinator's compliance report of a crawl run (HTML, CSV, JSON; docs/reports.md)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

DEFAULT_DB = "sqlite:///sdg-tags.db"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the compliance report of a crawl run (index.html, pages.csv, findings.csv, report.json)",
        description="Write a self-contained HTML compliance report of a crawl run (works offline), with "
        "pages.csv, findings.csv and report.json: verdict shares, compliance by country, provider, rule, Annex "
        "area and page type, the trend over the last runs, changes since the previous run, what could not be "
        "checked, and a filterable table of every page. See docs/reports.md.",
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, metavar="URL", help=f"repository database (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--run", default="latest", metavar="latest|ID", help="run to report: a run id, or 'latest' (default)"
    )
    parser.add_argument("--country", metavar="CC", help="only pages of this country (EL or GR for Greece)")
    parser.add_argument("--provider", metavar="NAME", help="only pages of this provider (as in the registry)")
    parser.add_argument(
        "--by-provider",
        action="store_true",
        help="also write one report per provider under OUT/providers/<name>/, to send to each authority",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the report into")
    parser.set_defaults(handler=run)


def check_country(value: str | None) -> str | None:
    from sdg_tags.cli.main import CommandLineError

    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise CommandLineError(f"--country must be a two-letter code such as BE or EL, not '{value}'")
    return value.strip().upper()


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.commands.results import chosen_run
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.reports.compliance import ReportError, write_report
    from sdg_tags.reports.figures import VERDICT_LABELS
    from sdg_tags.reports.pages import distinct, page_country
    from sdg_tags.repository.errors import RepositoryError, database_failure
    from sdg_tags.repository.queries import iter_observed_pages
    from sdg_tags.repository.store import Repository
    from sqlalchemy.exc import DBAPIError

    country = check_country(args.country)
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandLineError(f"--out {out_dir} is a file; give a folder")
    try:
        with Repository(args.db, create=False) as repository:
            run_id = chosen_run(repository, args.run)
            from sdg_tags.cli.progress_line import Progress

            try:
                # Nothing for a report that is done in a second or two; else the phase it is in.
                with Progress("sdg-tags report").start_ticking() as progress:
                    outputs = write_report(
                        repository,
                        out_dir,
                        run_id=run_id,
                        country=country,
                        provider=args.provider,
                        by_provider=args.by_provider,
                        progress=progress.update,
                    )
            except OSError as exc:
                raise CommandLineError(
                    f"cannot write the report into {out_dir}: {exc.strerror or exc}"
                ) from None
            if outputs.summary["headline"]["pages"] == 0 and (country or args.provider):
                observed = list(iter_observed_pages(repository, run_id))
                countries = distinct(
                    page_country(page.registry_country, page.tag_country) for page in observed
                )
                providers = distinct(page.provider for page in observed)
                print(
                    f"sdg-tags report: no page of run {run_id} matches the filter; countries in this run: "
                    f"{', '.join(countries) or 'none'}; providers: {', '.join(providers[:20]) or 'none'}",
                    file=sys.stderr,
                )
    except (RepositoryError, ReportError) as exc:
        raise CommandLineError(str(exc)) from None
    except DBAPIError as exc:  # met once the database was open (a damaged page, a read-only file): one line
        raise CommandLineError(str(database_failure(repository.display_url, exc))) from None
    headline = outputs.summary["headline"]
    rate = headline["compliance_rate"]
    print(
        f"Run {run_id}: {headline['pages']} pages; compliance rate "
        f"{'n/a' if rate is None else f'{rate * 100:.1f} %'} of {headline['rated_pages']} tagged pages "
        "(not-evaluated and untagged pages are not in the denominator)"
    )
    print("  " + ", ".join(f"{VERDICT_LABELS[v].lower()} {n}" for v, n in headline["verdicts"].items()))
    for name, path in outputs.files.items():
        print(f"  {name:13} {path}")
    if outputs.provider_reports:
        print(f"  {len(outputs.provider_reports)} provider reports under {out_dir / 'providers'}")
    return 0
