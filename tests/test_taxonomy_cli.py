"""`sdg-tags taxonomy lookup` and `list`: text and JSON output, exit codes, one-line argument errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sdg_tags.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["taxonomy", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_lookup_text_for_each_kind_of_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "lookup",
        "GR",
        "sv",
        "BE1",
        "NO074",
        "BE_21001",
        "21001",
        "W1",
        "C",
        "Product Contact Points for Construction",
    )
    assert code == 0
    assert err == ""
    assert out.splitlines() == [
        "GR: country Greece, ISO 3166-1 form; DC.ISO3166 uses EL",
        "sv: country El Salvador (not in the EEA)",
        "sv: language Swedish (ISO 639-1, EU official)",
        "BE1: NUTS region level 1: Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest "
        "(versions 2016, 2021, 2024; valid in 2024)",
        "NO074: statistical region level 3: Troms og Finnmark/Romsa ja Finnmárku/Tromssa ja Finmarkku "
        "(versions 2021; valid only in 2021 (replaced by NO072, NO073))",
        "BE_21001: LAU BE_21001 Anderlecht (LAU 2019, 2020; NUTS 3 BE100 (2019), BE100 (2020))",
        "21001: bare LAU code found in AT, BE, ES, FR; write it as AT_21001 (country_code) or pass --country",
        "W1: Annex II procedure (W Retiring): Claiming pension and pre-retirement benefits from compulsory "
        "schemes; legacy meaning: General registration of business activity, excluding procedures concerning "
        "the constitution of companies or firms within the meaning of the second paragraph of Article 54 TFEU",
        "C: Annex I area Vehicles in the Union (an area, not an item code)",
        "Product Contact Points for Construction: assistance service Product contact points for construction "
        "(Reg 2018/1724 Annex III)",
    ]


def test_lookup_unknown_codes_exit_1_with_hints(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", "C2", "J01", "c2", "ZZ9")
    assert code == 1
    assert out.splitlines() == [
        "C2: Annex I item (C Vehicles in the Union): acquiring and renewing a driving licence",
        "J01: unknown (did you mean J1? annex codes are upper case and not zero-padded)",
        "c2: unknown (did you mean C2? annex codes are upper case and not zero-padded)",
        "ZZ9: unknown (not a country, language, NUTS/SR region, LAU unit, annex code or known assistance service)",
    ]


def test_lookup_bare_lau_code_with_country(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", "001001", "--country", "it")
    assert code == 0
    assert out == "001001: LAU IT_001001 Agliè (LAU 2019, 2020; NUTS 3 ITC11 (2019), ITC11 (2020))\n"
    code, out, _ = run(capsys, "lookup", "1001", "--country", "IT")
    assert code == 1


def test_lookup_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", "--json", "DEG0F", "EU", "XX")
    assert code == 1
    results = json.loads(out)
    assert [r["input"] for r in results] == ["DEG0F", "EU", "XX"]
    assert [r["known"] for r in results] == [True, True, False]
    nuts = results[0]["matches"][0]
    assert {
        k: nuts[k] for k in ("kind", "classification", "code", "level", "versions", "current", "successors")
    } == {
        "kind": "nuts",
        "classification": "NUTS",
        "code": "DEG0F",
        "level": 3,
        "versions": ["2016", "2021"],
        "current": False,
        "successors": ["DEG0T"],
    }
    assert nuts["message"] == "valid in 2016 and 2021 (replaced by DEG0T)"
    # EU is no country (SPEC §9 #9), but it is the ISO 639-1 code of Basque.
    assert [m["kind"] for m in results[1]["matches"]] == ["language"]
    assert results[1]["matches"][0]["name"] == "Basque"
    assert results[2]["matches"] == []
    assert results[2]["hint"].startswith("not a country")


def test_lookup_json_country_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "lookup", "--json", "EL", "GR", "CH")
    statuses = [[m.get("status") for m in r["matches"] if m["kind"] == "country"] for r in json.loads(out)]
    assert statuses == [["eea"], ["greece-iso"], ["non-eea"]]


def test_lookup_bad_country_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lookup", "21001", "--country", "Belgium")
    assert code == 2
    assert out == ""
    assert err == "sdg-tags taxonomy: error: --country 'Belgium' is not a two-letter country code\n"


def test_list_countries_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "countries")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "code\tiso_alpha2\tname\tgroup"
    assert len(lines) == 31
    assert "EL\tGR\tGreece\tEU" in lines


@pytest.mark.parametrize(
    ("table", "rows"), [("countries", 30), ("languages", 184), ("annex1", 88), ("annex2", 21), ("annex3", 16)]
)
def test_list_json_counts(capsys: pytest.CaptureFixture[str], table: str, rows: int) -> None:
    code, out, _ = run(capsys, "list", table, "--json")
    assert code == 0
    assert len(json.loads(out)) == rows


def test_list_nuts_filters(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "nuts", "--version", "2024", "--level", "1", "--country", "be")
    assert code == 0
    assert out.splitlines() == [
        "code\tclassification\tlevel\tcountry\tlabel\tversions\textra_regio",
        "BE1\tNUTS\t1\tBE\tRégion de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest\t2016,2021,2024\tno",
        "BE2\tNUTS\t1\tBE\tVlaams Gewest\t2016,2021,2024\tno",
        "BE3\tNUTS\t1\tBE\tRégion wallonne\t2016,2021,2024\tno",
        "BEZ\tNUTS\t1\tBE\tExtra-Regio NUTS 1\t2021,2024\tyes",
    ]
    code, out, _ = run(capsys, "list", "nuts", "--version", "2024", "--level", "3", "--json")
    regions = json.loads(out)
    assert len([r for r in regions if r["classification"] == "NUTS"]) == 1192
    assert len([r for r in regions if r["classification"] == "SR"]) == 329


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "nuts", "--version", "2020"], "--version '2020' is not one of 2016, 2021, 2024"),
        (["list", "nuts", "--level", "4"], "--level 4 is not 0, 1, 2 or 3"),
        (["list", "annex1", "--country", "BE"], "--country: only for the nuts list, not annex1"),
        ([], "missing SUBCOMMAND (lookup, list, import-nuts, import-lau, import-annexes, import-iso, import-all); "
             "see 'sdg-tags taxonomy --help'"),
    ],
)  # fmt: skip
def test_wrong_arguments_give_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err == f"sdg-tags taxonomy: error: {message}\n"


@pytest.mark.parametrize(
    "argv",
    [["taxonomy", "list", "cities"], ["taxonomy", "lookup"], ["taxonomy", "list", "nuts", "--level", "one"]],
)
def test_argparse_errors_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"sdg-tags taxonomy {argv[1]}: error: ")


@pytest.mark.parametrize(
    "subcommand",
    ["lookup", "list", "import-nuts", "import-lau", "import-annexes", "import-iso", "import-all"],
)
def test_every_subcommand_has_its_own_help(capsys: pytest.CaptureFixture[str], subcommand: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["taxonomy", subcommand, "--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: sdg-tags taxonomy {subcommand}")


def test_lookup_help_documents_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["taxonomy", "lookup", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "Exit status: 0 when every CODE is known, 1 when some CODE is unknown, 2 on wrong arguments." in out
    )


@pytest.mark.slow
def test_installed_command_runs_lookup() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sdg_tags.cli.main", "taxonomy", "lookup", "EL"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "EL: country Greece (EU; EEA country code for DC.ISO3166)"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.sampled_from([None, "BE", "IT"]))
def test_lookup_never_crashes(code: str, country: str | None) -> None:
    from sdg_tags.cli.commands.taxonomy import lookup_matches, unknown_hint

    for match in lookup_matches(code, country):
        assert match["kind"] and match["text"]
    assert unknown_hint(code)
