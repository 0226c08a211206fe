"""Reference tables for SDG tags: countries, languages, NUTS/SR regions, LAU units, SDGR annexes.

Tables ship as generated files in `taxonomy/data/` (see `sdg-tags taxonomy import-*`), are loaded on first
lookup and cached; later lookups are dictionary accesses. This package never imports scrapy, sqlalchemy,
extruct, pycountry or openpyxl at import or lookup time.
"""

from __future__ import annotations

from sdg_tags.taxonomy import annexes, countries, languages, lau, nuts
from sdg_tags.taxonomy.annexes import (
    LABEL_NOT_CONFIRMED,
    SERVICE_TYPES,
    Annex1Item,
    Annex2Item,
    AssistanceService,
    annex1_areas,
    annex1_item,
    annex1_items,
    annex2_item,
    annex2_items,
    annex2_life_events,
    assistance_service,
    assistance_services,
    normalize_title,
    today,
)
from sdg_tags.taxonomy.countries import (
    Country,
    CountryLookup,
    classify_country,
    eea_countries,
    eea_country,
    iso_countries,
)
from sdg_tags.taxonomy.languages import (
    DEPRECATED_639_1,
    Language,
    LanguageTag,
    all_languages,
    from_iso639_2,
    iso639_1,
    language_code_for_name,
    parse_bcp47,
)
from sdg_tags.taxonomy.lau import (
    GISCO_FORM,
    LAU_VINTAGES,
    LauUnit,
    countries_with_lau_code,
    lau_countries,
    lau_unit,
)
from sdg_tags.taxonomy.nuts import (
    NUTS_LATEST,
    NUTS_VERSIONS,
    NutsRegion,
    NutsStatus,
    nuts_region,
    nuts_region_entries,
    nuts_regions,
    nuts_status,
    successors,
)
from sdg_tags.taxonomy.sources import default_reference_dir
from sdg_tags.taxonomy.versions import CODE_LIST_VERSIONS, code_list_versions


def load_all() -> None:
    """Load every table now (web app warm-up, benchmarks) instead of on first lookup."""
    countries.load()
    languages.load()
    annexes.load()
    nuts.load()
    lau.load()


__all__ = [
    "CODE_LIST_VERSIONS",
    "DEPRECATED_639_1",
    "GISCO_FORM",
    "LABEL_NOT_CONFIRMED",
    "LAU_VINTAGES",
    "NUTS_LATEST",
    "NUTS_VERSIONS",
    "SERVICE_TYPES",
    "Annex1Item",
    "Annex2Item",
    "AssistanceService",
    "Country",
    "CountryLookup",
    "Language",
    "LanguageTag",
    "LauUnit",
    "NutsRegion",
    "NutsStatus",
    "all_languages",
    "annex1_areas",
    "annex1_item",
    "annex1_items",
    "annex2_item",
    "annex2_items",
    "annex2_life_events",
    "assistance_service",
    "assistance_services",
    "classify_country",
    "code_list_versions",
    "countries_with_lau_code",
    "default_reference_dir",
    "eea_countries",
    "eea_country",
    "from_iso639_2",
    "iso639_1",
    "iso_countries",
    "language_code_for_name",
    "lau_countries",
    "lau_unit",
    "load_all",
    "normalize_title",
    "nuts_region",
    "nuts_region_entries",
    "nuts_regions",
    "nuts_status",
    "parse_bcp47",
    "successors",
    "today",
]
