"""`import-annexes DIR`: the hand-assembled annex and EEA-country CSV files -> shipped TSV files."""

from __future__ import annotations

import csv
from pathlib import Path

from sdg_tags.taxonomy import sources
from sdg_tags.taxonomy.importers import ImportFileError

# source file name -> (shipped file name, required columns in shipped order)
ANNEX_SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "annex1_information_areas.csv": (
        sources.ANNEX1_FILE,
        ("code", "area_code", "area_title", "title", "audience"),
    ),
    "annex2_procedures.csv": (
        sources.ANNEX2_FILE,
        ("code", "life_event_code", "life_event", "title", "expected_output", "legacy_title"),
    ),
    "annex3_assistance_services.csv": (sources.ANNEX3_FILE, ("name", "basis", "source")),
    "eea_countries.csv": (sources.EEA_COUNTRIES_FILE, ("code", "iso3166_alpha2", "name", "group")),
}


def read_csv_table(path: Path, columns: tuple[str, ...]) -> list[list[str]]:
    """Rows of `path` reduced to `columns` (found by header name), values stripped; errors name file and row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [column for column in columns if column not in header]
            if missing:
                raise ImportFileError(f"{path}: missing column(s) {', '.join(missing)} in the header row")
            reader.fieldnames = header
            rows = []
            for row in reader:
                # Titles are what pages copy into DC.Policy: a no-break space in the source (X1's "Article\xa054")
                # would make a faithful copy fail value-whitespace, so runs of any white space become one space.
                values = [" ".join((row.get(column) or "").split()) for column in columns]
                if any("\t" in value or "\n" in value or "\r" in value for value in values):
                    raise ImportFileError(
                        f"{path}: row {reader.line_num}: a value contains a tab or line break"
                    )
                if not values[0]:
                    raise ImportFileError(f"{path}: row {reader.line_num}: empty {columns[0]}")
                rows.append(values)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: file not found") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"{path}: not a readable UTF-8 CSV file ({exc})") from None
    keys = [row[0] for row in rows]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ImportFileError(f"{path}: duplicate {columns[0]} {', '.join(duplicates)}")
    if not rows:
        raise ImportFileError(f"{path}: no data rows")
    return rows


def import_annexes(source_dir: Path, out_dir: Path) -> list[Path]:
    """Convert the four annex/country CSV files of `source_dir` into TSV files in `out_dir` (file order kept:
    the regulation's order). Returns the written paths."""
    if not source_dir.is_dir():
        raise ImportFileError(f"{source_dir}: not a directory")
    tables = {}
    for source_name, (shipped_name, columns) in ANNEX_SOURCES.items():
        tables[shipped_name] = sources.tsv_text(columns, read_csv_table(source_dir / source_name, columns))
    written = []
    for shipped_name, text in tables.items():
        target = out_dir / shipped_name
        sources.write_atomically(target, text)
        written.append(target)
    return written
