"""Property tests: extraction and validation never raise, whatever the bytes (about 300 examples, seconds)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import ExtractedPage, PageResult

from tests.pages import VALID_TAGS, page

TAGGED_PAGE = page([*VALID_TAGS, ("DC.Location", "BE1"), ("DC.Language", "en")]).decode()
# Characters that break markup when inserted or deleted, plus non-ASCII (typographic quotes, no-break space,
# a replacement character, a character outside the BMP).
NASTY = "<>\"'=;/&#-!\n “”″‘’„\u00a0\ufffd€é😀"

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_total(page_bytes: bytes) -> None:
    extracted = extract_tags(page_bytes)
    assert isinstance(extracted, ExtractedPage)
    assert not any("internal extraction error" in problem for problem in extracted.problems), (
        extracted.problems
    )
    for occ in extracted.occurrences:
        assert occ.line >= 1 and occ.column >= 1
    result = check_page(page_bytes)
    assert isinstance(result, PageResult)
    for finding in result.findings:
        assert finding.message and finding.hint and finding.reference


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert_total(data)


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    text = TAGGED_PAGE
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        if draw(st.booleans()) and position < len(text):
            text = text[:position] + text[position + draw(st.integers(min_value=1, max_value=8)) :]
        else:
            insert = draw(st.text(alphabet=NASTY, min_size=1, max_size=4))
            text = text[:position] + insert + text[position:]
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(mutated_pages())
def test_mutated_tagged_pages_never_raise(data: bytes) -> None:
    assert_total(data)
