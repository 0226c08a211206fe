"""`import-lau FILE...`: Eurostat LAU-NUTS files and EDJNet concordance files -> the shipped LAU file.

Accepted inputs (columns found by header name):
* Eurostat `EU-28-LAU-2019-NUTS-2016` style: `NUTS 3 CODE`, `LAU CODE`, `LAU NAME NATIONAL` (xlsx: every sheet
  with these headers; csv: `;` or `,` separated). A csv without a header row (the second half of a split export)
  is read in the Eurostat column order; the country is the first two characters of the NUTS 3 code.
* EDJNet concordance csv: `gisco_id, country, nuts_3, lau_id, lau_name, ...`.
All files are merged into one row per (country, LAU code) listing the vintages and NUTS 3 codes it appears with.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdg_tags.taxonomy import sources
from sdg_tags.taxonomy.importers import ImportFileError

LAU_FILE_HEADER = ("gisco_id", "name", "nuts3", "vintages")
VINTAGE_IN_NAME = re.compile(r"lau[-_ ]?(\d{4})", re.IGNORECASE)
NUTS3_SHAPE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")
EUROSTAT_COLUMNS = ("nuts 3 code", "lau code", "lau name national")
EDJNET_COLUMNS = ("country", "nuts_3", "lau_id", "lau_name")
HEADER_SEARCH_ROWS = 10
LAU_CODE_SHAPE = re.compile(r"^[A-Za-z0-9]+$")
LINE_BREAKS = re.compile(r"[\t\r\n]+")
COUNTRY_SHAPE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class LauRecord:
    """One LAU row of one source file."""

    country: str
    code: str
    name: str
    nuts3: str


@dataclass
class MergedUnit:
    names: dict[str, str] = field(default_factory=dict)  # vintage -> national name
    nuts3: set[tuple[str, str]] = field(default_factory=set)  # (vintage, NUTS 3 code)


def detect_vintage(path: Path, explicit: str | None) -> str:
    """`--vintage` when given, else the year after 'LAU' in the file name (`EU-28-LAU-2019-...`, `lau_2020_...`)."""
    if explicit:
        if not re.fullmatch(r"\d{4}", explicit):
            raise ImportFileError(f"--vintage {explicit!r} is not a year (e.g. 2020)")
        return explicit
    match = VINTAGE_IN_NAME.search(path.name)
    if not match:
        raise ImportFileError(f"{path}: cannot tell the LAU vintage from the file name; pass --vintage YEAR")
    return match.group(1)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def records_from_rows(path: Path, rows: Iterable[list[str]], where: str) -> Iterator[LauRecord]:
    """LAU records from tabular rows whose first non-empty row is a header (or data in Eurostat order)."""
    iterator = iter(rows)
    header: list[str] | None = None
    first_data: list[str] | None = None
    line = 0
    for line, row in enumerate(iterator, start=1):
        if not any(row):
            continue
        normalized = [" ".join(value.split()).casefold() for value in row]
        if all(column in normalized for column in EUROSTAT_COLUMNS) or all(
            column in normalized for column in EDJNET_COLUMNS
        ):
            header = normalized
        elif NUTS3_SHAPE.match(row[0].strip()) and len(row) >= 3:
            first_data = row  # headerless: Eurostat column order
        else:
            raise ImportFileError(
                f"{path}{where}: row {line}: no header with columns "
                f"'{', '.join(EUROSTAT_COLUMNS).upper()}' or '{', '.join(EDJNET_COLUMNS)}', "
                "and the row does not look like NUTS 3 CODE;LAU CODE;LAU NAME NATIONAL data"
            )
        break
    else:
        return
    if header is not None and "lau_id" in header:
        index = {name: header.index(name) for name in EDJNET_COLUMNS}

        def parse(row: list[str]) -> LauRecord:
            return LauRecord(
                row[index["country"]].strip(),
                row[index["lau_id"]].strip(),
                row[index["lau_name"]].strip(),
                row[index["nuts_3"]].strip(),
            )
    else:
        index = (
            {name: header.index(name) for name in EUROSTAT_COLUMNS}
            if header is not None
            else dict(zip(EUROSTAT_COLUMNS, range(3), strict=True))
        )

        def parse(row: list[str]) -> LauRecord:
            nuts3 = row[index["nuts 3 code"]].strip()
            return LauRecord(
                nuts3[:2], row[index["lau code"]].strip(), row[index["lau name national"]].strip(), nuts3
            )

    width = max(index.values()) + 1
    data_rows = iterator if first_data is None else _prepend(first_data, iterator)
    start = line if first_data is not None else line + 1
    for number, row in enumerate(data_rows, start=start):
        if not any(value.strip() for value in row):
            continue
        if len(row) < width:
            raise ImportFileError(
                f"{path}{where}: row {number}: {len(row)} columns, expected at least {width}"
            )
        record = parse(row)
        record = LauRecord(record.country, record.code, LINE_BREAKS.sub(" ", record.name), record.nuts3)
        if not LAU_CODE_SHAPE.match(record.code) or not COUNTRY_SHAPE.match(record.country):
            raise ImportFileError(
                f"{path}{where}: row {number}: LAU code {record.code!r} / country {record.country!r} is not "
                "letters and digits / two capital letters"
            )
        if record.nuts3 and not NUTS3_SHAPE.match(record.nuts3):
            raise ImportFileError(
                f"{path}{where}: row {number}: NUTS 3 code {record.nuts3!r} is not like BE100"
            )
        yield record


def _prepend(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def read_csv_records(path: Path) -> list[LauRecord]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return list(
            records_from_rows(path, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), "")
        )
    except csv.Error as exc:
        raise ImportFileError(f"{path}: not a readable CSV file ({exc})") from None


def read_xlsx_records(path: Path) -> list[LauRecord]:
    import openpyxl  # heavy; only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a non-xlsx file
        raise ImportFileError(f"{path}: not a readable .xlsx workbook") from None
    records: list[LauRecord] = []
    try:
        for worksheet in workbook.worksheets:
            rows = [[cell_text(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
            head = [" ".join(value.split()).casefold() for row in rows[:HEADER_SEARCH_ROWS] for value in row]
            # Eurostat workbooks carry notes and overview sheets; only sheets with the LAU headers are data.
            if all(column in head for column in EUROSTAT_COLUMNS) or all(
                column in head for column in EDJNET_COLUMNS
            ):
                while rows and not _is_header(rows[0]):  # title and note rows above the header
                    rows.pop(0)
                records.extend(records_from_rows(path, rows, f" (sheet '{worksheet.title}')"))
    finally:
        workbook.close()
    if not records:
        raise ImportFileError(f"{path}: no sheet with the columns {', '.join(EUROSTAT_COLUMNS).upper()}")
    return records


def _is_header(row: list[str]) -> bool:
    normalized = [" ".join(value.split()).casefold() for value in row]
    return all(c in normalized for c in EUROSTAT_COLUMNS) or all(c in normalized for c in EDJNET_COLUMNS)


def read_lau_file(path: Path) -> list[LauRecord]:
    """All LAU records of one file (xlsx or csv)."""
    if not path.is_file():
        raise ImportFileError(f"{path}: file not found")
    records = read_xlsx_records(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else read_csv_records(path)
    if not records:
        raise ImportFileError(f"{path}: no LAU rows")
    return records


def build_lau_rows(paths: Iterable[Path], vintage: str | None = None) -> list[list[str]]:
    """Merged shipped rows: `CC_CODE`, latest national name, `vintage:NUTS3` list, vintages; sorted."""
    units: dict[tuple[str, str], MergedUnit] = {}
    for path in paths:
        file_vintage = detect_vintage(path, vintage)
        for record in read_lau_file(path):
            unit = units.setdefault((record.country, record.code), MergedUnit())
            if record.name:
                unit.names.setdefault(file_vintage, record.name)
            if record.nuts3:
                unit.nuts3.add((file_vintage, record.nuts3))
            else:
                unit.names.setdefault(file_vintage, "")
    rows = []
    for (country, code), unit in sorted(units.items()):
        vintages = sorted(set(unit.names) | {v for v, _ in unit.nuts3})
        name = next((unit.names[v] for v in reversed(vintages) if unit.names.get(v)), "")
        nuts3 = ",".join(f"{v}:{c}" for v, c in sorted(unit.nuts3))
        rows.append([f"{country}_{code}", name, nuts3, ",".join(vintages)])
    return rows


def import_lau(paths: list[Path], out_dir: Path, vintage: str | None = None) -> Path:
    """Regenerate the shipped LAU file from all given files (every vintage to ship must be among them)."""
    if not paths:
        raise ImportFileError("no LAU files given")
    rows = build_lau_rows(paths, vintage)
    target = out_dir / sources.LAU_FILE
    sources.write_atomically(target, sources.tsv_text(LAU_FILE_HEADER, rows))
    return target
