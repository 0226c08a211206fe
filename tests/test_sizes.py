"""One reading of byte sizes for every surface: `5M` is the same number of bytes in check, crawl and serve."""

from __future__ import annotations

import pytest
from sdg_tags.crawler import settings as crawl_settings

from sdg_tags.sizes import MAX_PAGE_BYTES, format_size, parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1000", 1000),
        ("1000b", 1000),
        ("1k", 1024),
        ("1K", 1024),
        ("1kb", 1024),
        ("1KiB", 1024),
        ("500k", 512_000),
        ("5M", 5_242_880),
        ("5 MiB", 5_242_880),
        ("1.5m", 1_572_864),
        ("1G", 1_073_741_824),
        (" 2g ", 2_147_483_648),
    ],
)
def test_sizes_in_binary_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "5T", "-1", "0", "0k", "5 M B", "k", "1e6", "5Mi"])
def test_what_is_not_a_size(text: str) -> None:
    with pytest.raises(ValueError, match="is not"):
        parse_size(text)


@pytest.mark.parametrize("size", [1, 1000, 1024, 512_000, MAX_PAGE_BYTES, 3 * 1024**3, 1025])
def test_format_size_reads_back(size: int) -> None:
    assert parse_size(format_size(size)) == size


def test_check_and_crawl_read_the_same_default_limit() -> None:
    from sdg_tags.cli.main import build_parser

    args = build_parser().parse_args(["check", "page.html"])
    assert args.max_size == crawl_settings.DOWNLOAD_MAXSIZE == MAX_PAGE_BYTES == parse_size("5M")
    assert format_size(MAX_PAGE_BYTES) == "5M"
