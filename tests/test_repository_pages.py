"""What a page record carries: occurrences, effective tags, findings (records built in tests/repository_records.py)."""

from __future__ import annotations

from tests.repository_records import finding, tagged_record


def test_tagged_record_carries_every_occurrence_and_the_effective_tags() -> None:
    record = tagged_record(findings=[finding("tag-duplicate", tag="DC.ISO3166")])
    assert [occ.canonical for occ in record.occurrences] == [
        "sdg-tag",
        "DC.ISO3166",
        "DC.ISO3166",
        "DC.Service",
        "policy-code",
    ]
    assert record.result is not None
    assert record.result.tags["DC.ISO3166"].raw == "SE"
    assert record.result.verdict == "compliant-with-warnings"
