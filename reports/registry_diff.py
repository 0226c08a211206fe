"""The registry-vs-crawl diff (SPEC §6.2 group J): what the link registry says next to what the pages say.

For each registry entry the page it names is found in the run by its canonical URL, then its final URL, then
the address itself (URLs compared without fragment, default port, letter case of scheme and host, or trailing
slash). Then:

* the registered address failed: `registry-url-dead` (404/410/DNS failure in this run AND the previous run),
  `registry-url-redirected` (a permanent redirect), or a note saying why it could not be checked;
* the page carries no SDG tags: `registry-crawl-entry-untagged` only when the entry was notified by CRAWL (the
  registry's data came from the tags that are gone); for UPLOAD, MANUAL or WEBSERVICE entries that is fine, and
  the diff says so in a note;
* the page is tagged: type, categories, language, national code and country are compared
  (`registry-*-mismatch`);
* pages crawled under an entry (web folder, or links from a web page) with a valid tag set and no entry of their
  own are candidates to add (`registry-entry-missing`), and their country is compared with the entry's;
* entries whose categories are no item codes, unknown codes, or Annex II codes whose entry title is the code's
  legacy (draft) meaning get the page rules' ids (`policy-code-unknown`, `policy-code-area-only`,
  `policy-legacy-annex2-meaning`) with subject "registry".

The crawler does not record redirect status codes, so "permanent" is read as: the same redirect on this run and
the previous run (or a 301/308 named in the fetch detail).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sdg_tags.reports.pages import ReportPage
from sdg_tags.repository.queries import PageOutcome
from sdg_tags.repository.records import RegistryEntry
from sdg_tags.taxonomy.annexes import annex2_item
from sdg_tags.taxonomy.countries import tag_code
from sdg_tags.validators.models import TITLE_MATCH_THRESHOLD, VERDICTS
from sdg_tags.validators.rules import RULES
from sdg_tags.validators.rules.policy_items import LEGACY_REPLACEMENTS, classify_policy_text
from sdg_tags.validators.rules.policy_titles import title_matches
from sdg_tags.validators.url_identity import site_key, url_identity

TITLE_THRESHOLD = TITLE_MATCH_THRESHOLD
VALID_TAG_VERDICTS = frozenset({"compliant", "compliant-with-warnings"})
DEAD_HTTP_STATUSES = frozenset({404, 410})
PERMANENT_REDIRECT = re.compile(r"\b(301|308)\b|permanent", re.IGNORECASE)
REGISTRY_SERVICE_TYPES = frozenset({"information", "procedure"})
NOT_AN_ERROR_NOTIFICATIONS = frozenset({"UPLOAD", "MANUAL", "WEBSERVICE"})
LAU_BARE = re.compile(r"^[0-9A-Z]+$")
NOTE = "note"  # severity of rows that are no finding (explanations for the registry maintainer)

DIFF_COLUMNS: tuple[str, ...] = (
    "rule",
    "severity",
    "kind",
    "registry_url",
    "page_url",
    "field",
    "registry_value",
    "crawled_value",
    "message",
    "hint",
    "notification_type",
    "provider",
    "country",
    "source_row",
)


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One difference (or note) between a registry entry and the crawl."""

    rule: str | None  # a rule id (group J, or a group F id for a registry category), None for a note
    severity: str  # the rule's severity, or "note"
    kind: str  # dead, redirected, not-checked, not-crawled, untagged, untagged-notified, mismatch, missing, category
    registry_url: str | None
    page_url: str | None
    field: str | None  # type, categories, language, national code, country, url
    registry_value: str | None
    crawled_value: str | None
    message: str
    hint: str
    notification_type: str | None
    provider: str | None
    country: str | None
    source_row: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def tag_items(page: ReportPage, tag: str) -> list[str]:
    raw = page.tags.get(tag)
    return [item.strip() for item in (raw or "").split(";") if item.strip()]


def normalized_code(text: str) -> str | None:
    """An Annex I/II item code as the registry and tags should both spell it (`c02` -> `C2`), else None."""
    kind, code, _form, _service = classify_policy_text(text.strip(), TITLE_THRESHOLD)
    return code if kind in ("annex1", "annex2") else None


def country_code(text: str | None) -> str | None:
    if not text:
        return None
    code = text.strip().upper()
    return tag_code(code)


def location_items(values: Iterable[str], country: str | None) -> set[str]:
    """Location codes upper-cased, bare LAU codes prefixed with the country (`21001` -> `BE_21001`)."""
    items = set()
    for value in values:
        code = value.strip().upper()
        if not code:
            continue
        if country and LAU_BARE.match(code) and not code.startswith(country) and code.isdigit():
            code = f"{country}_{code}"
        items.add(code)
    return items


def joined(values: Iterable[str]) -> str:
    return ";".join(values)


class RegistryDiff:
    """Compares registry entries with the pages of a run; `rows` holds the result after `run()`."""

    def __init__(
        self,
        entries: Sequence[RegistryEntry],
        pages: Sequence[ReportPage],
        *,
        previous: Mapping[str, PageOutcome] | None = None,
    ) -> None:
        self.entries = [entry for entry in entries if not entry.delete]
        # Ignored query parameters are a property of the registered site: a page of that site (and an address
        # the registry names) is identified without them (validators.url_identity).
        self.ignored_by_site: dict[str, frozenset[str]] = {}
        for entry in self.entries:
            if entry.ignore_params:
                site = site_key(url_identity(entry.url) or entry.url)
                names = frozenset(name.strip().lower() for name in entry.ignore_params if name.strip())
                self.ignored_by_site[site] = self.ignored_by_site.get(site, frozenset()) | names
        self.deleted = len(entries) - len(self.entries)
        self.pages = pages
        self.previous = previous or {}
        self.rows: list[DiffRow] = []
        self.by_url: dict[str, ReportPage] = {}
        self.by_final: dict[str, ReportPage] = {}
        self.by_canonical: dict[str, ReportPage] = {}
        for page in pages:
            key = self.key(page.url)
            if key is not None:
                self.by_url.setdefault(key, page)
            final = self.key(page.final_url or page.url)
            if final is not None and page.evaluated:
                self.by_final.setdefault(final, page)
            canonical = self.key(page.canonical_url)
            if canonical is not None and page.evaluated:
                # The address a page names as canonical is only trusted for a page that was read.
                self.by_canonical.setdefault(canonical, page)
        self.entry_keys: dict[str, RegistryEntry] = {}
        for entry in self.entries:
            key = self.key(entry.url)
            if key is not None:
                self.entry_keys.setdefault(key, entry)
        self.matched_entries = 0

    # -- rows ---------------------------------------------------------------------------------------------

    def add(
        self,
        rule: str | None,
        kind: str,
        entry: RegistryEntry | None,
        page: ReportPage | None,
        message: str,
        *,
        field: str | None = None,
        registry_value: str | None = None,
        crawled_value: str | None = None,
        hint: str | None = None,
    ) -> None:
        spec = RULES.get(rule) if rule else None
        self.rows.append(
            DiffRow(
                rule=rule,
                severity=spec.severity if spec else NOTE,
                kind=kind,
                registry_url=entry.url if entry else (page.registry_url if page else None),
                page_url=page.url if page else None,
                field=field,
                registry_value=registry_value,
                crawled_value=crawled_value,
                message=message,
                hint=hint if hint is not None else (spec.hint if spec else ""),
                notification_type=entry.notification_type if entry else None,
                provider=(entry.provider if entry else None) or (page.provider if page else None),
                country=(entry.country if entry else None) or (page.country if page else None),
                source_row=entry.source_row if entry else None,
            )
        )

    # -- the comparison -----------------------------------------------------------------------------------

    def run(self) -> list[DiffRow]:
        for entry in self.entries:
            self.check_categories(entry)
            self.check_entry(entry)
        self.check_members()
        return self.rows

    def key(self, url: str | None) -> str | None:
        """The URL identity matches are made on, without the ignored parameters of the URL's site."""
        identity = url_identity(url)
        if identity is None or not self.ignored_by_site:
            return identity
        ignored = self.ignored_by_site.get(site_key(identity))
        return url_identity(identity, ignored) if ignored else identity

    def page_described_by(self, entry: RegistryEntry) -> ReportPage | None:
        """The crawled page an entry describes: matched on canonical URL, then final URL, then the address."""
        key = self.key(entry.url)
        if key is None:
            return None
        return self.by_canonical.get(key) or self.by_final.get(key) or self.by_url.get(key)

    def check_entry(self, entry: RegistryEntry) -> None:
        fetched = self.by_url.get(self.key(entry.url) or "")
        described = self.page_described_by(entry)
        if fetched is None and described is None:
            self.add(
                None,
                "not-crawled",
                entry,
                None,
                "no page of this run has this address (the crawl did not include the entry, or excluded it)",
            )
            return
        self.matched_entries += 1
        if fetched is not None and self.check_fetch(entry, fetched):
            return
        page = described or fetched
        assert page is not None
        if entry.url_type == "web folder":
            return  # a folder's own metadata describes its pages; they are compared in check_members
        if page.verdict == "not-self-describing":
            self.check_untagged(entry, page)
            return
        if page.verdict == "not-evaluated":
            return
        self.compare_fields(entry, page)

    def check_fetch(self, entry: RegistryEntry, page: ReportPage) -> bool:
        """Dead, redirected or otherwise failed registered address; True when the page could not be read."""
        key = self.key(entry.url)
        final = self.key(page.final_url)
        if final is not None and final != key:
            self.check_redirect(entry, page)
        if page.evaluated:
            return False
        before = self.previous.get(page.url)
        if self.is_dead(page.fetch_status, page.http_status):
            what = self.failure_text(page)
            if before is not None and self.is_dead(before.fetch_status, before.http_status):
                self.add(
                    "registry-url-dead",
                    "dead",
                    entry,
                    page,
                    f"{what} on this run and the previous one",
                    field="url",
                    registry_value=entry.url,
                    crawled_value=what,
                )
            else:
                self.add(
                    None,
                    "not-checked",
                    entry,
                    page,
                    f"{what} on this run only; reported as dead if the next run fails the same way",
                    field="url",
                    registry_value=entry.url,
                    crawled_value=what,
                )
            return True
        if page.fetch_status != "redirected-off-site":
            self.add(
                None,
                "not-checked",
                entry,
                page,
                f"could not be checked: {self.failure_text(page)}",
                field="url",
                registry_value=entry.url,
                crawled_value=page.fetch_status,
            )
        return True

    @staticmethod
    def is_dead(fetch_status: str, http_status: int | None) -> bool:
        return fetch_status == "dns-error" or (
            fetch_status == "http-4xx" and http_status in DEAD_HTTP_STATUSES
        )

    @staticmethod
    def failure_text(page: ReportPage) -> str:
        if page.fetch_status == "dns-error":
            return "DNS lookup failed"
        if page.http_status is not None and page.fetch_status.startswith("http-"):
            return f"HTTP {page.http_status}"
        detail = f" ({page.status_detail})" if page.status_detail else ""
        return f"{page.fetch_status}{detail}"

    def check_redirect(self, entry: RegistryEntry, page: ReportPage) -> None:
        before = self.previous.get(page.url)
        same_before = before is not None and self.key(before.final_url) == self.key(page.final_url)
        named = bool(page.status_detail and PERMANENT_REDIRECT.search(page.status_detail))
        off_site = page.fetch_status == "redirected-off-site"
        where = "outside the registered scope " if off_site else ""
        if same_before or named:
            self.add(
                "registry-url-redirected",
                "redirected",
                entry,
                page,
                f"redirects {where}to {page.final_url}"
                + (" on this run and the previous one" if same_before and not named else ""),
                field="url",
                registry_value=entry.url,
                crawled_value=page.final_url,
            )
        else:
            self.add(
                None,
                "redirected-once",
                entry,
                page,
                f"redirects {where}to {page.final_url} on this run; reported as a permanent redirect if the next "
                "run is redirected the same way",
                field="url",
                registry_value=entry.url,
                crawled_value=page.final_url,
            )

    def check_untagged(self, entry: RegistryEntry, page: ReportPage) -> None:
        notification = entry.notification_type
        if notification == "CRAWL":
            self.add(
                "registry-crawl-entry-untagged",
                "untagged",
                entry,
                page,
                "the entry was notified by CRAWL (from the page's tags), but the page carries no SDG tags now",
            )
        elif notification in NOT_AN_ERROR_NOTIFICATIONS:
            self.add(
                None,
                "untagged-notified",
                entry,
                page,
                f"no SDG tags on the page; not an error: the entry was notified by {notification}, so the "
                "registry holds its metadata",
            )
        else:
            self.add(
                None,
                "untagged-notified",
                entry,
                page,
                "no SDG tags on the page; fine if the entry was notified by upload, manual entry or web service "
                "(the registry data does not say how it was notified)",
            )

    def compare_fields(self, entry: RegistryEntry, page: ReportPage) -> None:
        self.compare_types(entry, page)
        self.compare_categories(entry, page)
        self.compare_language(entry, page)
        self.compare_location(entry, page)
        self.compare_country(entry, page, entry.country)

    def compare_types(self, entry: RegistryEntry, page: ReportPage) -> None:
        registry = {kind.strip().lower() for kind in entry.types if kind.strip()}
        comparable = registry & REGISTRY_SERVICE_TYPES
        if not comparable:
            return
        declared = [item.lower() for item in tag_items(page, "DC.Service")]
        crawled = {item for item in declared if item in REGISTRY_SERVICE_TYPES}
        if comparable == crawled:
            return
        notes = []
        if "assistance" in declared:
            notes.append("assistance has no registry type")
        if "database" in registry:
            notes.append("the registry's Database type has no tag equivalent and is not compared")
        self.add(
            "registry-type-mismatch",
            "mismatch",
            entry,
            page,
            f"registry types {joined(sorted(t.capitalize() for t in comparable))} ≠ DC.Service "
            f"{page.tags.get('DC.Service') or '(none)'}" + (f" ({'; '.join(notes)})" if notes else ""),
            field="type",
            registry_value=joined(entry.types),
            crawled_value=page.tags.get("DC.Service"),
        )

    def compare_categories(self, entry: RegistryEntry, page: ReportPage) -> None:
        registry = {code for code in (normalized_code(item) for item in entry.categories) if code}
        if not registry:
            return
        crawled = {
            code for code in (normalized_code(item) for item in tag_items(page, "policy-code")) if code
        }
        if registry == crawled:
            return
        only_registry = sorted(registry - crawled)
        only_page = sorted(crawled - registry)
        parts = []
        if only_registry:
            parts.append(f"only in the registry: {joined(only_registry)}")
        if only_page:
            parts.append(f"only on the page: {joined(only_page)}")
        self.add(
            "registry-category-mismatch",
            "mismatch",
            entry,
            page,
            "categories differ from policy-code (" + "; ".join(parts) + ")",
            field="categories",
            registry_value=joined(entry.categories),
            crawled_value=page.tags.get("policy-code"),
        )

    def compare_language(self, entry: RegistryEntry, page: ReportPage) -> None:
        registry = {language.strip().lower().replace("_", "-").split("-")[0] for language in entry.languages}
        registry.discard("")
        if not registry or not page.language:
            return
        if page.language.lower() in registry:
            return
        self.add(
            "registry-language-mismatch",
            "mismatch",
            entry,
            page,
            f"registry language {joined(entry.languages)} ≠ page language {page.language}",
            field="language",
            registry_value=joined(entry.languages),
            crawled_value=page.language,
        )

    def compare_location(self, entry: RegistryEntry, page: ReportPage) -> None:
        country = country_code(entry.country) or country_code(next(iter(tag_items(page, "DC.ISO3166")), None))
        registry = location_items((entry.national_code or "").split(";"), country)
        crawled = location_items(tag_items(page, "DC.Location"), country)
        if registry == crawled:
            return
        self.add(
            "registry-location-mismatch",
            "mismatch",
            entry,
            page,
            f"national code {entry.national_code or '(none)'} ≠ DC.Location {page.tags.get('DC.Location') or '(none)'}",
            field="national code",
            registry_value=entry.national_code,
            crawled_value=page.tags.get("DC.Location"),
        )

    def compare_country(self, entry: RegistryEntry, page: ReportPage, registered: str | None) -> None:
        wanted = country_code(registered)
        if wanted is None:
            return
        crawled = {country_code(item) for item in tag_items(page, "DC.ISO3166")}
        if not crawled or crawled == {wanted}:
            return
        self.add(
            "registry-country-mismatch",
            "mismatch",
            entry,
            page,
            f"country of the registered link {wanted} ≠ DC.ISO3166 {page.tags.get('DC.ISO3166')}",
            field="country",
            registry_value=wanted,
            crawled_value=page.tags.get("DC.ISO3166"),
        )

    # -- pages crawled under an entry ---------------------------------------------------------------------

    def own_entry(self, page: ReportPage) -> RegistryEntry | None:
        for url in (page.canonical_url, page.final_url, page.url):
            key = self.key(url)
            if key is not None and key in self.entry_keys:
                return self.entry_keys[key]
        return None

    def check_members(self) -> None:
        """Tagged pages crawled under an entry without one of their own: candidates, and their country."""
        reported: set[str] = set()
        for page in self.pages:
            if not page.evaluated or page.verdict == "not-self-describing":
                continue
            if self.own_entry(page) is not None:
                continue
            parent = self.entry_keys.get(self.key(page.registry_url) or "")
            identity = self.key(page.canonical_url or page.final_url or page.url) or page.url
            if identity in reported:
                continue
            reported.add(identity)
            if page.verdict in VALID_TAG_VERDICTS:
                address = page.canonical_url or page.final_url or page.url
                self.add(
                    "registry-entry-missing",
                    "missing",
                    parent,
                    page,
                    f"valid SDG tags but no registry entry; candidate to add: {address}",
                    field="url",
                    crawled_value=address,
                )
            if parent is not None:
                self.compare_country(parent, page, parent.country)

    # -- the registry's own categories --------------------------------------------------------------------

    def check_categories(self, entry: RegistryEntry) -> None:
        for item in entry.categories:
            text = item.strip()
            kind, code, _form, _service = classify_policy_text(text, TITLE_THRESHOLD)
            if kind == "annex2" and code is not None:
                procedure = annex2_item(code)
                legacy = procedure.legacy_title if procedure is not None else None
                if legacy and entry.title and title_matches(entry.title, legacy, TITLE_THRESHOLD):
                    advice = LEGACY_REPLACEMENTS.get(code, (None, None, ""))[2]
                    self.add(
                        "policy-legacy-annex2-meaning",
                        "category",
                        entry,
                        None,
                        f"category {code} with the title '{entry.title}': that is the draft-era meaning of "
                        f"{code} ('{legacy}'); in the final Annex II {code} is '{procedure.title}'",
                        field="categories",
                        registry_value=text,
                        hint=advice or None,
                    )
                continue
            if kind in ("annex1", "annex2"):
                continue
            if kind == "area-only":
                self.add(
                    "policy-code-area-only",
                    "category",
                    entry,
                    None,
                    f"category '{text}' is an area letter, not an item code",
                    field="categories",
                    registry_value=text,
                )
            else:
                what = "a registry group key" if kind == "registry-key" else "not an Annex I or II item code"
                self.add(
                    "policy-code-unknown",
                    "category",
                    entry,
                    None,
                    f"category '{text}' is {what}",
                    field="categories",
                    registry_value=text,
                )


def diff_summary(diff: RegistryDiff) -> dict[str, Any]:
    """Counts for diff.json and the console: entries, matches, rows per rule, kind and severity."""
    rules = Counter(row.rule for row in diff.rows if row.rule)
    kinds = Counter(row.kind for row in diff.rows)
    severities = Counter(row.severity for row in diff.rows)
    return {
        "entries": len(diff.entries),
        "entries_marked_delete": diff.deleted,
        "entries_matched": diff.matched_entries,
        "pages": len(diff.pages),
        "pages_by_verdict": {
            verdict: sum(1 for page in diff.pages if page.verdict == verdict) for verdict in VERDICTS
        },
        "rows": len(diff.rows),
        "by_rule": dict(sorted(rules.items())),
        "by_kind": dict(sorted(kinds.items())),
        "by_severity": {
            severity: severities.get(severity, 0) for severity in ("error", "warning", "info", NOTE)
        },
    }
