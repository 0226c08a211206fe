"""Facts that used to be written in several places, and disagreed, stay defined once (issue 12).

Each test reads the package's sources as text and names any second definition, so a copy that creeps back in
is caught where it is written, not when two surfaces start to disagree."""

from __future__ import annotations

import re

from tests.source_tree import package_sources


def places(pattern: str, *, allowed: set[str]) -> list[str]:
    regex = re.compile(pattern)
    return [
        f"{name}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for name, text in package_sources().items()
        if name not in allowed
        for match in regex.finditer(text)
    ]


def test_crawl_defaults_are_only_in_the_settings_module() -> None:
    """`settings.getfloat("SDG_X", 30.0)` repeats a default that crawler/settings.py already holds."""
    literal_default = r"settings\.get(?:int|float|bool|list|dict)?\(\s*\"[A-Z_]+\",\s*(?:[0-9.]+|True|False|\"[^\"]*\")\s*\)"
    assert places(literal_default, allowed=set()) == []


def test_greece_el_is_written_once() -> None:
    """The GR -> EL mapping is taxonomy.countries.tag_code; other code uses it or GREECE_ISO/GREECE_TAG."""
    mapping = r"\"EL\" if [\w.\[\]]+ == \"GR\"|== \"GR\"|\{\"EL\", \"GR\"\}"
    assert places(mapping, allowed={"taxonomy/countries.py"}) == []


def test_stray_quote_characters_are_defined_once() -> None:
    quote_set = r"“”″‘’„"  # the whole set; the suggested block's attribute-delimiter subset is another fact
    assert places(quote_set, allowed={"validators/extraction.py"}) == []


def test_html_media_types_and_sizes_are_defined_once() -> None:
    assert places(r"\"application/xhtml\+xml\"", allowed={"sdg_tags/media_types.py"}) == []
    assert places(r"5 \* 1024 \* 1024|5_000_000|5_242_880", allowed=set()) == []


def test_the_title_threshold_is_defined_once() -> None:
    assert places(r"(?<![\d.])0\.85(?![\d])", allowed={"validators/models.py"}) == []
