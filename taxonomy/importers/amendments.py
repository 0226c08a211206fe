"""What the consolidated text does not say: when each act's annex changes apply, the Annex II procedure codes of
the Commission's procedure code list, and the names of the Annex III services added since 2018 (SPEC §5.7).

When Reg 2018/1724 is amended again: add the amending act's date of application to `APPLIES_FROM` (the import
fails naming the act until it is there), and any new procedure code or Annex III point below
(docs/taxonomy.md, "Refreshing the annex lists").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sdg_tags.taxonomy.importers.consolidated import BASE_ACT

# Act -> date from which its annex wording applies to gateway pages.
APPLIES_FROM: dict[str, date] = {
    # Art 39: Art 2 (information, Annex I; links to the Annex II procedures; Annex III services) and Art 7 apply
    # from 12 December 2020, the day IR 2020/1121 (the tags) applies too.
    BASE_ACT: date(2020, 12, 12),
    "Reg 2022/868": date(2023, 9, 24),  # Data Governance Act, Art 38
    "Reg 2024/1028": date(2026, 5, 20),  # short-term rentals, Art 27
    "Reg 2024/1252": date(2024, 5, 23),  # Critical Raw Materials Act: in force 20 days after 3.5.2024
    "Reg 2024/1735": date(2024, 6, 29),  # Net-Zero Industry Act: in force the day after 28.6.2024
    "Reg 2024/3228": date(
        2025, 1, 19
    ),  # ends the ODR platform; date of application of Annex III (7) unconfirmed
}

# The Commission's once-only technical system procedure code list (`Procedures-CodeList.gc`, OOTS TDD releases
# 1.2.5 and 2.0.1, byte-identical; 2.0.0 released 19 February 2026): its codes beyond R1-X6 (SPEC §5.7).
CODE_LIST = "OOTS Procedures-CodeList 1.2.5/2.0.1"
CODE_LIST_EVIDENCED = date(2026, 2, 19)  # release of TDD 2.0.0, the earliest date the list is evidenced here
UNCONFIRMED_ACT = f"{CODE_LIST} (introducing act not confirmed)"


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """An Annex II code of the procedure code list beyond R1-X6.

    `title` is the Annex II wording the code stands for, checked against the consolidated text, when a source
    ties the code to it (`label_source`); empty when the label could not be confirmed (`note` says what is
    known). `act` None: the introducing act is not confirmed, the code applies from `CODE_LIST_EVIDENCED`.
    """

    code: str
    life_event_code: str
    life_event: str
    title: str = ""
    expected_output: str = ""
    act: str | None = None
    label_source: str = ""
    note: str = ""


_EB_FIXTURE = (
    "Evidence Broker requirement linked to this code (numerique-gouv/oots-france "
    "spec/fixtures/common_services/eb_requirements_catalogue.xml, commit f47b6a4)"
)
_FAMILIES = "numerique-gouv/oots-france docs/versions_tdd.md (commit f47b6a4)"
_BUSINESS = "Starting, running and closing a business"

PROCEDURE_CODES: tuple[ProcedureCode, ...] = (
    ProcedureCode(
        "V5",
        "V",
        "Moving",
        note=f"driving licences family of the procedure code list (Directive (EU) 2025/2205); {_FAMILIES}",
    ),
    ProcedureCode(
        "X7", "X", _BUSINESS, note=f"short-term rental family of the procedure code list; {_FAMILIES}"
    ),
    ProcedureCode(
        "X9",
        "X",
        _BUSINESS,
        note=f"repair and sale of refurbished goods family of the procedure code list; {_FAMILIES}",
    ),
    ProcedureCode(
        "X10",
        "X",
        _BUSINESS,
        "Notification of a data intermediation services provider",
        "Confirmation of the receipt of notification",
        "Reg 2022/868",
        f"{_EB_FIXTURE}; wording: consolidated Annex II (M1)",
    ),
    ProcedureCode(
        "X11",
        "X",
        _BUSINESS,
        "Registration as a data altruism organisation recognised in the Union",
        "Confirmation of the registration",
        "Reg 2022/868",
        f"{_EB_FIXTURE}; wording: consolidated Annex II (M1)",
    ),
    ProcedureCode(
        "AK1", "AK", "", note="life event not confirmed (critical raw materials or net-zero projects?)"
    ),
    ProcedureCode(
        "AL1", "AL", "", note="life event not confirmed (critical raw materials or net-zero projects?)"
    ),
    ProcedureCode(
        "AM1",
        "AM",
        "",
        note="recognition of professional qualifications family of the procedure code list; "
        f"{_FAMILIES}; national recognition procedures linked to AM1 in the same Evidence Broker data",
    ),
)


@dataclass(frozen=True, slots=True)
class AssistancePoint:
    """An Annex III point added or replaced by an amending act; `anchor` must occur in the consolidated Annex III."""

    name: str
    basis: str
    source: str
    act: str
    anchor: str


ASSISTANCE_POINTS: tuple[AssistancePoint, ...] = (
    AssistancePoint(
        "Alternative dispute resolution entities",
        "Directive 2013/11/EU Art 20(4) (the Commission's list of ADR entities)",
        "Reg 2018/1724 Annex III (7), replaced by Reg 2024/3228",
        "Reg 2024/3228",
        "alternative consumer dispute resolution entities",
    ),
    AssistancePoint(
        "Net-Zero Industry Act single points of contact",
        "Regulation (EU) 2024/1735 Art 6(1)",
        "Reg 2018/1724 Annex III (8), added by Reg 2024/1735",
        "Reg 2024/1735",
        "Article 6(1) of Regulation (EU) 2024/1735",
    ),
    AssistancePoint(
        "Critical Raw Materials Act single points of contact",
        "Regulation (EU) 2024/1252 Art 9",
        "Reg 2018/1724 Annex III (9), added by Reg 2024/1252",
        "Reg 2024/1252",
        "Article 9 of Regulation (EU) 2024/1252",
    ),
)
# Annex III (7) before Reg 2024/3228: still a known name (pages keep it), marked as the older point.
ODR_NAME = "Online dispute resolution (ODR)"
ODR_NOTE = "Annex III (7) until replaced by Reg 2024/3228; kept as a known older name"
