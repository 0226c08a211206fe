"""Page records for the repository tests, built through the real validator (`check_page`) and extractor.

Findings are appended by hand: the rules are developed elsewhere, and these tests are about what the
repository stores and returns, not about which rules fire.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sdg_tags.repository.records import PageRecord
from sdg_tags.validators.engine import check_page
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import Finding

T0 = datetime(2025, 1, 31, 23, 0, tzinfo=UTC)

TAGGED_HTML = b"""<!DOCTYPE html>
<html lang="sv">
<head>
<title>Starta foretag</title>
<link rel="canonical" href="https://www.example.se/foretag">
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="SE">
<meta name="DC.ISO3166" content="NO">
<meta name="DC.Service" content="information;procedure">
<meta name="policy-code" content="J1;X1">
</head>
<body></body>
</html>
"""


def finding(
    rule: str, severity: str = "warning", *, tag: str | None = None, item: int | None = None
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,  # type: ignore[arg-type]
        message=f"{rule} message",
        tag=tag,
        item=item,
        value="NO" if tag == "DC.ISO3166" else None,
        expected="one element",
        line=8,
        column=1,
        reference="Guidance 2020 §multiple values",
        hint=f"{rule} hint",
        code_list="annex1:2026-05-20" if tag == "policy-code" else None,
    )


def tagged_record(
    url: str = "https://www.example.se/foretag",
    *,
    findings: list[Finding] | None = None,
    fetched_at: datetime = T0,
    **fields: object,
) -> PageRecord:
    """An evaluated page with duplicate DC.ISO3166 occurrences and the given findings."""
    result = check_page(TAGGED_HTML, url=url)
    result.findings = list(findings or [])
    result.verdict = "compliant" if not result.findings else "compliant-with-warnings"
    if any(item.severity == "error" for item in result.findings):
        result.verdict = "non-compliant"
    page = extract_tags(TAGGED_HTML, url=url)
    values: dict[str, object] = {
        "url": url,
        "fetch_status": "ok",
        "http_status": 200,
        "fetched_at": fetched_at,
        "content_hash": "sha256:abc",
        "etag": '"v1"',
        "last_modified": "Fri, 31 Jan 2025 22:00:00 GMT",
        "result": result,
        "occurrences": page.occurrences,
    }
    return PageRecord.model_validate(values | fields)


def failed_record(
    url: str,
    *,
    status: str = "http-4xx",
    http_status: int | None = 404,
    fetched_at: datetime = T0,
    **fields: object,
) -> PageRecord:
    """A page that was not evaluated (fetch failed)."""
    return PageRecord(
        url=url,
        fetch_status=status,  # type: ignore[arg-type]
        http_status=http_status,
        status_detail=f"HTTP {http_status}" if http_status else status,
        fetched_at=fetched_at,
        **fields,  # type: ignore[arg-type]
    )
