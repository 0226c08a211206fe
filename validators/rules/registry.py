"""Rule family J, registry comparison (SPEC §6.2): declared here, reported by the registry diff (`reports`).

These rules compare a registry entry (upload file, web-service data or the Commission's export) with what the
crawl found on the page it names, matched on the page's canonical URL, then its final URL. They have no page
check function: `sdg-tags diff` produces them, and `sdg-tags rules` / docs/rules.md list them from here.
"""

from __future__ import annotations

from sdg_tags.validators.rules.table import declare

declare(
    "registry-entry-missing",
    "info",
    "J",
    "Valid tag set, no registry entry",
    "Reg 2018/1724 Art 19; IR 2020/1121 Art 2(4)",
    "Await harvest or notify",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: none
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-crawl-entry-untagged",
    "warning",
    "J",
    "Entry with notification type CRAWL; page now untagged",
    "IR 2020/1121 Art 2(2)",
    "Restore tags or notify by upload",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="description" content="Permis de conduire">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-url-dead",
    "error",
    "J",
    "404/410 or DNS failure on two consecutive runs",
    "Reg 2018/1724 Art 19",
    "Fix or delete the entry",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
fetch: 404, and 404 on the previous run
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
fetch: 200
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-url-redirected",
    "warning",
    "J",
    "Permanent redirect",
    "Reg 2018/1724 Art 19",
    "Store the final URL",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
fetch: 301 https://www.example.be/fr/permis-de-conduire
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
fetch: 200
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-type-mismatch",
    "warning",
    "J",
    "Registry types ≠ `DC.Service` (case-insensitive; `assistance` has no registry type; `Database` noted)",
    "IR 2020/1121 Art 2(2)",
    "Align",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Procedure"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-category-mismatch",
    "warning",
    "J",
    "Categories ≠ `policy-code` items after normalisation",
    "IR 2020/1121 Art 2(2)",
    "Align",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2", "X1"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-language-mismatch",
    "warning",
    "J",
    "Registry language ≠ effective page language",
    "IR 2020/1121 Art 2(2)",
    "Align",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["nl"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-location-mismatch",
    "warning",
    "J",
    "National code ≠ `DC.Location`",
    "IR 2020/1121 Art 2(2)",
    "Align",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL", "national_code": "BE2"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE1">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL", "national_code": "BE1"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Location" content="BE1">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
declare(
    "registry-country-mismatch",
    "warning",
    "J",
    "Country of the registered link ≠ `DC.ISO3166`",
    "IR 2020/1121 Art 2(2)",
    "Align",
    mode="registry",
    fail_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "SE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
    pass_example="""
url: https://www.example.be/fr/permis
registry: {"url": "https://www.example.be/fr/permis", "types": ["Information"], "categories": ["C2"], "languages": ["en"], "country": "BE", "notification_type": "CRAWL"}
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="BE">
<meta name="DC.Service" content="information">
<meta name="policy-code" content="C2">
<meta name="DC.Policy" content="acquiring and renewing a driving licence">
""",
)
