"""`import-nuts`: the Eurostat NUTS 2021-2024 workbook + JRC converter tables -> the shipped NUTS file.

Workbook sheets and columns are found by their header text, not their position, because Eurostat reorders and
renames sheets between releases. NUTS 2016 codes come from the JRC tables (the workbook has no 2016 list); the
JRC correspondence tables (2016 -> 2021 -> 2024) give the successors of codes that are no longer valid.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdg_tags.taxonomy import sources
from sdg_tags.taxonomy.importers import ImportFileError

JRC_DEFAULT_SUBDIR = Path("nuts") / "jrc_nuts_converter_2025.08"
NUTS_FILE_HEADER = (
    "classification",
    "code",
    "level",
    "country",
    "label",
    "versions",
    "extra_regio",
    "successors",
)
HEADER_SEARCH_ROWS = 10
# The JRC tables list every geometric overlap, including digitising slivers (CH055 -> CH057: 5 km2, 5 people);
# an overlap below this share of the old region's area and population is not a successor.
SLIVER_SHARE = 0.01
LINE_BREAKS = re.compile(r"[\t\r\n]+")
LABEL_HEADER = re.compile(r"^(?:nuts|statis\w*\s+regions?|sr)\s+level\s+([123])\b.+")


@dataclass
class RegionVersions:
    """What the sources say about one (classification, code), collected over all versions."""

    classification: str
    code: str
    level: int
    country: str
    labels: dict[str, str] = field(default_factory=dict)  # version -> label ("" when the source has none)


def normalized_header(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


@dataclass
class SheetTable:
    """A worksheet's data rows addressed by header names."""

    title: str
    columns: dict[str, int]
    rows: list[tuple[Any, ...]]

    def cell(self, row: tuple[Any, ...], header: str) -> str:
        index = self.columns[header]
        value = row[index] if index < len(row) else None
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        # Excel labels may hold line breaks; the shipped file is one line per region.
        return LINE_BREAKS.sub(" ", str(value)).strip()


def find_sheet(
    workbook: Any, path: Path, required: tuple[str, ...], forbidden: tuple[str, ...] = ()
) -> SheetTable:
    """The first sheet having a header row (within its first rows) that contains every `required` header."""
    for worksheet in workbook.worksheets:
        rows = worksheet.iter_rows(values_only=True)
        for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False):
            headers = [normalized_header(value) for value in row]
            if all(name in headers for name in required) and not any(name in headers for name in forbidden):
                columns = {}
                for index, name in enumerate(headers):
                    if name and name not in columns:
                        columns[name] = index
                data = [tuple(r) for r in rows if any(value not in (None, "") for value in r)]
                return SheetTable(worksheet.title, columns, data)
    wanted = ", ".join(f"'{name}'" for name in required)
    raise ImportFileError(f"{path}: no sheet with the columns {wanted}")


def label_columns(table: SheetTable) -> dict[int, str]:
    """Level -> header of the correspondence sheet's per-level label column ('NUTS level 1 (italics: ...)')."""
    found = {}
    for header in table.columns:
        match = LABEL_HEADER.match(header)
        if match:
            found.setdefault(int(match.group(1)), header)
    return found


def is_extra_regio(code: str) -> bool:
    """Extra-regio codes are the country prefix followed only by Z (BEZ, BEZZ, BEZZZ)."""
    return len(code) > 2 and set(code[2:]) == {"Z"}


def parse_level(table: SheetTable, path: Path, row: tuple[Any, ...], header: str) -> int:
    text = table.cell(row, header)
    if text not in {"0", "1", "2", "3"}:
        raise ImportFileError(f"{path}: sheet '{table.title}': level {text!r} is not 0-3 in row {row!r:.80}")
    return int(text)


def read_workbook(path: Path) -> dict[tuple[str, str], RegionVersions]:
    """NUTS 2021/2024 and SR 2021/2024 entries of the official Eurostat workbook."""
    import openpyxl  # heavy; only the import command needs it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: file not found") from None
    except Exception:  # openpyxl raises many types for a non-xlsx file
        raise ImportFileError(f"{path}: not a readable .xlsx workbook") from None
    regions: dict[tuple[str, str], RegionVersions] = {}

    def record(classification: str, version: str, code: str, level: int, country: str, label: str) -> None:
        entry = regions.setdefault(
            (classification, code), RegionVersions(classification, code, level, country or code[:2])
        )
        if entry.level != level:
            raise ImportFileError(f"{path}: {classification} {code} has levels {entry.level} and {level}")
        entry.labels[version] = label

    try:
        # Lists of the current version: one row per region.
        for classification, prefix in (("NUTS", "nuts"), ("SR", "sr")):
            required = ("country code", f"{prefix} code", f"{prefix} label", f"{prefix} level")
            table = find_sheet(workbook, path, required, forbidden=("code 2021",))
            for row in table.rows:
                code = table.cell(row, f"{prefix} code")
                if not code:
                    continue
                level = parse_level(table, path, row, f"{prefix} level")
                record(
                    classification,
                    "2024",
                    code,
                    level,
                    table.cell(row, "country code"),
                    table.cell(row, f"{prefix} label"),
                )
        # Correspondence 2021 -> 2024: the only source of 2021 codes (and of the 2024 country rows).
        for classification, prefix in (("NUTS", "nuts"), ("SR", "sr")):
            required = ("country code", "code 2021", "code 2024", f"{prefix} level")
            table = find_sheet(workbook, path, required)
            labels = label_columns(table)
            for row in table.rows:
                level = parse_level(table, path, row, f"{prefix} level")
                label = table.cell(row, labels[level]) if level in labels else ""
                country = table.cell(row, "country code")
                old_code = table.cell(row, "code 2021")
                new_code = table.cell(row, "code 2024")
                if old_code:
                    record(classification, "2021", old_code, level, country, label)
                if new_code and level == 0:
                    record(classification, "2024", new_code, level, country, "")
    finally:
        workbook.close()
    return regions


def number(text: str | None) -> float:
    try:
        return float(text or 0)
    except ValueError:
        return 0.0


def read_jrc_table(path: Path, old: str, new: str) -> list[tuple[str, str]]:
    """(old code, new code) pairs of one JRC converter table whose overlap holds at least `SLIVER_SHARE` of the
    old region's area or population; columns found by name."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            header = reader.fieldnames or []
            for column in (f"code_v{old}", f"code_v{new}"):
                if column not in header:
                    raise ImportFileError(f"{path}: missing column {column}")
            overlaps = [
                (
                    row[f"code_v{old}"].strip(),
                    row[f"code_v{new}"].strip(),
                    number(row.get("areaKm")),
                    number(row.get("pop21")),
                )
                for row in reader
                if row[f"code_v{old}"].strip() and row[f"code_v{new}"].strip()
            ]
    except FileNotFoundError:
        raise ImportFileError(f"{path}: file not found (see --jrc-dir)") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"{path}: not a readable CSV file ({exc})") from None
    area_total: dict[str, float] = defaultdict(float)
    population_total: dict[str, float] = defaultdict(float)
    for old_code, _, area, population in overlaps:
        area_total[old_code] += area
        population_total[old_code] += population
    pairs = []
    for old_code, new_code, area, population in overlaps:
        shares = [
            part / total
            for part, total in ((area, area_total[old_code]), (population, population_total[old_code]))
            if total > 0
        ]
        if not shares or max(shares) >= SLIVER_SHARE:
            pairs.append((old_code, new_code))
    return pairs


def jrc_tables(jrc_dir: Path) -> Iterator[tuple[int, str, str, list[tuple[str, str]]]]:
    for level in (1, 2, 3):
        for old, new in (("2016", "2021"), ("2021", "2024")):
            path = jrc_dir / f"n{level}_cm_v{old}_v{new}.csv"
            yield level, old, new, read_jrc_table(path, old, new)


def successor_codes(
    code: str, versions: set[str], forward: dict[str, dict[str, set[str]]], current: set[str]
) -> tuple[str, ...]:
    """2024 codes overlapping a code that is not valid in 2024, following 2016 -> 2021 -> 2024."""
    if "2024" in versions or code in current:  # NUTS CH0 of 2016 is SR CH0 of 2024: still valid
        return ()
    frontier = {code}
    if "2021" not in versions:
        frontier = set().union(*(forward["2016"].get(c, set()) for c in frontier))
    found = set()
    for intermediate in frontier:
        if intermediate in current and intermediate != code:
            found.add(intermediate)
        found |= forward["2021"].get(intermediate, set()) & current
    return tuple(sorted(found))


def build_nuts_rows(workbook_path: Path, jrc_dir: Path) -> list[list[str]]:
    """All shipped NUTS rows (sorted by code, then classification)."""
    regions = read_workbook(workbook_path)
    forward: dict[str, dict[str, set[str]]] = {"2016": defaultdict(set), "2021": defaultdict(set)}
    for level, old, _new, pairs in jrc_tables(jrc_dir):
        for old_code, new_code in pairs:
            forward[old][old_code].add(new_code)
            if old == "2016":
                entry = regions.setdefault(
                    ("NUTS", old_code), RegionVersions("NUTS", old_code, level, old_code[:2])
                )
                if entry.level != level:
                    raise ImportFileError(
                        f"{jrc_dir}: NUTS {old_code} is level {level} there, {entry.level} elsewhere"
                    )
                entry.labels.setdefault("2016", "")
                # The country rows of 2016 are not in the JRC tables; derive them from the code prefixes.
                country_entry = regions.setdefault(
                    ("NUTS", old_code[:2]), RegionVersions("NUTS", old_code[:2], 0, old_code[:2])
                )
                country_entry.labels.setdefault("2016", "")
    current = {code for (_, code), entry in regions.items() if "2024" in entry.labels}
    rows = []
    for (classification, code), entry in sorted(regions.items(), key=lambda item: (item[0][1], item[0][0])):
        versions = sorted(entry.labels)
        label = next((entry.labels[v] for v in reversed(versions) if entry.labels[v]), "")
        successors = successor_codes(code, set(versions), forward, current) if entry.level > 0 else ()
        rows.append(
            [
                classification,
                code,
                str(entry.level),
                entry.country,
                label,
                ",".join(versions),
                "1" if entry.level > 0 and is_extra_regio(code) else "",
                ",".join(successors),
            ]
        )
    return rows


def import_nuts(workbook_path: Path, jrc_dir: Path, out_dir: Path) -> Path:
    """Regenerate the shipped NUTS file from the Eurostat workbook and the JRC converter tables."""
    if not jrc_dir.is_dir():
        raise ImportFileError(f"{jrc_dir}: JRC converter directory not found (see --jrc-dir)")
    rows = build_nuts_rows(workbook_path, jrc_dir)
    target = out_dir / sources.NUTS_FILE
    sources.write_atomically(target, sources.tsv_text(NUTS_FILE_HEADER, rows))
    return target
