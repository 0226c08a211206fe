"""`sdg-tags taxonomy lookup` and `list`: text and JSON output, exit codes, one-line argument errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
        "schemes (Reg 2018/1724, applies from 2020-12-12); legacy meaning: General registration of business activity, excluding procedures concerning "
        "the constitution of companies or firms within the meaning of the second paragraph of Article 54 TFEU",
        "C: Annex I area Vehicles in the Union (an area, not an item code)",
        "Product Contact Points for Construction: assistance service Product contact points for construction "
        "(Reg 2018/1724 Annex III)",
    ]


def test_lookup_unknown_codes_exit_1_with_hints(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", "C2", "J01", "c2", "ZZ9")
    assert code == 1
    assert out.splitlines() == [
        "C2: Annex I item (C Vehicles in the Union): acquiring and renewing a driving licence (Reg 2018/1724, "
        "applies from 2020-12-12)",
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
    ("table", "rows"), [("countries", 30), ("languages", 184), ("annex1", 98), ("annex2", 29), ("annex3", 19)]
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
        (["list", "annex3", "--as-of", "2024-01-01"], "--as-of: only for the annex1 and annex2 lists, not annex3"),
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
        "Exit status: 0 when every CODE is known (in force on --as-of, if given), 1 when some CODE is unknown, 2 on "
        "wrong arguments." in out
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


# --- the lists in force (SPEC §5.7) --------------------------------------------------------------------------


def test_lookup_new_codes_with_title_or_label_not_confirmed_and_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "lookup", "N4", "R2", "AJ1", "X7", "V5")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "N4: Annex I item (N Services): information on rules governing the provision of short-term accommodation "
        "rental services, including the lists referred to in Article 13 of Regulation (EU) 2024/1028 of the "
        "European Parliament and of the Council (Reg 2024/1028, applies from 2026-05-20)",
        "R2: Annex I item (R Net-zero technology manufacturing projects): financing and investment services "
        "(Reg 2024/1735, applies from 2024-06-29)",
        "AJ1: Annex I item (AJ Critical raw materials projects): the single points of contact established or "
        "designated pursuant to Article 9(1) of Regulation (EU) 2024/1252 of the European Parliament and of the "
        "Council (Reg 2024/1252, applies from 2024-05-23)",
        "X7: Annex II procedure (X Starting, running and closing a business): label not confirmed (OOTS "
        "Procedures-CodeList 1.2.5/2.0.1 (introducing act not confirmed), applies from 2026-02-19); short-term "
        "rental family of the procedure code list; numerique-gouv/oots-france docs/versions_tdd.md (commit f47b6a4)",
        "V5: Annex II procedure (V Moving): label not confirmed (OOTS Procedures-CodeList 1.2.5/2.0.1 "
        "(introducing act not confirmed), applies from 2026-02-19); driving licences family of the procedure code "
        "list (Directive (EU) 2025/2205); numerique-gouv/oots-france docs/versions_tdd.md (commit f47b6a4)",
    ]


def test_lookup_json_carries_act_date_and_label_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", "X10", "V5", "--json")
    assert code == 0
    x10, v5 = (result["matches"][0] for result in json.loads(out))
    assert (x10["title"], x10["act"], x10["applies_from"], x10["label_confirmed"]) == (
        "Notification of a data intermediation services provider",
        "Reg 2022/868",
        "2023-09-24",
        True,
    )
    assert "eb_requirements_catalogue.xml" in x10["label_source"]
    assert (v5["title"], v5["label_confirmed"], v5["label_source"], v5["in_force"]) == ("", False, None, True)


def test_lookup_r1_shows_both_meanings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", "R1")
    assert code == 0
    assert out.splitlines() == [
        "R1: Annex I item (R Net-zero technology manufacturing projects): information on the permit-granting "
        "process (Reg 2024/1735, applies from 2024-06-29); also an Annex II code: pages are read by DC.Service and "
        "DC.Policy (policy-code-ambiguous)",
        "R1: Annex II procedure (R Birth): Requesting proof of registration of birth (Reg 2018/1724, applies from "
        "2020-12-12)",
    ]


def test_lookup_as_of_before_a_code_applies_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", "N4", "--as-of", "2026-04-01")
    assert code == 1
    assert out.endswith("(Reg 2024/1028, applies from 2026-05-20; not in force on 2026-04-01)\n")
    assert run(capsys, "lookup", "N4", "--as-of", "2026-05-20")[0] == 0
    code, out, _ = run(capsys, "lookup", "AJ01", "aj1")
    assert code == 1
    assert out.splitlines() == [
        "AJ01: unknown (did you mean AJ1? annex codes are upper case and not zero-padded)",
        "aj1: unknown (did you mean AJ1? annex codes are upper case and not zero-padded)",
    ]


def test_list_annex1_as_of_shows_that_days_lists(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "annex1", "--as-of", "2024-01-01")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "code\tarea_code\tarea_title\ttitle\taudience\tact\tapplies_from"
    assert len(lines) == 1 + 88
    assert lines[-1].split("\t")[0] == "Q1"
    code, out, _ = run(capsys, "list", "annex1", "--as-of", "2024-06-01", "--json")
    assert [row["code"] for row in json.loads(out)][-6:] == ["Q1", "AJ1", "AJ2", "AJ3", "AJ4", "AJ5"]
    code, out, _ = run(capsys, "list", "annex2", "--as-of", "2023-09-24", "--json")
    assert [row["code"] for row in json.loads(out)][-3:] == ["X6", "X10", "X11"]


@pytest.mark.parametrize(
    "command", [["taxonomy", "lookup", "N4"], ["taxonomy", "list", "annex1"], ["check", "-"]]
)
@pytest.mark.parametrize("value", ["2026-02-30", "01/06/2026", "2026-6-1", "today", ""])
def test_bad_as_of_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], command: list[str], value: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*command, "--as-of", value])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"argument --as-of: invalid date {value!r}; give YYYY-MM-DD, e.g. 2026-06-01" in err


def test_check_as_of_chooses_the_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "n4.html"
    page.write_text(
        '<html lang="en"><head><meta name="sdg-tag" content="sdg"><meta name="DC.ISO3166" content="SE">'
        '<meta name="DC.Service" content="information"><meta name="policy-code" content="N4"></head></html>',
        encoding="utf-8",
    )
    assert main(["check", str(page), "--as-of", "2026-04-01", "--format", "json"]) == 1
    before = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in before["pages"][0]["findings"]] == ["policy-code-unknown"]
    assert main(["check", str(page), "--as-of", "2026-06-01", "--format", "json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert "policy-code-unknown" not in [f["rule"] for f in after["pages"][0]["findings"]]
