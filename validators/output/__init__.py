"""Output formats of `sdg-tags check`: pure functions from a list of `PageResult` to text (no I/O).

`text` for people, `json_format` (the public JSON interface, docs/output-format.md), `junit` for CI test
reports, `sarif` (2.1.0) for code-scanning tools; `outcome` says which findings fail a run.
"""

OUTPUT_FORMATS: tuple[str, ...] = ("text", "json", "junit", "sarif")
