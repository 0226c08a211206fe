"""The import commands: the reference folder reproduces the shipped data byte for byte; bad files fail with one
line and leave the data untouched; LAU and NUTS sources are read by header text in all accepted shapes."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from sdg_tags.cli.main import main
from sdg_tags.taxonomy import sources

REFERENCE_DIR = sources.default_reference_dir()
SHIPPED_FILES = (
    "annex1.tsv",
    "annex2.tsv",
    "annex3.tsv",
    "eea_countries.tsv",
    "iso3166.tsv",
    "iso639.tsv",
    "lau.tsv.gz",
    "nuts.tsv.gz",
)


def digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def shipped_text(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped data folder, the target of imports that must fail without touching it."""
    target = tmp_path / "data"
    shutil.copytree(sources.PACKAGE_DATA_DIR, target)
    return target


def test_reference_folder_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (REFERENCE_DIR / "README.md").is_file(), f"reference folder missing: {REFERENCE_DIR}"
    monkeypatch.delenv("SDG_REFERENCE_DIR", raising=False)  # .ci/run sets it for a checkout cloned elsewhere
    assert (
        sources.default_reference_dir()
        == Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"
    )


def test_default_reference_dir_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SDG_REFERENCE_DIR", str(tmp_path))
    assert sources.default_reference_dir() == tmp_path


def test_import_all_reproduces_the_shipped_files_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["taxonomy", "import-all", "--reference-dir", str(REFERENCE_DIR), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(SHIPPED_FILES)
    assert sorted(p.name for p in sources.PACKAGE_DATA_DIR.iterdir()) == sorted(SHIPPED_FILES)
    for name in SHIPPED_FILES:
        assert (out / name).read_bytes() == (sources.PACKAGE_DATA_DIR / name).read_bytes(), name
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"wrote {out / name}" for name in (*SHIPPED_FILES[:6], "nuts.tsv.gz", "lau.tsv.gz")]


def test_import_nuts_alone_reproduces_the_shipped_nuts_file(tmp_path: Path) -> None:
    workbook = REFERENCE_DIR / "nuts" / "NUTS2021-NUTS2024.xlsx"
    assert main(["taxonomy", "import-nuts", str(workbook), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "nuts.tsv.gz").read_bytes() == (sources.PACKAGE_DATA_DIR / "nuts.tsv.gz").read_bytes()


def test_shipped_nuts_codes_equal_the_reference_list() -> None:
    import csv

    with (REFERENCE_DIR / "nuts" / "nuts_codes.csv").open(encoding="utf-8", newline="") as stream:
        reference = {
            (
                row["classification"],
                row["version"],
                row["code"],
                row["level"],
                row["country_code"],
                row["extra_regio"],
            )
            for row in csv.DictReader(stream)
        }
    shipped = set()
    for line in shipped_text(sources.PACKAGE_DATA_DIR / "nuts.tsv.gz")[1:]:
        classification, code, level, country, _, versions, extra_regio, _ = line.split("\t")
        for version in versions.split(","):
            shipped.add((classification, version, code, level, country, "true" if extra_regio else "false"))
    assert len(reference) == 5781
    assert shipped == reference


def test_import_nuts_with_a_missing_column_fails_and_keeps_the_data(
    tmp_path: Path, shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "NUTS2024"
    sheet.append(["Country code", "NUTS Code", "NUTS level"])  # no "NUTS label"
    sheet.append(["BE", "BE1", 1])
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    before = digests(shipped_copy)
    assert main(["taxonomy", "import-nuts", str(path), "--out", str(shipped_copy)]) == 2
    line = one_error_line(capsys)
    assert line == (
        f"sdg-tags taxonomy: error: {path}: no sheet with the columns 'country code', 'nuts code', 'nuts label', "
        "'nuts level'"
    )
    assert digests(shipped_copy) == before


def test_import_nuts_rejects_a_file_that_is_not_a_workbook(
    tmp_path: Path, shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "NUTS.xlsx"
    path.write_text("Country code;NUTS Code\n", encoding="utf-8")
    before = digests(shipped_copy)
    assert main(["taxonomy", "import-nuts", str(path), "--out", str(shipped_copy)]) == 2
    assert one_error_line(capsys) == f"sdg-tags taxonomy: error: {path}: not a readable .xlsx workbook"
    assert digests(shipped_copy) == before


def test_import_nuts_without_jrc_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = REFERENCE_DIR / "nuts" / "NUTS2021-NUTS2024.xlsx"
    missing = tmp_path / "no-jrc"
    assert (
        main(["taxonomy", "import-nuts", str(workbook), "--jrc-dir", str(missing), "--out", str(tmp_path)])
        == 2
    )
    assert one_error_line(capsys) == (
        f"sdg-tags taxonomy: error: {missing}: JRC converter directory not found (see --jrc-dir)"
    )
    assert not (tmp_path / "nuts.tsv.gz").exists()


def small_nuts_workbook(path: Path) -> None:
    """A miniature Eurostat workbook with sheets reordered, columns moved and title rows above the headers."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Read me"
    notes.append(["Notes about this file"])
    correspondence = workbook.create_sheet("Corr NUTS")
    correspondence.append(["NUTS 2021 - NUTS 2024 correspondence"])
    correspondence.append([])
    correspondence.append(
        ["Code 2024", "Code 2021", "Country Code", "NUTS level", "NUTS level 3\n(italics)", "NUTS level 1\n(x)",
         "NUTS level 2\n(x)", "Change"]
    )  # fmt: skip
    correspondence.append(["XA", "XA", "XA", 0, None, None, None, ""])
    correspondence.append(["XA1", "XA1", "XA", 1, None, "Region One", None, ""])
    correspondence.append(["XA11", "XA11", "XA", 2, None, None, "Sub One", ""])
    correspondence.append([None, "XA111", "XA", 3, "Old Three", None, None, "merged"])
    correspondence.append(["XA112", None, "XA", 3, "New Three", None, None, "new"])
    regions = workbook.create_sheet("SR 2024")
    regions.append(["SR level", "SR label", "SR Code", "Country code"])
    regions.append([1, "Sr One", "XS1", "XS"])
    sr_correspondence = workbook.create_sheet("SR corr")
    sr_correspondence.append(["#", "Country Code", "Code 2021", "Code 2024", "Statisitcal Regions level 1 (x)",
                              "SR level"])  # fmt: skip
    sr_correspondence.append([1, "XS", "XS1", "XS1", "Sr One (2021)", 1])
    current = workbook.create_sheet("NUTS 2024 list")
    current.append(["NUTS level", "NUTS label", "Country code", "NUTS Code"])
    current.append([1, "Region One", "XA", "XA1"])
    current.append([2, "Sub One", "XA", "XA11"])
    current.append([3, "New Three", "XA", "XA112"])
    current.append([1, "Extra-Regio NUTS 1", "XA", "XAZ"])
    workbook.save(path)


def write_jrc(folder: Path) -> None:
    folder.mkdir()
    header_2016 = "code_v2016,code_v2021,uniqueID,areaKm,pop21\n"
    header_2021 = "code_v2021,code_v2024,uniqueID,areaKm,pop21\n"
    (folder / "n1_cm_v2016_v2021.csv").write_text(header_2016 + "XA1,XA1,x,10,100\n", encoding="utf-8")
    (folder / "n2_cm_v2016_v2021.csv").write_text(header_2016 + "XA11,XA11,x,10,100\n", encoding="utf-8")
    (folder / "n3_cm_v2016_v2021.csv").write_text(
        header_2016 + "XA110,XA111,x,9.5,95\nXA110,XA112,x,0.05,0\n", encoding="utf-8"
    )
    (folder / "n1_cm_v2021_v2024.csv").write_text(header_2021 + "XA1,XA1,x,10,100\n", encoding="utf-8")
    (folder / "n2_cm_v2021_v2024.csv").write_text(header_2021 + "XA11,XA11,x,10,100\n", encoding="utf-8")
    (folder / "n3_cm_v2021_v2024.csv").write_text(header_2021 + "XA111,XA112,x,9.5,95\n", encoding="utf-8")


def test_import_nuts_finds_sheets_and_columns_by_header_text(tmp_path: Path) -> None:
    workbook = tmp_path / "mini.xlsx"
    small_nuts_workbook(workbook)
    write_jrc(tmp_path / "jrc")
    out = tmp_path / "out"
    assert (
        main(
            ["taxonomy", "import-nuts", str(workbook), "--jrc-dir", str(tmp_path / "jrc"), "--out", str(out)]
        )
        == 0
    )
    assert shipped_text(out / "nuts.tsv.gz") == [
        "classification\tcode\tlevel\tcountry\tlabel\tversions\textra_regio\tsuccessors",
        "NUTS\tXA\t0\tXA\t\t2016,2021,2024\t\t",
        "NUTS\tXA1\t1\tXA\tRegion One\t2016,2021,2024\t\t",
        "NUTS\tXA11\t2\tXA\tSub One\t2016,2021,2024\t\t",
        # 2016-only: reaches XA112 through XA111 (2021); the 0.5 % sliver straight to XA112 is ignored anyway.
        "NUTS\tXA110\t3\tXA\t\t2016\t\tXA112",
        "NUTS\tXA111\t3\tXA\tOld Three\t2021\t\tXA112",
        "NUTS\tXA112\t3\tXA\tNew Three\t2024\t\t",
        "NUTS\tXAZ\t1\tXA\tExtra-Regio NUTS 1\t2024\t1\t",
        "SR\tXS1\t1\tXS\tSr One\t2021,2024\t\t",
    ]


# --- LAU ---------------------------------------------------------------------------------------------------


def test_import_lau_merges_vintages_and_formats(tmp_path: Path) -> None:
    part1 = tmp_path / "EU-28-LAU-2019-NUTS-2016_part1.csv"
    part1.write_text(
        "\ufeffNUTS 3 CODE;LAU CODE;LAU NAME NATIONAL;LAU NAME LATIN\nBE100;21001;Anderlecht;\nITC11;001001;Aglie ;\n",
        encoding="utf-8",
    )
    part2 = tmp_path / "EU-28-LAU-2019-NUTS-2016_part2.csv"
    part2.write_text("FRI14;47131;Lagupie;\nATXYZ;21001;Albeck;\n", encoding="utf-8")  # no header row
    edjnet = tmp_path / "BE_lau_2020_nuts_2021_concordance_combo.csv"
    edjnet.write_text(
        "gisco_id,country,nuts_2,nuts_3,lau_id,lau_name,population,area_km2,year,fid,concordance\n"
        "BE_21001,BE,BE10,BE100,21001,Anderlecht-2020,1,1,2020,BE_21001,official\n"
        'BE_99999,BE,BE10,BE101,99999,"Nieuw, gemeente",1,1,2020,BE_99999,geo\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["taxonomy", "import-lau", str(part1), str(part2), str(edjnet), "--out", str(out)]) == 0
    assert shipped_text(out / "lau.tsv.gz") == [
        "gisco_id\tname\tnuts3\tvintages",
        "AT_21001\tAlbeck\t2019:ATXYZ\t2019",
        "BE_21001\tAnderlecht-2020\t2019:BE100,2020:BE100\t2019,2020",
        "BE_99999\tNieuw, gemeente\t2020:BE101\t2020",
        "FR_47131\tLagupie\t2019:FRI14\t2019",
        "IT_001001\tAglie\t2019:ITC11\t2019",
    ]


def test_import_lau_reads_comma_csv_and_xlsx_with_explicit_vintage(tmp_path: Path) -> None:
    comma = tmp_path / "units.csv"
    comma.write_text("LAU CODE,NUTS 3 CODE,LAU NAME NATIONAL\n0363,NL329,Amsterdam\n", encoding="utf-8")
    workbook = openpyxl.Workbook()
    overview = workbook.active
    overview.title = "Overview"
    overview.append(["LAU 2020 overview, see the country sheets"])
    sheet = workbook.create_sheet("DE")
    sheet.append(["Local administrative units of Germany"])
    sheet.append(["NUTS 3 CODE", "LAU CODE", "LAU NAME NATIONAL", "LAU NAME LATIN", "POPULATION"])
    sheet.append(["DE111", "08111000", "Stuttgart", None, 635911])
    sheet.append([None, None, None, None, None])
    sheet.append(["DE112", "08115001", "Aidlingen\nGemeinde", None, 9000])
    xlsx = tmp_path / "EU-27-LAU-2020-NUTS-2021.xlsx"
    workbook.save(xlsx)
    out = tmp_path / "out"
    assert (
        main(["taxonomy", "import-lau", str(comma), str(xlsx), "--vintage", "2020", "--out", str(out)]) == 0
    )
    assert shipped_text(out / "lau.tsv.gz") == [
        "gisco_id\tname\tnuts3\tvintages",
        "DE_08111000\tStuttgart\t2020:DE111\t2020",
        "DE_08115001\tAidlingen Gemeinde\t2020:DE112\t2020",
        "NL_0363\tAmsterdam\t2020:NL329\t2020",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lau_2020.csv", "a,b,c\n1,2,3\n", "row 1: no header with columns 'NUTS 3 CODE, LAU CODE, LAU NAME NATIONAL'"),
        ("lau_2020.csv", "NUTS 3 CODE;LAU CODE;LAU NAME NATIONAL\nBE100;;Anderlecht\n",
         "row 2: LAU code '' / country 'BE' is not letters and digits / two capital letters"),
        ("lau_2020.csv", "NUTS 3 CODE;LAU CODE;LAU NAME NATIONAL\nBE100;21001\n",
         "row 2: 2 columns, expected at least 3"),
        ("lau_2020.csv", "NUTS 3 CODE;LAU CODE;LAU NAME NATIONAL\nBE,1;21001;x\n",
         "row 2: NUTS 3 code 'BE,1' is not like BE100"),
        ("lau_2020.csv", "", "no LAU rows"),
        ("units.csv", "NUTS 3 CODE;LAU CODE;LAU NAME NATIONAL\nBE100;21001;A\n",
         "cannot tell the LAU vintage from the file name; pass --vintage YEAR"),
        ("lau_2020.xlsx", "not a workbook", "not a readable .xlsx workbook"),
    ],
)  # fmt: skip
def test_import_lau_bad_files_fail_with_one_line_and_keep_the_data(
    tmp_path: Path,
    shipped_copy: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = digests(shipped_copy)
    assert main(["taxonomy", "import-lau", str(path), "--out", str(shipped_copy)]) == 2
    line = one_error_line(capsys)
    assert line.startswith(f"sdg-tags taxonomy: error: {path}: {message}"), line
    assert digests(shipped_copy) == before


def test_import_lau_bad_second_file_writes_nothing(
    tmp_path: Path, shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "lau_2020_good.csv"
    good.write_text("NUTS 3 CODE;LAU CODE;LAU NAME NATIONAL\nBE100;21001;Anderlecht\n", encoding="utf-8")
    missing = tmp_path / "lau_2020_missing.csv"
    before = digests(shipped_copy)
    assert main(["taxonomy", "import-lau", str(good), str(missing), "--out", str(shipped_copy)]) == 2
    assert one_error_line(capsys) == f"sdg-tags taxonomy: error: {missing}: file not found"
    assert digests(shipped_copy) == before


def test_import_lau_rejects_a_vintage_that_is_not_a_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("NUTS 3 CODE;LAU CODE;LAU NAME NATIONAL\nBE100;21001;A\n", encoding="utf-8")
    assert main(["taxonomy", "import-lau", str(path), "--vintage", "latest", "--out", str(tmp_path)]) == 2
    assert one_error_line(capsys) == "sdg-tags taxonomy: error: --vintage 'latest' is not a year (e.g. 2020)"


def test_failed_import_into_the_package_folder_leaves_shipped_data_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digests(sources.PACKAGE_DATA_DIR)
    bad = tmp_path / "lau_2020.csv"
    bad.write_text("nothing useful\n", encoding="utf-8")
    assert main(["taxonomy", "import-lau", str(bad)]) == 2
    capsys.readouterr()
    assert digests(sources.PACKAGE_DATA_DIR) == before
    assert not [p for p in sources.PACKAGE_DATA_DIR.iterdir() if p.name.endswith(".tmp")]


# --- Annexes and ISO ---------------------------------------------------------------------------------------


def copy_annex_sources(target: Path) -> Path:
    shutil.copytree(REFERENCE_DIR / "annexes", target)
    for path in target.iterdir():
        path.chmod(0o644)  # the shared folder is read-only; the copies are edited by the tests
    return target


def test_import_annexes_missing_column(
    tmp_path: Path, shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_annex_sources(tmp_path / "annexes")
    annex2 = folder / "annex2_procedures.csv"
    annex2.write_text(
        annex2.read_text(encoding="utf-8").replace("legacy_title", "old_title", 1), encoding="utf-8"
    )
    before = digests(shipped_copy)
    assert main(["taxonomy", "import-annexes", str(folder), "--out", str(shipped_copy)]) == 2
    assert one_error_line(capsys) == (
        f"sdg-tags taxonomy: error: {annex2}: missing column(s) legacy_title in the header row"
    )
    # annex1 was fine, but nothing is written until every file has been read.
    assert digests(shipped_copy) == before


def test_import_annexes_duplicate_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_annex_sources(tmp_path / "annexes")
    annex1 = folder / "annex1_information_areas.csv"
    annex1.write_text(annex1.read_text(encoding="utf-8") + "C2,C,x,y,citizens\n", encoding="utf-8")
    assert main(["taxonomy", "import-annexes", str(folder), "--out", str(tmp_path / "out")]) == 2
    assert one_error_line(capsys) == f"sdg-tags taxonomy: error: {annex1}: duplicate code C2"


def test_import_annexes_default_folder_and_iso(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["taxonomy", "import-annexes", "--out", str(tmp_path)]) == 0
    assert main(["taxonomy", "import-iso", "--out", str(tmp_path)]) == 0
    for name in SHIPPED_FILES[:6]:
        assert (tmp_path / name).read_bytes() == (sources.PACKAGE_DATA_DIR / name).read_bytes(), name
    assert len(capsys.readouterr().out.splitlines()) == 6


def test_import_all_with_a_missing_reference_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    assert main(["taxonomy", "import-all", "--reference-dir", str(missing), "--out", str(tmp_path)]) == 2
    assert one_error_line(capsys) == (
        f"sdg-tags taxonomy: error: reference folder {missing} not found; pass --reference-dir or set "
        "SDG_REFERENCE_DIR"
    )


def test_shipped_gzip_files_carry_no_timestamp_or_name() -> None:
    for name in ("lau.tsv.gz", "nuts.tsv.gz"):
        header = (sources.PACKAGE_DATA_DIR / name).read_bytes()[:10]
        assert header[3] == 0, name  # FLG: no file name field
        assert header[4:8] == b"\0\0\0\0", name  # MTIME


# --- The consolidated text (SPEC §5.7) ---------------------------------------------------------------------


def test_import_annexes_reads_annex1_from_the_consolidated_text(tmp_path: Path) -> None:
    assert main(["taxonomy", "import-annexes", str(REFERENCE_DIR / "annexes"), "--out", str(tmp_path)]) == 0
    lines = (tmp_path / "annex1.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code\tarea_code\tarea_title\ttitle\taudience\tact\tapplies_from"
    assert len(lines) == 1 + 98
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert rows["AJ3"] == [
        "AJ3",
        "AJ",
        "Critical raw materials projects",
        "information on financing and investment services",
        "businesses",
        "Reg 2024/1252",
        "2024-05-23",
    ]
    assert rows["N4"][5:] == ["Reg 2024/1028", "2026-05-20"]
    assert rows["Q1"][5:] == ["Reg 2018/1724", "2020-12-12"]
    for name in ("annex1.tsv", "annex2.tsv", "annex3.tsv"):
        assert (tmp_path / name).read_bytes() == (sources.PACKAGE_DATA_DIR / name).read_bytes(), name


def test_import_annexes_without_the_consolidated_text(
    tmp_path: Path, shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_annex_sources(tmp_path / "annexes")
    for path in folder.glob("sdgr-consolidated-*.en.xhtml"):
        path.unlink()
    before = digests(shipped_copy)
    assert main(["taxonomy", "import-annexes", str(folder), "--out", str(shipped_copy)]) == 2
    assert one_error_line(capsys) == (
        f"sdg-tags taxonomy: error: {folder}: no consolidated text of Reg 2018/1724 (sdgr-consolidated-*.en.xhtml)"
    )
    assert digests(shipped_copy) == before


def test_import_annexes_stops_at_an_amending_act_without_a_date(
    tmp_path: Path, shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newer consolidated text naming an act the importer has no date for: the import says which act."""
    folder = copy_annex_sources(tmp_path / "annexes")
    text = folder / "sdgr-consolidated-2026-05-20.en.xhtml"
    newer = folder / "sdgr-consolidated-2027-01-01.en.xhtml"
    newer.write_text(text.read_text(encoding="utf-8").replace("2024/1252", "2026/9999"), encoding="utf-8")
    before = digests(shipped_copy)
    assert main(["taxonomy", "import-annexes", str(folder), "--out", str(shipped_copy)]) == 2
    assert one_error_line(capsys) == (
        f"sdg-tags taxonomy: error: {newer}: amended by Reg 2026/9999, whose date of application is not in "
        "taxonomy/importers/amendments.py APPLIES_FROM"
    )
    assert digests(shipped_copy) == before


def test_import_annexes_checks_added_wording_against_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_annex_sources(tmp_path / "annexes")
    text = folder / "sdgr-consolidated-2026-05-20.en.xhtml"
    text.write_text(
        text.read_text(encoding="utf-8").replace("data altruism organisation", "data organisation"),
        encoding="utf-8",
    )
    assert main(["taxonomy", "import-annexes", str(folder), "--out", str(tmp_path / "out")]) == 2
    assert one_error_line(capsys) == (
        f"sdg-tags taxonomy: error: {text}: 'Registration as a data altruism organisation recognised in the "
        "Union' (X11) not found in Annex II"
    )
