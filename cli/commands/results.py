"""`sdg-tags results`: stream one record per page of a crawl run as JSON Lines or CSV (docs/output-format.md)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # type hints only: the module must import nothing heavy when the CLI starts
    from sdg_tags.repository.store import Repository

DEFAULT_DB = "sqlite:///sdg-tags.db"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "results",
        help="stream the per-page results of a crawl run (JSON Lines or CSV)",
        description="Stream one record per page of a crawl run: the page object of 'check --format json' plus "
        "fetch status, run id and the registry fields. Constant memory, so it suits 100k-page runs.",
    )
    parser.add_argument(
        "--db", default=DEFAULT_DB, metavar="URL", help=f"repository database (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--run",
        default="latest",
        metavar="latest|ID",
        help="run to show: a run id, or 'latest' (the newest finished run; default)",
    )
    parser.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default jsonl)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.repository.errors import RepositoryError, database_failure
    from sdg_tags.repository.store import Repository
    from sqlalchemy.exc import DBAPIError

    if not args.output and sys.stdout is None:  # started with descriptor 1 closed (`>&-`)
        raise CommandLineError("standard output is closed; redirect it, or write to a file with -o FILE")
    try:
        repository = Repository(args.db, create=False)
        with repository:
            run_id = chosen_run(repository, args.run)
            records = repository.iter_results(run_id)
            if args.output:
                try:
                    with open(args.output, "w", encoding="utf-8", newline="") as out:
                        write_records(records, args.format, out)
                except OSError as exc:
                    raise CommandLineError(f"cannot write {args.output}: {exc.strerror or exc}") from None
            else:
                try:
                    write_records(records, args.format, sys.stdout)
                    sys.stdout.flush()
                except BrokenPipeError:
                    raise  # `results | head`: cli.main ends quietly
                except OSError as exc:  # a full disk: one line, and the rest of the buffer goes nowhere
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                    raise CommandLineError(
                        f"cannot write to standard output: {exc.strerror or exc}"
                    ) from None
    except RepositoryError as exc:
        raise CommandLineError(str(exc)) from None
    except DBAPIError as exc:  # met once the database was open (a damaged page, a read-only file): one line
        raise CommandLineError(str(database_failure(repository.display_url, exc))) from None
    return 0


def chosen_run(repository: Repository, wanted: str) -> int:
    """The run id for `--run`: an existing id, or the newest finished run (else the newest run, with a note)."""
    from sdg_tags.cli.main import CommandLineError

    if wanted == "latest":
        run_id = repository.latest_run_id(finished_only=True)
        if run_id is None:
            run_id = repository.latest_run_id(finished_only=False)
            if run_id is None:
                raise CommandLineError(
                    f"no crawl run in {repository.display_url}; run 'sdg-tags crawl' first"
                )
            print(
                f"sdg-tags results: run {run_id} has not finished; showing the pages written so far",
                file=sys.stderr,
            )
        return run_id
    try:
        run_id = int(wanted)
    except ValueError:
        raise CommandLineError(f"--run must be 'latest' or a run id (a number), not '{wanted}'") from None
    known = [info.id for info in repository.runs()]
    if run_id not in known:
        listed = ", ".join(str(known_id) for known_id in known[-20:]) or "none"
        raise CommandLineError(f"run {run_id} is not in {repository.display_url} (runs: {listed})")
    return run_id


def write_records(records: Iterable[dict[str, Any]], output_format: str, out: TextIO) -> None:
    """Write records as JSON Lines (one compact object per line) or CSV (header + flat rows)."""
    import json

    from sdg_tags.reports.csv_tables import SpreadsheetSafeWriter
    from sdg_tags.repository.results import RESULT_CSV_COLUMNS, flat_result_row

    if output_format == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
        return
    writer = SpreadsheetSafeWriter(out, lineterminator="\n")
    writer.writerow(RESULT_CSV_COLUMNS)
    for record in records:
        writer.writerow(flat_result_row(record).values())  # in RESULT_CSV_COLUMNS order
