"""Benchmark: cost of the page rules per page (budget: all rules together well under 100 us on a typical page).

For three pages (a valid information page, a page with a dozen problems, an untagged page) it times, on an
extracted page: every enabled rule in table order on a fresh `RuleContext` (what `validate` pays for rules),
the rules of each module alone, and the whole of `validate`. Best of several repeats, so other load on the
machine inflates the numbers less. Writes bench/results/rules.json. No assertions: numbers for people.
Run: `.venv/bin/python -m bench.bench_rules [--number N] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import platform
import timeit
from collections.abc import Callable

from sdg_tags.validators.engine import validate
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import ValidationOptions
from sdg_tags.validators.page_types import determine_page_types
from sdg_tags.validators.rules import Rule, RuleContext, page_rules

from bench.results_file import write_result

BUDGET_US = 100.0


def _page(tags: list[tuple[str, str]], lang: str = "en") -> bytes:
    metas = "\n".join(f'<meta name="{name}" content="{content}">' for name, content in tags)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>Driving licence</title>\n'
        f'<link rel="canonical" href="https://www.example.be/permis">\n{metas}\n</head>\n<body><p>x</p></body></html>'
    ).encode()


PAGES: dict[str, bytes] = {
    "valid": _page(
        [
            ("sdg-tag", "sdg"),
            ("DC.ISO3166", "BE"),
            ("DC.Location", "BE1"),
            ("DC.Service", "information"),
            ("policy-code", "C2"),
            ("DC.Policy", "acquiring and renewing a driving licence"),
        ]
    ),
    "messy": _page(
        [
            ("sdg-tag", "SDG "),
            ("DC.ISO3166", "gr"),
            ("dc.service", "information,procedure"),
            ("policy-code", "C2;;c2"),
            ("DC.Policy", " x ;y"),
            ("DC.Language", "EN-GB"),
            ("DC.ISO3166", "SE"),
        ],
        lang="sv",
    ),
    "untagged": _page([]),
}


def _best_us(function: Callable[[], object], number: int, repeat: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def _run_rules(page: object, options: ValidationOptions, rules: list[Rule]) -> Callable[[], None]:
    def run() -> None:
        ctx = RuleContext(page, options)  # type: ignore[arg-type]
        ctx.page_types, ctx.page_types_inferred = determine_page_types(ctx)
        for spec in rules:
            for _finding in spec.check(ctx):  # type: ignore[misc]
                pass

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000, help="calls per timing (default 2000)")
    parser.add_argument("--repeat", type=int, default=7, help="timings, the best is kept (default 7)")
    args = parser.parse_args(argv)

    options = ValidationOptions()
    rules = [spec for spec in page_rules() if spec.enabled_by_default]
    modules = sorted({spec.check.__module__ for spec in rules})  # type: ignore[union-attr]
    results: dict[str, dict[str, object]] = {}
    for name, body in PAGES.items():
        page = extract_tags(body)
        findings = len(validate(page, options).findings)
        per_module = {
            module.rsplit(".", 1)[-1]: round(
                _best_us(
                    _run_rules(page, options, [s for s in rules if s.check.__module__ == module]),  # type: ignore[union-attr]
                    args.number,
                    args.repeat,
                ),
                1,
            )
            for module in modules
        }
        results[name] = {
            "findings": findings,
            "all_rules_us": round(_best_us(_run_rules(page, options, rules), args.number, args.repeat), 1),
            "validate_us": round(
                _best_us(lambda page=page: validate(page, options), args.number, args.repeat), 1
            ),
            "per_module_us": per_module,
        }
        print(
            f"{name:9} {findings:2} findings  all rules {results[name]['all_rules_us']:6.1f} us  "
            f"validate {results[name]['validate_us']:6.1f} us  (budget for rules {BUDGET_US:g} us)"
        )
        print("          " + "  ".join(f"{module} {us}" for module, us in per_module.items()))
    document = {
        "benchmark": "rules",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rules": len(rules),
        "budget_us": BUDGET_US,
        "pages": results,
    }
    write_result("rules", document)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
