"""A small HTML start-tag scanner that follows the HTML5 tokenizer where it matters for `<head>` metadata.

Why not lxml: lxml reports lines but not columns, and it must parse the whole document; this scanner gives
exact character offsets, skips comments and raw-text elements (`script`, `style`) like a browser does, parses
attributes the HTML5 way (typographic quotes are *unquoted* values, an unclosed quote swallows what follows),
and can stop where the browser would close `<head>`, so the body of a large page is never tokenised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from types import MappingProxyType

# Elements whose content is raw text: their content holds no tags. `noscript` is raw text in a browser with
# scripting on (what editors see in developer tools): a tracking pixel `<noscript><img></noscript>` in the head
# does not end the head there. `template` content is inert (not part of the document), so it is skipped too.
RAW_TEXT_ELEMENTS = frozenset(
    {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "template", "textarea", "title"}
)
# Start tags that may appear in <head>; any other start tag (or </head>, <body>) ends the head in HTML5.
HEAD_ELEMENTS = frozenset(
    {
        "html",
        "head",
        "meta",
        "link",
        "title",
        "style",
        "script",
        "noscript",
        "base",
        "template",
        "basefont",
        "bgsound",
    }
)

# One token of the head, after optional white space: a comment opening, a doctype/bogus comment, an end tag, or a
# start tag with its attribute text. In the attribute text a quote opens a quoted value only right after "="
# (HTML5), so a typographic or stray quote elsewhere is an ordinary character, and an unclosed quoted value
# runs to the end of the text (group "close" missing: HTML5 drops the tag). Possessive quantifiers keep it
# linear: without them a truncated tag with many attributes backtracks exponentially.
_HEAD_TOKEN = re.compile(
    r"""[ \t\n\r\f]*+(?:
        <(?P<start>[A-Za-z][^\s/>]*+)
        (?P<attrs>(?:[^>="']++|=\s*+"[^"]*+"?|=\s*+'[^']*+'?|=|["'])*+)(?P<close>>)?
      | (?P<comment><!--)
      | (?P<bogus><[!?])
      | </(?P<end>[A-Za-z][^\s/>]*+)
    )""",
    re.VERBOSE,
)
# Possessive quantifiers: no part of an attribute can be given back to make a later part match (a name holds no
# space or "=", and the unquoted alternative always matches), so they only save the engine its bookkeeping.
_ATTRIBUTES = re.compile(r"""([^\s/>=][^\s/>=]*+)(?:\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s>]*+)))?""")
_TAG_REST = re.compile(r"""((?:[^>="']++|=\s*+"[^"]*+"?|=\s*+'[^']*+'?|=|["'])*+)>""")
_NON_SPACE_TEXT = re.compile(r"\S")
_RAW_TEXT_END: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in RAW_TEXT_ELEMENTS
}


# A wanted tag's prefilter: strings one of which its lower-cased attribute text must contain, or None (always).
Prefilter = tuple[str, ...] | None


@dataclass(slots=True)
class StartTag:
    name: str  # lower-case tag name
    attributes: Mapping[str, str]  # lower-case attribute names; first occurrence wins, like HTML5; read-only
    offset: int  # character offset of "<"
    end: int  # offset just after ">"
    in_head: bool
    text: str | None = None  # content of raw-text elements (title, script), when asked for


@dataclass(slots=True)
class ScanResult:
    tags: list[StartTag]
    head_end: int  # offset where the head ended (len(text) when it never did)
    stopped_at: int  # offset where scanning stopped (len(text) when the whole text was scanned)
    truncated_tag: bool  # a start tag ran to the end of the text (unclosed quote): HTML5 drops it


# Attribute texts up to this length are parsed once and cached: a site repeats its SDG tags, `<html lang>` and
# robots meta on every page. Longer ones (rare, unbounded) are parsed each time so the cache stays small.
_CACHED_ATTRIBUTE_TEXT = 1024


def parse_attribute_text(attribute_text: str) -> Mapping[str, str]:
    """Attributes of a start tag from the text between its name and `>`; first occurrence wins (HTML5).

    The mapping is read-only: equal attribute texts share one (cached) result.
    """
    if len(attribute_text) > _CACHED_ATTRIBUTE_TEXT:
        return _parse_attribute_text(attribute_text)
    return _parse_attribute_text_cached(attribute_text)


def _parse_attribute_text(attribute_text: str) -> Mapping[str, str]:
    attributes: dict[str, str] = {}
    for name, double, single, unquoted in _ATTRIBUTES.findall(attribute_text):
        key = name.lower()
        if key not in attributes:
            value = double or single or unquoted
            attributes[key] = unescape(value) if "&" in value else value
    return MappingProxyType(attributes)


_parse_attribute_text_cached = lru_cache(maxsize=4096)(_parse_attribute_text)


def mentions_any(lowered: str, needles: tuple[str, ...]) -> bool:
    """True when `lowered` contains one of `needles`.

    A loop of `in` tests (C substring search) costs about a third of a regex alternation of the same literals:
    sre tries every alternative at almost every position of a lower-case text.
    """
    for needle in needles:
        if needle in lowered:
            return True
    return False


def _parse_attributes(text: str, pos: int) -> tuple[Mapping[str, str], int, bool]:
    """Parse attributes from `pos` to the closing `>`; returns (attributes, end offset, closed?)."""
    rest = _TAG_REST.match(text, pos)
    if rest is None:
        return {}, len(text), False
    return parse_attribute_text(rest.group(1)), rest.end(), True


def scan_tags(
    text: str,
    *,
    wanted: Mapping[str, Prefilter],
    capture_text: frozenset[str] = frozenset(),
) -> ScanResult:
    """Collect the start tags named in `wanted` that the head holds, in document order.

    Scanning stops where HTML5 leaves `<head>`: at `</head>`, `<body>`, another body element, or non-space text.
    `wanted` maps a tag name to None (always parsed) or lower-case strings one of which its lower-cased attribute
    text must contain, so that tags which cannot matter (an `og:image` meta) are not parsed at all.
    """
    tags: list[StartTag] = []
    pos = 0
    length = len(text)
    token_at = _HEAD_TOKEN.match
    while True:
        token = token_at(text, pos)
        if token is None:
            # Not markup: the end of the text, or text content (which makes the parser open <body>).
            rest = _NON_SPACE_TEXT.search(text, pos)
            if rest is None:
                return ScanResult(tags, length, length, False)
            return ScanResult(tags, rest.start(), rest.start(), False)
        # One tuple instead of a group() call per field: this loop runs for every element of every head.
        start_name, attribute_text, close, comment, _bogus, end_name = token.groups()
        if start_name is None:
            if end_name is not None:
                if end_name.lower() in ("head", "html"):
                    tag_start = token.start(6) - 2
                    return ScanResult(tags, tag_start, tag_start, False)
                close_at = text.find(">", token.end())
                pos = length if close_at < 0 else close_at + 1
            else:  # a comment runs to "-->", a doctype or bogus comment to ">"
                close_at = text.find("-->" if comment is not None else ">", token.end())
                pos = length if close_at < 0 else close_at + (3 if comment is not None else 1)
            continue
        name = start_name.lower()
        if name not in HEAD_ELEMENTS:
            tag_start = token.start(1) - 1
            return ScanResult(tags, tag_start, tag_start, False)
        if close is None:
            return ScanResult(tags, length, length, True)
        pos = end = token.end()
        tag: StartTag | None = None
        prefilter = wanted.get(name, False)
        if prefilter is not False and (prefilter is None or mentions_any(attribute_text.lower(), prefilter)):
            tag = StartTag(name, parse_attribute_text(attribute_text), token.start(1) - 1, end, True)
            tags.append(tag)
        if name in RAW_TEXT_ELEMENTS:
            close_match = _RAW_TEXT_END[name].search(text, end)
            content_end = length if close_match is None else close_match.start()
            if tag is not None and name in capture_text:
                tag.text = text[end:content_end]
            pos = content_end if close_match is None else text.find(">", close_match.start()) + 1 or length
        if pos >= length:
            return ScanResult(tags, length, length, False)


def iter_positions(text: str, offsets: list[int]) -> Iterator[tuple[int, int]]:
    """1-based (line, column) for ascending character offsets, counting newlines once."""
    line = 1
    last_newline = -1
    cursor = 0
    for offset in offsets:
        newlines = text.count("\n", cursor, offset)
        if newlines:
            line += newlines
            last_newline = text.rfind("\n", cursor, offset)
        cursor = offset
        yield line, offset - last_newline


_BODY_META_START = re.compile(r"<meta(?=[\s/>])", re.IGNORECASE)
_SKIPPED_OPEN = re.compile(
    r"<!--|<(script|style|textarea|title|xmp|iframe|noembed|noframes)(?=[\s/>])", re.IGNORECASE
)


def scan_body_metas(text: str, start: int, prefilter: Prefilter = None) -> tuple[list[StartTag], bool]:
    """The `<meta>` start tags after `start` (outside the head), skipping comments and raw-text elements.

    Only metas matter in the body, so instead of tokenising every tag of a large body in Python, the regex
    engine finds the metas and only the comments/raw-text elements before each one are stepped over.
    Returns (tags, truncated?).
    """
    tags: list[StartTag] = []
    pos = start
    length = len(text)
    for found in _BODY_META_START.finditer(text, start):
        meta_at = found.start()
        if meta_at < pos:
            continue
        while pos < meta_at:
            opener = _SKIPPED_OPEN.search(text, pos, meta_at)
            if opener is None:
                break
            element = opener.group(1)
            if element is None:
                close = text.find("-->", opener.end())
                pos = length if close < 0 else close + 3
            else:
                close_tag = _RAW_TEXT_END.get(element.lower())
                opening_end = text.find(">", opener.end())
                if opening_end < 0:
                    return tags, True
                closing = close_tag.search(text, opening_end) if close_tag is not None else None
                pos = length if closing is None else (text.find(">", closing.start()) + 1 or length)
        if meta_at < pos:
            continue
        tag_end = text.find(">", found.end())
        if (
            prefilter is not None
            and tag_end >= 0
            and not mentions_any(text[found.end() : tag_end].lower(), prefilter)
        ):
            pos = tag_end + 1  # schema.org microdata and the like: nothing the caller reads
            continue
        attributes, end, closed = _parse_attributes(text, found.end())
        if not closed:
            return tags, True
        tags.append(StartTag("meta", attributes, meta_at, end, False))
        pos = end
    return tags, False
