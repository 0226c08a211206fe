"""Group H, the page language (SPEC §6.2 H, §3.3; IR 2020/1121 Art 2(3)(c)).

Sources: `<html lang>` (or `xml:lang` when `lang` is absent), preferred; `DC.Language` as the fallback. Each
is read once (`language_analysis`) into the ISO 639-1 code it yields, if any, and what is wrong with its form;
the rules pick from that, so a value gets one finding: `english` is invalid, `EN-GB` in DC.Language is one
`language-format`, and a mismatch is only reported between two usable sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sdg_tags.taxonomy.languages import (
    DEPRECATED_639_1,
    from_iso639_2,
    iso639_1,
    language_code_for_name,
    parse_bcp47,
)
from sdg_tags.taxonomy.versions import CODE_LIST_VERSIONS
from sdg_tags.validators.models import HTML_LANG_KEY, Finding, TagOccurrence
from sdg_tags.validators.rules.context import RuleContext, per_page
from sdg_tags.validators.rules.table import rule

TAG = "DC.Language"
ISO639_LIST = CODE_LIST_VERSIONS["iso639"]
_SIMPLE_LANG = re.compile(r"^([A-Za-z]{2})(?:-[A-Za-z]{2})?$")
# Norwegian Bokmål and Nynorsk are forms of Norwegian: `lang="nb"` with DC.Language `no` agree.
_SAME_LANGUAGE = {"nb": "no", "nn": "no"}


@dataclass(slots=True)
class DeclaredLanguage:
    """One language declaration as read: `<html lang>` or one DC.Language element."""

    source: str  # HTML_LANG_KEY or "DC.Language"
    written: str  # the value as written
    code: str | None  # the ISO 639-1 language it yields; None when none is derivable
    problems: tuple[str, ...]  # why its form is wrong (language-format); empty when the form is right
    expected: str | None  # the value as it should be written (or a guess, for an invalid value)
    occurrence: TagOccurrence | None  # None for <html lang>
    line: int | None
    column: int | None


@dataclass(slots=True)
class LanguageAnalysis:
    html: DeclaredLanguage | None  # None when <html> has no (non-empty) lang / xml:lang
    html_empty: bool  # lang="" was written
    dc: list[DeclaredLanguage]  # non-empty DC.Language elements, document order
    dc_effective: DeclaredLanguage | None  # the first DC.Language element, when non-empty

    @property
    def effective(self) -> str | None:
        if self.html is not None and self.html.code is not None:
            return self.html.code
        if self.dc_effective is not None:
            return self.dc_effective.code
        return None


def _primary_code(primary: str) -> tuple[str | None, list[str]]:
    """The ISO 639-1 code a lower-case primary subtag yields, and what is wrong with writing it so."""
    if len(primary) == 2:
        if iso639_1(primary) is not None:
            return primary, []
        replacement = DEPRECATED_639_1.get(primary)
        if replacement is not None:
            return replacement, [f"{primary!r} is a withdrawn ISO 639-1 code (now {replacement!r})"]
        return None, []
    if len(primary) == 3:
        code = from_iso639_2(primary)
        if code is not None:
            return code, [f"{primary!r} is a three-letter (ISO 639-2) code; ISO 639-1 has {code!r}"]
    return None, []


def read_html_lang(value: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """(code, form problems, expected value) for a `<html lang>` value; regions and scripts are fine there."""
    text = value.strip()
    simple = _SIMPLE_LANG.match(text)
    if simple is not None and iso639_1(simple.group(1).lower()) is not None:
        return simple.group(1).lower(), (), text  # `sv`, `en-GB`: most pages, without the full BCP 47 parse
    problems: list[str] = []
    if "_" in text:
        problems.append("'_' instead of '-' between subtags")
        text = text.replace("_", "-")
    parsed = parse_bcp47(text)
    if parsed is None:
        return None, (), language_code_for_name(value)
    code, primary_problems = _primary_code(parsed.primary)
    if code is None:
        return None, (), language_code_for_name(value)
    problems += primary_problems
    if not parsed.well_formed:
        problems.append("not a well-formed BCP 47 tag")
        return code, tuple(problems), code
    return code, tuple(problems), code + text[len(parsed.primary) :]


def read_dc_language(texts: list[str]) -> tuple[str | None, tuple[str, ...], str | None]:
    """(code, form problems, expected value) for the items of a DC.Language value: one bare lower-case code."""
    problems: list[str] = []
    if len(texts) > 1:
        problems.append(f"{len(texts)} items; DC.Language holds exactly one language")
    text = texts[0]
    primary = text
    for separator in "-_":
        if separator in text:
            primary = text.split(separator, 1)[0]
            problems.append(f"a subtag ({text!r}); DC.Language takes the bare language code")
            break
    if primary != primary.lower():
        problems.append("upper case; codes are lower case")
    code, primary_problems = _primary_code(primary.lower())
    if code is None:
        return None, (), language_code_for_name(text)
    return code, (*problems, *primary_problems), code


@per_page
def language_analysis(ctx: RuleContext) -> LanguageAnalysis:
    """Read `<html lang>` and every DC.Language once per page."""
    page = ctx.page
    html: DeclaredLanguage | None = None
    html_empty = False
    if page.html_lang is not None:
        if page.html_lang.value.strip():
            code, problems, expected = read_html_lang(page.html_lang.value)
            html = DeclaredLanguage(
                HTML_LANG_KEY,
                page.html_lang.value,
                code,
                problems,
                expected,
                None,
                page.html_lang.line,
                page.html_lang.column,
            )
        else:
            html_empty = True
    dc: list[DeclaredLanguage] = []
    dc_effective: DeclaredLanguage | None = None
    for index, occ in enumerate(ctx.distinct_occurrences(TAG)):
        items = ctx.items_of(occ)
        if not items:
            continue
        code, problems, expected = read_dc_language([item.text for item in items])
        declared = DeclaredLanguage(TAG, occ.raw or "", code, problems, expected, occ, occ.line, occ.column)
        dc.append(declared)
        if index == 0:
            dc_effective = declared
    return LanguageAnalysis(html, html_empty, dc, dc_effective)


def effective_language(ctx: RuleContext) -> str | None:
    """Effective page language (SPEC §3.3): the ISO 639-1 primary language of `<html lang>` (withdrawn and
    three-letter codes mapped), else that of DC.Language; None when neither yields one."""
    return language_analysis(ctx).effective


def _declared_finding(
    ctx: RuleContext, rule_id: str, declared: DeclaredLanguage, message: str, **fields: Any
) -> Finding:
    """A finding located at the declaration: the DC.Language element, or the <html> start tag."""
    if declared.occurrence is not None:
        return ctx.finding(rule_id, message, occurrence=declared.occurrence, **fields)
    return ctx.finding(
        rule_id,
        message,
        tag=HTML_LANG_KEY,
        value=declared.written,
        line=declared.line,
        column=declared.column,
        **fields,
    )


def _describe(declared: DeclaredLanguage) -> str:
    return (
        f'<html lang="{declared.written}">'
        if declared.source == HTML_LANG_KEY
        else f"DC.Language {declared.written!r}"
    )


@rule(
    "language-missing",
    "error",
    "H",
    "No lang / xml:lang on <html> and no DC.Language, or all of them empty; the message names sources found "
    "that do not count (meta http-equiv content-language, meta name=language, the HTTP Content-Language "
    "header).",
    "IR 2020/1121 Art 2(3)(c), Annex I; Guidance 2020 §language",
    "Set `<html lang>`; message names ignored sources",
    fail_example="""
<html>
<head>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
</head>
<body></body>
</html>
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def language_missing(ctx: RuleContext) -> Iterator[Finding]:
    analysis = language_analysis(ctx)
    if analysis.html is not None or analysis.dc_effective is not None:
        return
    page = ctx.page
    said = ["<html lang> is empty" if analysis.html_empty else "<html> has no lang attribute"]
    empty_dc = ctx.effective(TAG)
    said.append("DC.Language is empty" if empty_dc is not None else "there is no DC.Language tag")
    message = "the page declares no language: " + " and ".join(said)
    expected: str | None = None
    if page.ignored_language_sources:
        ignored = []
        for source in page.ignored_language_sources:
            where = f" (line {source.line})" if source.line is not None else ""
            ignored.append(f"{source.source} {source.value!r}{where}")
            if expected is None:
                expected = read_html_lang(source.value)[0] if source.value.strip() else None
        message += "; found but not accepted as the page language: " + ", ".join(ignored)
    if empty_dc is not None:
        yield ctx.finding("language-missing", message, occurrence=empty_dc, expected=expected)
    elif page.html_lang is not None:
        yield ctx.finding(
            "language-missing",
            message,
            tag=HTML_LANG_KEY,
            value=page.html_lang.value,
            line=page.html_lang.line,
            column=page.html_lang.column,
            expected=expected,
        )
    else:
        yield ctx.finding("language-missing", message, tag=HTML_LANG_KEY, expected=expected)


def _all_declared(ctx: RuleContext) -> list[DeclaredLanguage]:
    analysis = language_analysis(ctx)
    return ([analysis.html] if analysis.html is not None else []) + analysis.dc


@rule(
    "language-invalid",
    "error",
    "H",
    "<html lang> or DC.Language yields no ISO 639-1 primary language: a name ('english'), an unknown code "
    "('xx'), 'und'. Withdrawn (iw) and three-letter (eng) codes are language-format.",
    "IR 2020/1121 Annex I; ISO 639-1",
    "Two-letter code",
    fail_example="""
<html lang="english">
<head>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
</head>
<body></body>
</html>
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def language_invalid(ctx: RuleContext) -> Iterator[Finding]:
    for declared in _all_declared(ctx):
        if declared.code is None:
            guess = f" (for {declared.expected!r}?)" if declared.expected else ""
            yield _declared_finding(
                ctx,
                "language-invalid",
                declared,
                f"{_describe(declared)} is not an ISO 639-1 language code{guess}",
                expected=declared.expected,
                code_list=ISO639_LIST,
            )


@rule(
    "language-format",
    "warning",
    "H",
    "A valid language in the wrong form: DC.Language with a region or several items ('en-GB', 'es;en'), upper "
    "case, 'en_GB', a three-letter code ('eng'), a withdrawn code ('iw'). Regions and scripts in <html lang> "
    "are fine; '_', three-letter and withdrawn codes there are not.",
    "IR 2020/1121 Annex I; BCP 47",
    "Hint gives the expected form",
    fail_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
<meta name="DC.Language" content="EN">
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
<meta name="DC.Language" content="en">
""",
)
def language_format(ctx: RuleContext) -> Iterator[Finding]:
    for declared in _all_declared(ctx):
        if declared.code is not None and declared.problems:
            yield _declared_finding(
                ctx,
                "language-format",
                declared,
                f"{_describe(declared)}: {'; '.join(declared.problems)}",
                normalized=declared.code,
                expected=declared.expected,
                hint=f"Write {declared.expected!r}",
                code_list=ISO639_LIST,
            )


def _same_language(a: str, b: str) -> bool:
    return _SAME_LANGUAGE.get(a, a) == _SAME_LANGUAGE.get(b, b)


@rule(
    "language-mismatch",
    "warning",
    "H",
    "The primary language of <html lang> differs from DC.Language (both usable) · seen: a WordPress theme "
    "hard-codes DC.Language 'en' on Swedish pages.",
    "Guidance 2020 §language",
    "Derive both from the real language",
    fail_example="""
<html lang="sv">
<head>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
<meta name="DC.Language" content="en">
</head>
<body></body>
</html>
""",
    pass_example="""
<html lang="sv">
<head>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
<meta name="DC.Language" content="sv">
</head>
<body></body>
</html>
""",
)
def language_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    analysis = language_analysis(ctx)
    html, dc = analysis.html, analysis.dc_effective
    if html is None or dc is None or html.code is None or dc.code is None:
        return
    if _same_language(html.code, dc.code):
        return
    yield _declared_finding(
        ctx,
        "language-mismatch",
        dc,
        f'<html lang="{html.written}"> says {_language_name(html.code)} but DC.Language {dc.written!r} says '
        f"{_language_name(dc.code)}",
        normalized=dc.code,
        expected=html.code,
        code_list=ISO639_LIST,
    )


def _language_name(code: str) -> str:
    language = iso639_1(code)
    return language.name if language is not None else code


@rule(
    "language-dc-only",
    "info",
    "H",
    "The language is given only by DC.Language (no usable lang on <html>).",
    "Guidance 2020 §language",
    "Prefer `<html lang>`",
    fail_example="""
<html>
<head>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
<meta name="DC.Language" content="en">
</head>
<body></body>
</html>
""",
    pass_example="""
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def language_dc_only(ctx: RuleContext) -> Iterator[Finding]:
    analysis = language_analysis(ctx)
    dc = analysis.dc_effective
    if analysis.html is None and dc is not None and dc.code is not None:
        yield _declared_finding(
            ctx,
            "language-dc-only",
            dc,
            f"the page language comes only from DC.Language {dc.written!r}; the guidance asks for "
            f'<html lang="{dc.code}">',
            expected=dc.code,
        )


# --- detected language (off by default) ----------------------------------------------------------------------

# Short function words of the 24 EU languages plus Icelandic and Norwegian: enough to tell a title's language
# when two or more of them occur. Shared words count for every language that has them.
_STOP_WORDS_TEXT: dict[str, str] = {
    "bg": "и на за в с от как по или към при",
    "cs": "a v z na do pro jak o od se k při nebo",
    "da": "og for at om af med på til den det et en hvordan fra ved din dit jeres",
    "de": "der die das und für von mit zur zum den dem des ein eine einer ihre wie bei auf im oder",
    "el": "και του της των για το τα η ο με σε στο στην πώς ή από",
    "en": "the of and for to in on with your how from by about an is are you apply",
    "es": "el la los las del de y para en un una por con su sus cómo al o",
    "et": "ja ning või kuidas on ka oma kohta kui",
    "fi": "ja tai sekä kanssa miten mitä on kuin myös",
    "fr": "le la les des du de et pour en un une aux au sur votre vos comment dans ou",
    "ga": "agus an na ar do le conas ag",
    "hr": "i u s na za kako o od se ili",
    "hu": "a az és egy hogyan vagy ha is",
    "is": "og fyrir að um af með á til hvernig frá eða",
    "it": "il lo la gli le di del della dei per e con un una su come nel alla al o",
    "lt": "ir ar kaip dėl su į apie iš",
    "lv": "un vai par uz ar kā ir no",
    "mt": "il u ta tal għal fil li ma",
    "nl": "de het een en van voor met op in uw hoe bij aan naar te of",
    "no": "og for å om av med på til den det et en hvordan fra ved din eller",
    "pl": "i w z na do dla jak o od oraz się lub",
    "pt": "o a os as do da dos das de e para em um uma com por no na seu sua como ou",
    "ro": "și de la în pentru cu un o din pe al ale cum sau",
    "sk": "a v z na do pre ako o od sa k pri alebo",
    "sl": "in v z na za kako o od se pri ali",
    "sv": "och för att om av med på till den det ett en hur som från vid din eller",
}
_STOP_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(words.split()) for code, words in _STOP_WORDS_TEXT.items()
}
_WORD = re.compile(r"[^\W\d_]+")
_MIN_HITS = 2


def detect_title_language(title: str) -> tuple[list[str], int] | None:
    """Languages whose function words occur most often in `title` (>= 2 hits), with the hit count."""
    words = _WORD.findall(title.casefold())
    if len(words) < 2:
        return None
    hits = {code: sum(word in stop_words for word in words) for code, stop_words in _STOP_WORDS.items()}
    best = max(hits.values())
    if best < _MIN_HITS:
        return None
    return [code for code, count in hits.items() if count == best], best


@rule(
    "language-content-mismatch",
    "info",
    "H",
    "Off by default. The page title reads as another language than the declared one: two or more function "
    "words of one language and none of the declared one (a small stop-word list for the 24 EU languages, "
    "Icelandic and Norwegian). Only the title is used, because the check does not read the body; short or "
    "mixed titles give no finding.",
    "IR 2020/1121 Art 2(3)(c)",
    "Catches hard-coded values",
    enabled_by_default=False,
    fail_example="""
<title>Så ansöker du om ett körkort och vad det kostar</title>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
<title>How to apply for a driving licence and what it costs</title>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
def language_content_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    declared = effective_language(ctx)
    title = ctx.page.title
    if declared is None or not title:
        return
    declared = _SAME_LANGUAGE.get(declared, declared)
    stop_words = _STOP_WORDS.get(declared)
    if stop_words is None:
        return  # no word list for this language: cannot judge
    detected = detect_title_language(title)
    if detected is None:
        return
    languages, _count = detected
    if declared in languages or any(word in stop_words for word in _WORD.findall(title.casefold())):
        return
    names = " or ".join(_language_name(code) for code in languages)
    yield ctx.finding(
        "language-content-mismatch",
        f"the title {title!r} reads as {names}, but the declared page language is {_language_name(declared)}",
        tag=HTML_LANG_KEY if language_analysis(ctx).html is not None else TAG,
        value=declared,
        normalized=languages[0],
        expected=languages[0] if len(languages) == 1 else None,
    )
