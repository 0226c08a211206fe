"""Read SDGR Annex I and the amending acts from EUR-Lex's consolidated English XHTML of Regulation (EU) 2018/1724.

The consolidated text marks every passage with the act it comes from: `▼B` (the 2018 Regulation) or `▼M3`
(the third amending act) opens a block, `►M4 … ◄` wraps an inserted passage. The "Amended by" table at the top
names the act behind each `Mn`. Annex I items are the numbered lines of the area rows (`AJ.  Critical raw
materials projects` / `1.  the single points of contact …`), so codes, titles and acts all come from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from sdg_tags.taxonomy.importers import ImportFileError

# File name pattern of the consolidated text in the reference folder's annexes/ (the newest one is read).
CONSOLIDATED_GLOB = "sdgr-consolidated-*.en.xhtml"
BASE_ACT = "Reg 2018/1724"

_AREA = re.compile(r"^([A-Z]{1,2})\.\s+(\S.*)$")
_ITEM = re.compile(r"^(\d+)\.\s+(\S.*)$")
_MARKER = re.compile(r"^[▼►](B|M\d+)$")
_AMENDING_ACT = re.compile(r"\b(REGULATION|DIRECTIVE|DECISION)\s+\((EU|EC)\)\s+(?:No\s+)?(\d{4}/\d+)")
_ACT_KINDS = {"REGULATION": "Reg", "DIRECTIVE": "Directive", "DECISION": "Decision"}
_BUSINESSES_HEADING = "areas of information related to businesses"
_BLOCK_TAGS = frozenset({"p", "br", "td", "tr", "div", "table"})


@dataclass(frozen=True, slots=True)
class Annex1Entry:
    """One Annex I item as the consolidated text has it: act = the act whose passage holds the item."""

    code: str
    area_code: str
    area_title: str
    title: str
    audience: str
    act: str


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    act: str


class _Lines(HTMLParser):
    """The text of one part of the document as lines (one per paragraph or `<br/>`), each tagged with the act
    in force at its start. Footnote references (`<a href="#E0004">(1)</a>`) are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[_Line] = []
        self.block_act = BASE_ACT
        self.inline_act: str | None = None
        self.acts: dict[str, str] = {"B": BASE_ACT}
        self._buffer: list[str] = []
        self._buffer_act: str | None = None
        self._skip_depth = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.lines.append(_Line(text, self._buffer_act or self.block_act))
        self._buffer = []
        self._buffer_act = None

    def close(self) -> None:
        super().close()
        self._flush()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_depth:
            self._skip_depth += tag == "a"
            return
        if tag == "a" and (dict(attrs).get("href") or "").startswith("#"):
            self._skip_depth = 1
            return
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            self._skip_depth -= tag == "a"
            return
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        stripped = data.strip()
        marker = _MARKER.match(stripped)
        if marker:
            act = self.acts.get(marker.group(1), marker.group(1))
            if stripped.startswith("▼"):
                self._flush()
                self.block_act = act
            else:
                self.inline_act = act
            return
        if stripped == "◄":
            self._flush()
            self.inline_act = None
            return
        if stripped and not "".join(self._buffer).strip():
            self._buffer_act = self.inline_act or self.block_act
        self._buffer.append(data)


def newest_consolidated_text(folder: Path) -> Path:
    """The newest consolidated text in `folder` (file names carry the date: sdgr-consolidated-2026-05-20…)."""
    found = sorted(folder.glob(CONSOLIDATED_GLOB))
    if not found:
        raise ImportFileError(f"{folder}: no consolidated text of Reg 2018/1724 ({CONSOLIDATED_GLOB})")
    return found[-1]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFileError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not a UTF-8 XHTML file") from None


def amending_acts(document: str) -> dict[str, str]:
    """`M1` -> `Reg 2022/868`, … from the "Amended by" table (one row per `►Mn` and the act's title)."""
    start = document.find("Amended by")
    end = document.find('class="title-doc-first"', start)
    acts: dict[str, str] = {}
    if start < 0 or end < 0:
        return acts
    for row in re.split(r"<tr\b", document[start:end]):
        marker = re.search(r"►(M\d+)", row)
        title = _AMENDING_ACT.search(row)
        if marker and title:
            acts[marker.group(1)] = f"{_ACT_KINDS[title.group(1)]} {title.group(3)}"
    return acts


def _section(document: str, start_id: str, end_id: str | None, path: Path) -> str:
    start = document.find(f'id="{start_id}"')
    end = document.find(f'id="{end_id}"', start) if end_id else len(document)
    if start < 0 or end < 0:
        raise ImportFileError(
            f"{path}: no {start_id} section (is this the consolidated text of Reg 2018/1724?)"
        )
    return document[start:end]


def section_lines(document: str, start_id: str, end_id: str | None, path: Path) -> list[tuple[str, str]]:
    """(text, act) lines of the document part between the elements `start_id` and `end_id` (`anx_I`, …;
    no `end_id`: to the end)."""
    parser = _Lines()
    parser.acts.update(amending_acts(document))
    parser.feed(_section(document, start_id, end_id, path))
    parser.close()
    return [(line.text, line.act) for line in parser.lines]


def read_annex1(path: Path) -> list[Annex1Entry]:
    """Every Annex I item of the consolidated text, in its order, with the act that introduced it."""
    document = _read(path)
    lines = section_lines(document, "anx_I", "anx_II", path)
    entries: list[Annex1Entry] = []
    audience = "citizens"
    area: tuple[str, str] | None = None
    seen: set[str] = set()
    for text, act in lines:
        if text.rstrip(":").casefold() == _BUSINESSES_HEADING:
            audience = "businesses"
            continue
        heading = _AREA.match(text)
        if heading:
            area = (heading.group(1), heading.group(2).strip())
            continue
        item = _ITEM.match(text)
        if item is None or area is None:
            continue  # table headings, footnotes
        code = f"{area[0]}{int(item.group(1))}"
        if code in seen:
            raise ImportFileError(f"{path}: Annex I item {code} appears twice")
        seen.add(code)
        # The items added by Reg 2024/1735 (R1-R4) end with ";" or "."; the others carry no closing punctuation.
        title = item.group(2).strip().rstrip(";.").strip()
        entries.append(Annex1Entry(code, area[0], area[1], title, audience, act))
    if not entries:
        raise ImportFileError(f"{path}: no Annex I items found")
    return entries


def annex_text(path: Path, start_id: str, end_id: str | None) -> str:
    """The plain text of one annex (`anx_II`, `anx_III`), whitespace collapsed: for checking that a wording
    taken from elsewhere is the one in force."""
    document = _read(path)
    return " ".join(text for text, _ in section_lines(document, start_id, end_id, path))
