"""Boundary models of the validator: what extraction produces and what validation returns.

Hot paths build these with `model_construct` (no validation pass); they are pydantic so that the CLI, the
crawler, the repository and the web app all serialise the same shapes (`docs/output-format.md`).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field

ModelT = TypeVar("ModelT", bound=BaseModel)
_new_object = object.__new__
_set_attribute = object.__setattr__


@cache
def _construction_plan(model: type[BaseModel]) -> tuple[int, tuple[tuple[str, Any], ...]]:
    """The model's field count and its fields with defaults (resolved once per model, not per object)."""
    fields = model.model_fields
    return len(fields), tuple((name, field) for name, field in fields.items() if not field.is_required())


def construct_trusted(model: type[ModelT], **values: Any) -> ModelT:
    """Build a model from values our own code produced, without validation.

    `model_construct` costs ~4.5 us per object and extraction + validation build a dozen per page against a
    budget of ~300 us; this costs ~1 us. Only for values whose types the caller guarantees, named by the
    model's own field names (the hot paths name every field, so the defaults are not even looked at).
    """
    field_count, defaults = _construction_plan(model)
    if len(values) != field_count:
        for name, field in defaults:
            if name not in values:
                values[name] = field.get_default(call_default_factory=True)
    obj = _new_object(model)
    _set_attribute(obj, "__dict__", values)
    _set_attribute(obj, "__pydantic_fields_set__", set(values))
    _set_attribute(obj, "__pydantic_extra__", None)
    _set_attribute(obj, "__pydantic_private__", None)
    return obj


Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

Verdict = Literal[
    "compliant", "compliant-with-warnings", "non-compliant", "not-self-describing", "not-evaluated"
]
VERDICTS: tuple[Verdict, ...] = (
    "compliant",
    "compliant-with-warnings",
    "non-compliant",
    "not-self-describing",
    "not-evaluated",
)

Origin = Literal["static", "rendered"]
PageType = Literal["information", "procedure", "assistance"]
PAGE_TYPES: tuple[PageType, ...] = ("information", "procedure", "assistance")

# The canonical tag names of SPEC §3.1 in table order; `<html lang>` is reported under the key "html-lang".
CANONICAL_TAGS: tuple[str, ...] = (
    "sdg-tag",
    "DC.ISO3166",
    "DC.Location",
    "DC.Service",
    "policy-code",
    "DC.Policy",
    "DC.Language",
)
HTML_LANG_KEY = "html-lang"

# Tags whose presence means the page "attempts SDG tagging" (SPEC §6.1 Scope); a lone DC.Language does not.
SCOPE_TAGS: tuple[str, ...] = ("sdg-tag", "DC.ISO3166", "DC.Service", "policy-code")

NameMatch = Literal["exact", "case", "variant"]
Attribute = Literal["name", "property", "itemprop"]


class TagOccurrence(BaseModel):
    """One `<meta>` element attributed to a canonical SDG tag, exactly as written in the page."""

    model_config = ConfigDict(frozen=False)

    canonical: str  # one of CANONICAL_TAGS
    name_as_written: str  # the attribute value as in the source (typographic quotes included)
    attribute: Attribute  # which attribute carried the name
    match: NameMatch  # exact spelling, case-insensitive match, or a known variant / near miss
    raw: str | None  # `content` after character-reference decoding; None when the attribute is absent
    values: list[str]  # raw split on ";" with each item trimmed; empty items dropped
    line: int  # 1-based line of the `<meta` start
    column: int  # 1-based column (in characters) of the `<meta` start
    in_head: bool  # False when the element sits in <body> after parsing
    origin: Origin = "static"
    # `property` (when `name` names the tag) and `data-*` attributes, which the site's scripts may read: the
    # suggested block keeps them (SPEC §6.3). Not part of the output format.
    kept_attributes: dict[str, str] = Field(default_factory=dict, exclude=True)


class LinkOccurrence(BaseModel):
    """A `<link rel="canonical">` element."""

    href: str | None
    line: int
    column: int
    in_head: bool = True


class LanguageSource(BaseModel):
    """A language declaration: `<html lang>`/`xml:lang`, or a source that is *not* accepted (SPEC §3.3)."""

    source: str  # "html lang", "html xml:lang", "meta http-equiv content-language", "meta name=language", "http content-language"
    value: str
    line: int | None = None
    column: int | None = None


class ExtractedPage(BaseModel):
    """Everything the rules need from one page. Extraction never raises; unreadable input sets `readable`."""

    url: str | None = None
    readable: bool = True
    encoding: str | None = None  # the encoding the bytes were decoded with
    problems: list[str] = Field(default_factory=list)  # what could not be read, in words
    occurrences: list[TagOccurrence] = Field(default_factory=list)  # document order, all SDG-ish metas
    html_lang: LanguageSource | None = None  # root `lang` (or `xml:lang` when `lang` is absent)
    ignored_language_sources: list[LanguageSource] = Field(default_factory=list)
    canonical_links: list[LinkOccurrence] = Field(default_factory=list)
    robots: str | None = None  # content of `<meta name="robots">`, if any
    title: str | None = None
    other_syntax: list[str] = Field(default_factory=list)  # e.g. ["json-ld"] when SDG data appears elsewhere
    body_parsed: bool = False  # False when the fast path stopped at </head>
    origin: Origin = "static"

    def occurrences_of(self, canonical: str) -> list[TagOccurrence]:
        return [occ for occ in self.occurrences if occ.canonical == canonical]

    def first(self, canonical: str) -> TagOccurrence | None:
        """The effective occurrence: the first in document order (SPEC §6.1 Duplicates)."""
        for occ in self.occurrences:
            if occ.canonical == canonical:
                return occ
        return None


class TagView(BaseModel):
    """The effective value of one canonical tag, as shown in `check --format json` under "tags"."""

    raw: str | None
    values: list[str]
    attribute: str
    name_as_written: str
    line: int | None
    column: int | None
    origin: Origin = "static"


class Finding(BaseModel):
    """One problem found on a page, with everything an editor needs to fix it."""

    rule: str
    severity: Severity
    message: str
    tag: str | None = None
    item: int | None = None  # 0-based index within the ";"-separated value
    value: str | None = None  # the raw value as written
    normalized: str | None = None
    expected: str | None = None
    line: int | None = None
    column: int | None = None
    origin: Origin = "static"
    reference: str
    hint: str
    code_list: str | None = None  # e.g. "nuts:2024", "annex1:2026-05-20" (taxonomy.versions)
    type_inferred: bool = False  # page type came from policy-code/registry, not DC.Service


class PageResult(BaseModel):
    """The verdict on one page: the `pages[]` object of `sdg-tags check --format json`."""

    target: str
    url: str | None = None
    verdict: Verdict
    page_types: list[str] = Field(default_factory=list)
    page_types_inferred: bool = False
    tags: dict[str, TagView] = Field(default_factory=dict)
    language: str | None = None  # effective page language (ISO 639-1)
    canonical_url: str | None = None
    title: str | None = None
    robots: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    status_detail: str | None = None
    suggested_tags: str | None = None
    structured_data: dict | None = None  # only with --structured-data
    profile: str = "harvester"

    def counts(self) -> dict[str, int]:
        counts = {severity: 0 for severity in SEVERITIES}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts


def not_evaluated_result(
    *,
    target: str,
    url: str | None,
    status_detail: str | None,
    profile: str,
    findings: list[Finding] | None = None,
) -> PageResult:
    """A page that could not be checked: verdict `not-evaluated`, no tags, the reason in `status_detail`
    (the check command, the engine, the crawl and stored results all build it here, so it has one shape)."""
    # Every field, in declaration order: construct_trusted keeps the order it is given, and so do the dumps.
    return construct_trusted(
        PageResult,
        target=target,
        url=url,
        verdict="not-evaluated",
        page_types=[],
        page_types_inferred=False,
        tags={},
        language=None,
        canonical_url=None,
        title=None,
        robots=None,
        findings=findings if findings is not None else [],
        status_detail=status_detail,
        suggested_tags=None,
        structured_data=None,
        profile=profile,
    )


# A DC.Policy title counts as the official one from this fuzzy score up (SPEC §9 point 2); the registry diff
# compares registry titles with it too.
TITLE_MATCH_THRESHOLD = 0.85


class ValidationOptions(BaseModel):
    """Knobs of one validation (SPEC §6.1 profiles, §9 open points); defaults are the SPEC defaults."""

    profile: Literal["harvester", "strict"] = "harvester"
    ignore: frozenset[str] = frozenset()  # rule ids switched off
    enable: frozenset[str] = frozenset()  # rules that are off by default, switched on
    severity_overrides: dict[str, Severity] = Field(default_factory=dict)
    expected_country: str | None = None  # `check --country`
    registry_types: list[str] | None = None  # page types from the registry, for type inference
    annex2_scheme: Literal["final", "legacy-tolerant"] = "final"  # SDG_ANNEX2_SCHEME
    accept_zero_padded: bool = False  # SDG_ACCEPT_ZERO_PADDED: padded codes are no finding when True
    title_match_threshold: float = TITLE_MATCH_THRESHOLD  # SDG_TITLE_MATCH_THRESHOLD
    nuts_versions: tuple[str, ...] = ("2024",)  # SDG_NUTS_VERSIONS: versions counted as current
    lau_forms: tuple[str, ...] = ("prefixed", "bare")  # SDG_LAU_FORMS
    allow_country_eu: bool = False  # SDG_ALLOW_COUNTRY_EU
    suggest: bool = False  # build `suggested_tags`
    as_of: date | None = None  # code lists in force on this date (SPEC §5.7); None: today (UTC)


# Fetch status of a URL (SPEC §7.3): exactly one per URL, kept apart from findings.
FetchStatus = Literal[
    "ok",
    "not-modified",
    "noindex",
    "http-4xx",
    "http-5xx",
    "dns-error",
    "connection-refused",
    "timeout",
    "tls-error",
    "too-many-redirects",
    "redirected-off-site",
    "robots-disallowed",
    "not-html",
    "too-large",
    "decode-error",
    "out-of-scope",
    "invalid-url",
]
EVALUATED_FETCH_STATUSES: frozenset[str] = frozenset({"ok", "not-modified", "noindex"})
FETCH_STATUSES: tuple[str, ...] = get_args(FetchStatus)
