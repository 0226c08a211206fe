"""`import-annexes DIR`: the consolidated text of Reg 2018/1724, the hand-assembled annex and EEA-country CSV files
and the amendment table (`amendments.py`) -> shipped TSV files.

Annex I (codes, titles, the act behind each item) comes from the consolidated text; Annex II R1-X6 and the
Annex III / Art 7 names from the CSV files; the codes and names added since 2018 from `amendments.py`, their
wording checked against the consolidated text. Every row carries its act and the date from which it applies.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sdg_tags.taxonomy import sources
from sdg_tags.taxonomy.importers import ImportFileError
from sdg_tags.taxonomy.importers.amendments import (
    APPLIES_FROM,
    ASSISTANCE_POINTS,
    CODE_LIST_EVIDENCED,
    ODR_NAME,
    ODR_NOTE,
    PROCEDURE_CODES,
    UNCONFIRMED_ACT,
)
from sdg_tags.taxonomy.importers.consolidated import (
    BASE_ACT,
    annex_text,
    newest_consolidated_text,
    read_annex1,
)

# source file name -> (shipped file name, required columns in source order)
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
# Columns the shipped annex files add to the source columns: the act that introduced each row and the date from
# which it applies (SPEC §5.7); Annex II also says where its label comes from (empty: not confirmed).
ANNEX1_COLUMNS = (*ANNEX_SOURCES["annex1_information_areas.csv"][1], "act", "applies_from")
ANNEX2_COLUMNS = (*ANNEX_SOURCES["annex2_procedures.csv"][1], "act", "applies_from", "label_source", "note")
ANNEX3_COLUMNS = (*ANNEX_SOURCES["annex3_assistance_services.csv"][1], "act", "applies_from", "note")
ORIGINAL_ANNEX2_SOURCE = "Reg 2018/1724 Annex II (annex2_procedures.csv; code numbering SPEC §5.3)"


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


def applies_from(act: str, path: Path) -> str:
    """The ISO date from which `act`'s annex changes apply; an act missing from the table stops the import."""
    found: date | None = APPLIES_FROM.get(act)
    if found is None:
        raise ImportFileError(
            f"{path}: amended by {act}, whose date of application is not in "
            "taxonomy/importers/amendments.py APPLIES_FROM"
        )
    return found.isoformat()


def annex1_rows(csv_rows: list[list[str]], text: Path) -> list[list[str]]:
    """Annex I as the consolidated text has it; every 2018 code of the CSV file must still be there."""
    entries = read_annex1(text)
    codes = {entry.code for entry in entries}
    missing = [row[0] for row in csv_rows if row[0] not in codes]
    if missing:
        raise ImportFileError(f"{text}: Annex I code(s) {', '.join(missing)} of the CSV file not found")
    return [
        [e.code, e.area_code, e.area_title, e.title, e.audience, e.act, applies_from(e.act, text)]
        for e in entries
    ]


def annex2_rows(csv_rows: list[list[str]], text: Path) -> list[list[str]]:
    """R1-X6 from the CSV file, then the procedure code list's further codes (SPEC §5.7)."""
    base = APPLIES_FROM[BASE_ACT].isoformat()
    rows = [[*row, BASE_ACT, base, ORIGINAL_ANNEX2_SOURCE, ""] for row in csv_rows]
    wording = annex_text(text, "anx_II", "anx_III")
    known = {row[0] for row in csv_rows}
    for code in PROCEDURE_CODES:
        if code.code in known:
            raise ImportFileError(
                f"{text}: procedure code {code.code} is in both the CSV file and amendments.py"
            )
        for phrase in (code.title, code.expected_output):
            if phrase and phrase not in wording:
                raise ImportFileError(f"{text}: '{phrase}' ({code.code}) not found in Annex II")
        act = code.act or UNCONFIRMED_ACT
        start = applies_from(code.act, text) if code.act else CODE_LIST_EVIDENCED.isoformat()
        rows.append(
            [
                code.code,
                code.life_event_code,
                code.life_event,
                code.title,
                code.expected_output,
                "",
                act,
                start,
                code.label_source,
                code.note,
            ]
        )
    return rows


def annex3_rows(csv_rows: list[list[str]], text: Path) -> list[list[str]]:
    """The known services of the CSV file, then the Annex III points added or replaced since 2018."""
    base = APPLIES_FROM[BASE_ACT].isoformat()
    rows = [[*row, BASE_ACT, base, ODR_NOTE if row[0] == ODR_NAME else ""] for row in csv_rows]
    wording = annex_text(text, "anx_III", None)
    for point in ASSISTANCE_POINTS:
        if point.anchor not in wording:
            raise ImportFileError(f"{text}: '{point.anchor}' ({point.name}) not found in Annex III")
        rows.append([point.name, point.basis, point.source, point.act, applies_from(point.act, text), ""])
    return rows


def import_annexes(source_dir: Path, out_dir: Path) -> list[Path]:
    """Convert the consolidated text and the four annex/country CSV files of `source_dir` into TSV files in
    `out_dir` (regulation order kept). Returns the written paths."""
    if not source_dir.is_dir():
        raise ImportFileError(f"{source_dir}: not a directory")
    read = {
        source_name: read_csv_table(source_dir / source_name, columns)
        for source_name, (_, columns) in ANNEX_SOURCES.items()
    }
    text = newest_consolidated_text(source_dir)
    tables = {
        sources.ANNEX1_FILE: sources.tsv_text(
            ANNEX1_COLUMNS, annex1_rows(read["annex1_information_areas.csv"], text)
        ),
        sources.ANNEX2_FILE: sources.tsv_text(
            ANNEX2_COLUMNS, annex2_rows(read["annex2_procedures.csv"], text)
        ),
        sources.ANNEX3_FILE: sources.tsv_text(
            ANNEX3_COLUMNS, annex3_rows(read["annex3_assistance_services.csv"], text)
        ),
        sources.EEA_COUNTRIES_FILE: sources.tsv_text(
            ANNEX_SOURCES["eea_countries.csv"][1], read["eea_countries.csv"]
        ),
    }
    written = []
    for shipped_name, text_out in tables.items():
        target = out_dir / shipped_name
        sources.write_atomically(target, text_out)
        written.append(target)
    return written
