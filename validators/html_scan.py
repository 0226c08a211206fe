"""A small HTML start-tag scanner that follows the HTML5 tokenizer where it matters for `<head>` metadata.

Why not lxml: lxml reports lines but not columns, and it must parse the whole document; this scanner gives
exact character offsets, skips comments and raw-text elements (`script`, `style`) like a browser does, parses
attributes the HTML5 way (typographic quotes are *unquoted* values, an unclosed quote swallows what follows),
and can stop where the browser would close `<head>`, so the body of a large page is never tokenised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

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

_MARKUP = re.compile(r"<(?:(!--)|([!?])|/([A-Za-z][^\s/>]*)|([A-Za-z][^\s/>]*))")
# The rest of a start tag up to its ">": a quote opens a quoted value only right after "=" (HTML5), so a
# typographic or stray quote elsewhere is an ordinary character; an unclosed quoted value runs to the end of
# the text (no match: HTML5 drops the tag). Possessive quantifiers keep this linear: without them a truncated
# tag with many attributes backtracks exponentially (22 attributes took seconds).
_TAG_REST = re.compile(r"""((?:[^>="']++|=\s*+"[^"]*+"?|=\s*+'[^']*+'?|=|["'])*+)>""")
_ATTRIBUTES = re.compile(r"""([^\s/>=][^\s/>=]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_NON_SPACE_TEXT = re.compile(r"\S")
_RAW_TEXT_END: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in RAW_TEXT_ELEMENTS
}


@dataclass(slots=True)
class StartTag:
    name: str  # lower-case tag name
    attributes: dict[str, str]  # lower-case attribute names; first occurrence wins, like HTML5
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


def _parse_attributes(text: str, pos: int) -> tuple[dict[str, str], int, bool]:
    """Parse attributes from `pos` to the closing `>`; returns (attributes, end offset, closed?)."""
    rest = _TAG_REST.match(text, pos)
    if rest is None:
        return {}, len(text), False
    attributes: dict[str, str] = {}
    for name, double, single, unquoted in _ATTRIBUTES.findall(rest.group(1)):
        key = name.lower()
        if key not in attributes:
            value = double or single or unquoted
            attributes[key] = unescape(value) if "&" in value else value
    return attributes, rest.end(), True


def scan_tags(
    text: str,
    *,
    wanted: frozenset[str],
    start: int = 0,
    stop_after_head: bool = True,
    in_head: bool = True,
    capture_text: frozenset[str] = frozenset(),
) -> ScanResult:
    """Collect start tags named in `wanted` from `start`, in document order.

    With `stop_after_head`, scanning stops where HTML5 would leave `<head>`: at `</head>`, `<body>`, another
    body element, or non-space text outside tags.
    """
    tags: list[StartTag] = []
    pos = start
    length = len(text)
    head_end = length if in_head else start
    truncated = False
    for_head = in_head
    while pos < length:
        match = _MARKUP.search(text, pos)
        if match is None:
            if for_head and _NON_SPACE_TEXT.search(text, pos):
                head_end = pos
                for_head = False
            break
        if for_head and _NON_SPACE_TEXT.search(text, pos, match.start()):
            # Text inside <head> makes the parser open <body>.
            head_end = pos
            for_head = False
            if stop_after_head:
                return ScanResult(tags, head_end, pos, truncated)
        comment, bogus, end_name, start_name = match.groups()
        if comment:
            close = text.find("-->", match.end())
            pos = length if close < 0 else close + 3
            continue
        if bogus:
            close = text.find(">", match.end())
            pos = length if close < 0 else close + 1
            continue
        if end_name is not None:
            end_name = end_name.lower()
            close = text.find(">", match.end())
            if for_head and end_name in ("head", "html"):
                head_end = match.start()
                for_head = False
                if stop_after_head:
                    return ScanResult(tags, head_end, match.start(), truncated)
            pos = length if close < 0 else close + 1
            continue
        name = start_name.lower()
        if for_head and name not in HEAD_ELEMENTS:
            head_end = match.start()
            for_head = False
            if stop_after_head:
                return ScanResult(tags, head_end, match.start(), truncated)
        attributes, end, closed = _parse_attributes(text, match.end())
        if not closed:
            truncated = True
            break
        tag = StartTag(name, attributes, match.start(), end, for_head) if name in wanted else None
        pos = end
        if name in RAW_TEXT_ELEMENTS:
            close = _RAW_TEXT_END[name].search(text, end)
            content_end = length if close is None else close.start()
            if tag is not None and name in capture_text:
                tag.text = text[end:content_end]
            pos = content_end if close is None else text.find(">", close.start()) + 1 or length
        if tag is not None:
            tags.append(tag)
    return ScanResult(tags, head_end, length, truncated)


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


# Letters every SDG tag name, variant or near miss contains one of (and robots / language metas).
_WORTH_PARSING = re.compile(r"sdg|dc|iso|pol|lan|loc|serv|robot|equiv|tag", re.IGNORECASE)
_BODY_META_START = re.compile(r"<meta(?=[\s/>])", re.IGNORECASE)
_SKIPPED_OPEN = re.compile(
    r"<!--|<(script|style|textarea|title|xmp|iframe|noembed|noframes)(?=[\s/>])", re.IGNORECASE
)


def scan_body_metas(text: str, start: int) -> tuple[list[StartTag], bool]:
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
        if tag_end >= 0 and not _WORTH_PARSING.search(text, found.end(), tag_end):
            pos = tag_end + 1  # schema.org microdata and the like: no SDG, robots or language name inside
            continue
        attributes, end, closed = _parse_attributes(text, found.end())
        if not closed:
            return tags, True
        tags.append(StartTag("meta", attributes, meta_at, end, False))
        pos = end
    return tags, False
