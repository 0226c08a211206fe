"""Group H rules (language): <html lang> preferred, DC.Language fallback, one finding per root cause."""

from __future__ import annotations

from typing import Any

import pytest
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.models import PageResult, ValidationOptions
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.rules.language import detect_title_language

from tests.pages import TAG_LINE, VALID_TAGS, only, page, rule_ids

DC_LANGUAGE_LINE = TAG_LINE + len(VALID_TAGS)


def check_language(
    lang: str | None, dc_language: str | None = None, *, head_extra: str = "", **kwargs: Any
) -> PageResult:
    tags = VALID_TAGS if dc_language is None else [*VALID_TAGS, ("DC.Language", dc_language)]
    return check_page(page(tags, lang=lang, head_extra=head_extra), **kwargs)


# --- accepted forms and the effective language --------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "dc_language", "effective"),
    [
        ("en", None, "en"),
        ("en-GB", None, "en"),
        ("de-AT", None, "de"),
        ("sr-Latn", None, "sr"),
        ("EN-gb", None, "en"),  # BCP 47 is case-insensitive
        ("en", "en", "en"),
        ("nb", "no", "nb"),  # Bokmål is Norwegian
    ],
)
def test_accepted_language_declarations(lang: str, dc_language: str | None, effective: str) -> None:
    result = check_language(lang, dc_language)
    assert result.findings == []
    assert result.language == effective


def test_xml_lang_counts_when_lang_is_absent() -> None:
    html = page(VALID_TAGS, lang=None).replace(b"<html>", b'<html xml:lang="en">')
    result = check_page(html)
    assert result.findings == []
    assert result.language == "en"


def test_effective_language_falls_back_to_dc_language() -> None:
    assert check_language(None, "sv").language == "sv"
    assert check_language("xx", "sv").language == "sv"
    assert check_language("iw", None).language == "he"  # withdrawn code mapped
    assert check_language(None, "eng").language == "en"
    assert check_language(None, None).language is None


# --- language-missing --------------------------------------------------------------------------------------


def test_no_language_at_all() -> None:
    result = check_language(None)
    assert rule_ids(result) == {"language-missing"}
    finding = only(result, "language-missing")
    assert finding.tag == "html-lang"
    assert finding.message == (
        "the page declares no language: <html> has no lang attribute and there is no DC.Language tag"
    )
    assert result.verdict == "non-compliant"


def test_missing_language_names_the_ignored_sources() -> None:
    extra = '<meta http-equiv="content-language" content="sv">\n<meta name="language" content="Swedish">'
    result = check_language(None, head_extra=extra, headers={"Content-Language": "sv-SE"})
    finding = only(result, "language-missing")
    assert rule_ids(result) == {"language-missing"}
    assert (
        "found but not accepted as the page language: meta http-equiv content-language 'sv' "
        f"(line {TAG_LINE + 5}), meta name=language 'Swedish' (line {TAG_LINE + 6}), "
        "http content-language 'sv-SE'"
    ) in finding.message
    assert finding.expected == "sv"


@pytest.mark.parametrize(("lang", "dc_language"), [("", None), ("", ""), (None, ""), (" ", " ")])
def test_empty_declarations_are_missing(lang: str | None, dc_language: str | None) -> None:
    result = check_language(lang, dc_language)
    assert rule_ids(result) == {"language-missing"}
    assert "empty" in only(result, "language-missing").message


# --- language-invalid --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"), [("english", "en"), ("xx", None), ("und", None), ("Swedish", "sv"), ("e", None)]
)
def test_invalid_html_lang(lang: str, expected: str | None) -> None:
    result = check_language(lang)
    assert rule_ids(result) == {"language-invalid"}
    finding = only(result, "language-invalid")
    assert (finding.tag, finding.value, finding.expected, finding.line, finding.column) == (
        "html-lang",
        lang,
        expected,
        2,
        1,
    )
    assert finding.code_list == "iso639-1"


def test_invalid_dc_language() -> None:
    result = check_language(None, "english")
    assert rule_ids(result) == {"language-invalid"}
    finding = only(result, "language-invalid")
    assert (finding.tag, finding.value, finding.expected, finding.line) == (
        "DC.Language",
        "english",
        "en",
        DC_LANGUAGE_LINE,
    )


def test_invalid_lang_with_valid_dc_language() -> None:
    result = check_language("xx", "sv")
    # No mismatch between an unusable and a usable source; no "dc-only" either: lang is there, just wrong.
    assert rule_ids(result) == {"language-invalid"}


# --- language-format ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dc_language", "expected", "words"),
    [
        ("en-GB", "en", "a subtag ('en-GB')"),
        ("es;en", "es", "2 items"),
        ("EN", "en", "upper case"),
        ("en_GB", "en", "a subtag ('en_GB')"),
        ("eng", "en", "three-letter (ISO 639-2) code"),
        ("iw", "he", "withdrawn ISO 639-1 code (now 'he')"),
    ],
)
def test_dc_language_format(dc_language: str, expected: str, words: str) -> None:
    result = check_language(expected, dc_language)
    assert rule_ids(result) == {"language-format"}
    finding = only(result, "language-format")
    assert (finding.tag, finding.value, finding.normalized, finding.expected) == (
        "DC.Language",
        dc_language,
        expected,
        expected,
    )
    assert words in finding.message
    assert finding.hint == f"Write {expected!r}"


@pytest.mark.parametrize(
    ("lang", "expected"), [("en_GB", "en-GB"), ("eng", "en"), ("iw", "he"), ("iw-IL", "he-IL")]
)
def test_html_lang_format(lang: str, expected: str) -> None:
    result = check_language(lang)
    assert rule_ids(result) == {"language-format"}
    finding = only(result, "language-format")
    assert (finding.tag, finding.value, finding.expected) == ("html-lang", lang, expected)


def test_region_in_html_lang_is_fine_but_not_in_dc_language() -> None:
    assert check_language("en-GB", "en").findings == []
    assert rule_ids(check_language("en", "en-GB")) == {"language-format"}


# --- language-mismatch -------------------------------------------------------------------------------------


def test_wordpress_theme_hard_coding_english_on_swedish_pages() -> None:
    result = check_language("sv-SE", "en")
    assert rule_ids(result) == {"language-mismatch"}
    finding = only(result, "language-mismatch")
    assert (finding.tag, finding.value, finding.normalized, finding.expected, finding.line) == (
        "DC.Language",
        "en",
        "en",
        "sv",
        DC_LANGUAGE_LINE,
    )
    assert finding.message == "<html lang=\"sv-SE\"> says Swedish but DC.Language 'en' says English"
    assert result.language == "sv"


def test_mismatch_and_format_are_separate_causes() -> None:
    assert rule_ids(check_language("sv", "EN")) == {"language-format", "language-mismatch"}


# --- language-dc-only --------------------------------------------------------------------------------------


def test_language_only_in_dc_language() -> None:
    result = check_language(None, "sv")
    assert rule_ids(result) == {"language-dc-only"}
    finding = only(result, "language-dc-only")
    assert (finding.severity, finding.expected, finding.line) == ("info", "sv", DC_LANGUAGE_LINE)
    assert result.verdict == "compliant"


def test_dc_language_with_lang_is_not_dc_only() -> None:
    assert "language-dc-only" not in rule_ids(check_language("sv", "sv"))


# --- language-content-mismatch (off by default) ------------------------------------------------------------


def swedish_page(lang: str) -> bytes:
    return page(VALID_TAGS, lang=lang).replace(
        b"<title>Test page</title>", "<title>Ansök om stöd för företag och lantbruk</title>".encode()
    )


def test_content_mismatch_is_off_by_default() -> None:
    assert check_page(swedish_page("en")).findings == []


def test_content_mismatch_when_enabled() -> None:
    options = ValidationOptions(enable=frozenset({"language-content-mismatch"}))
    result = check_page(swedish_page("en"), options=options)
    assert rule_ids(result) == {"language-content-mismatch"}
    finding = only(result, "language-content-mismatch")
    assert (finding.tag, finding.value, finding.expected) == ("html-lang", "en", "sv")
    assert check_page(swedish_page("sv"), options=options).findings == []


@pytest.mark.parametrize(
    ("title", "languages"),
    [
        ("Apply for a permit to run a business", ["en"]),
        ("Ansök om stöd för företag", ["sv"]),
        ("Permis de conduire", None),  # one shared word is not enough
        ("Test", None),
    ],
)
def test_title_language_detection(title: str, languages: list[str] | None) -> None:
    detected = detect_title_language(title)
    assert (detected[0] if detected else None) == languages


def test_group_h_metadata() -> None:
    expected = {
        "language-missing": ("error", "IR 2020/1121 Art 2(3)(c), Annex I; Guidance 2020 §language", True),
        "language-invalid": ("error", "IR 2020/1121 Annex I; ISO 639-1", True),
        "language-format": ("warning", "IR 2020/1121 Annex I; BCP 47", True),
        "language-mismatch": ("warning", "Guidance 2020 §language", True),
        "language-dc-only": ("info", "Guidance 2020 §language", True),
        "language-content-mismatch": ("info", "IR 2020/1121 Art 2(3)(c)", False),
    }
    for rule_id, (severity, reference, enabled) in expected.items():
        spec = RULES[rule_id]
        assert (spec.group, spec.severity, spec.reference, spec.enabled_by_default) == (
            "H",
            severity,
            reference,
            enabled,
        )
