"""Registry files: the link-registry upload layout (SPEC §7.1) as CSV, Excel or JSON, or a plain list of URLs.

`load_registry(path)` returns the good rows as `RegistryEntry` and one `RegistryRowError` per bad row (file, row,
column, why); bad rows are skipped, and no row, whatever its bytes, makes loading raise. Rows whose address is
unusable are also listed as `InvalidUrl` (the crawl records them with fetch status `invalid-url`). A reason quotes
at most `SHOWN_CHARACTERS` of a value, with control characters escaped and user info (`user:password@`) replaced
by `***`, so a row can neither flood a log nor leak a credential into it. A file that cannot be read at all raises
`RegistryFileError` (one line).

`open_registry(path)` reads the same files as a stream (`RegistryRows`): CSV and URL lists line by line, Excel
row by row (openpyxl read-only), JSON parsed whole (the standard library has no incremental parser) and then
walked item by item. `read_batches` turns the rows into `RegistryBatch`es with the same per-row checks, so a
registry of millions of rows never has to be held: `sdg-tags enqueue` streams it, `load_registry` collects it.
Pure Python: the crawler, the CLI and the web app all load registry files through here without Scrapy.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, urlsplit

from sdg_tags.repository.records import PageRecord, RegistryEntry, RegistryRowError
from sdg_tags.validators.limits import short_text_cache
from sdg_tags.validators.url_identity import PLAIN_URL

# Header names compared after lower-casing and dropping everything but letters and digits, so `url type`,
# `url_type`, `urlType` and `URL-TYPE` are one column. Besides the upload names (SPEC §7.1) this accepts the
# web-service names and the columns of the Commission's registry export (TITLE, CLASSIFICATION_INFORMATION, ...).
COLUMN_ALIASES: dict[str, str] = {
    "url": "url",
    "title": "title",
    "description": "description",
    "type": "types",
    "types": "types",
    "metadatatype": "types",
    "metadatatypestring": "types",
    "categories": "categories",
    "category": "categories",
    "classification": "categories",
    "classificationinformation": "categories",
    "language": "languages",
    "languages": "languages",
    "urltype": "url_type",
    "nationalcode": "national_code",
    "parenturl": "parent_url",
    "parent": "parent_url",
    "excludedpaths": "excluded_paths",
    "excludedpath": "excluded_paths",
    "ignoreparams": "ignore_params",
    "ignoredparams": "ignore_params",
    "ignoreparameters": "ignore_params",
    "delete": "delete",
    "country": "country",
    "countrycode": "country",
    "provider": "provider",
    "author": "provider",
    "notificationtype": "notification_type",
}
REGISTRY_TYPES: dict[str, str] = {
    "information": "Information",
    "procedure": "Procedure",
    "database": "Database",
}
URL_TYPES: dict[str, str] = {
    "web page": "web page",
    "webpage": "web page",
    "web folder": "web folder",
    "webfolder": "web folder",
}
NOTIFICATION_TYPES: frozenset[str] = frozenset({"CRAWL", "UPLOAD", "MANUAL", "WEBSERVICE"})
YES: frozenset[str] = frozenset({"y", "yes", "true", "1"})
NO: frozenset[str] = frozenset({"", "n", "no", "false", "0"})
CSV_DELIMITERS: tuple[str, ...] = (",", ";", "\t")
LIST_SEPARATORS = re.compile(r";")
PATH_SEPARATORS = re.compile(r"[;,\n]")
INLINE_COMMENT = re.compile(r"\s#.*$")
# Rows per RegistryBatch: what a streaming reader holds at once (and what one Redis/SQL round trip carries).
ROW_BATCH = 5000
# Bytes read at a time while looking for the first character of a file (to tell its format).
HEAD_BYTES = 65536
# Scrapy's URLLENGTH_LIMIT: the crawler would drop a longer URL without a word.
MAX_URL_LENGTH = 2083
# Characters of a value quoted in a reason (or stored as an invalid row's address); the rest is abridged.
SHOWN_CHARACTERS = 200
ABRIDGED = "…"
# `scheme:` and `//` are optional so that `user:pw@host` without a scheme is caught too.
USER_INFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://)?)([^/?#]*)@")
WHITE_SPACE = re.compile(r"\s")
# host[:port] as fetchers read it: a bracketed IPv6 literal or a name without brackets and colons, then a port.
HOST_PORT = re.compile(r"(\[[^\[\]]+\]|[^\[\]:]*)(:[0-9]*)?")
# Characters a shown value or an address never carries as they are: C0/C1 controls, DEL, lone surrogates.
ESCAPED_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# What no repository can store in a text column: NUL (PostgreSQL), lone surrogates (not UTF-8).
NOT_STORABLE = re.compile(r"[\x00\ud800-\udfff]")


class RegistryFileError(Exception):
    """The registry file as a whole cannot be used (unreadable, not UTF-8, no url column). One line."""


@dataclass
class RegistryLoad:
    """What a registry file yielded: good entries, skipped rows with their reasons, and the detected format."""

    entries: list[RegistryEntry] = field(default_factory=list)
    errors: list[RegistryRowError] = field(default_factory=list)
    format: str = "csv"  # "csv", "json", "xlsx" or "url-list"
    invalid_urls: list[InvalidUrl] = field(default_factory=list)  # the errors whose address is unusable


@dataclass(frozen=True, slots=True)
class InvalidUrl:
    """A row whose address cannot be fetched: what the crawl stores for it with fetch status `invalid-url`."""

    row: int
    url: str  # the address as shown: user info replaced by ***, control characters %-escaped, abridged
    reason: str  # the row's RegistryRowError as one line


class RowProblem(Exception):
    """A bad value in one row: the column (as written in the file) and why; `url` (the address as shown) when the
    row's address itself is unusable."""

    def __init__(self, column: str | None, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.url = url


def invalid_url_records(load: RegistryLoad, fetched_at: datetime) -> list[PageRecord]:
    """What a run stores for the rows whose address is unusable: fetch status `invalid-url`, the reason as the
    detail (a repeated unusable address is stored once)."""
    return [
        PageRecord(
            url=invalid.url, fetch_status="invalid-url", status_detail=invalid.reason, fetched_at=fetched_at
        )
        for invalid in load.invalid_urls
    ]


def column_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


@short_text_cache(maxsize=4096)
def column_target(name: str) -> str | None:
    """The registry field a column (or JSON key) holds, or None; cached: every row repeats the header's names."""
    return COLUMN_ALIASES.get(column_key(name))


def shown(value: str) -> str:
    """A value as a reason may quote it: control characters and lone surrogates %-escaped, abridged."""
    text = ESCAPED_CHARACTERS.sub(escaped_character, value[: SHOWN_CHARACTERS + 1])
    return text[:SHOWN_CHARACTERS] + ABRIDGED if len(text) > SHOWN_CHARACTERS else text


def escaped_character(found: re.Match[str]) -> str:
    return quote(found.group(0).encode("utf-8", "surrogatepass"), safe="")


def without_user_info(value: str) -> str:
    """The address with any `user:password@` replaced by `***@`: a credential is never shown nor stored."""
    return USER_INFO.sub(r"\1***@", value, count=1)


def shown_url(value: str) -> str:
    """An address as shown and stored for an invalid row: no user info, no control characters, abridged, and
    one that `urlsplit` accepts (reports parse stored addresses)."""
    text = shown(without_user_info(value))
    try:
        urlsplit(text)
    except ValueError:  # unbalanced brackets, or a host that NFKC-normalises to a delimiter
        text = quote(text, safe="!$&'()*+,;=:/?#@%~")
    return text


def load_registry(path: Path) -> RegistryLoad:
    """Read a registry file (CSV `,`/`;`, Excel, JSON `linkData` or list, or one URL per line) into memory."""
    rows = open_registry(path)
    return load_rows(rows.path, rows, rows.format)


def load_rows(path: Path, rows: Iterable[tuple[int, Any]], file_format: str) -> RegistryLoad:
    """Raw rows into one RegistryLoad (`read_batches`, collected)."""
    load = RegistryLoad(format=file_format)
    for batch in read_batches(rows, FirstRowsInMemory(), path=path):
        load.entries.extend(batch.entries)
        load.errors.extend(batch.errors)
        load.invalid_urls.extend(batch.invalid_urls)
    return load


class RegistryRows:
    """A registry file's raw rows, `(row number, row)`, read again from the file on every iteration (a stream:
    rows are parsed as they are read). `format` is "csv", "json", "xlsx" or "url-list"; a CSV file also has
    its `records` (`csv_records`: the header, then lists of cells), which a scan reads without a dict per row."""

    def __init__(
        self,
        path: Path,
        file_format: str,
        rows: Callable[[], Iterator[tuple[int, Any]]],
        records: Callable[[], Iterator[tuple[int, list[str] | RowProblem]]] | None = None,
    ) -> None:
        self.path = path
        self.format = file_format
        self._rows = rows
        self.records = records

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return self._rows()


def open_registry(path: Path) -> RegistryRows:
    """The rows of a registry file, its format told from its first bytes; RegistryFileError when it cannot be
    read at all. Only the start of the file is read here; a decoding error further on surfaces (as a
    RegistryFileError) while iterating, so a caller that must not act on half a file reads it once first
    (`folder_entries` does)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            magic = file.read(4)
            file.seek(0)
            first = first_visible_bytes(file)
    except FileNotFoundError:
        raise RegistryFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RegistryFileError(f"{path}: is a folder, not a registry file") from None
    except OSError as exc:
        raise RegistryFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if first is None:
        raise RegistryFileError(f"{path}: the file is empty")
    if magic == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return RegistryRows(path, "xlsx", lambda: excel_rows(path))
    if path.suffix.lower() == ".json" or first.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["):
        # No incremental JSON parser in the standard library: the document is parsed whole, once, and its
        # items walked one by one (a registry of millions of rows is better given as CSV or a URL list).
        return json_rows(path, decode_text(path, read_whole(path)))
    return text_rows(path)


def first_visible_bytes(file: Any) -> bytes | None:
    """The first chunk of `file` with something but white space in it (from that point), or None."""
    while chunk := file.read(HEAD_BYTES):
        if chunk.strip():
            return chunk
    return None


def read_whole(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(f"{path}: cannot read: {exc.strerror or exc}") from None


def decode_text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # Excel writes a BOM in front of "CSV UTF-8"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RegistryFileError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save the file as UTF-8 "
            "(Excel: 'CSV UTF-8')"
        ) from None


# -- text: CSV or plain URL list ------------------------------------------------------------------------


def text_chunks(path: Path) -> Iterator[str]:
    """The file as text, one physical line at a time (`\\n`, `\\r\\n` or `\\r` kept at its end); a byte that is
    not UTF-8 is a RegistryFileError naming its line (found by reading the file again, only then)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            yield from file
    except UnicodeDecodeError:
        decode_text(path, read_whole(path))  # raises with the line of the bad byte
        raise
    except OSError as exc:
        raise RegistryFileError(f"{path}: cannot read: {exc.strerror or exc}") from None


def text_lines(path: Path) -> Iterator[str]:
    """Lines as `str.splitlines()` of the whole text gives them (also at \\v, \\f, \\x1c-\\x1e, \\x85, U+2028...)."""
    for chunk in text_chunks(path):
        yield from chunk.splitlines()


def text_rows(path: Path) -> RegistryRows:
    first = next(
        (line for line in text_lines(path) if line.strip() and not line.lstrip().startswith("#")), ""
    )
    delimiter = header_delimiter(first)
    if delimiter is not None:
        return RegistryRows(
            path,
            "csv",
            lambda: csv_rows(path, text_chunks(path), delimiter),
            lambda: csv_records(path, text_chunks(path), delimiter),
        )
    if looks_like_url(first.strip()):
        return RegistryRows(path, "url-list", lambda: url_list_rows(text_lines(path)))
    columns = shown(
        ", ".join(cell.strip() for cell in next(csv.reader([first]), []) if cell.strip()) or "none"
    )
    raise RegistryFileError(
        f"{path}: no url column in the header (columns: {columns}); name the column with the addresses 'url', "
        "or give one URL per line"
    )


def header_delimiter(line: str) -> str | None:
    """The delimiter under which `line` is a header with a url column (most columns wins), else None."""
    best: tuple[int, str] | None = None
    for delimiter in CSV_DELIMITERS:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if any(column_target(cell) == "url" for cell in cells):
            if best is None or len(cells) > best[0]:
                best = (len(cells), delimiter)
    return best[1] if best else None


def looks_like_url(text: str) -> bool:
    return "://" in text or text.lower().startswith("www.")


def csv_rows(
    path: Path, lines: Iterable[str], delimiter: str
) -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
    """(spreadsheet row number, {header as written: cell}) per non-empty data row; the header is row 1. A row
    the CSV reader rejects (a cell over its field limit) is a RowProblem for that row, not the end of the file."""
    records = csv_records(path, lines, delimiter)
    _, header = next(records, (0, []))
    for number, cells in records:
        yield number, cells if isinstance(cells, RowProblem) else csv_row(header, cells)


def csv_row(header: list[str], cells: list[str]) -> dict[str, str]:
    """A data row keyed by the header: missing cells are empty, extra ones (no column) are dropped, and of two
    columns with one name the last one holds."""
    if len(cells) < len(header):
        cells = cells + [""] * (len(header) - len(cells))
    return dict(zip(header, cells, strict=False))


def csv_records(
    path: Path, lines: Iterable[str], delimiter: str
) -> Iterator[tuple[int, list[str] | RowProblem]]:
    """The header's (row number, stripped names) first, if there is a header, then (row number, cells) per data
    row that is not only white space, or a RowProblem where the CSV reader rejects a row. What `csv_rows` and
    the folder scan (`folder_entries`, which needs no dict per row) read."""
    reader = csv.reader(lines, delimiter=delimiter)
    header = False
    row_number = 0
    while True:
        line_before = reader.line_num
        try:
            for cells in reader:
                row_number += 1
                line_before = reader.line_num
                if not "".join(cells).strip():  # only white space: no row
                    continue
                if not header:
                    # Comment lines above the header (sdg-tags export ids).
                    if cells[0].lstrip().startswith("#"):
                        continue
                    header = True
                    yield row_number, [cell.strip() for cell in cells]
                    continue
                yield row_number, cells
            return
        except csv.Error as exc:
            row_number += 1
            if not header:
                raise RegistryFileError(f"{path}:{row_number}: cannot parse the CSV header: {exc}") from None
            yield row_number, RowProblem(None, f"cannot parse CSV: {exc}")
            if reader.line_num == line_before:  # the reader did not move on: nothing more can be read
                return


def url_list_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        yield number, {"url": INLINE_COMMENT.sub("", stripped)}


# -- Excel ----------------------------------------------------------------------------------------------


def excel_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of the first worksheet, header in its first non-empty row; numbers are Excel's row numbers."""
    from openpyxl import load_workbook  # only Excel uploads pay for it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a damaged file
        raise RegistryFileError(f"{path}: cannot read as an Excel workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if value is None else str(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
                if not any(column_target(name) == "url" for name in header):
                    columns = shown(", ".join(name for name in header if name) or "none")
                    raise RegistryFileError(
                        f"{path}: no url column in the header of sheet '{sheet.title}' (columns: {columns}); "
                        "name the column with the addresses 'url'"
                    )
                continue
            yield (
                number,
                {name: cells[index] if index < len(cells) else "" for index, name in enumerate(header)},
            )
    finally:
        workbook.close()


# -- JSON -----------------------------------------------------------------------------------------------


def json_rows(path: Path, text: str) -> RegistryRows:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryFileError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise RegistryFileError(
            f"{path}: the JSON is nested too deeply to read; a registry is a list of links (or "
            '{"linkData": [...]})'
        ) from None
    defaults: dict[str, Any] = {}
    if isinstance(document, dict):
        items = next((value for key, value in document.items() if column_key(key) == "linkdata"), None)
        if not isinstance(items, list):
            keys = shown(", ".join(document) or "none")
            raise RegistryFileError(f"{path}: the JSON object has no 'linkData' list (keys: {keys})")
        # The web-service envelope names the country and the author once for every link.
        for key, value in document.items():
            if column_key(key) in ("countrycode", "country") and isinstance(value, str):
                defaults["countryCode"] = value
            elif column_key(key) == "author" and isinstance(value, str):
                defaults["author"] = value
    elif isinstance(document, list):
        items = document
    else:
        raise RegistryFileError(f"{path}: expected a JSON object with 'linkData' or a list of links")

    def rows() -> Iterator[tuple[int, dict[str, Any] | Any]]:
        for number, item in enumerate(items, start=1):
            if isinstance(item, str):
                yield number, {"url": item}
            elif isinstance(item, dict):
                present = {column_key(key) for key in item}
                extra = {key: value for key, value in defaults.items() if column_key(key) not in present}
                if "country" in present:
                    extra.pop("countryCode", None)
                if "provider" in present:
                    extra.pop("author", None)
                yield number, extra | item
            else:
                yield number, item

    return RegistryRows(path, "json", rows)


# -- rows -> entries ------------------------------------------------------------------------------------


class FirstRows(Protocol):
    """Where a reader remembers the first row of every URL (a repeated URL keeps its first row)."""

    def claim(self, urls: Sequence[tuple[str, int]]) -> list[int | None]:
        """For each (url, row) in order: None when the row is the URL's first (now remembered), else the
        URL's first row."""
        ...


class FirstRowsInMemory:
    """A dict of every URL: right for a registry that is held in memory anyway."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}

    def claim(self, urls: Sequence[tuple[str, int]]) -> list[int | None]:
        claimed: list[int | None] = []
        for url, row in urls:
            first = self.rows.setdefault(url, row)
            claimed.append(None if first == row else first)
        return claimed


@dataclass
class RegistryBatch:
    """What up to ROW_BATCH rows of a registry yielded (errors and invalid URLs in row order)."""

    entries: list[RegistryEntry]
    errors: list[RegistryRowError]
    invalid_urls: list[InvalidUrl]
    rows_read: int  # data rows read so far, this batch included


def read_batches(
    rows: Iterable[tuple[int, Any]],
    first_rows: FirstRows,
    size: int = ROW_BATCH,
    *,
    path: Path | None = None,
    claim_in: Executor | None = None,
) -> Iterator[RegistryBatch]:
    """Turn raw rows into entries, one error per bad row, `size` rows at a time; a repeated URL keeps its first
    row (`first_rows` remembers them across batches). Never raises for a row: whatever it holds, it becomes an
    entry or a RegistryRowError. With `claim_in`, a batch's duplicate check (`first_rows.claim`: a Redis round
    trip in an enqueue) runs there while the next batch is checked."""
    shown_path = str(path if path is not None else getattr(rows, "path", ""))
    waiting: tuple[CheckedRows, Future[list[int | None]]] | None = None
    for checked in checked_batches(shown_path, rows, size):
        if claim_in is None:
            yield settled_batch(shown_path, checked, first_rows.claim(checked.claims()))
            continue
        claim = claim_in.submit(first_rows.claim, checked.claims())
        if waiting is not None:
            yield settled_batch(shown_path, waiting[0], waiting[1].result())
        waiting = (checked, claim)
    if waiting is not None:
        yield settled_batch(shown_path, waiting[0], waiting[1].result())


@dataclass
class CheckedRows:
    """A batch of rows checked one by one, before the duplicate check across the file."""

    valid: list[tuple[int, RegistryEntry, Any]]  # (row number, entry, raw row)
    errors: list[RegistryRowError]
    invalid: list[InvalidUrl]
    read: int  # data rows read so far, this batch included

    def claims(self) -> list[tuple[str, int]]:
        return [(entry.url, number) for number, entry, _ in self.valid]


def checked_batches(path: str, rows: Iterable[tuple[int, Any]], size: int) -> Iterator[CheckedRows]:
    """The rows checked `size` at a time (one empty batch for no rows)."""
    read = 0
    batch: list[tuple[int, Any]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            read += len(batch)
            yield checked_rows(path, batch, read)
            batch = []
    if batch or not read:
        read += len(batch)
        yield checked_rows(path, batch, read)


def checked_rows(path: str, rows: list[tuple[int, Any]], read: int) -> CheckedRows:
    errors: list[RegistryRowError] = []
    invalid: list[InvalidUrl] = []
    valid: list[tuple[int, RegistryEntry, Any]] = []
    for number, row in rows:
        try:
            if type(row) is dict:  # most rows: no isinstance checks (Mapping's is slow)
                valid.append((number, registry_entry(row, number), row))
                continue
            if isinstance(row, RowProblem):
                raise row
            if not isinstance(row, Mapping):
                raise RowProblem(
                    None,
                    f"expected an object with 'url', got {type(row).__name__}",
                    url=f"(no url in row {number})",
                )
            valid.append((number, registry_entry(row, number), row))
        except RowProblem as problem:
            error = row_error(path, number, problem.column, problem.message)
            errors.append(error)
            if problem.url is not None:
                invalid.append(InvalidUrl(row=number, url=problem.url, reason=str(error)))
        except ValueError as exc:  # a value the entry model refuses (pydantic): this row only
            errors.append(row_error(path, number, None, shown(str(exc).splitlines()[0])))
    return CheckedRows(valid=valid, errors=errors, invalid=invalid, read=read)


def settled_batch(path: str, checked: CheckedRows, claimed: list[int | None]) -> RegistryBatch:
    """The batch once its URLs' first rows are known (`FirstRows.claim`): a repeated URL is a skipped row."""
    entries: list[RegistryEntry] = []
    errors = list(checked.errors)
    for (number, entry, row), first in zip(checked.valid, claimed, strict=True):
        if first is None:
            entries.append(entry)
            continue
        url_column = next((name for name in row if column_target(str(name)) == "url"), "url")
        message = f"duplicate url {shown(entry.url)} (first in row {first}); skipped"
        errors.append(row_error(path, number, url_column, message))
    errors.sort(key=lambda error: error.row)  # stable: a row's own order is kept
    return RegistryBatch(entries=entries, errors=errors, invalid_urls=checked.invalid, rows_read=checked.read)


def row_error(path: str, row: int, column: str | None, message: str) -> RegistryRowError:
    return RegistryRowError(
        file=path, row=row, column=shown(column) if column is not None else None, message=message
    )


def folder_entries(rows: Iterable[tuple[int, Any]]) -> list[RegistryEntry]:
    """The registry's web folders (not deletions), in row order: what planning must know of the whole file
    before it plans any row (a registered page inside a folder registered further down is held back). Reads
    every row, so a file that is unreadable half way fails here, before anything is written anywhere; only
    rows typed as folders are checked in full, and only the few folders are kept.

    A URL's first good row decides what it is: a folder row whose URL came earlier as a good page row is no
    folder. That earlier row is found by a second read, only up to the last folder row (only if any)."""
    view = scan_view(rows)
    candidates: dict[str, tuple[int, RegistryEntry]] = {}
    last = 0
    for number, item in view.items():
        if is_folder_type(view.url_type(item)):
            entry = checked_entry(view.row(item), number)
            if entry is not None and entry.url not in candidates:
                candidates[entry.url] = (number, entry)
                last = number
    if candidates:
        for number, item in view.items():
            if number >= last:
                break
            url = view.url(item)
            if url is not None and url in candidates and number < candidates[url][0]:
                entry = checked_entry(view.row(item), number)
                if entry is not None:
                    candidates[url] = (number, entry)
    return [
        entry
        for _, entry in sorted(candidates.values(), key=lambda item: item[0])
        if entry.url_type == "web folder" and not entry.delete
    ]


class ScanView(NamedTuple):
    """How the folder scan reads a file's rows: the items, and of an item its url type cell, its url (stripped)
    and its row as `registry_entry` takes it (None: an item that is no row, such as a RowProblem)."""

    items: Callable[[], Iterator[tuple[int, Any]]]
    url_type: Callable[[Any], Any]
    url: Callable[[Any], str | None]
    row: Callable[[Any], Mapping[str, Any] | None]


def scan_view(rows: Iterable[tuple[int, Any]]) -> ScanView:
    """Rows as they are, or a CSV file's lists of cells read by column index: the scan reads every row of
    the file, most of them twice, and a dict per row was most of its cost."""
    records = rows.records if isinstance(rows, RegistryRows) else None
    if records is None:
        return ScanView(
            items=lambda: iter(rows),
            url_type=lambda row: first_cell(row, "url_type") if isinstance(row, Mapping) else None,
            url=lambda row: url_cell(row) if isinstance(row, Mapping) else None,
            row=lambda row: row if isinstance(row, Mapping) else None,
        )
    _, header = next(records(), (0, []))
    names = list(header) if isinstance(header, list) else []
    plan = column_plan(dict.fromkeys(names))  # the keys of every row (`csv_row`), in their order
    # A name's value in a row is its last column's (`csv_row`): the index of that column, or None.
    index = {name: position for position, name in enumerate(names)}
    type_at = index.get(plan["url_type"]) if "url_type" in plan else None
    url_at = index.get(plan["url"]) if "url" in plan else None

    def items() -> Iterator[tuple[int, Any]]:
        stream = records()
        next(stream, None)  # the header
        return stream

    def cell(cells: Any, at: int | None) -> str | None:
        if at is None or not isinstance(cells, list):
            return None
        return cells[at] if at < len(cells) else ""

    return ScanView(
        items=items,
        url_type=lambda cells: cell(cells, type_at),
        url=lambda cells: None if (value := cell(cells, url_at)) is None else value.strip(),
        row=lambda cells: csv_row(names, cells) if isinstance(cells, list) else None,
    )


def checked_entry(row: Mapping[str, Any] | None, number: int) -> RegistryEntry | None:
    if row is None:
        return None
    try:
        return registry_entry(row, number)
    except (RowProblem, ValueError):
        return None


def first_cell(row: Mapping[str, Any], target: str) -> Any:
    name = column_plan(row).get(target)
    return None if name is None else row[name]


def url_cell(row: Mapping[str, Any]) -> str | None:
    """The row's address as `registry_entry` reads it (stripped), without checking it."""
    value = first_cell(row, "url")
    return None if value is None or isinstance(value, dict | list) else str(value).strip()


def is_folder_type(value: Any) -> bool:
    """A url type cell that says `web folder` (unchecked: a cheap filter before `registry_entry`)."""
    if value is None or isinstance(value, dict | list):
        return False
    return url_type_of(str(value).strip()) == "web folder"


def url_type_of(text: str) -> str | None:
    """`web page` or `web folder` for a stripped url type cell in any usual spelling, else None."""
    if text in URL_TYPES:  # the usual spellings are their own normal form: no regular expression for them
        return URL_TYPES[text]
    return URL_TYPES.get(re.sub(r"[\s_-]+", " ", text.lower()).strip())


def column_plan(row: Mapping[str, Any]) -> dict[str, Any]:
    """Registry field -> the row's key that holds it (the first such column), cached per set of keys: the rows
    of a CSV or Excel file all have the header's."""
    names = tuple(row)
    plan = COLUMN_PLANS.get(names)
    if plan is None:
        plan = {}
        for name in names:
            target = column_target(str(name))
            if target is not None and target not in plan:
                plan[target] = name
        if len(COLUMN_PLANS) >= COLUMN_PLANS_KEPT:  # JSON items may each have other keys: stay bounded
            COLUMN_PLANS.clear()
        COLUMN_PLANS[names] = plan
    return plan


COLUMN_PLANS: dict[tuple[Any, ...], dict[str, Any]] = {}
COLUMN_PLANS_KEPT = 256


def registry_entry(row: Mapping[str, Any], number: int) -> RegistryEntry:
    """One RegistryEntry from a row keyed by the file's own column names; RowProblem on the first bad value
    (values are checked in FIELD_READERS order, the url first)."""
    url_key, readers = row_readers(row)
    url_cell = None if url_key is None else row[url_key]
    url = read_url(url_cell, "url" if url_key is None else str(url_key), number)
    fields: dict[str, Any] = {"url": url, "source_row": number}
    for target, key, column, read in readers:
        value = read(row[key], column)
        if value is not None:  # an empty cell is the field's default
            fields[target] = value
    return VALIDATE_ENTRY(fields)


# `RegistryEntry(**fields)` without its Python layer (the same validation, 0.8 us less a row).
VALIDATE_ENTRY: Callable[[dict[str, Any]], RegistryEntry] = (
    RegistryEntry.__pydantic_validator__.validate_python
)


def row_readers(row: Mapping[str, Any]) -> RowReaders:
    """The row's url key (None if it has none) and (field, key, column name as written, reader) for its other
    columns, in FIELD_READERS order; cached per set of keys (the rows of a file share the header's)."""
    names = tuple(row)
    readers = ROW_READERS.get(names)
    if readers is None:
        plan = column_plan(row)
        readers = (
            plan.get("url"),
            [
                (target, plan[target], str(plan[target]), read)
                for target, read in FIELD_READERS.items()
                if target in plan
            ],
        )
        if len(ROW_READERS) >= COLUMN_PLANS_KEPT:  # JSON items may each have other keys: stay bounded
            ROW_READERS.clear()
        ROW_READERS[names] = readers
    return readers


RowReaders = tuple[Any, list[tuple[str, Any, str, Callable[[Any, str], Any]]]]
ROW_READERS: dict[tuple[Any, ...], RowReaders] = {}


def read_url(value: Any, column: str, number: int) -> str:
    if isinstance(value, dict | list):
        raise RowProblem(
            column, f"expected text, got a JSON {type(value).__name__}", url=f"(no url in row {number})"
        )
    return parse_url(None if value is None else str(value).strip() or None, column, number)


def read_text(value: Any, column: str) -> str | None:
    """A text cell, stripped (None when empty); it must be storable."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise RowProblem(column, f"expected text, got a JSON {type(value).__name__}")
    stripped = str(value).strip()
    storable(stripped, column)
    return stripped or None


def read_types(value: Any, column: str) -> list[str]:
    return [registry_type(item, column) for item in items_of((column, value), LIST_SEPARATORS, "type")]


def read_url_type(value: Any, column: str) -> str | None:
    url_type = read_text(value, column)
    if url_type is None:
        return None
    known = url_type_of(url_type)
    if known is None:
        raise RowProblem(
            column, f"unknown url type '{shown(url_type)}' (expected 'web page' or 'web folder')"
        )
    return known


def read_parent_url(value: Any, column: str) -> str | None:
    parent = read_text(value, column)
    if parent is not None and USER_INFO.match(parent):  # stored, so never a password
        raise RowProblem(
            column, f"parent url '{shown(without_user_info(parent))}' has a user name or password in it"
        )
    return parent


def read_country(value: Any, column: str) -> str | None:
    country = read_text(value, column)
    if country is not None and not re.fullmatch(r"[A-Za-z]{2}", country):
        raise RowProblem(column, f"country '{shown(country)}' is not a two-letter code (like 'SE')")
    return None if country is None else country.upper()


def read_notification_type(value: Any, column: str) -> str | None:
    notification = read_text(value, column)
    if notification is None:
        return None
    normalised = re.sub(r"[\s_-]+", "", notification.upper())
    if normalised not in NOTIFICATION_TYPES:
        raise RowProblem(
            column,
            f"unknown notification type '{shown(notification)}' (expected CRAWL, UPLOAD, MANUAL or WEBSERVICE)",
        )
    return normalised


def repeated_values(read: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    """`read`, remembering what it made of short texts: the types, languages and url type of most rows are one
    of a few spellings. Only good values are kept (a bad one raises each time), at most REPEATED_KEPT."""
    made: dict[tuple[str, str], Any] = {}

    def reader(value: Any, column: str) -> Any:
        if type(value) is not str or len(value) > REPEATED_CHARACTERS:
            return read(value, column)
        key = (value, column)
        found = made.get(key, made)
        if found is made:
            found = read(value, column)
            if isinstance(found, list):
                found = tuple(found)  # never changed in place: the entry model makes its own list
            if len(made) < REPEATED_KEPT:
                made[key] = found
        return found

    return reader


REPEATED_CHARACTERS = 64
REPEATED_KEPT = 1024
# Every registry field but the url, with its reader, in the order a row's values are checked (a row with
# several bad values is reported for the first).
FIELD_READERS: dict[str, Callable[[Any, str], Any]] = {
    "title": read_text,
    "description": read_text,
    "types": repeated_values(read_types),
    "categories": repeated_values(
        lambda value, column: items_of((column, value), LIST_SEPARATORS, "category")
    ),
    "languages": repeated_values(
        lambda value, column: items_of((column, value), LIST_SEPARATORS, "language")
    ),
    "url_type": repeated_values(read_url_type),
    "national_code": read_text,
    "parent_url": read_parent_url,
    "excluded_paths": lambda value, column: items_of((column, value), PATH_SEPARATORS, "path"),
    "ignore_params": lambda value, column: items_of((column, value), PATH_SEPARATORS, "param"),
    "delete": lambda value, column: parse_delete((column, value)),
    "country": read_country,
    "provider": read_text,
    "notification_type": read_notification_type,
}


def address_problem(url: str) -> str | None:
    """Why `url` could not be a registry address (the checks of a url cell), or None."""
    try:
        parse_url(url, "url")
    except RowProblem as problem:
        return problem.message
    return None


def storable(value: str, column: str) -> None:
    """Text every repository can hold: no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8)."""
    found = NOT_STORABLE.search(value)
    if found is not None:
        what = "a NUL character" if found.group(0) == "\x00" else "a lone surrogate (not valid Unicode)"
        raise RowProblem(column, f"'{shown(value)}' contains {what}")


def parse_url(value: str | None, column: str, row: int = 0) -> str:
    if value is None:
        raise RowProblem(column, "missing url", url=f"(no url in row {row})")
    if len(value) <= MAX_URL_LENGTH and PLAIN_URL.fullmatch(value):
        return value  # the usual address (see PLAIN_URL) passes every check below

    def unusable(why: str) -> RowProblem:
        show = shown_url(value)  # only for a bad row: most rows are good
        return RowProblem(column, f"url '{show}' {why.replace('{show}', show)}", url=show)

    if len(value) > MAX_URL_LENGTH:
        raise unusable(f"is {len(value)} characters long (the crawler takes at most {MAX_URL_LENGTH})")
    found = ESCAPED_CHARACTERS.search(value)
    if found is not None:
        if "\ud800" <= found.group(0) <= "\udfff":
            raise unusable("contains a lone surrogate (not valid Unicode)")
        raise unusable(f"contains a control character ({escaped_character(found)})")
    if WHITE_SPACE.search(value):
        raise unusable("contains white space")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range", "Port could not be cast ..."
        reason = str(exc)
        if "Port" in reason or "port" in reason:
            raise unusable("has an invalid port (a number from 1 to 65535)") from None
        raise unusable(f"is not a valid URL ({shown(reason)})") from None
    if parts.scheme.lower() not in ("http", "https"):
        if not parts.scheme or value.lower().startswith("www."):
            raise unusable("has no http(s) scheme; write https://{show}")
        raise unusable("is not an http(s) URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise unusable("has a user name or password in it; registry addresses must not carry credentials")
    if not parts.hostname:
        raise unusable("has no host name")
    if not HOST_PORT.fullmatch(parts.netloc.rpartition("@")[2]):
        raise unusable("is not a valid URL (its host and port cannot be told apart)")
    if port == 0:
        raise unusable("has an invalid port (a number from 1 to 65535)")
    return value


def registry_type(item: str, column: str) -> str:
    canonical = REGISTRY_TYPES.get(item.strip().lower())
    if canonical is None:
        hint = " (the registry has no assistance type)" if item.strip().lower() == "assistance" else ""
        raise RowProblem(
            column, f"unknown type value '{shown(item)}' (expected Information or Procedure){hint}"
        )
    return canonical


def items_of(cell: tuple[str, Any] | None, separators: re.Pattern[str], object_key: str) -> list[str]:
    """Items of a multi-valued cell: a separated string, a JSON list of strings, or of {"<key>": value}."""
    if cell is None or cell[1] is None:
        return []
    name, value = cell
    if isinstance(value, str):
        storable(value, name)
        return [item.strip() for item in separators.split(value) if item.strip()]
    if isinstance(value, list):
        items: list[str] = []
        for element in value:
            if isinstance(element, dict):
                element = element.get(
                    object_key, next(iter(element.values()), None) if len(element) == 1 else None
                )
            if not isinstance(element, str | int | float):
                raise RowProblem(name, f'expected a list of strings or of {{"{object_key}": ...}} objects')
            storable(str(element), name)
            items.extend(item.strip() for item in separators.split(str(element)) if item.strip())
        return items
    raise RowProblem(name, f"expected text or a list, got {type(value).__name__}")


def parse_delete(cell: tuple[str, Any] | None) -> bool:
    if cell is None or cell[1] is None:
        return False
    name, value = cell
    if isinstance(value, bool):
        return value
    normalised = str(value).strip().lower()
    if normalised in YES:
        return True
    if normalised in NO:
        return False
    raise RowProblem(name, f"delete must be 'y' or 'n', not '{shown(str(value))}'")
