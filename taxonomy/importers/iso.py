"""`import-iso`: ISO 3166-1 countries and ISO 639-1 languages from pycountry -> shipped TSV files.

pycountry is only imported here: it takes long to load, and lookups must stay fast.
"""

from __future__ import annotations

from pathlib import Path

from sdg_tags.taxonomy import sources


def import_iso(out_dir: Path) -> list[Path]:
    """Write the ISO 3166-1 alpha-2 list (code, name) and the ISO 639-1 list (code, 639-2/T, 639-2/B, name)."""
    import pycountry

    countries = sorted(
        (country.alpha_2, getattr(country, "common_name", None) or country.name)
        for country in pycountry.countries
    )
    languages = sorted(
        (
            language.alpha_2,
            language.alpha_3,
            getattr(language, "bibliographic", "") or "",
            language.name,
        )
        for language in pycountry.languages
        if hasattr(language, "alpha_2")
    )
    country_path = out_dir / sources.ISO3166_FILE
    language_path = out_dir / sources.ISO639_FILE
    country_text = sources.tsv_text(("alpha2", "name"), countries)
    language_text = sources.tsv_text(
        ("alpha2", "alpha3_terminology", "alpha3_bibliographic", "name"), languages
    )
    sources.write_atomically(country_path, country_text)
    sources.write_atomically(language_path, language_text)
    return [country_path, language_path]
