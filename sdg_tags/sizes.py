"""Byte sizes as people write them (`5M`, `500k`, `1.5GiB`), and the page-size limit every surface shares.

One definition, so that `5M` is the same number of bytes in `check --max-size`, `crawl --max-size` and
`serve`, and a page that `check` reads is not `too-large` for the crawl.
"""

from __future__ import annotations

import re

KIBIBYTE = 1024
MEBIBYTE = 1024 * KIBIBYTE
# The largest page body read (after decompression) by check, crawl, serve and rendering, unless set otherwise.
MAX_PAGE_BYTES = 5 * MEBIBYTE

UNITS: dict[str, int] = {"": 1, "b": 1, "k": KIBIBYTE, "m": MEBIBYTE, "g": 1024 * MEBIBYTE}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from `5000000`, `500k`, `5M`, `5MiB`, `1.5G` (binary units: k = 1024); ValueError otherwise."""
    found = _SIZE.match(text)
    if not found:
        raise ValueError(f"{text!r} is not a size (give bytes, or e.g. 500k, 5M, 1G)")
    size = int(float(found.group(1)) * UNITS[(found.group(2) or "").lower()])
    if size <= 0:
        raise ValueError(f"{text!r} is not more than 0 bytes")
    return size


def format_size(size: int) -> str:
    """`5M`, `512k`, `1000` (bytes): the shortest exact form, as parse_size reads it back."""
    for unit in ("g", "m", "k"):
        if size >= UNITS[unit] and size % UNITS[unit] == 0:
            return f"{size // UNITS[unit]}{unit.upper() if unit != 'k' else unit}"
    return str(size)
