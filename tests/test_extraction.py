"""Extraction (validators/extraction.py, validators/html_scan.py): positions, encodings, broken markup, what is
and is not a tag, side data (language sources, canonical links, robots, title), unreadable input."""

from __future__ import annotations

import codecs
import time

import pytest
from sdg_tags.validators.extraction import decode_page, extract_tags, match_tag_name
from sdg_tags.validators.models import ExtractedPage

TAGS = (
    '<meta name="sdg-tag" content="sdg">\n'
    '<meta name="DC.ISO3166" content="SE">\n'
    '<meta name="DC.Service" content="information">\n'
    '<meta name="policy-code" content="C2">\n'
)


def found(page: ExtractedPage) -> list[tuple[str, str | None]]:
    return [(occ.canonical, occ.raw) for occ in page.occurrences]


# --- positions ---------------------------------------------------------------------------------------------


def test_line_and_column_of_each_meta() -> None:
    html = (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n'
        '  <meta name="sdg-tag" content="sdg">\n'
        '\t<meta name="DC.ISO3166" content="SE"><meta name="DC.Service" content="information">\n'
        '    <meta\n      name="policy-code"\n      content="C2">\n'
        "</head>\n"
    )
    page = extract_tags(html.encode())
    assert [(occ.canonical, occ.line, occ.column) for occ in page.occurrences] == [
        ("sdg-tag", 4, 3),
        ("DC.ISO3166", 5, 2),
        ("DC.Service", 5, 39),
        ("policy-code", 6, 5),
    ]
    assert (page.html_lang.line, page.html_lang.column) == (2, 1)


def test_columns_count_characters_not_bytes_and_crlf_is_one_line_break() -> None:
    html = '<html lang="sv">\r\n<head><title>Åäö €</title><meta name="sdg-tag" content="sdg">\r\n'
    html += '<meta name="DC.Policy" content="Ö">'
    page = extract_tags(html.encode("utf-8"))
    assert [(occ.line, occ.column) for occ in page.occurrences] == [(2, 27), (3, 1)]


def test_bom_is_not_a_column() -> None:
    page = extract_tags(codecs.BOM_UTF8 + b'<meta name="sdg-tag" content="sdg">')
    assert (page.occurrences[0].line, page.occurrences[0].column) == (1, 1)
    assert page.encoding == "utf-8"


# --- encodings ---------------------------------------------------------------------------------------------

POLICY = "Förfarande – é"
POLICY_PAGE = f'<html lang="sv"><head><meta name="DC.Policy" content="{POLICY}"><title>t</title></head>'


@pytest.mark.parametrize(
    ("body", "headers", "encoding"),
    [
        (POLICY_PAGE.encode("utf-8"), None, "utf-8"),
        (codecs.BOM_UTF8 + POLICY_PAGE.encode("utf-8"), None, "utf-8"),
        (POLICY_PAGE.encode("utf-16-le").join([codecs.BOM_UTF16_LE, b""]), None, "utf-16le"),
        (codecs.BOM_UTF16_BE + POLICY_PAGE.encode("utf-16-be"), None, "utf-16be"),
        (POLICY_PAGE.encode("cp1252"), {"Content-Type": "text/html; charset=windows-1252"}, "windows-1252"),
        (POLICY_PAGE.encode("utf-8"), {"content-type": "text/html;charset=UTF-8"}, "utf-8"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16-le BOM", "utf-16-be BOM", "windows-1252 header", "header lower-case"],
)
def test_encodings_decode_the_value(body: bytes, headers: dict[str, str] | None, encoding: str) -> None:
    page = extract_tags(body, headers=headers)
    assert found(page) == [("DC.Policy", POLICY)]
    assert page.encoding == encoding
    assert page.problems == []
    assert page.html_lang is not None and page.html_lang.value == "sv"


def test_windows_1252_undeclared_falls_back_and_says_so() -> None:
    page = extract_tags(POLICY_PAGE.encode("cp1252"))
    assert found(page) == [("DC.Policy", POLICY)]
    assert page.encoding == "windows-1252"
    assert page.problems == ["no charset declared and the bytes are not UTF-8; decoded as windows-1252"]


LATIN1_PAGE = '<html lang="sv"><head>{}<meta name="DC.Policy" content="Förfarande é"></head>'


@pytest.mark.parametrize(
    ("declaration", "headers"),
    [
        ("", {"Content-Type": "text/html; charset=ISO-8859-1"}),
        ('<meta charset="iso-8859-1">', None),
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', None),
    ],
    ids=["HTTP header", "meta charset", "meta http-equiv"],
)
def test_iso_8859_1_declared(declaration: str, headers: dict[str, str] | None) -> None:
    page = extract_tags(LATIN1_PAGE.format(declaration).encode("latin-1"), headers=headers)
    assert found(page) == [("DC.Policy", "Förfarande é")]
    assert page.encoding == "windows-1252"  # WHATWG: the label iso-8859-1 means windows-1252
    assert page.problems == []


def test_http_charset_wins_over_meta_charset() -> None:
    body = LATIN1_PAGE.format('<meta charset="iso-8859-1">').encode("utf-8")
    page = extract_tags(body, headers={"Content-Type": "text/html; charset=utf-8"})
    assert found(page) == [("DC.Policy", "Förfarande é")]
    assert page.encoding == "utf-8"


def test_wrong_declared_charset_replaces_bytes_and_says_where() -> None:
    body = LATIN1_PAGE.format('<meta charset="utf-8">').encode("latin-1")
    page = extract_tags(body)
    assert found(page) == [("DC.Policy", "F\ufffdrfarande \ufffd")]
    assert page.readable
    assert page.problems == [
        "bytes at offset 77 are not valid utf-8 as declared in <meta charset>; undecodable bytes replaced"
    ]


def test_unknown_charset_is_ignored_with_a_problem() -> None:
    page = extract_tags(LATIN1_PAGE.format('<meta charset="klingon-8">').encode("utf-8"))
    assert found(page) == [("DC.Policy", "Förfarande é")]
    assert page.problems == ["unknown charset 'klingon-8' declared in <meta charset>; ignored"]


# --- WHATWG encoding labels (decode_page) -------------------------------------------------------------------

C1 = "".join(chr(code) for code in range(0x80, 0xA0))
WINDOWS_1252_C1 = "€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ"
WINDOWS_1254_C1 = "€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8d\x8e\x8f\x90‘’“”•–—˜™š›œ\x9d\x9eŸ"
WINDOWS_874_C1 = "€\x81\x82\x83\x84…\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90‘’“”•–—" + "".join(
    chr(code) for code in range(0x98, 0xA0)
)
WINDOWS_1250_C1 = "€\x81‚\x83„…†‡\x88‰Š‹ŚŤŽŹ\x90‘’“”•–—\x98™š›śťžź"
KOI8_R_C1 = "─│┌┐└┘├┤┬┴┼▀▄█▌▐░▒▓⌠■∙√≈≤≥\xa0⌡°²·÷"
HIGH_BYTES = bytes(range(0x80, 0xA0))


@pytest.mark.parametrize(
    ("labels", "encoding", "expected"),
    [
        (
            [
                "iso-8859-1",
                "latin1",
                "l1",
                "ascii",
                "us-ascii",
                "iso8859-1",
                "ISO_8859-1",
                "cp1252",
                "x-cp1252",
                "windows-1252",
                "cp819",
                "ibm819",
                "iso-ir-100",
                "csisolatin1",
                "ansi_x3.4-1968",
            ],
            "windows-1252",
            WINDOWS_1252_C1,
        ),
        (
            ["iso-8859-9", "latin5", "l5", "iso-ir-148", "windows-1254", "cp1254", "csisolatin5"],
            "windows-1254",
            WINDOWS_1254_C1,
        ),
        (["tis-620", "iso-8859-11", "dos-874", "windows-874", "iso8859-11"], "windows-874", WINDOWS_874_C1),
        (["windows-1250", "cp1250", "x-cp1250"], "windows-1250", WINDOWS_1250_C1),
        (["iso-8859-2", "latin2", "l2", "csisolatin2"], "iso-8859-2", C1),
        (["iso-8859-15", "csisolatin9", "l9", "iso_8859-15"], "iso-8859-15", C1),
        (["koi8-r", "koi8", "cskoi8r", "koi"], "koi8-r", KOI8_R_C1),
        (["x-user-defined"], "x-user-defined", "".join(chr(0xF780 + n) for n in range(32))),
    ],
    ids=[
        "windows-1252",
        "windows-1254",
        "windows-874",
        "windows-1250",
        "iso-8859-2",
        "iso-8859-15",
        "koi8-r",
        "x-user-defined",
    ],
)
def test_single_byte_labels_decode_as_the_standard_says(
    labels: list[str], encoding: str, expected: str
) -> None:
    """WHATWG Encoding: every label of the family; bytes 0x80-0x9F as the standard's index maps them."""
    for label in labels:
        text, used, problems = decode_page(HIGH_BYTES, {"Content-Type": f"text/html; charset={label}"})
        assert (text, used, problems) == (expected, encoding, []), label


def test_windows_1255_has_the_standard_index_extra() -> None:
    """0xCA is unassigned in Python's cp1255 and U+05BA in the standard's index."""
    headers = {"Content-Type": "text/html; charset=windows-1255"}
    assert decode_page(b"\xca", headers) == ("\u05ba", "windows-1255", [])


@pytest.mark.parametrize(
    "label", ["gb2312", "gbk", "chinese", "csgb2312", "x-gbk", "iso-ir-58", "gb_2312-80"]
)
def test_gbk_labels_decode_with_the_gb18030_decoder(label: str) -> None:
    body = "你好 €".encode("gb18030") + b" \x80"  # a lone 0x80 is the euro sign in the standard's GBK
    assert decode_page(body, {"Content-Type": f"text/html; charset={label}"}) == ("你好 € €", "gbk", [])


@pytest.mark.parametrize("label", ["utf8", "unicode-1-1-utf-8", "unicode11utf8", "x-unicode20utf8", "UTF-8"])
def test_utf8_labels(label: str) -> None:
    assert decode_page("é€".encode(), {"Content-Type": f"text/html; charset={label}"}) == ("é€", "utf-8", [])


@pytest.mark.parametrize(
    ("label", "encoding"),
    [
        ("shift_jis", "shift_jis"),
        ("sjis", "shift_jis"),
        ("euc-kr", "euc-kr"),
        ("ks_c_5601-1987", "euc-kr"),
        ("big5", "big5"),
        ("euc-jp", "euc-jp"),
    ],
)
def test_multi_byte_labels(label: str, encoding: str) -> None:
    text = {"shift_jis": "日本", "euc-kr": "한국", "big5": "台灣", "euc-jp": "日本"}[encoding]
    python = {"shift_jis": "cp932", "euc-kr": "cp949", "big5": "big5", "euc-jp": "euc_jp"}[encoding]
    assert decode_page(text.encode(python), {"Content-Type": f"text/html; charset={label}"}) == (
        text,
        encoding,
        [],
    )


@pytest.mark.parametrize("label", ["iso-2022-kr", "hz-gb-2312", "csiso2022kr", "iso-2022-cn", "replacement"])
def test_replacement_labels_make_the_page_unreadable(label: str) -> None:
    body = TAGS.encode()
    text, encoding, problems = decode_page(body, {"Content-Type": f"text/html; charset={label}"})
    assert (text, encoding) == ("\ufffd", "replacement")
    assert "browsers refuse to decode" in problems[0]
    page = extract_tags(body, headers={"Content-Type": f"text/html; charset={label}"})
    assert not page.readable and page.occurrences == []


def test_meta_prescan_maps_utf16_and_x_user_defined() -> None:
    """HTML's prescan: a meta-declared UTF-16 is UTF-8, x-user-defined is windows-1252."""
    assert decode_page(b'<meta charset="utf-16">\xc3\xa9')[:2] == ('<meta charset="utf-16">é', "utf-8")
    assert decode_page(b'<meta charset="x-user-defined">\x80')[:2] == (
        '<meta charset="x-user-defined">€',
        "windows-1252",
    )


def test_http_utf16_on_utf16_bytes_and_on_ascii_bytes() -> None:
    body = "<p>é</p>".encode("utf-16-le")
    assert decode_page(body, {"Content-Type": "text/html; charset=utf-16"}) == ("<p>é</p>", "utf-16le", [])
    text, encoding, problems = decode_page(b"<p>x</p>", {"Content-Type": "text/html; charset=utf-16"})
    assert (text, encoding) == ("<p>x</p>", "utf-8")
    assert problems == [
        "charset 'utf-16' declared in HTTP Content-Type, but the bytes are not UTF-16 (no NUL bytes); read as "
        "UTF-8 (a browser would show the page garbled)"
    ]


def test_utf8_bytes_declared_as_latin1_are_read_as_declared_and_said() -> None:
    """Declared vs detected: the browser follows the declaration; the problem says the bytes are UTF-8."""
    text, encoding, problems = decode_page("é".encode(), {"Content-Type": "text/html; charset=iso-8859-1"})
    assert (text, encoding) == ("Ã©", "windows-1252")
    assert problems == [
        "charset 'iso-8859-1' declared in HTTP Content-Type, but the bytes are UTF-8: read as windows-1252, as "
        "browsers do, non-ASCII characters come out garbled (é as Ã©); declare utf-8"
    ]
    assert decode_page(b"plain ascii", {"Content-Type": "text/html; charset=iso-8859-1"})[2] == []


def test_euro_sign_of_a_latin1_page_reaches_the_tag_value() -> None:
    """The case that was wrong: `iso-8859-1` pages decoded 0x80 as U+0080 in the check command and the crawler."""
    body = b'<html lang="fr"><head><meta name="DC.Policy" content="Prix 10 \x80"></head>'
    page = extract_tags(body, headers={"Content-Type": "text/html; charset=latin1"})
    assert found(page) == [("DC.Policy", "Prix 10 €")]
    assert page.encoding == "windows-1252"


def test_decode_page_order() -> None:
    assert decode_page(b"\xef\xbb\xbfx", {"Content-Type": "text/html; charset=latin1"})[:2] == ("x", "utf-8")


# --- broken markup -----------------------------------------------------------------------------------------


def test_unclosed_typographic_quote_swallows_the_next_link() -> None:
    html = (
        '<html lang="nl"><head>\n'
        '<meta name="DC.Policy" content="Zorg”/>\n'
        '<link rel="canonical" href="https://www.hetcak.nl/x">\n'
        '<meta name="sdg-tag" content="sdg">\n'
    )
    page = extract_tags(html.encode())
    assert found(page) == [("DC.Policy", "Zorg”/>\n<link rel="), ("sdg-tag", "sdg")]
    assert page.canonical_links == []  # part of the DC.Policy element now, as in a browser


def test_typographic_quotes_are_unquoted_values() -> None:
    page = extract_tags("<head><meta name=”sdg-tag” content=”sdg”/>".encode())
    occ = page.occurrences[0]
    assert (occ.canonical, occ.name_as_written, occ.raw, occ.match) == (
        "sdg-tag",
        "”sdg-tag”",
        "”sdg”/",
        "exact",
    )


def test_quote_never_closed_drops_the_tag_and_says_so() -> None:
    page = extract_tags(b'<head><meta name="sdg-tag" content="sdg>\n<title>x</title>')
    assert page.occurrences == []
    assert page.problems == [
        "a start tag is never closed (an unclosed quote?); the rest of the page was not read"
    ]


def test_truncated_tag_with_many_attributes_is_fast() -> None:
    # Exponential regex backtracking once made 22 attributes take seconds; 5,000 must be instant.
    body = b"<html><head><meta " + b'a="b" ' * 5000
    started = time.perf_counter()
    page = extract_tags(body)
    assert time.perf_counter() - started < 1.0
    assert page.problems and "never closed" in page.problems[0]


def test_character_references_are_decoded() -> None:
    page = extract_tags(b'<head><meta name="DC.Policy" content="A &amp; B &#8211; C&nbsp;D">')
    assert found(page) == [("DC.Policy", "A & B – C\u00a0D")]


def test_unquoted_and_single_quoted_values_and_attribute_order() -> None:
    html = b"<head><meta content=sdg name=sdg-tag><meta name='DC.ISO3166' content='SE'/><META NAME=\"DC.Service\" CONTENT=\"information\">"
    assert found(extract_tags(html)) == [
        ("sdg-tag", "sdg"),
        ("DC.ISO3166", "SE"),
        ("DC.Service", "information"),
    ]


def test_first_attribute_wins_like_html5() -> None:
    page = extract_tags(b'<head><meta name="sdg-tag" content="sdg" content="other">')
    assert found(page) == [("sdg-tag", "sdg")]


def test_meta_without_content_attribute() -> None:
    occ = extract_tags(b'<head><meta name="sdg-tag">').occurrences[0]
    assert (occ.raw, occ.values) == (None, [])


# --- what is not a tag -------------------------------------------------------------------------------------


def test_comments_scripts_and_styles_hide_fake_metas() -> None:
    html = (
        "<html><head>\n"
        '<!-- <meta name="sdg-tag" content="commented"> -->\n'
        '<!--[if IE]><meta name="DC.ISO3166" content="IE"><![endif]-->\n'
        '<script>document.write(\'<meta name="DC.Service" content="script">\');</script>\n'
        '<style>/* <meta name="policy-code" content="style"> */</style>\n'
        '<template><meta name="sdg-tag" content="template"></template>\n'
        '<meta name="DC.Policy" content="real">\n'
        '</head><body><textarea><meta name="sdg-tag" content="textarea"></textarea></body>'
    )
    page = extract_tags(html.encode())
    assert found(page) == [("DC.Policy", "real")]


def test_meta_in_body_is_found_when_the_head_lacks_tags() -> None:
    html = '<html><head><meta name="sdg-tag" content="sdg"></head>\n<body>\n<p>x</p><meta name="DC.ISO3166" content="SE">'
    page = extract_tags(html.encode())
    assert [(occ.canonical, occ.in_head, occ.line, occ.column) for occ in page.occurrences] == [
        ("sdg-tag", True, 1, 13),
        ("DC.ISO3166", False, 3, 9),
    ]
    assert page.body_parsed


def test_fast_path_skips_the_body_when_the_head_is_complete() -> None:
    html = f'<html><head>{TAGS}</head><body><meta name="DC.Location" content="SE1"></body>'
    page = extract_tags(html.encode())
    assert [occ.canonical for occ in page.occurrences] == [
        "sdg-tag",
        "DC.ISO3166",
        "DC.Service",
        "policy-code",
    ]
    assert not page.body_parsed


def test_text_in_head_opens_the_body() -> None:
    page = extract_tags(b'<html><head>Welcome<meta name="sdg-tag" content="sdg"></head>')
    assert [(occ.canonical, occ.in_head) for occ in page.occurrences] == [("sdg-tag", False)]


# --- names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "match"), [("name", "exact"), ("property", "exact"), ("itemprop", "exact")]
)
def test_naming_attributes(attribute: str, match: str) -> None:
    occ = extract_tags(f'<head><meta {attribute}="sdg-tag" content="sdg">'.encode()).occurrences[0]
    assert (occ.attribute, occ.match) == (attribute, match)


def test_name_attribute_wins_over_property() -> None:
    occ = extract_tags(b'<head><meta property="og:title" name="sdg-tag" content="sdg">').occurrences[0]
    assert occ.attribute == "name"


@pytest.mark.parametrize(
    ("name", "canonical", "match"),
    [
        ("DC.ISO3166", "DC.ISO3166", "exact"),
        ("dc.iso3166", "DC.ISO3166", "case"),
        ("SDG-TAG", "sdg-tag", "case"),
        ("DC.ISO03166", "DC.ISO3166", "variant"),
        ("dc_policy-code", "policy-code", "variant"),
        ("ISO3166", "DC.ISO3166", "variant"),
        ("policy_code", "policy-code", "variant"),
        ("sdg_tag", "sdg-tag", "variant"),
        ("DC-Service", "DC.Service", "variant"),
        ("DCTERMS.Location", "DC.Location", "variant"),
        ("DC.Language", "DC.Language", "exact"),
    ],
)
def test_name_matching(name: str, canonical: str, match: str) -> None:
    assert match_tag_name(name) == (canonical, match)
    occ = extract_tags(f'<head><meta name="{name}" content="x">'.encode()).occurrences[0]
    assert (occ.canonical, occ.name_as_written, occ.match) == (canonical, name, match)


@pytest.mark.parametrize(
    "name",
    [
        "DC.Creator",
        "DC.Title",
        "DC.Subject",
        "dcterms.language",
        "language",
        "location",
        "description",
        "og:locale",
        "keywords",
    ],
)
def test_other_metadata_is_not_matched(name: str) -> None:
    assert match_tag_name(name) is None
    assert extract_tags(f'<head><meta name="{name}" content="x">'.encode()).occurrences == []


# --- language sources, canonical links, robots, title ------------------------------------------------------


def test_ignored_language_sources_are_recorded() -> None:
    html = (
        '<html><head>\n<meta name="language" content="Swedish">\n'
        '<meta http-equiv="Content-Language" content="sv">\n'
    )
    page = extract_tags(html.encode(), headers={"Content-Language": "sv-SE"})
    assert [(s.source, s.value, s.line) for s in page.ignored_language_sources] == [
        ("meta name=language", "Swedish", 2),
        ("meta http-equiv content-language", "sv", 3),
        ("http content-language", "sv-SE", None),
    ]
    assert page.html_lang is None


def test_lang_and_xml_lang() -> None:
    assert extract_tags(b'<html lang="en" xml:lang="fr"><head>').html_lang.value == "en"
    xml_only = extract_tags(b'<html xml:lang="fr"><head>').html_lang
    assert (xml_only.source, xml_only.value) == ("html xml:lang", "fr")
    assert extract_tags(b'<html lang=""><head>').html_lang.value == ""


def test_canonical_links_robots_and_title() -> None:
    html = (
        "<html><head>\n"
        '<link rel="canonical" href="https://www.example.se/a">\n'
        '<link rel="Canonical alternate" href="/b">\n'
        '<link rel="stylesheet" href="/c.css">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        "<title>\n  Permis &amp; conduire\n</title>\n"
    )
    page = extract_tags(html.encode())
    assert [(link.href, link.line, link.column) for link in page.canonical_links] == [
        ("https://www.example.se/a", 2, 1),
        ("/b", 3, 1),
    ]
    assert page.robots == "noindex, nofollow"
    assert page.title == "Permis & conduire"


def test_other_syntax_is_only_looked_for_on_untagged_pages() -> None:
    ld = '<script type="application/ld+json">{"policy-code": "C2"}</script>'
    assert extract_tags(f"<html><head>{ld}</head>".encode()).other_syntax == ["json-ld"]
    assert extract_tags(f"<html><head>{TAGS}{ld}</head>".encode()).other_syntax == []


# --- unreadable input --------------------------------------------------------------------------------------


def test_empty_document_is_readable_but_empty() -> None:
    for body in (b"", b"  \n\t"):
        page = extract_tags(body)
        assert page.readable
        assert page.occurrences == []
        assert page.problems == ["the document is empty"]


def test_pdf_is_not_readable() -> None:
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    page = extract_tags(pdf)
    assert not page.readable
    assert page.problems[-1] == "content is a PDF document, not HTML"


def test_binary_garbage_is_not_readable() -> None:
    page = extract_tags(bytes(range(256)) * 16)
    assert not page.readable
    assert page.problems[-1] == "content is binary data, not HTML"


def test_gzip_is_not_readable() -> None:
    import gzip

    page = extract_tags(gzip.compress(TAGS.encode()))
    assert not page.readable
    assert page.problems[-1] == "content is gzip-compressed data, not HTML"


def test_non_bytes_input_is_reported_not_raised() -> None:
    page = extract_tags("<html>")  # type: ignore[arg-type]
    assert not page.readable
    assert "needs bytes" in page.problems[0]


@pytest.mark.parametrize(
    "body",
    [
        "<p>Gateway pages carry sdg-tag and policy-code meta elements.</p>",
        '<pre>&lt;meta name="sdg-tag" content="sdg"&gt;</pre>',
        '<!-- <meta name="sdg-tag" content="sdg"> -->',
    ],
    ids=["prose", "escaped example", "commented out"],
)
def test_mentions_that_are_not_data_are_not_other_syntax(body: str) -> None:
    assert extract_tags(f"<html><head></head><body>{body}</body>".encode()).other_syntax == []
