"""Extraction: page bytes -> the SDG tags as written, with line and column (SPEC §3, §6.1 lenient extraction).

Pure and total: any input (any encoding, broken markup, binary garbage) gives an `ExtractedPage`; what could
not be read is said in `problems`, and `readable` is False only when there is no HTML to speak of.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from html import unescape

import webencodings
from sdg_tags.validators.html_scan import Prefilter, StartTag, iter_positions, scan_body_metas, scan_tags
from sdg_tags.validators.limits import ITEMS_CHECKED, short_text_cache
from sdg_tags.validators.models import (
    CANONICAL_TAGS,
    ExtractedPage,
    LanguageSource,
    LinkOccurrence,
    NameMatch,
    Origin,
    TagOccurrence,
    construct_trusted,
)

# Tags the head scan parses; a meta or link whose attribute text cannot hold what we read is skipped unparsed
# (a head carries dozens of og:/twitter: metas and stylesheet links).
WANTED_TAGS: dict[str, Prefilter] = {
    "meta": ("sdg", "dc", "iso", "pol", "lan", "loc", "serv", "robot", "equiv", "tag"),
    "html": None,
    "link": ("canonical",),
    "title": None,
}
_TITLE_ONLY = frozenset({"title"})

# Quote characters that editors and CMS templates put around names and values by mistake.
STRAY_QUOTES = "\"'“”″‘’„‟«»`"

# Dublin Core element names that are real metadata of their own, never a misspelt SDG tag.
DUBLIN_CORE_ELEMENTS = frozenset(
    {
        "title",
        "creator",
        "subject",
        "description",
        "publisher",
        "contributor",
        "date",
        "type",
        "format",
        "identifier",
        "source",
        "relation",
        "coverage",
        "rights",
        "audience",
        "modified",
        "created",
        "issued",
        "valid",
        "available",
        "abstract",
        "spatial",
        "temporal",
        "license",
        "keywords",
    }
)
_DC_PREFIX = re.compile(r"^(?:dcterms|dct|dc)(?:[._:\-\s]|(?=[a-z]))")
_SEPARATOR_RUN = re.compile(r"[._:\-\s]+")

# Canonical tag -> its name without the DC prefix, separators unified; what near misses are compared with.
_CORES: dict[str, str] = {
    "sdg-tag": "sdg-tag",
    "DC.ISO3166": "iso3166",
    "DC.Location": "location",
    "DC.Service": "service",
    "policy-code": "policy-code",
    "DC.Policy": "policy",
    "DC.Language": "language",
}
# Cores that count as a variant even without any DC-like prefix: distinctive enough not to be other metadata
# (`<meta name="language">` and `<meta name="location">` are common for other purposes).
_UNPREFIXED_OK = frozenset({"sdg-tag", "iso3166", "policy-code"})
_LOWER_CANONICAL = {name.lower(): name for name in CANONICAL_TAGS}


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        best = i
        for j, char_b in enumerate(b, 1):
            cost = previous[j - 1] + (char_a != char_b)
            value = min(previous[j] + 1, current[j - 1] + 1, cost)
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _core(name: str) -> tuple[str, str | None]:
    """Strip a Dublin-Core-like prefix and unify separators; returns (core, the prefix or None)."""
    prefix = _DC_PREFIX.match(name)
    rest = name[prefix.end() :] if prefix else name
    return _SEPARATOR_RUN.sub("-", rest).strip("-"), prefix.group(0) if prefix else None


@short_text_cache(maxsize=4096)
def match_tag_name(name_as_written: str) -> tuple[str, NameMatch] | None:
    """Which canonical tag a meta name means, and how well it is spelt; None for unrelated metadata."""
    stripped = name_as_written.strip().strip(STRAY_QUOTES).strip()
    if not stripped:
        return None
    if stripped in _CORES:
        return stripped, "exact"
    folded = stripped.casefold()
    canonical = _LOWER_CANONICAL.get(folded)
    if canonical is not None:
        return canonical, "case"
    core, prefix = _core(folded)
    prefixed = prefix is not None
    # `DC-Language` is a misspelt SDG tag, but `dcterms.language` is the qualified Dublin Core term itself.
    if not core or core in DUBLIN_CORE_ELEMENTS or (core == "language" and (prefix or "").startswith("dct")):
        return None
    best: tuple[int, str] | None = None
    for tag, tag_core in _CORES.items():
        if not prefixed and tag_core not in _UNPREFIXED_OK:
            continue
        limit = 2 if len(tag_core) >= 6 else 1
        distance = _edit_distance(core.replace("-", ""), tag_core.replace("-", ""), limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, tag)
    if best is None:
        return None
    return best[1], "variant"


# --- decoding ----------------------------------------------------------------------------------------------
#
# As browsers decode (WHATWG Encoding Standard, HTML §13.2.3): a BOM wins, then the HTTP charset, then the
# `<meta>` prescan, then UTF-8, else windows-1252. Labels are looked up in the standard's label table as
# `webencodings` implements it (every label: `latin1`, `ascii`, `l1` … are windows-1252, `iso-8859-9` is
# windows-1254, `tis-620` windows-874, `gb2312` GBK), not in Python's codec registry, whose `latin-1` is
# ISO-8859-1 and decodes byte 0x80 as U+0080 instead of €. check, the crawler and serve all decode here.

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)
# The standard's single-byte encodings. Python's codecs for some windows-* code pages leave bytes undefined
# that the standard's index maps (0x81 of windows-1252 is U+0081, 0xCA of windows-1255 is U+05BA), so these
# decode through a 256-entry table built from the Python codec with the standard's additions.
_SINGLE_BYTE = frozenset(
    {
        "ibm866",
        *(f"iso-8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
        "iso-8859-8-i",
        "koi8-r",
        "koi8-u",
        "macintosh",
        "windows-874",
        *(f"windows-{n}" for n in range(1250, 1259)),
        "x-mac-cyrillic",
        "x-user-defined",
    }
)
# Windows code pages whose unassigned 0x80-0x9F bytes the standard maps to the C1 control of that number.
_C1_FILLED = frozenset({"windows-874", *(f"windows-{n}" for n in range(1250, 1259))})
_INDEX_EXTRAS: dict[tuple[str, int], str] = {("windows-1255", 0xCA): "\u05ba"}
_UNDEFINED = "\ufffe"  # charmap_decode's marker for a byte with no character


@cache
def _single_byte_table(encoding: str) -> str:
    if encoding == "x-user-defined":
        return "".join(chr(byte) if byte < 0x80 else chr(0xF780 + byte - 0x80) for byte in range(256))
    codec = webencodings.lookup(encoding).codec_info.name  # type: ignore[union-attr]
    table: list[str] = []
    for byte in range(256):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            char = _INDEX_EXTRAS.get((encoding, byte), _UNDEFINED)
            if char == _UNDEFINED and encoding in _C1_FILLED and 0x80 <= byte <= 0x9F:
                char = chr(byte)
        table.append(char)
    return "".join(table)


def _gb18030_euro(error: UnicodeError) -> tuple[str, int]:
    """The standard's GBK/gb18030 decoder reads a lone byte 0x80 as the euro sign; Python's rejects it."""
    if isinstance(error, UnicodeDecodeError) and error.object[error.start] == 0x80:
        return "\u20ac", error.start + 1
    raise error


codecs.register_error("sdg-tags-gb18030-strict", _gb18030_euro)


@short_text_cache(maxsize=256)
def whatwg_encoding(label: str) -> str | None:
    """The WHATWG name of the encoding an HTTP or `<meta>` charset label means (`latin1` -> `windows-1252`);
    None for a label the standard does not know (browsers ignore it)."""
    found = webencodings.lookup(label)
    return found.name if found is not None else None


def decode_bytes(body: bytes, encoding: str, *, strict: bool = False) -> str:
    """`body` decoded as the WHATWG encoding `encoding` (a name `whatwg_encoding` gives); invalid bytes become
    U+FFFD, or raise UnicodeDecodeError with `strict`. The replacement encoding (labels such as
    `iso-2022-kr`, which browsers refuse to decode) gives one U+FFFD for any non-empty input."""
    if encoding == "replacement":
        return "\ufffd" if body else ""
    if encoding in _SINGLE_BYTE:
        text, _ = codecs.charmap_decode(body, "strict" if strict else "replace", _single_byte_table(encoding))
        return text
    if encoding in ("gbk", "gb18030"):
        # The standard's GBK decoder is its gb18030 decoder (a superset of Python's gbk).
        if strict:
            return body.decode("gb18030", errors="sdg-tags-gb18030-strict")
        return _decode_replacing(body, "gb18030")
    return body.decode(_python_codec(encoding), errors="strict" if strict else "replace")


@lru_cache(maxsize=64)
def _python_codec(encoding: str) -> str:
    """The Python codec webencodings pairs with a WHATWG encoding (`euc-kr` -> cp949, `shift_jis` -> cp932)."""
    found = webencodings.lookup(encoding)
    return found.codec_info.name if found is not None else encoding


def _decode_replacing(body: bytes, codec: str) -> str:
    """gb18030 with invalid bytes replaced, the lone 0x80 still a euro sign."""
    parts: list[str] = []
    position = 0
    while True:
        try:
            parts.append(body[position:].decode(codec, errors="sdg-tags-gb18030-strict"))
            return "".join(parts)
        except UnicodeDecodeError as exc:
            parts.append(
                body[position : position + exc.start].decode(codec, errors="sdg-tags-gb18030-strict")
            )
            parts.append("\ufffd")
            position += exc.end


def header_value(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _looks_utf16(body: bytes) -> bool:
    """UTF-16 text of an HTML page has NUL bytes in every other position; ASCII-compatible bytes have none."""
    return b"\x00" in body[:1024]


def _is_utf8_text(body: bytes) -> bool:
    """Non-ASCII bytes that are valid UTF-8: text written in UTF-8 (other encodings rarely form valid UTF-8)."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_page(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str, list[str]]:
    """Decode like a browser: (text, WHATWG encoding name, problems).

    BOM, then the HTTP charset, then `<meta charset>` / `<meta http-equiv>` in the first 4 KB, then UTF-8, then
    windows-1252. The problems say what a reader of the page should know: an unknown or unusable label, bytes
    invalid in the declared encoding, a declaration that cannot be true, no declaration on non-UTF-8 bytes.
    """
    problems: list[str] = []
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return decode_bytes(body[len(bom) :], encoding), encoding, problems
    candidates: list[tuple[str, str]] = []
    content_type = header_value(headers, "content-type")
    if content_type:
        found = _HEADER_CHARSET.search(content_type)
        if found:
            candidates.append((found.group(1), "HTTP Content-Type"))
    found_meta = _META_CHARSET.search(body, 0, 4096)
    if found_meta:
        candidates.append((found_meta.group(1).decode("ascii", "replace"), "<meta charset>"))
    for label, where in candidates:
        encoding = whatwg_encoding(label)
        if encoding is None:
            problems.append(f"unknown charset {label!r} declared in {where}; ignored")
            continue
        if where == "<meta charset>":
            # HTML's prescan: a document that can declare its charset in ASCII is not UTF-16, and x-user-defined
            # from a meta element means windows-1252.
            encoding = {"utf-16le": "utf-8", "utf-16be": "utf-8", "x-user-defined": "windows-1252"}.get(
                encoding, encoding
            )
        elif encoding in ("utf-16le", "utf-16be") and not _looks_utf16(body):
            problems.append(
                f"charset {label!r} declared in {where}, but the bytes are not UTF-16 (no NUL bytes); read as "
                "UTF-8 (a browser would show the page garbled)"
            )
            encoding = "utf-8"
        if encoding == "replacement":
            problems.append(
                f"charset {label!r} declared in {where} is one that browsers refuse to decode (the WHATWG "
                "replacement encoding): the page shows as a single U+FFFD"
            )
            return decode_bytes(body, encoding), encoding, problems
        if encoding in _SINGLE_BYTE and _is_utf8_text(body):
            # Declared vs detected: browsers (and the harvester) follow the declaration, so `é` shows as `Ã©`.
            problems.append(
                f"charset {label!r} declared in {where}, but the bytes are UTF-8: read as {encoding}, as browsers "
                "do, non-ASCII characters come out garbled (é as Ã©); declare utf-8"
            )
        try:
            return decode_bytes(body, encoding, strict=True), encoding, problems
        except UnicodeDecodeError as exc:
            problems.append(
                f"bytes at offset {exc.start} are not valid {encoding} as declared in {where}; "
                "undecodable bytes replaced"
            )
            return decode_bytes(body, encoding), encoding, problems
    try:
        return body.decode("utf-8"), "utf-8", problems
    except UnicodeDecodeError:
        problems.append("no charset declared and the bytes are not UTF-8; decoded as windows-1252")
        return decode_bytes(body, "windows-1252"), "windows-1252", problems


# --- extraction --------------------------------------------------------------------------------------------

_HEAD_END = re.compile(rb"</head[\s>]|<body[\s>]", re.IGNORECASE)
_MANDATORY_NAMES = frozenset({"sdg-tag", "dc.iso3166", "dc.service", "policy-code"})
_SDG_MENTIONS: tuple[bytes, ...] = (b"sdg-tag", b"dc.iso3166", b"policy-code", b"dc.service")
_MAX_MENTIONS = 50  # per name: enough to classify, bounded on pages that repeat a name thousands of times
_WHITESPACE = re.compile(r"\s+")
# C0 controls other than tab, LF, FF, CR, plus DEL: text (even broken HTML) has almost none. Counted on UTF-8
# bytes with `bytes.translate` (these bytes never occur inside a multi-byte sequence): ~10x faster than a regex
# character class over the decoded text.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_NON_CONTROL_BYTES = bytes(byte for byte in range(256) if byte not in _CONTROL_BYTES)
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (e.g. an office document)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data"),
)


def _binary_reason(body: bytes, text: str) -> str | None:
    for signature, what in _BINARY_SIGNATURES:
        if body.startswith(signature):
            return f"content is {what}, not HTML"
    sample = text[:4096]
    # Random or compressed bytes decode to ~12 % control or replacement characters; text has almost none.
    if sample:
        suspicious = len(sample.encode("utf-8", "surrogatepass").translate(None, _NON_CONTROL_BYTES))
        suspicious += sample.count("\ufffd")
        if suspicious > len(sample) * 0.05:
            return "content is binary data, not HTML"
    return None


def _has_mandatory_tags(tags: list[StartTag]) -> bool:
    """True when the head holds all four scope tags under their exact (case-insensitive) names."""
    seen: set[str] = set()
    for tag in tags:
        if tag.name == "meta":
            name = tag.attributes.get("name")
            if name is not None:
                folded = name.strip().lower()
                if folded in _MANDATORY_NAMES:
                    seen.add(folded)
    return len(seen) == len(_MANDATORY_NAMES)


def _meta_name(tag: StartTag) -> tuple[str, str] | None:
    """The naming attribute of a meta: `name` first, then `property`, then `itemprop`."""
    for attribute in ("name", "property", "itemprop"):
        value = tag.attributes.get(attribute)
        if value is not None and value.strip():
            return attribute, value
    return None


def _other_syntax(text: str) -> list[str]:
    """Where SDG data appears in a page that has no SDG meta tags (JSON-LD, scripts, microdata/RDFa)."""
    # A case-insensitive regex alternation over a 60 KB body costs ~40x more than lower-casing the bytes once
    # and searching literals; offsets below are in that byte buffer, consistently.
    data = text.encode("utf-8", "surrogatepass").lower()
    kinds: list[str] = []
    for needle in _SDG_MENTIONS:
        mention = data.find(needle)
        seen = 0
        while mention >= 0 and seen < _MAX_MENTIONS:
            seen += 1
            kind = _mention_kind(data, mention)
            if kind is not None and kind not in kinds:
                kinds.append(kind)
            mention = data.find(needle, mention + len(needle))
    return kinds


def _mention_kind(data: bytes, at: int) -> str | None:
    script_start = data.rfind(b"<script", 0, at)
    if script_start > data.rfind(b"</script", 0, at):
        opening_end = data.find(b">", script_start)
        return "json-ld" if b"ld+json" in data[script_start:opening_end] else "script"
    if data.rfind(b"<!--", 0, at) > data.rfind(b"-->", 0, at):
        return None  # commented out: not data in any syntax
    if data.rfind(b"<", 0, at) > data.rfind(b">", 0, at):
        return "markup attributes (microdata/RDFa)"  # inside a tag: itemprop=, property=, data-*
    return None  # prose that merely mentions the tag names is not tagging


def extract_tags(
    body: bytes,
    *,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    origin: Origin = "static",
) -> ExtractedPage:
    """Extract every SDG-related `<meta>` (any casing, `name`/`property`, known variants) with its position."""
    try:
        return _extract(body, url, headers, origin)
    except Exception as exc:
        return ExtractedPage(
            url=url,
            readable=False,
            problems=[f"internal extraction error ({type(exc).__name__}: {exc}); please report this page"],
            origin=origin,
        )


def _extract(
    body: bytes, url: str | None, headers: Mapping[str, str] | None, origin: Origin
) -> ExtractedPage:
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"extract_tags needs bytes, got {type(body).__name__}")
    body = bytes(body)
    head_end = _HEAD_END.search(body)
    # Decoding and tokenising stop at </head> when the head holds the tags; cutting the bytes at "<" is a
    # character boundary in every ASCII-compatible encoding (UTF-16 pages carry a BOM and are decoded whole).
    prefix_only = head_end is not None and not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text, encoding, problems = decode_page(body[: head_end.start()] if prefix_only else body, headers)
    page = construct_trusted(
        ExtractedPage,
        url=url,
        readable=True,
        encoding=encoding,
        problems=problems,
        occurrences=[],
        html_lang=None,
        ignored_language_sources=[],
        canonical_links=[],
        robots=None,
        title=None,
        other_syntax=[],
        body_parsed=False,
        origin=origin,
    )
    if encoding == "replacement":
        page.readable = False  # a browser shows one U+FFFD; decode_page's problem says why
        return page
    reason = _binary_reason(body, text)
    if reason is not None:
        page.readable = False
        page.problems.append(reason)
        return page

    scan = scan_tags(text, wanted=WANTED_TAGS, capture_text=_TITLE_ONLY)
    tags = scan.tags
    head_complete = _has_mandatory_tags(tags)
    if not head_complete:
        if prefix_only:
            # The head lacks tags: read the whole document like a browser would, body included.
            text, encoding, problems = decode_page(body, headers)
            page.encoding, page.problems = encoding, problems
            scan = scan_tags(text, wanted=WANTED_TAGS, capture_text=_TITLE_ONLY)
            tags = scan.tags
        if scan.stopped_at < len(text):
            body_metas, truncated = scan_body_metas(text, scan.stopped_at, WANTED_TAGS["meta"])
            tags = tags + body_metas
            page.body_parsed = True
            scan.truncated_tag = scan.truncated_tag or truncated
    if scan.truncated_tag:
        page.problems.append(
            "a start tag is never closed (an unclosed quote?); the rest of the page was not read"
        )
    if not text.strip():
        page.problems.append("the document is empty")
        return page

    positions = iter_positions(text, [tag.offset for tag in tags])
    for tag, (line, column) in zip(tags, positions, strict=True):
        name = tag.name
        if name == "meta":
            _collect_meta(page, tag, line, column, origin)
        elif name == "html":
            if page.html_lang is None:
                lang = tag.attributes.get("lang")
                source = "html lang"
                if lang is None:
                    lang = tag.attributes.get("xml:lang")
                    source = "html xml:lang"
                if lang is not None:
                    page.html_lang = construct_trusted(
                        LanguageSource, source=source, value=lang, line=line, column=column
                    )
        elif name == "link":
            rel = tag.attributes.get("rel", "").lower().split()
            if "canonical" in rel:
                page.canonical_links.append(
                    construct_trusted(
                        LinkOccurrence,
                        href=tag.attributes.get("href"),
                        line=line,
                        column=column,
                        in_head=tag.in_head,
                    )
                )
        elif name == "title" and page.title is None and tag.text is not None:
            page.title = _WHITESPACE.sub(" ", unescape(tag.text)).strip() or None

    content_language = header_value(headers, "content-language")
    if content_language:
        page.ignored_language_sources.append(
            construct_trusted(
                LanguageSource, source="http content-language", value=content_language, line=None, column=None
            )
        )
    if not page.occurrences:
        page.other_syntax = _other_syntax(text)
    return page


_TOO_MANY_METAS = f"more than {ITEMS_CHECKED} SDG meta elements; only the first {ITEMS_CHECKED} are checked"


def _collect_meta(page: ExtractedPage, tag: StartTag, line: int, column: int, origin: Origin) -> None:
    attributes = tag.attributes
    naming = _meta_name(tag)
    if naming is None:
        equiv = attributes.get("http-equiv")
        if equiv is not None and equiv.strip().lower() == "content-language":
            page.ignored_language_sources.append(
                construct_trusted(
                    LanguageSource,
                    source="meta http-equiv content-language",
                    value=attributes.get("content", ""),
                    line=line,
                    column=column,
                )
            )
        return
    attribute, name_as_written = naming
    matched = match_tag_name(name_as_written)
    if matched is None:
        lowered = name_as_written.strip().lower()
        if lowered == "robots" and page.robots is None:
            page.robots = attributes.get("content")
        elif lowered == "language":
            page.ignored_language_sources.append(
                construct_trusted(
                    LanguageSource,
                    source="meta name=language",
                    value=attributes.get("content", ""),
                    line=line,
                    column=column,
                )
            )
        return
    canonical, match = matched
    if len(page.occurrences) >= ITEMS_CHECKED:  # a page of 100,000 SDG metas is checked on the first ones
        if _TOO_MANY_METAS not in page.problems:
            page.problems.append(_TOO_MANY_METAS)
        return
    raw = attributes.get("content")
    # The first ITEMS_CHECKED items only: a 5 MB value of a million items must not become a million strings.
    values = [item.strip() for item in raw.split(";", ITEMS_CHECKED)[:ITEMS_CHECKED]] if raw else []
    page.occurrences.append(
        construct_trusted(
            TagOccurrence,
            canonical=canonical,
            name_as_written=name_as_written,
            attribute=attribute,
            match=match,
            raw=raw,
            values=[value for value in values if value],
            line=line,
            column=column,
            in_head=tag.in_head,
            origin=origin,
            kept_attributes={
                key: value
                for key, value in attributes.items()
                if key.startswith("data-") or (key == "property" and attribute == "name")
            },
        )
    )
