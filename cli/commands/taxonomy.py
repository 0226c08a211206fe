"""`sdg-tags taxonomy`: look up codes, list code lists, regenerate the shipped reference data."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

LIST_NAMES = ("countries", "languages", "nuts", "annex1", "annex2", "annex3")
DATED_LISTS = ("annex1", "annex2")  # the lists whose codes apply from a date (SPEC §5.7)
LOOKUP_EPILOG = (
    "Each CODE may be a country (SE, GR, CH), language (sv, en-GB, swe), NUTS/SR region (BE1, NO074), LAU unit "
    "(BE_21001, or 21001 with --country BE), Annex I item (C2, AJ1) or area (C, AJ), Annex II procedure (X1), or "
    "an assistance service name in quotes. Every interpretation found is printed, annex codes with the act that "
    "introduced them and the date from which they apply. "
    "Exit status: 0 when every CODE is known (in force on --as-of, if given), 1 when some CODE is unknown, 2 on "
    "wrong arguments."
)
AS_OF_HELP = "the code lists in force on this date (default: every code the lists know)"


def as_of_argument(value: str) -> date:
    """`--as-of YYYY-MM-DD` (check, taxonomy list/lookup): a calendar date, else a one-line usage error."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"invalid date {value!r}; give YYYY-MM-DD, e.g. 2026-06-01")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "taxonomy",
        help="look up codes, list code lists, regenerate reference data",
        description="Reference tables used by the validator: EEA countries, ISO 639-1 languages, NUTS/SR "
        "regions, LAU units, SDGR Annex I/II/III.",
    )
    parser.set_defaults(handler=run, taxonomy_command=None)
    commands = parser.add_subparsers(dest="taxonomy_command", metavar="SUBCOMMAND", parser_class=type(parser))

    lookup = commands.add_parser(
        "lookup", help="say what each code is", description="Say what each code is.", epilog=LOOKUP_EPILOG
    )
    lookup.add_argument("codes", nargs="+", metavar="CODE")
    lookup.add_argument("--country", metavar="CC", help="country of bare LAU codes (EL for Greece)")
    lookup.add_argument("--json", action="store_true", help="print JSON instead of text")
    lookup.add_argument("--as-of", type=as_of_argument, metavar="YYYY-MM-DD", help=AS_OF_HELP)

    listing = commands.add_parser(
        "list",
        help="print a code list",
        description="Print a code list. --version, --level and --country filter the nuts list only; --as-of the "
        "annex1 and annex2 lists only.",
    )
    listing.add_argument("table", choices=LIST_NAMES, metavar="{" + ",".join(LIST_NAMES) + "}")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")
    listing.add_argument(
        "--version", dest="nuts_version", metavar="YEAR", help="NUTS version: 2016, 2021, 2024"
    )
    listing.add_argument("--level", type=int, metavar="N", help="NUTS level 0-3")
    listing.add_argument("--country", metavar="CC", help="country prefix of the NUTS codes (EL for Greece)")
    listing.add_argument("--as-of", type=as_of_argument, metavar="YYYY-MM-DD", help=AS_OF_HELP)

    out_help = "folder to write the generated file(s) to (default: the package's taxonomy/data)"
    nuts = commands.add_parser(
        "import-nuts",
        help="regenerate the NUTS file from the Eurostat workbook",
        description="Regenerate the shipped NUTS/SR file from Eurostat's NUTS2021-NUTS2024.xlsx and the JRC "
        "NUTS converter tables (NUTS 2016 codes, successor codes).",
    )
    nuts.add_argument("workbook", type=Path, metavar="FILE.xlsx")
    nuts.add_argument(
        "--jrc-dir", type=Path, metavar="DIR", help="JRC converter tables (default: reference folder)"
    )
    nuts.add_argument("--out", type=Path, metavar="DIR", help=out_help)

    lau = commands.add_parser(
        "import-lau",
        help="regenerate the LAU file from Eurostat / EDJNet files",
        description="Regenerate the shipped LAU file from Eurostat LAU-NUTS files (xlsx or csv, ';' or ',', with "
        "or without header) and EDJNet concordance csv files. Give every file of every vintage to ship.",
    )
    lau.add_argument("files", nargs="+", type=Path, metavar="FILE")
    lau.add_argument(
        "--vintage", metavar="YEAR", help="LAU vintage of all FILEs (default: from each file name)"
    )
    lau.add_argument("--out", type=Path, metavar="DIR", help=out_help)

    annexes = commands.add_parser(
        "import-annexes",
        help="regenerate the annex and EEA-country files",
        description="Regenerate the shipped Annex I/II/III and EEA-country files from the four CSV files "
        "(annex1_information_areas.csv, annex2_procedures.csv, annex3_assistance_services.csv, eea_countries.csv).",
    )
    annexes.add_argument("directory", type=Path, nargs="?", metavar="DIR", help="default: reference folder")
    annexes.add_argument("--out", type=Path, metavar="DIR", help=out_help)

    iso = commands.add_parser(
        "import-iso",
        help="regenerate the ISO 3166-1 / ISO 639-1 files from pycountry",
        description="Regenerate the shipped ISO 3166-1 alpha-2 country and ISO 639-1 language files from the "
        "installed pycountry.",
    )
    iso.add_argument("--out", type=Path, metavar="DIR", help=out_help)

    everything = commands.add_parser(
        "import-all",
        help="regenerate every shipped file from the reference folder",
        description="Run import-annexes, import-iso, import-nuts and import-lau on the reference folder.",
    )
    everything.add_argument(
        "--reference-dir",
        type=Path,
        metavar="DIR",
        help="default: $SDG_REFERENCE_DIR or ../shared/data/reference beside the checkout",
    )
    everything.add_argument("--out", type=Path, metavar="DIR", help=out_help)


def run(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError

    command = args.taxonomy_command
    if command is None:
        raise CommandLineError(
            "missing SUBCOMMAND (lookup, list, import-nuts, import-lau, import-annexes, "
            "import-iso, import-all); see 'sdg-tags taxonomy --help'"
        )
    if command == "lookup":
        return run_lookup(args)
    if command == "list":
        return run_list(args)
    return run_import(args)


# --- lookup ----------------------------------------------------------------------------------------------


def _dated(act: str, applies_from: date, as_of: date | None) -> tuple[str, bool]:
    """The act/date part of an annex code's text, and whether the code is in force on `as_of`."""
    in_force = as_of is None or applies_from <= as_of
    text = f"{act}, applies from {applies_from.isoformat()}"
    if not in_force and as_of is not None:
        text += f"; not in force on {as_of.isoformat()}"
    return text, in_force


def lookup_matches(code: str, lau_country: str | None, as_of: date | None = None) -> list[dict[str, Any]]:
    """Every interpretation of one code, each a dict with `kind`, `text` (one line for people) and details;
    annex codes also say whether they are in force on `as_of` (`in_force`)."""
    from sdg_tags import taxonomy

    value = code.strip()
    matches: list[dict[str, Any]] = []
    upper = value.upper()

    if re.fullmatch(r"[A-Za-z]{2}", value):
        found = taxonomy.classify_country(value)
        country = found.country
        if found.kind == "eea" and country is not None:
            text = f"country {country.name} ({country.group}; EEA country code for DC.ISO3166)"
            if value != upper:
                text += f"; write it in upper case: {upper}"
            matches.append(
                {
                    "kind": "country",
                    "status": "eea",
                    "code": upper,
                    "name": country.name,
                    "group": country.group,
                    "text": text,
                }
            )
        elif found.kind == "greece-iso":
            matches.append(
                {
                    "kind": "country",
                    "status": "greece-iso",
                    "code": upper,
                    "name": "Greece",
                    "group": "EU",
                    "text": "country Greece, ISO 3166-1 form; DC.ISO3166 uses EL",
                }
            )
        elif found.kind == "non-eea" and country is not None:
            matches.append(
                {
                    "kind": "country",
                    "status": "non-eea",
                    "code": upper,
                    "name": country.name,
                    "group": country.group,
                    "text": f"country {country.name} (not in the EEA)",
                }
            )

    matches.extend(language_matches(value))

    for region in taxonomy.nuts_region_entries(upper):
        status = taxonomy.nuts_status(upper)
        current = taxonomy.NUTS_LATEST in region.versions
        message = f"valid in {taxonomy.NUTS_LATEST}" if current else (status.message if status else "")
        label = f": {region.label}" if region.label else ""
        kind_text = "statistical region" if region.classification == "SR" else "NUTS region"
        extra = ", extra-regio (not a place)" if region.extra_regio else ""
        versions = ", ".join(region.versions)
        text = f"{kind_text} level {region.level}{extra}{label} (versions {versions}; {message})"
        if value != upper:
            text += f"; write it in upper case: {upper}"
        matches.append(
            {
                "kind": "nuts",
                "classification": region.classification,
                "code": region.code,
                "level": region.level,
                "country": region.country,
                "label": region.label,
                "versions": list(region.versions),
                "extra_regio": region.extra_regio,
                "current": current,
                "successors": list(taxonomy.successors(upper)) if not current else [],
                "message": message,
                "text": text,
            }
        )

    matches.extend(lau_matches(value, lau_country))

    item1 = taxonomy.annex1_item(value)
    item2 = taxonomy.annex2_item(value)
    both = item1 is not None and item2 is not None and item1.in_force(as_of) and item2.in_force(as_of)
    if item1 is not None:
        dated, in_force = _dated(item1.act, item1.applies_from, as_of)
        text = f"Annex I item ({item1.area_code} {item1.area_title}): {item1.title} ({dated})"
        if both:
            text += (
                "; also an Annex II code: pages are read by DC.Service and DC.Policy (policy-code-ambiguous)"
            )
        matches.append(
            {
                "kind": "annex1",
                "code": item1.code,
                "area_code": item1.area_code,
                "area_title": item1.area_title,
                "title": item1.title,
                "audience": item1.audience,
                "act": item1.act,
                "applies_from": item1.applies_from.isoformat(),
                "in_force": in_force,
                "text": text,
            }
        )
    elif value in taxonomy.annex1_areas():
        matches.append(
            {
                "kind": "annex1-area",
                "code": value,
                "title": taxonomy.annex1_areas()[value],
                "text": f"Annex I area {taxonomy.annex1_areas()[value]} (an area, not an item code)",
            }
        )
    if item2 is not None:
        dated, in_force = _dated(item2.act, item2.applies_from, as_of)
        event = item2.life_event or taxonomy.LABEL_NOT_CONFIRMED
        if item2.label_confirmed:
            text = f"Annex II procedure ({item2.life_event_code} {event}): {item2.title} ({dated})"
        else:
            text = f"Annex II procedure ({item2.life_event_code} {event}): {taxonomy.LABEL_NOT_CONFIRMED} ({dated})"
            if item2.note:
                text += f"; {item2.note}"
        if item2.legacy_title:
            text += f"; legacy meaning: {item2.legacy_title}"
        matches.append(
            {
                "kind": "annex2",
                "code": item2.code,
                "life_event_code": item2.life_event_code,
                "life_event": item2.life_event,
                "title": item2.title,
                "expected_output": item2.expected_output,
                "legacy_title": item2.legacy_title,
                "act": item2.act,
                "applies_from": item2.applies_from.isoformat(),
                "label_confirmed": item2.label_confirmed,
                "label_source": item2.label_source,
                "note": item2.note,
                "in_force": in_force,
                "text": text,
            }
        )
    service = taxonomy.assistance_service(value)
    if service is not None:
        matches.append(
            {
                "kind": "assistance",
                "name": service.name,
                "basis": service.basis,
                "source": service.source,
                "text": f"assistance service {service.name} ({service.source})",
            }
        )
    return matches


def language_matches(value: str) -> list[dict[str, Any]]:
    from sdg_tags import taxonomy

    lower = value.lower()
    if re.fullmatch(r"[A-Za-z]{2}", value):
        language = taxonomy.iso639_1(lower)
        if language is not None:
            text = f"language {language.name} (ISO 639-1"
            text += ", EU official)" if language.eu_official else ")"
            if value != lower:
                text += f"; write it in lower case: {lower}"
            return [
                {
                    "kind": "language",
                    "code": lower,
                    "name": language.name,
                    "eu_official": language.eu_official,
                    "gateway": language.gateway,
                    "text": text,
                }
            ]
        if lower in taxonomy.DEPRECATED_639_1:
            replacement = taxonomy.DEPRECATED_639_1[lower]
            return [
                {
                    "kind": "language",
                    "code": lower,
                    "deprecated": True,
                    "replacement": replacement,
                    "text": f"withdrawn ISO 639-1 code; use {replacement}",
                }
            ]
        return []
    if re.fullmatch(r"[A-Za-z]{3}", value):
        code = taxonomy.from_iso639_2(value)
        if code is not None:
            return [
                {
                    "kind": "language",
                    "code": code,
                    "iso639_2": lower,
                    "text": f"ISO 639-2 code of {taxonomy.iso639_1(code).name} ({code} in ISO 639-1)",
                }
            ]
        return []
    if "-" in value:
        tag = taxonomy.parse_bcp47(value)
        language = taxonomy.iso639_1(tag.primary) if tag is not None and tag.well_formed else None
        if tag is not None and language is not None:
            parts = [f"language tag: {language.name}"]
            if tag.script:
                parts.append(f"script {tag.script}")
            if tag.region:
                parts.append(f"region {tag.region}")
            return [
                {
                    "kind": "language-tag",
                    "tag": tag.tag,
                    "primary": tag.primary,
                    "script": tag.script,
                    "region": tag.region,
                    "text": ", ".join(parts),
                }
            ]
    return []


def lau_matches(value: str, lau_country: str | None) -> list[dict[str, Any]]:
    from sdg_tags import taxonomy

    def describe(unit: taxonomy.LauUnit) -> dict[str, Any]:
        nuts3 = ", ".join(f"{code} ({vintage})" for vintage, code in unit.nuts3)
        return {
            "kind": "lau",
            "gisco_id": unit.gisco_id,
            "country": unit.country,
            "code": unit.code,
            "name": unit.name,
            "nuts3": [list(pair) for pair in unit.nuts3],
            "vintages": list(unit.vintages),
            "text": f"LAU {unit.gisco_id} {unit.name} (LAU {', '.join(unit.vintages)}; NUTS 3 {nuts3})",
        }

    gisco = taxonomy.GISCO_FORM.match(value)
    if gisco:
        unit = taxonomy.lau_unit(gisco.group(1).upper(), gisco.group(2))
        return [describe(unit)] if unit is not None else []
    if not re.fullmatch(r"[A-Za-z0-9]+", value):
        return []
    if lau_country:
        unit = taxonomy.lau_unit(lau_country, value)
        return [describe(unit)] if unit is not None else []
    countries = taxonomy.countries_with_lau_code(value)
    if not countries:
        return []
    return [
        {
            "kind": "lau-code",
            "code": value,
            "countries": list(countries),
            "text": f"bare LAU code found in {', '.join(countries)}; write it as "
            f"{countries[0]}_{value} (country_code) or pass --country",
        }
    ]


def unknown_hint(code: str) -> str:
    """A suggestion for a near miss: wrong case or zero padding of an annex code (`c2`, `J01` -> `C2`, `J1`)."""
    from sdg_tags import taxonomy

    value = code.strip().upper()
    unpadded = re.sub(r"^([A-Z]{1,2})0+(\d)", r"\1\2", value)
    for candidate in dict.fromkeys((value, unpadded)):
        if candidate != code and (taxonomy.annex1_item(candidate) or taxonomy.annex2_item(candidate)):
            return f" (did you mean {candidate}? annex codes are upper case and not zero-padded)"
    return " (not a country, language, NUTS/SR region, LAU unit, annex code or known assistance service)"


def run_lookup(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError

    lau_country = args.country.strip().upper() if args.country else None
    if lau_country is not None and not re.fullmatch(r"[A-Z]{2}", lau_country):
        raise CommandLineError(f"--country {args.country!r} is not a two-letter country code")
    results = []
    for code in args.codes:
        matches = lookup_matches(code, lau_country, args.as_of) if code.strip() else []
        known = any(match.get("in_force", True) for match in matches)
        result: dict[str, Any] = {"input": code, "known": known, "matches": matches}
        if not matches:
            result["hint"] = unknown_hint(code).strip(" ()")
        results.append(result)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for result in results:
            if not result["matches"]:
                print(f"{result['input']}: unknown{unknown_hint(result['input'])}")
            for match in result["matches"]:
                print(f"{result['input']}: {match['text']}")
    return 0 if all(result["known"] for result in results) else 1


# --- list ------------------------------------------------------------------------------------------------


def list_rows(args: argparse.Namespace) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """(column names, rows) of the requested list after the NUTS filters."""
    from sdg_tags import taxonomy

    table = args.table
    if table == "countries":
        return ("code", "iso_alpha2", "name", "group"), [
            {"code": c.code, "iso_alpha2": c.iso_alpha2, "name": c.name, "group": c.group}
            for c in taxonomy.eea_countries()
        ]
    if table == "languages":
        return ("code", "name", "eu_official", "gateway"), [
            {"code": lang.code, "name": lang.name, "eu_official": lang.eu_official, "gateway": lang.gateway}
            for lang in taxonomy.all_languages()
        ]
    if table == "annex1":
        return ("code", "area_code", "area_title", "title", "audience", "act", "applies_from"), [
            {
                "code": i.code,
                "area_code": i.area_code,
                "area_title": i.area_title,
                "title": i.title,
                "audience": i.audience,
                "act": i.act,
                "applies_from": i.applies_from.isoformat(),
            }
            for i in taxonomy.annex1_items(args.as_of)
        ]
    if table == "annex2":
        columns = ("code", "life_event_code", "life_event", "title", "expected_output", "legacy_title")
        return (*columns, "act", "applies_from", "label_source", "note"), [
            {
                "code": i.code,
                "life_event_code": i.life_event_code,
                "life_event": i.life_event,
                "title": i.title or taxonomy.LABEL_NOT_CONFIRMED,
                "expected_output": i.expected_output,
                "legacy_title": i.legacy_title,
                "act": i.act,
                "applies_from": i.applies_from.isoformat(),
                "label_source": i.label_source,
                "note": i.note,
            }
            for i in taxonomy.annex2_items(args.as_of)
        ]
    if table == "annex3":
        return ("name", "basis", "source", "act", "applies_from", "note"), [
            {
                "name": s.name,
                "basis": s.basis,
                "source": s.source,
                "act": s.act,
                "applies_from": s.applies_from.isoformat(),
                "note": s.note,
            }
            for s in taxonomy.assistance_services()
        ]
    regions = taxonomy.nuts_regions(
        version=args.nuts_version, level=args.level, country=args.country.upper() if args.country else None
    )
    return ("code", "classification", "level", "country", "label", "versions", "extra_regio"), [
        {
            "code": r.code,
            "classification": r.classification,
            "level": r.level,
            "country": r.country,
            "label": r.label,
            "versions": list(r.versions),
            "extra_regio": r.extra_regio,
        }
        for r in regions
    ]


def text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def run_list(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.taxonomy import NUTS_VERSIONS

    if args.table != "nuts":
        used = [
            flag
            for flag, value in (
                ("--version", args.nuts_version),
                ("--level", args.level),
                ("--country", args.country),
            )
            if value is not None
        ]
        if used:
            raise CommandLineError(f"{', '.join(used)}: only for the nuts list, not {args.table}")
    if args.as_of is not None and args.table not in DATED_LISTS:
        raise CommandLineError(f"--as-of: only for the {' and '.join(DATED_LISTS)} lists, not {args.table}")
    if args.nuts_version is not None and args.nuts_version not in NUTS_VERSIONS:
        raise CommandLineError(f"--version {args.nuts_version!r} is not one of {', '.join(NUTS_VERSIONS)}")
    if args.level is not None and not 0 <= args.level <= 3:
        raise CommandLineError(f"--level {args.level} is not 0, 1, 2 or 3")
    columns, rows = list_rows(args)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    # Tab-separated with a header: readable in a terminal, and `cut`/spreadsheets take it as is.
    print("\t".join(columns))
    for row in rows:
        print("\t".join(text_cell(row[column]) for column in columns))
    return 0


# --- import ----------------------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    from sdg_tags.cli.main import CommandLineError
    from sdg_tags.taxonomy import sources
    from sdg_tags.taxonomy.importers import ImportFileError
    from sdg_tags.taxonomy.importers.annexes import import_annexes
    from sdg_tags.taxonomy.importers.iso import import_iso
    from sdg_tags.taxonomy.importers.lau import import_lau
    from sdg_tags.taxonomy.importers.nuts import JRC_DEFAULT_SUBDIR, import_nuts

    out_dir: Path = args.out or sources.PACKAGE_DATA_DIR
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandLineError(f"--out {out_dir}: not a directory")
    command = args.taxonomy_command
    reference = getattr(args, "reference_dir", None) or sources.default_reference_dir()
    try:
        if command == "import-nuts":
            written = [import_nuts(args.workbook, args.jrc_dir or reference / JRC_DEFAULT_SUBDIR, out_dir)]
        elif command == "import-lau":
            written = [import_lau(args.files, out_dir, args.vintage)]
        elif command == "import-annexes":
            written = import_annexes(args.directory or reference / "annexes", out_dir)
        elif command == "import-iso":
            written = import_iso(out_dir)
        else:  # import-all
            if not reference.is_dir():
                raise CommandLineError(
                    f"reference folder {reference} not found; pass --reference-dir or set SDG_REFERENCE_DIR"
                )
            written = [
                *import_annexes(reference / "annexes", out_dir),
                *import_iso(out_dir),
                import_nuts(
                    reference / "nuts" / "NUTS2021-NUTS2024.xlsx", reference / JRC_DEFAULT_SUBDIR, out_dir
                ),
                import_lau(sorted((reference / "lau").glob("*/*.csv")), out_dir),
            ]
    except ImportFileError as exc:
        raise CommandLineError(str(exc)) from None
    except OSError as exc:
        raise CommandLineError(f"cannot write to {out_dir}: {exc.strerror}") from None
    for path in written:
        print(f"wrote {path}", file=sys.stdout)
    return 0
