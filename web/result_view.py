"""What the result page shows: tags as written and as understood (taxonomy), findings, the source lines.

Everything here is plain data for the Jinja2 templates, which escape it; nothing here builds markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sdg_tags.taxonomy import (
    annex1_item,
    annex2_item,
    assistance_service,
    classify_country,
    iso639_1,
    lau_unit,
    nuts_region,
    parse_bcp47,
)
from sdg_tags.validators.limits import abridge
from sdg_tags.validators.models import HTML_LANG_KEY, Finding, PageResult, TagView
from sdg_tags.validators.rules import RULES

TAG_LABELS: dict[str, str] = {
    "sdg-tag": "Gateway marker",
    "DC.ISO3166": "Country",
    "DC.Location": "Region or locality",
    "DC.Service": "Type of service",
    "policy-code": "Subject (codes or service title)",
    "DC.Policy": "Subject titles",
    "DC.Language": "Language (fallback)",
    HTML_LANG_KEY: "Language (<html lang>)",
}
TAG_ORDER: tuple[str, ...] = tuple(TAG_LABELS)

VERDICT_EXPLANATIONS: dict[str, str] = {
    "compliant": "The tags are complete and correct.",
    "compliant-with-warnings": "The tags are usable, but something deviates from the guidance; see the warnings.",
    "non-compliant": "A tag the regulation requires is missing or unusable; fix the errors below.",
    "not-self-describing": "The page carries no SDG tags. Its registry entry must come from an upload or a "
    "manual entry instead.",
    "not-evaluated": "The page could not be read.",
}
SERVICE_MEANINGS = {
    "information": "information page",
    "procedure": "procedure page",
    "assistance": "assistance or problem-solving service",
}
_LAU_FORM = re.compile(r"^([A-Za-z]{2})_(\w+)$")
_CODE_FORM = re.compile(r"^([A-Za-z])0*(\d{1,3})$")


@dataclass(slots=True)
class TagRow:
    tag: str  # canonical key
    label: str
    name_as_written: str
    raw: str | None
    line: int | None
    origin: str
    meanings: list[str]  # one line per item, in words


@dataclass(slots=True)
class FindingRow:
    finding: Finding
    docs_url: str | None
    anchor: str | None  # "L12" when the finding has a line in the served source


@dataclass(slots=True)
class SourceLine:
    number: int
    text: str
    rules: list[str] = field(default_factory=list)  # findings on this line


@dataclass(slots=True)
class ResultView:
    result: PageResult
    explanation: str
    counts: dict[str, int]
    tags: list[TagRow]
    findings: list[FindingRow]
    source: list[SourceLine]
    source_truncated_at: int | None  # the listing stops after this line (the page is longer)
    suggested_rows: int


def _items(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(";") if item.strip()]


def country_meaning(item: str) -> str:
    lookup = classify_country(item)
    if lookup.kind == "eea" and lookup.country is not None:
        return f"{item}: {lookup.country.name} ({lookup.country.group})"
    if lookup.kind == "greece-iso":
        return f"{item}: Greece, but the gateway writes EL"
    if lookup.kind == "non-eea" and lookup.country is not None:
        return f"{item}: {lookup.country.name}, not an EEA country"
    return f"{item}: not a country code"


def location_meaning(item: str) -> str:
    region = nuts_region(item.upper())
    if region is not None:
        name = region.label or "(no name)"
        versions = ", ".join(region.versions)
        return f"{item}: {name} ({region.classification} level {region.level}, {versions})"
    lau = _LAU_FORM.match(item)
    if lau is not None:
        unit = lau_unit(lau.group(1).upper(), lau.group(2))
        if unit is not None:
            return f"{item}: {unit.name} (LAU, {unit.country}, {', '.join(unit.vintages)})"
    return f"{item}: not a known NUTS, statistical-region or LAU code"


def policy_meaning(item: str) -> str:
    shape = _CODE_FORM.match(item)
    if shape is not None:
        code = f"{shape.group(1).upper()}{shape.group(2)}"
        annex1 = annex1_item(code)
        if annex1 is not None:
            return f"{item}: Annex I {code}, {annex1.title} (area {annex1.area_code}: {annex1.area_title})"
        annex2 = annex2_item(code)
        if annex2 is not None:
            return f"{item}: Annex II {code}, {annex2.title} (life event: {annex2.life_event})"
        return f"{item}: not a code of SDGR Annex I or II"
    service = assistance_service(item)
    if service is not None:
        return f"{item}: assistance service ({service.basis})"
    return f"{item}: free text (an assistance service title, if this is an assistance page)"


def language_meaning(item: str) -> str:
    parsed = parse_bcp47(item)
    language = iso639_1(parsed.primary) if parsed is not None else None
    if language is None:
        return f"{item}: not an ISO 639-1 language"
    region = f", region {parsed.region}" if parsed is not None and parsed.region else ""
    return f"{item}: {language.name}{region}"


def meanings_of(tag: str, view: TagView) -> list[str]:
    """The tag's items in words, from the reference tables (`taxonomy`)."""
    items = _items(view.raw)
    if tag == "sdg-tag":
        return [
            "the Single Digital Gateway marker" if view.raw and view.raw.strip() == "sdg" else "not `sdg`"
        ]
    if tag == "DC.ISO3166":
        return [country_meaning(item) for item in items]
    if tag == "DC.Location":
        return [location_meaning(item) for item in items]
    if tag == "DC.Service":
        return [f"{item}: {SERVICE_MEANINGS.get(item.lower(), 'not a service type')}" for item in items]
    if tag == "policy-code":
        return [policy_meaning(item) for item in items]
    if tag == "DC.Policy":
        return [f"title {index}: {item}" for index, item in enumerate(items, 1)]
    if tag in ("DC.Language", HTML_LANG_KEY):
        return [language_meaning(item) for item in items]
    return []


# The source listing shows each line up to SOURCE_LINE_CHARS characters (then `… (abridged, N characters)`), and
# stops after SOURCE_CHARS characters in all.
SOURCE_LINE_CHARS = 2000
SOURCE_CHARS = 300_000


def source_lines(source: str, findings: list[Finding], limit: int) -> tuple[list[SourceLine], int | None]:
    """The served source split into lines (as the validator counts them), flagged where static findings point."""
    flagged: dict[int, list[str]] = {}
    for finding in findings:
        if finding.line is not None and finding.origin == "static":
            flagged.setdefault(finding.line, []).append(finding.rule)
    texts = source.split("\n")
    shown = max(limit, max(flagged, default=0))
    lines: list[SourceLine] = []
    characters = 0
    for number, text in enumerate(texts[:shown], 1):
        if characters >= SOURCE_CHARS:  # a hostile page must not make a result page of many megabytes
            return lines, number - 1
        text = abridge(text.rstrip("\r"), SOURCE_LINE_CHARS)
        characters += len(text)
        lines.append(SourceLine(number, text, sorted(set(flagged.get(number, [])))))
    return lines, (shown if len(texts) > shown else None)


def build_view(result: PageResult, source: str, *, max_source_lines: int) -> ResultView:
    """Everything the result template needs from a result and the page's source text."""
    tags = [
        TagRow(
            tag=tag,
            label=TAG_LABELS[tag],
            name_as_written=view.name_as_written,
            raw=view.raw,
            line=view.line,
            origin=view.origin,
            meanings=meanings_of(tag, view),
        )
        for tag in TAG_ORDER
        if (view := result.tags.get(tag)) is not None
    ]
    findings = [
        FindingRow(
            finding=finding,
            docs_url=RULES[finding.rule].page_path if finding.rule in RULES else None,  # served by the app
            anchor=f"L{finding.line}" if finding.line is not None and finding.origin == "static" else None,
        )
        for finding in result.findings
    ]
    lines, truncated = source_lines(source, result.findings, max_source_lines)
    suggested = result.suggested_tags or ""
    return ResultView(
        result=result,
        explanation=VERDICT_EXPLANATIONS[result.verdict],
        counts=result.counts(),
        tags=tags,
        findings=findings,
        source=lines,
        source_truncated_at=truncated,
        suggested_rows=min(20, suggested.count("\n") + 2),
    )
