"""`sdg-tags diff`: compare link-registry entries with what the crawl found (SPEC §6.2 group J)."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_DB = "sqlite:///sdg-tags.db"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare registry entries with the crawled pages (diff.html, diff.csv, diff.json)",
        description="Compare each link-registry entry with what the crawl found on its page (matched on the "
        "canonical URL, then the final URL): untagged CRAWL entries, dead or redirected addresses, differing "
        "type, categories, language, national code and country, tagged pages missing from the registry, and "
        "registry categories that are no valid codes. Writes diff.html, diff.csv and diff.json.",
    )
    parser.add_argument(
        "--registry",
        metavar="FILE",
        help="registry file (upload CSV/Excel, web-service JSON or URL list); default: the entries stored "
        "with the crawl in the repository",
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, metavar="URL", help=f"repository database (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--run", default="latest", metavar="latest|ID", help="run to compare: a run id, or 'latest' (default)"
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the diff into")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.commands.results import chosen_run
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.reports.compliance import ReportError
    from sdg_tags.reports.diff_report import write_diff
    from sdg_tags.repository.errors import RepositoryError, database_failure
    from sdg_tags.repository.store import Repository
    from sqlalchemy.exc import DBAPIError

    entries = None
    source = None
    if args.registry:
        from sdg_tags.cli.commands.crawl import load_registry_file

        load = load_registry_file(Path(args.registry), "diff")
        if not load.entries:
            raise CommandLineError(f"{args.registry}: no usable registry entry (see the skipped rows above)")
        entries, source = load.entries, args.registry
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandLineError(f"--out {out_dir} is a file; give a folder")
    try:
        with Repository(args.db, create=False) as repository:
            run_id = chosen_run(repository, args.run)
            if entries is None and not repository.registry_entries():
                raise CommandLineError(
                    f"no registry entries stored in {repository.display_url}; give the registry file with --registry"
                )
            from sdg_tags.cli.progress_line import Progress

            try:
                # Nothing for a diff that is done in a second or two; else the phase it is in.
                with Progress("sdg-tags diff").start_ticking() as progress:
                    outputs = write_diff(
                        repository,
                        out_dir,
                        entries=entries,
                        registry_source=source,
                        run_id=run_id,
                        progress=progress.update,
                    )
            except OSError as exc:
                raise CommandLineError(
                    f"cannot write the diff into {out_dir}: {exc.strerror or exc}"
                ) from None
    except (RepositoryError, ReportError) as exc:
        raise CommandLineError(str(exc)) from None
    except DBAPIError as exc:  # met once the database was open (a damaged page, a read-only file): one line
        raise CommandLineError(str(database_failure(repository.display_url, exc))) from None
    summary = outputs.summary["summary"]
    print(
        f"Registry vs run {run_id}: {summary['entries']} entries, {summary['entries_matched']} found in the crawl; "
        f"{summary['by_severity']['error']} errors, {summary['by_severity']['warning']} warnings, "
        f"{summary['by_severity']['info']} infos, {summary['by_severity']['note']} notes"
    )
    for rule, count in sorted(summary["by_rule"].items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:6}  {rule}")
    for name, path in outputs.files.items():
        print(f"  {name:10} {path}")
    return 0
