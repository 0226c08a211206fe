"""Registry files (SPEC §7.1 upload layout): CSV with `,` or `;`, Excel, JSON linkData or list, URL lists."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sdg_tags.crawler.registry import RegistryFileError, load_registry
from sdg_tags.repository.records import RegistryEntry

FIXTURES = Path(__file__).parent / "fixtures" / "registry"


def entries_of(name: str) -> list[dict]:
    load = load_registry(FIXTURES / name)
    assert load.errors == []
    return [entry.model_dump(exclude_defaults=True) for entry in load.entries]


def test_csv_with_commas_and_upload_column_names() -> None:
    assert load_registry(FIXTURES / "upload-comma.csv").format == "csv"
    assert entries_of("upload-comma.csv") == [
        {
            "url": "https://www.example.be/permis-de-conduire",
            "title": "Driving licences",
            "description": "Renewing a driving licence",
            "types": ["Information"],
            "categories": ["C2"],
            "languages": ["fr"],
            "national_code": "BE1",
            "source_row": 2,
        },
        {
            "url": "https://business.example.se/",
            "title": "Business portal",
            "description": "Starting, running and closing a business",
            "types": ["Information", "Procedure"],
            "categories": ["J1", "X1"],
            "languages": ["sv", "en"],
            "url_type": "web folder",
            "excluded_paths": ["/news", "/archive", "/tmp"],
            "ignore_params": ["utm_source", "sessionid"],
            "source_row": 3,
        },
        {
            "url": "http://old.example.se/page",
            "title": "Old page",
            "types": ["Procedure"],
            "categories": ["W1"],
            "languages": ["sv"],
            "national_code": "SE110",
            "parent_url": "https://business.example.se/",
            "delete": True,
            "source_row": 4,
        },
    ]


def test_csv_with_semicolons_bom_and_camel_case_headers() -> None:
    assert entries_of("upload-semicolon-bom.csv") == [
        {
            "url": "https://www.example.fr/permis",
            "title": "Permis",
            "types": ["Information"],
            "categories": ["C2"],
            "languages": ["fr"],
            "national_code": "FR101",
            "country": "FR",
            "provider": "Ministère de l'Intérieur",
            "notification_type": "UPLOAD",
            "source_row": 2,
        },
        {
            "url": "https://www.example.fr/entreprise/",
            "title": "Entreprise; création",
            "types": ["Procedure"],
            "categories": ["J1", "X1"],
            "languages": ["fr"],
            "url_type": "web folder",
            "country": "FR",
            "notification_type": "CRAWL",
            "source_row": 3,
        },
    ]


def test_json_web_service_layout_with_envelope_country_and_author() -> None:
    assert load_registry(FIXTURES / "linkdata.json").format == "json"
    assert entries_of("linkdata.json") == [
        {
            "url": "https://www.example.se/moving",
            "title": "Moving to Sweden",
            "description": "Registering an address",
            "types": ["Information"],
            "categories": ["A1", "V1"],
            "languages": ["en"],
            "country": "SE",
            "provider": "Skatteverket",
            "source_row": 1,
        },
        {
            "url": "https://www.example.se/tax/",
            "title": "Tax folder",
            "types": ["Information", "Procedure"],
            "categories": ["J4", "X4"],
            "languages": ["sv"],
            "url_type": "web folder",
            "excluded_paths": ["/tax/old", "/tax/print"],
            "ignore_params": ["lang", "print"],
            "country": "SE",
            "provider": "Skatteverket",
            "source_row": 2,
        },
        {
            "url": "https://www.example.no/helse",
            "types": ["Information"],
            "categories": ["E1", "E2"],
            "country": "NO",
            "provider": "Helsedirektoratet",
            "source_row": 3,
        },
    ]


def test_plain_url_list_with_comments() -> None:
    assert load_registry(FIXTURES / "urls.txt").format == "url-list"
    assert entries_of("urls.txt") == [
        {"url": "https://www.example.se/", "source_row": 2},
        {"url": "https://www.example.se/foretag", "source_row": 3},
        {"url": "http://example.fi/en/", "source_row": 5},
    ]


def test_csv_rows_short_long_blank_and_quoted_over_lines(tmp_path: Path) -> None:
    """A short row's missing cells are empty, extra cells are dropped, a row of white space is no row, and a
    quoted cell over two lines keeps the row numbers of the lines that follow."""
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "url,title,url type\n"
        "https://a.example/x\n"  # row 2: short
        "  ,\t, \n"  # row 3: white space only
        "https://a.example/y,Y,web page,surplus,cells\n"  # row 4: long
        '"https://a.example/z","two\nlines",web folder\n'  # row 5 (two physical lines)
        "https://a.example/w,W,\n",  # row 6
        encoding="utf-8",
    )
    load = load_registry(registry)
    assert load.errors == []
    assert [entry.model_dump(exclude_defaults=True) for entry in load.entries] == [
        {"url": "https://a.example/x", "source_row": 2},
        {"url": "https://a.example/y", "title": "Y", "source_row": 4},
        {"url": "https://a.example/z", "title": "two\nlines", "url_type": "web folder", "source_row": 5},
        {"url": "https://a.example/w", "title": "W", "source_row": 6},
    ]


def test_repeated_cells_are_read_once_but_each_row_gets_its_own_result(tmp_path: Path) -> None:
    """Readers remember what they made of a repeated types/languages/url type cell: a bad one is still an
    error on every row, and every entry has its own lists."""
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "url,type,language,url type\n"
        "https://a.example/1,Information;Procedure,en;sv,web page\n"
        "https://a.example/2,Assistance,en,web page\n"
        "https://a.example/3,Information;Procedure,en;sv,web page\n"
        "https://a.example/4,Assistance,en,web page\n"
        "https://a.example/5,Information,en,web pages\n"
        "https://a.example/6,Information,en,web pages\n",
        encoding="utf-8",
    )
    load = load_registry(registry)
    assert [(error.row, error.column) for error in load.errors] == [
        (3, "type"),
        (5, "type"),
        (6, "url type"),
        (7, "url type"),
    ]
    first, second = load.entries
    assert first.types == second.types == ["Information", "Procedure"]
    assert first.languages == second.languages == ["en", "sv"]
    first.types.append("Database")
    assert second.types == ["Information", "Procedure"]


def test_bad_rows_get_one_located_error_each_and_are_skipped() -> None:
    load = load_registry(FIXTURES / "bad-rows.csv")
    name = str(FIXTURES / "bad-rows.csv")
    assert [str(error) for error in load.errors] == [
        f"{name}:2 column 'url': missing url",
        f"{name}:3 column 'url': url 'ftp://files.example.se/list' is not an http(s) URL",
        f"{name}:4 column 'url': url 'www.example.se/page' has no http(s) scheme; write https://www.example.se/page",
        f"{name}:6 column 'url type': unknown url type 'web site' (expected 'web page' or 'web folder')",
        f"{name}:7 column 'type': unknown type value 'Assistance' (expected Information or Procedure) "
        "(the registry has no assistance type)",
        f"{name}:8 column 'type': unknown type value 'Info' (expected Information or Procedure)",
        f"{name}:9 column 'delete': delete must be 'y' or 'n', not 'maybe'",
        f"{name}:10 column 'country': country 'Sweden' is not a two-letter code (like 'SE')",
        f"{name}:11 column 'notification type': unknown notification type 'EMAIL' "
        "(expected CRAWL, UPLOAD, MANUAL or WEBSERVICE)",
        f"{name}:12 column 'url': duplicate url https://www.example.se/good (first in row 5); skipped",
        f"{name}:13 column 'url': url 'https://www.example.se/a page' contains white space",
    ]
    assert [(error.row, error.column) for error in load.errors][:2] == [(2, "url"), (3, "url")]
    assert [entry.model_dump(exclude_defaults=True) for entry in load.entries] == [
        {
            "url": "https://www.example.se/good",
            "title": "Good",
            "types": ["Information"],
            "categories": ["A1"],
            "country": "SE",
            "source_row": 5,
        },
        {
            "url": "https://www.example.se/also",
            "title": "Also good",
            "types": ["Procedure", "Information"],
            "categories": ["X1", "J1"],
            "url_type": "web folder",
            "country": "SE",
            "notification_type": "MANUAL",
            "delete": True,
            "source_row": 14,
        },
    ]


@pytest.mark.parametrize("header", ["url type", "url_type", "urlType", "URL TYPE", "Url-Type"])
def test_header_spellings_are_one_column(tmp_path: Path, header: str) -> None:
    path = tmp_path / "registry.csv"
    path.write_text(f"URL,{header}\nhttps://www.example.se/,Web_Folder\n", encoding="utf-8")
    load = load_registry(path)
    assert load.errors == []
    assert [entry.url_type for entry in load.entries] == ["web folder"]


def test_commission_export_column_names(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "TITLE,URL,LANGUAGE,CLASSIFICATION_INFORMATION,METADATA_TYPE_STRING,NOTIFICATION_TYPE,COUNTRY,PARENT\n"
        "Pension,https://www.example.se/pension,sv,W1;J1,Information;Procedure,CRAWL,SE,https://www.example.se/\n",
        encoding="utf-8",
    )
    assert [entry.model_dump(exclude_defaults=True) for entry in load_registry(path).entries] == [
        {
            "url": "https://www.example.se/pension",
            "title": "Pension",
            "languages": ["sv"],
            "categories": ["W1", "J1"],
            "types": ["Information", "Procedure"],
            "notification_type": "CRAWL",
            "country": "SE",
            "parent_url": "https://www.example.se/",
            "source_row": 2,
        }
    ]


def test_bare_json_list_of_links_and_of_urls(tmp_path: Path) -> None:
    path = tmp_path / "links.json"
    path.write_text(
        json.dumps(
            [
                {"url": "https://www.example.se/a", "categories": "A1;A2", "delete": "y"},
                "https://www.example.se/b",
                42,
                {"url": "https://www.example.se/c", "categories": {"category": "C1"}},
            ]
        ),
        encoding="utf-8",
    )
    load = load_registry(path)
    assert [entry.model_dump(exclude_defaults=True) for entry in load.entries] == [
        {"url": "https://www.example.se/a", "categories": ["A1", "A2"], "delete": True, "source_row": 1},
        {"url": "https://www.example.se/b", "source_row": 2},
    ]
    assert [str(error) for error in load.errors] == [
        f"{path}:3: expected an object with 'url', got int",
        f"{path}:4 column 'categories': expected text or a list, got dict",
    ]


def test_excel_upload_file(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])  # a blank first row: the header is the first non-empty one
    sheet.append(["title", "url", "type", "categories", "url type", "delete"])
    sheet.append(["Driving", "https://www.example.be/permis", "Information", "C2", "web page", "n"])
    sheet.append(["Broken", "example.be/x", "Information", "C2", "web page", "n"])
    sheet.append(["Folder", "https://www.example.be/", "Procedure", "J1;X1", "web folder", True])
    path = tmp_path / "upload.xlsx"
    workbook.save(path)
    load = load_registry(path)
    assert load.format == "xlsx"
    assert [entry.model_dump(exclude_defaults=True) for entry in load.entries] == [
        {
            "url": "https://www.example.be/permis",
            "title": "Driving",
            "types": ["Information"],
            "categories": ["C2"],
            "source_row": 3,
        },
        {
            "url": "https://www.example.be/",
            "title": "Folder",
            "types": ["Procedure"],
            "categories": ["J1", "X1"],
            "url_type": "web folder",
            "delete": True,
            "source_row": 5,
        },
    ]
    assert [str(error) for error in load.errors] == [
        f"{path}:4 column 'url': url 'example.be/x' has no http(s) scheme; write https://example.be/x"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b" \n\n", "{path}: the file is empty"),
        (
            "no-url.csv",
            b"title;address;type\nA;https://x.se/;Information\n",
            "{path}: no url column in the header (columns: title;address;type); name the column with the "
            "addresses 'url', or give one URL per line",
        ),
        (
            "latin1.csv",
            "url,title\nhttps://x.se/,Pr\u00e9fecture\n".encode("latin-1"),
            "{path}: not UTF-8 text (byte 0xe9 on line 2); save the file as UTF-8 (Excel: 'CSV UTF-8')",
        ),
        (
            "broken.json",
            b'{"linkData": [{"url": }]}',
            "{path}: invalid JSON at line 1 column 23: Expecting value",
        ),
        ("other.json", b'{"links": []}', "{path}: the JSON object has no 'linkData' list (keys: links)"),
        ("number.json", b"42", "{path}: expected a JSON object with 'linkData' or a list of links"),
        ("fake.xlsx", b"PK\x03\x04 not really a zip", "{path}: cannot read as an Excel workbook: "),
    ],
)
def test_unusable_files_raise_one_line(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RegistryFileError) as caught:
        load_registry(path)
    assert str(caught.value).startswith(message.format(path=path))
    assert "\n" not in str(caught.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(RegistryFileError, match=r"^.*nothing\.csv: no such file$"):
        load_registry(tmp_path / "nothing.csv")
    with pytest.raises(RegistryFileError, match=r"is a folder, not a registry file$"):
        load_registry(tmp_path)


def test_entries_are_the_shared_registry_record() -> None:
    load = load_registry(FIXTURES / "urls.txt")
    assert all(type(entry) is RegistryEntry for entry in load.entries)


@pytest.mark.slow
def test_loading_registry_files_does_not_import_scrapy() -> None:
    probe = (
        "import sys, sdg_tags.crawler.registry; print('scrapy' in sys.modules, 'sqlalchemy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"
