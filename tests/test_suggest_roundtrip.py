"""SPEC §6.3 over the whole test corpus: suggest -> paste the block in place of the page's SDG tags -> check again.

The corpus is every page the tests and the demo ship (tests/fixtures, tests/sites, demo/site) plus
tests/fixtures/real_patterns/, pages written afresh after patterns real implementers were seen to use. For each
page that attempts SDG tagging the pasted page must show:
(a) no error except on a tag the block leaves as an HTML comment placeholder (a value the tool cannot know);
(b) free text (DC.Policy items, assistance titles) exactly as the editor wrote it, or an official title;
(c) `property=` and `data-*` attributes kept, beside `name=`;
(d) no finding left that names the one value to write (the block applies every such fix).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sdg_tags.taxonomy import annexes
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.extraction import decode_page, extract_tags, match_tag_name
from sdg_tags.validators.html_scan import StartTag, scan_body_metas, scan_tags
from sdg_tags.validators.models import HTML_LANG_KEY, PageResult, ValidationOptions

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FOLDERS = ("tests/fixtures", "tests/sites", "demo/site")
CORPUS = sorted(path for folder in CORPUS_FOLDERS for path in (ROOT / folder).rglob("*.htm*"))
REAL_PATTERNS = ROOT / "tests/fixtures/real_patterns"
OPTIONS = ValidationOptions(suggest=True)
PROFILES = ("harvester", "strict")

# Rules whose finding names the one value to write: none may remain on a tag the block writes out.
ONE_VALUE_FIXES = frozenset(
    {
        "tag-name-case",
        "tag-name-typo",
        "tag-property-attribute",
        "tag-duplicate",
        "tag-empty",
        "tag-outside-head",
        "markup-typographic-quotes",
        "value-whitespace",
        "value-empty-item",
        "value-duplicate-item",
        "value-separator",
        "sdg-marker-missing",
        "sdg-marker-invalid",
        "sdg-marker-case",
        "country-case",
        "country-gr-instead-of-el",
        "location-case",
        "location-lau-unprefixed",
        "location-country-level",
        "location-outdated-nuts-version",
        "service-type-invalid",
        "service-type-case",
        "policy-code-separator",
        "policy-code-case",
        "policy-code-zero-padded",
        "policy-legacy-annex2-meaning",
        "policy-title-order",
        "language-format",
    }
)
FREE_TEXT_TAGS = frozenset({"DC.Policy", "policy-code"})
_PLACEHOLDER = re.compile(r"<!-- ([\w.-]+): ")
_MARKUP_DEBRIS = re.compile(r"/>|<meta\b|<link\b", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_CLOSE_HEAD = re.compile(r"</head\s*>", re.IGNORECASE)


def _naming(tag: StartTag) -> str | None:
    for attribute in ("name", "property", "itemprop"):
        value = tag.attributes.get(attribute)
        if value is not None and value.strip():
            return value
    return None


def paste(body: bytes, block: str) -> bytes:
    """The page with every SDG tag element removed and the block written where the first one stood (or before
    `</head>` when that one sat in the body); everything else byte for byte."""
    text, encoding, _ = decode_page(body)
    scan = scan_tags(text, wanted={"meta": None})
    metas = scan.tags
    if scan.stopped_at < len(text):
        metas = metas + scan_body_metas(text, scan.stopped_at)[0]
    sdg = [tag for tag in metas if tag.name == "meta" and (name := _naming(tag)) and match_tag_name(name)]
    assert sdg, "a page that attempts SDG tagging has SDG meta elements"
    insert_at = sdg[0].offset if sdg[0].in_head else None
    for tag in reversed(sdg):
        text = text[: tag.offset] + text[tag.end :]
    if insert_at is None:
        closing = _CLOSE_HEAD.search(text)
        insert_at = closing.start() if closing else 0
    text = text[:insert_at] + block + "\n" + text[insert_at:]
    return text.encode(encoding, errors="xmlcharrefreplace")


def placeholders(block: str) -> set[str]:
    """Tags the block leaves to a person (an HTML comment naming the tag)."""
    return set(_PLACEHOLDER.findall(block))


def free_text(value: str) -> str:
    """What a free-text item is, independent of how the block is built: markup debris and the quotes that stood
    in for the attribute's own cut off; whitespace normalised."""
    debris = _MARKUP_DEBRIS.search(value)
    if debris is not None:
        value = value[: debris.start()].rstrip().rstrip("/").rstrip().rstrip('"“”″‘’')
    value = value.strip()
    if value[:1] in "“”″":
        value = value[1:]
        if value[-1:] in "“”″":
            value = value[:-1]
    return _WHITESPACE.sub(" ", value).strip()


OFFICIAL_TITLES = frozenset(
    _WHITESPACE.sub(" ", item.title).strip() for item in [*annexes.annex1_items(), *annexes.annex2_items()]
)


def roundtrip(path: Path, profile: str = "harvester") -> tuple[PageResult, str, PageResult] | None:
    body = path.read_bytes()
    options = OPTIONS.model_copy(update={"profile": profile})
    first = check_page(body, options=options, target=str(path))
    if first.suggested_tags is None:
        return None
    block = first.suggested_tags
    again = check_page(paste(body, block), options=options, target=f"{path} (pasted)")
    return first, block, again


def _reports_quotes_in_free_text() -> bool:
    """Whether the engine still reports quotes at the ends of free text, which the sharpened SPEC §6.2 row
    `markup-typographic-quotes` excludes (issue 14; implemented on another branch)."""
    body = (
        b'<html lang="sv"><head><meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="SE">'
        b'<meta name="DC.Service" content="information"><meta name="policy-code" content="E3">'
        b'<meta name="DC.Policy" content="Kommunalt \'VA\'"></head></html>'
    )
    return any(f.rule == "markup-typographic-quotes" for f in check_page(body).findings)


OLD_QUOTE_RULE = _reports_quotes_in_free_text()


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", CORPUS, ids=_id)
def test_suggested_block_pasted_into_the_page(path: Path, profile: str) -> None:
    done = roundtrip(path, profile)
    if done is None:
        assert check_page(path.read_bytes()).verdict in ("not-self-describing", "not-evaluated")
        return
    first, block, again = done
    open_tags = placeholders(block)
    awaits_quote_rule = False
    context = f"\n{block}\n{[(f.rule, f.tag, f.value) for f in again.findings]}"

    # (a) no error except where the block leaves a placeholder
    for finding in again.findings:
        if finding.severity != "error":
            continue
        if OLD_QUOTE_RULE and finding.rule == "markup-typographic-quotes" and finding.tag in FREE_TEXT_TAGS:
            awaits_quote_rule = True
            continue
        tag = "DC.Language" if finding.tag == HTML_LANG_KEY else finding.tag
        assert tag in open_tags, f"{finding.rule} on {finding.tag} without a placeholder{context}"

    # (d) every fix that names one value is applied
    left = [
        f.rule
        for f in again.findings
        if f.rule in ONE_VALUE_FIXES
        and f.tag not in open_tags
        and not (awaits_quote_rule and f.rule == "markup-typographic-quotes")
    ]
    assert left == [], context

    # (b) free text: each item the block writes is the editor's, character for character, or the one official
    # text a finding of the page names (an official title for a code, the full title for an abbreviation)
    original = extract_tags(path.read_bytes())
    pasted = extract_tags(paste(path.read_bytes(), block))
    named = {finding.expected for finding in first.findings if finding.expected}
    assert len(pasted.occurrences) == block.count("<meta "), (
        f"the block replaced the page's SDG tags{context}"
    )
    for tag in ("DC.Policy", "policy-code"):
        before = {free_text(i) for occ in original.occurrences_of(tag) for i in (occ.raw or "").split(";")}
        for occ in pasted.occurrences_of(tag):
            for item in (occ.raw or "").split(";"):
                if annexes.annex1_item(item) or annexes.annex2_item(item) or item in before:
                    continue
                official = item in OFFICIAL_TITLES if tag == "DC.Policy" else item in named
                assert official, f"{tag} item {item!r} is not the editor's text{context}"

    # (c) property= and data-* attributes stay, beside name=
    for occ in pasted.occurrences:
        assert occ.attribute == "name" and occ.match == "exact", context
    for canonical in {occ.canonical for occ in pasted.occurrences}:
        kept = pasted.first(canonical)
        assert kept is not None
        for occ in original.occurrences_of(canonical):
            if occ.attribute == "property":
                assert "property" in kept.kept_attributes, f"{canonical} lost property={context}"
            for key, value in occ.kept_attributes.items():
                if key.startswith("data-"):
                    assert kept.kept_attributes.get(key) == value, f"{canonical} lost {key}{context}"
    if awaits_quote_rule:
        pytest.xfail("markup-typographic-quotes still reports quotes in free text (SPEC §6.2 row sharpened)")


def test_the_corpus_is_the_one_the_report_names() -> None:
    """Every folder contributes pages, and the real-pattern corpus covers the patterns issue 14 lists."""
    by_folder = {folder: [p for p in CORPUS if _id(p).startswith(folder)] for folder in CORPUS_FOLDERS}
    assert all(by_folder.values()), {folder: len(paths) for folder, paths in by_folder.items()}
    assert len(list(REAL_PATTERNS.glob("*.html"))) >= 20


@pytest.mark.parametrize(
    ("page", "line"),
    [
        (
            "policy_ends_with_quote.html",
            """<meta name="DC.Policy" content="Anslutning till kommunalt 'VA'">""",
        ),
        (
            "eportugal_property.html",
            '<meta name="DC.Service" property="dc.service" content="information">',
        ),
        ("skatteverket_legacy_u1.html", '<meta name="policy-code" content="B6;V1">'),
        ("skatteverket_legacy_w1.html", '<meta name="policy-code" content="J1">'),
        ("skatteverket_legacy_u2_x2.html", '<meta name="policy-code" content="A1;X6">'),
        ("hetcak_debris.html", '<meta name="DC.Service" content="procedure">'),
        ("hetcak_debris.html", '<meta name="DC.Policy" content="Eigen bijdrage berekenen voor zorg">'),
        ("lansstyrelsen_colon.html", '<meta name="policy-code" content="N1;M2">'),
        ("av_lower_case.html", '<meta name="policy-code" content="Q1;B8;K3">'),
        ("greece_gr.html", '<meta name="DC.ISO3166" content="EL">'),
        ("gov_gr_en_country.html", "<!-- DC.ISO3166: 'en' is not a country; set your EEA country code -->"),
        (
            "react_helmet_study_portal.html",
            '<meta name="DC.Policy" data-react-helmet="true" content="Opintotuki ja &quot;opintolaina&quot;">',
        ),
        (
            "assistance_free_text_quotes.html",
            '<meta name="policy-code" content="Sportello &quot;Impresa in un giorno&quot; &amp; SUAP &lt;Roma> '
            "'centro'\">",
        ),
    ],
)
def test_the_cases_seen_today(page: str, line: str) -> None:
    """The four failures issue 14 reports, on the pages that show them."""
    result = check_page((REAL_PATTERNS / page).read_bytes(), options=OPTIONS)
    assert result.suggested_tags is not None
    assert line in result.suggested_tags.splitlines()
