"""Synthetic input data for the sample organisations under params/ (Leeds CCG, ML CSU, H&W CCG).

    python -m wres_helpers.sample_data [--workspace DIR]

The records are invented (ids such as S00001, no names), but their counts are chosen so that the engine
reproduces every correct figure printed in the three published WRES reports in shared/seeds/; the tests in
tests/test_seed_figures.py check that. The design is data first: ORGS below holds one small spec per
organisation and report year (target counts only), and a few generic functions turn counts into records.

Output is byte-identical on every run: each file is drawn from its own random.Random seeded with
"<org>/<year>/<file>" (a str seed is hashed with SHA-512, so it does not depend on PYTHONHASHSEED), and
changing one file's spec therefore leaves the other files unchanged.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

GROUPS = ("white", "bme", "unknown")
FILES = (
    "staff.csv",
    "recruitment.csv",
    "disciplinary.csv",
    "training.csv",
    "board.csv",
    "staff_survey.csv",
    "settings.yaml",
    "counts.csv",
)
HEADER_NOTE = (
    "# Synthetic sample data written by `python -m wres_helpers.sample_data`: edit the generator, not this file."
)


# ------------------------------------------------------------------------------------------------------
# Ethnicity: which national code a record gets, and how the source system writes it down.
# ------------------------------------------------------------------------------------------------------
# National codes (NHS Data Dictionary, 2001 census) within each WRES group, weighted roughly like an
# English commissioning workforce. Unknown uses pseudo-codes: Z (asked, declined), 99 (not known), "" (blank).
CODE_WEIGHTS = {
    "white": {"A": 84, "B": 3, "C": 13},
    "bme": {"D": 5, "E": 2, "F": 5, "G": 4, "H": 18, "J": 20, "K": 4, "L": 9, "M": 9, "N": 13, "P": 3, "R": 3, "S": 5},
    "unknown": {"Z": 60, "99": 15, "": 25},
}

# ESR exports the national code, an optional local sub-code and the words; several local variants exist.
ESR_VALUES = {
    "A": ["A White - British"],
    "B": ["B White - Irish"],
    "C": ["C3 White - Any other White background", "CP White - Polish", "CY White - Other European"],
    "D": ["D Mixed - White & Black Caribbean"],
    "E": ["E Mixed - White & Black African"],
    "F": ["F Mixed - White & Asian"],
    "G": ["G Mixed - Any other mixed background"],
    "H": ["H Asian or Asian British - Indian"],
    "J": ["J Asian or Asian British - Pakistani"],
    "K": ["K Asian or Asian British - Bangladeshi"],
    "L": ["L Asian or Asian British - Any other Asian background", "LK Asian - Sri Lankan"],
    "M": ["M Black or Black British - Caribbean"],
    "N": ["N Black or Black British - African"],
    "P": ["P Black or Black British - Any other Black background"],
    "R": ["R Chinese"],
    "S": ["S Any Other Ethnic Group", "SE Other Specified"],
    "Z": ["Z Not Stated"],
    "99": ["99 Not Known"],
    "": [""],
}

# Recruitment systems (NHS Jobs / TRAC) export the category words without a code.
TEXT_VALUES = {
    "A": "White - British",
    "B": "White - Irish",
    "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean",
    "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian",
    "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Chinese",
    "S": "Any other ethnic group",
    "Z": "I do not wish to disclose my ethnic origin",
    "99": "Not known",
    "": "",
}

# Pre-2001 numeric codes, still found in records migrated from old systems (used by one sample org).
NUMERIC_VALUES = {
    "A": "0",
    "B": "0",
    "C": "0",
    "M": "1",
    "N": "2",
    "P": "3",
    "H": "4",
    "J": "5",
    "K": "6",
    "R": "7",
    "D": "8",
    "E": "8",
    "F": "8",
    "G": "8",
    "L": "8",
    "S": "8",
    "Z": "9",
    "99": "9",
    "": "",
}


def ethnicity_value(group: str, styles: dict[str, int], rng: random.Random) -> str:
    """A recorded ethnicity for someone in `group`, in one of the org's recording styles (chosen by weight)."""
    codes = CODE_WEIGHTS[group]
    code = rng.choices(list(codes), weights=list(codes.values()))[0]
    style = rng.choices(list(styles), weights=list(styles.values()))[0]
    if style == "esr":
        return rng.choice(ESR_VALUES[code])
    if style == "national":
        return code
    if style == "text":
        return TEXT_VALUES[code]
    if style == "numeric":
        return NUMERIC_VALUES[code]
    raise ValueError(f"unknown ethnicity style {style!r}")


# ------------------------------------------------------------------------------------------------------
# Jobs: occupation by pay band tier, clinical roles with their departments.
# ------------------------------------------------------------------------------------------------------
def tier(band: str) -> str:
    if band == "VSM":
        return "vsm"
    if band in ("Band 8b", "Band 8c", "Band 8d", "Band 9"):
        return "senior"
    if band in ("Band 7", "Band 8a"):
        return "manager"
    if band in ("Band 5", "Band 6"):
        return "officer"
    return "support"


NON_CLINICAL_JOBS = {
    "support": [
        "Administrator",
        "Administrative Assistant",
        "Business Support Officer",
        "Personal Assistant",
        "Finance Assistant",
        "Data Officer",
    ],
    "officer": [
        "Project Officer",
        "Commissioning Officer",
        "Information Analyst",
        "Finance Officer",
        "Communications Officer",
        "HR Advisor",
        "Contracts Officer",
    ],
    "manager": [
        "Commissioning Manager",
        "Senior Information Analyst",
        "Project Manager",
        "Finance Manager",
        "Quality Manager",
        "Contracts Manager",
        "Engagement Manager",
    ],
    "senior": [
        "Head of Commissioning",
        "Head of Finance",
        "Senior Programme Manager",
        "Head of Business Intelligence",
        "Associate Director",
    ],
    "vsm": ["Director", "Executive Director", "Chief Finance Officer"],
}
CLINICAL_JOBS = {  # (occupation, department)
    "support": [("Pharmacy Technician", "Medicines Optimisation")],
    "officer": [
        ("Continuing Healthcare Nurse Assessor", "Continuing Healthcare"),
        ("Pharmacy Technician", "Medicines Optimisation"),
    ],
    "manager": [
        ("Clinical Nurse Assessor", "Continuing Healthcare"),
        ("Medicines Optimisation Pharmacist", "Medicines Optimisation"),
        ("Quality Lead Nurse", "Quality and Nursing"),
    ],
    "senior": [
        ("Head of Medicines Optimisation", "Medicines Optimisation"),
        ("Designated Nurse Safeguarding", "Quality and Nursing"),
    ],
    "vsm": [("Director of Nursing and Quality", "Quality and Nursing")],
}
CCG_DEPARTMENTS = [
    "Commissioning",
    "Finance",
    "Primary Care",
    "Corporate Affairs",
    "Business Intelligence",
    "People and OD",
    "Communications and Engagement",
    "Quality and Nursing",
]
CSU_DEPARTMENTS = [
    "Business Intelligence",
    "Transformation",
    "Finance and Contracting",
    "HR Services",
    "Digital Services",
    "Medicines Management",
    "Corporate Services",
    "Procurement",
    "Communications",
    "Individual Funding Requests",
]


# ------------------------------------------------------------------------------------------------------
# Specs: target counts per organisation and year.
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """Staff in a run of pay bands: headcount per band, and how many of them are White, BME and Unknown.

    The group counts are exact for the block (that is what the published figures pin down: e.g. Leeds's
    'bands 7 to VSM'); within the block people are spread over the bands at random.
    """

    bands: dict[str, int]
    white: int
    bme: int
    unknown: int

    def __post_init__(self):
        assert sum(self.bands.values()) == self.white + self.bme + self.unknown, self


@dataclass(frozen=True)
class Seat:
    """`count` board members of one group with the same voting and executive flags."""

    group: str
    voting: bool
    executive: bool
    count: int = 1


@dataclass(frozen=True)
class YearSpec:
    staff: tuple[Block, ...]
    board: tuple[Seat, ...]
    clinical: dict[str, int] = field(default_factory=dict)  # band -> clinical staff in it
    recruitment: dict[str, tuple[int, int]] | None = None  # group -> (shortlisted, appointed)
    # With these the recruitment file holds every application (a shortlisted column) ...
    not_shortlisted: dict[str, int] | None = None  # group -> applications not shortlisted
    # ... and says which came from internal recruitment campaigns (an internal column).
    internal: dict[str, tuple[int, int]] | None = None  # group -> (shortlisted internal, appointed internal)
    disciplinary: dict[str, int] | None = None  # group -> cases; {} = header only; None = no file
    training: dict[str, int] | None = None  # group -> staff who accessed training
    survey_years: tuple[int, ...] = ()  # rows of the org's survey table to write
    settings: dict | None = None  # settings.yaml content (None = no file)


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    type: str
    term_for_bme: str
    board_name: str
    styles: dict[str, dict[str, int]]  # file -> ethnicity style -> weight
    departments: list[str]
    years: dict[int, YearSpec]
    survey: dict[int, dict[int, dict[str, tuple[float, int]]]] = field(default_factory=dict)
    flag_words: tuple[str, str] = ("Y", "N")  # how the recruitment file writes appointed yes / no
    band_groups: tuple[str, ...] = ()  # the pay band groups the organisation reports (org.yaml)
    comparators: tuple[str, ...] = ()  # organisations whose published figures the pages show beside these
    representation_target: int | None = None  # org.yaml representation_target: {year: ...} (targets.py)
    local_bme_pct: float | None = None  # org.yaml local_population (population.py), an invented figure
    job_columns: bool = True  # the staff file has the optional occupation and department columns
    counts_only: bool = False  # one counts.csv (counts.py) in place of the record-level files
    members: tuple[str, ...] = ()  # an aggregate (aggregate.py): its members' records, its own board only


def invented(k: int, n: int) -> tuple[float, int]:
    """An invented staff survey result: k of n respondents, as (percent to 2 dp, respondents)."""
    return round(100 * k / n, 2), n


# Withheld and not-collected reasons, worded as ML CSU's 2024 report words them (indicators 3 and 4).
MLCSU_SETTINGS = {
    "indicators": {
        3: {
            "status": "withheld",
            "reason": "Fewer than five formal disciplinary processes were started in the reporting year; the figures "
            "are not published because they may identify individuals (an overview goes to the Board and "
            "NHS England).",
        },
        4: {
            "status": "not_collected",
            "reason": "There is no central record of staff accessing non-mandatory training and CPD; development is "
            "discussed with line managers in appraisal and supervision.",
        },
    }
}
HWCCG_SETTINGS = {
    "indicators": {
        i: {
            "status": "not_required",
            "reason": "NHS England did not require the staff survey indicators (5 to 8) in the 2020 WRES because "
            "of COVID-19.",
        }
        for i in (5, 6, 7, 8)
    }
}

LEEDS = OrgSpec(
    slug="leeds",
    name="NHS Leeds Clinical Commissioning Group",
    type="CCG",
    term_for_bme="BAME",
    board_name="Governing Body",
    band_groups=("Band 7 and above",),
    comparators=("smallccg", "hwccg"),  # two other CCGs: smallccg shares 2021 (with its withheld figures), hwccg 2020
    representation_target=2028,
    local_bme_pct=18.4,
    styles={
        "staff": {"esr": 85, "national": 15},
        "recruitment": {"text": 1},
        "disciplinary": {"national": 1},
        "board": {"national": 1},
    },
    departments=CCG_DEPARTMENTS,
    survey={  # survey year -> indicator -> group -> (percent, respondents); 2019 and 2020 as printed, 2018 invented
        2018: {
            5: {"white": (11.2, 241), "bme": (9.1, 33)},
            6: {"white": (20.3, 241), "bme": (24.2, 33)},
            7: {"white": (90.5, 158), "bme": (60.0, 20)},
            8: {"white": (3.3, 239), "bme": (12.1, 33)},
        },
        2019: {
            5: {"white": (10.4, 230), "bme": (8.3, 36)},
            6: {"white": (19.6, 230), "bme": (22.2, 36)},
            7: {"white": (92.0, 163), "bme": (57.1, 21)},
            8: {"white": (2.6, 229), "bme": (13.9, 36)},
        },
        2020: {
            5: {"white": (7.9, 214), "bme": (10.3, 39)},
            6: {"white": (14.0, 214), "bme": (20.5, 39)},
            7: {"white": (91.1, 168), "bme": (57.7, 26)},
            8: {"white": (2.3, 221), "bme": (15.4, 39)},
        },
    },
    years={
        # 2020: 62 of 389 BME (15.94%); bands 7-VSM 18 of 157 (11.46%, so 2021's 18.30% is "just under 7" up).
        2020: YearSpec(
            staff=(
                Block({"Band 2": 3, "Band 3": 34, "Band 4": 58, "Band 5": 62, "Band 6": 75}, 178, 44, 10),
                Block({"Band 7": 64, "Band 8a": 41, "Band 8b": 26, "Band 8c": 12, "Band 8d": 8}, 129, 18, 4),
                Block({"VSM": 6}, 6, 0, 0),
            ),
            clinical={"Band 6": 3, "Band 7": 10, "Band 8a": 7, "Band 8b": 3, "Band 8c": 1, "VSM": 1},
            recruitment={"white": (143, 30), "bme": (34, 8), "unknown": (9, 2)},  # RL 0.89
            disciplinary={},  # nobody entered
            training={"white": 115, "bme": 22, "unknown": 5},  # RL 1.04
            board=(
                Seat("white", True, True, 3),
                Seat("white", True, False, 11),
                Seat("bme", True, False),
                Seat("white", False, True, 3),
            ),
            survey_years=(2018, 2019),
        ),
        # 2021: 57 of 377 BME (15.12%); bands 7-VSM 28 of 153 (18.30%); voting members 1 of 14 (7.14%).
        2021: YearSpec(
            staff=(
                Block({"Band 3": 30, "Band 4": 55, "Band 5": 60, "Band 6": 79}, 187, 29, 8),
                Block({"Band 7": 62, "Band 8a": 40, "Band 8b": 25, "Band 8c": 12, "Band 8d": 8}, 115, 28, 4),
                Block({"VSM": 6}, 6, 0, 0),
            ),
            clinical={"Band 6": 3, "Band 7": 9, "Band 8a": 7, "Band 8b": 3, "Band 8c": 1, "VSM": 1},
            recruitment={"white": (111, 26), "bme": (30, 9), "unknown": (6, 1)},  # RL 0.78
            # Every application (shortlisting RL 1.48) and internal campaigns: 4 BME appointed externally is
            # a small number, so internal and external are withheld for BME (5 internal = 9 - 4).
            not_shortlisted={"white": 289, "bme": 130, "unknown": 24},
            internal={"white": (40, 12), "bme": (12, 5), "unknown": (2, 1)},
            disciplinary={},  # nobody entered
            training={"white": 124, "bme": 23, "unknown": 4},  # RL 1.00
            board=(
                Seat("white", True, True, 3),
                Seat("white", True, False, 10),
                Seat("bme", True, False),
                Seat("white", False, True, 3),
            ),
            survey_years=(2019, 2020),
        ),
    },
)

# In every org VSM is a block of its own, so that it agrees with the executives in the board register
# (WRES counts executive board members as VSM).
#
# ML CSU: all staff non-clinical; AfC clusters around 20% ethnically diverse except 8c-9 (8-12%, many
# undeclared), as the 2024 report describes.
MLCSU = OrgSpec(
    slug="mlcsu",
    name="NHS Midlands and Lancashire Commissioning Support Unit",
    type="CSU",
    term_for_bme="ethnically diverse",
    board_name="Board",
    band_groups=(
        "Cluster 1 (Bands 1-4)",
        "Cluster 2 (Bands 5-7)",
        "Cluster 3 (Bands 8a-8b)",
        "Cluster 4 (Bands 8c-9 and VSM)",
    ),
    representation_target=2028,
    local_bme_pct=21.3,
    styles={"staff": {"esr": 95, "national": 5}, "recruitment": {"text": 1}, "board": {"esr": 1}},
    departments=CSU_DEPARTMENTS,
    flag_words=("Yes", "No"),
    survey={  # 2022 and 2023 as printed (respondents not published: counts that give those percents); 2020-21 invented
        2020: {
            5: {"white": invented(85, 802), "bme": invented(7, 141)},
            6: {"white": invented(113, 802), "bme": invented(14, 141)},
            7: {"white": invented(548, 780), "bme": invented(74, 136)},
            8: {"white": invented(27, 800), "bme": invented(9, 140)},
        },
        2021: {
            5: {"white": invented(72, 776), "bme": invented(6, 158)},
            6: {"white": invented(98, 776), "bme": invented(15, 158)},
            7: {"white": invented(515, 741), "bme": invented(82, 150)},
            8: {"white": invented(25, 774), "bme": invented(10, 157)},
        },
        2022: {
            5: {"white": (10.19, 756), "bme": (4.02, 174)},
            6: {"white": (13.31, 759), "bme": (8.62, 174)},
            7: {"white": (67.37, 714), "bme": (51.72, 174)},
            8: {"white": (3.70, 757), "bme": (6.94, 173)},
        },
        2023: {
            5: {"white": (6.48, 741), "bme": (5.56, 162)},
            6: {"white": (13.50, 741), "bme": (8.64, 162)},
            7: {"white": (62.39, 710), "bme": (48.77, 162)},
            8: {"white": (4.86, 741), "bme": (9.43, 159)},
        },
    },
    years={
        # 2125 staff, 376 BME (17.7%), 43 unknown (98.0% declared), 0 BME of 10 VSM; board 0 of 8.
        2022: YearSpec(
            staff=(
                Block(
                    {
                        "Band 2": 24,
                        "Band 3": 145,
                        "Band 4": 300,
                        "Band 5": 380,
                        "Band 6": 405,
                        "Band 7": 375,
                        "Band 8a": 215,
                        "Band 8b": 125,
                    },
                    1574,
                    366,
                    29,
                ),
                Block({"Band 8c": 78, "Band 8d": 44, "Band 9": 24}, 123, 10, 13),
                Block({"VSM": 10}, 9, 0, 1),
            ),
            recruitment={"white": (835, 226), "bme": (409, 69), "unknown": (35, 9)},  # RL 1.60
            board=(Seat("white", True, True, 3), Seat("white", True, False, 3), Seat("white", False, True, 2)),
            survey_years=(2020, 2021),
            settings=MLCSU_SETTINGS,
        ),
        # 2231 staff, 429 BME (19.2%), 38 unknown (98.3%), 0 BME of 12 VSM; board 1 of 15 (a non-executive).
        2023: YearSpec(
            staff=(
                Block(
                    {
                        "Band 2": 25,
                        "Band 3": 150,
                        "Band 4": 310,
                        "Band 5": 400,
                        "Band 6": 430,
                        "Band 7": 395,
                        "Band 8a": 230,
                        "Band 8b": 130,
                    },
                    1628,
                    417,
                    25,
                ),
                Block({"Band 8c": 80, "Band 8d": 45, "Band 9": 24}, 125, 12, 12),
                Block({"VSM": 12}, 11, 0, 1),
            ),
            # 1625 shortlisted, 479 appointed. The printed white rate (37.5%) fits no whole split; white 355 of
            # 1052 and unknown 34 of 69 give the printed BME (17.86%) and unknown (49.28%) rates and RL 1.89.
            recruitment={"white": (1052, 355), "bme": (504, 90), "unknown": (69, 34)},
            board=(
                Seat("white", True, True, 4),
                Seat("white", True, False, 3),
                Seat("bme", True, False),
                Seat("white", False, True, 6),
                Seat("unknown", False, True),
            ),
            survey_years=(2021, 2022),
            settings=MLCSU_SETTINGS,
        ),
        # 1863 staff, 380 BME (20.4%), 40 unknown (97.85%), 1 BME of 15 VSM (6.67%); board 1 of 11 (an executive).
        2024: YearSpec(
            staff=(
                Block(
                    {
                        "Band 2": 20,
                        "Band 3": 120,
                        "Band 4": 260,
                        "Band 5": 330,
                        "Band 6": 360,
                        "Band 7": 330,
                        "Band 8a": 190,
                        "Band 8b": 110,
                    },
                    1327,
                    366,
                    27,
                ),
                Block({"Band 8c": 70, "Band 8d": 38, "Band 9": 20}, 103, 13, 12),
                Block({"VSM": 15}, 13, 1, 1),
            ),
            recruitment={"white": (427, 144), "bme": (371, 51), "unknown": (22, 3)},  # RL 2.45
            not_shortlisted={"white": 1100, "bme": 1300, "unknown": 80},  # shortlisting RL 1.26
            internal={"white": (150, 60), "bme": (120, 20), "unknown": (8, 2)},  # internal RL 2.40
            board=(
                Seat("bme", True, True),
                Seat("white", True, True, 3),
                Seat("white", True, False, 3),
                Seat("white", False, True, 4),
            ),
            survey_years=(2022, 2023),
            settings=MLCSU_SETTINGS,
        ),
    },
)

# H&W CCG: 25 of 736 BME (3.4%); Band 8b and above 4 of 249 (1.6%); Governing Body 0 of 25. Part of the
# staff records came over from the predecessor CCGs with the old numeric ethnicity codes.
HWCCG = OrgSpec(
    slug="hwccg",
    name="NHS Herefordshire and Worcestershire CCG",
    type="CCG",
    term_for_bme="BAME",
    board_name="Governing Body",
    band_groups=("Band 8b and above",),
    styles={
        "staff": {"esr": 55, "numeric": 45},
        "recruitment": {"text": 1},
        "disciplinary": {"numeric": 1},
        "board": {"national": 1},
    },
    departments=CCG_DEPARTMENTS,
    job_columns=False,  # a staff file without the optional occupation and department columns
    years={
        2020: YearSpec(
            staff=(
                Block(
                    {"Band 2": 10, "Band 3": 55, "Band 4": 95, "Band 5": 85, "Band 6": 80, "Band 7": 95, "Band 8a": 67},
                    430,
                    21,
                    36,
                ),
                Block({"Band 8b": 100, "Band 8c": 72, "Band 8d": 52, "Band 9": 5}, 204, 4, 21),
                Block({"VSM": 20}, 19, 0, 1),
            ),
            clinical={"Band 6": 4, "Band 7": 12, "Band 8a": 9, "Band 8b": 6, "Band 8c": 3, "VSM": 2},
            recruitment={"white": (214, 51), "bme": (31, 5), "unknown": (12, 3)},
            disciplinary={"white": 2, "unknown": 1},
            training={"white": 180, "bme": 7, "unknown": 10},
            board=(
                Seat("white", True, True, 5),
                Seat("white", True, False, 13),
                Seat("unknown", True, False),
                Seat("white", False, True, 3),
                Seat("white", False, False, 3),
            ),
            settings=HWCCG_SETTINGS,
        ),
    },
)

# A small organisation (40 staff, three of them BME) for disclosure control: almost every figure below the
# whole workforce is a small number, so its site shows what withholding and secondary suppression do.
SMALL = OrgSpec(
    slug="smallccg",
    name="NHS Small Example CCG (synthetic)",
    type="CCG",
    term_for_bme="BME",
    board_name="Governing Body",
    band_groups=("Band 8a and above",),
    styles={
        "staff": {"esr": 70, "national": 30},
        "recruitment": {"text": 1},
        "disciplinary": {"national": 1},
        "board": {"national": 1},
    },
    departments=CCG_DEPARTMENTS,
    survey={
        2019: {i: {"white": invented(k, 26), "bme": invented(1, 3)} for i, k in ((5, 2), (6, 4), (7, 22), (8, 1))},
        2020: {i: {"white": invented(k, 27), "bme": invented(1, 3)} for i, k in ((5, 3), (6, 5), (7, 21), (8, 1))},
    },
    years={
        2021: YearSpec(
            staff=(
                Block({"Band 3": 5, "Band 4": 7, "Band 5": 8, "Band 6": 8}, 24, 2, 2),
                Block({"Band 7": 6, "Band 8a": 3, "Band 8b": 1}, 9, 1, 0),
                Block({"VSM": 2}, 2, 0, 0),
            ),
            clinical={"Band 6": 1, "Band 7": 2},
            recruitment={"white": (12, 3), "bme": (3, 1), "unknown": (1, 0)},
            disciplinary={"white": 1},
            training={"white": 10, "bme": 2, "unknown": 1},
            board=(
                Seat("white", True, True, 2),
                Seat("white", True, False, 5),
                Seat("bme", True, False),
                Seat("white", False, True),
            ),
            survey_years=(2019, 2020),
        ),
    },
)

# A counts-only organisation (counts.py): it has the ESR WRES dashboard's counts, not records, and supplies one
# counts.csv in place of staff, recruitment, disciplinary, training and board. Its counts are those of records
# drawn from this spec as for the other samples, counted cell by cell.
COUNTS = OrgSpec(
    slug="countsccg",
    name="NHS Counts Example CCG (synthetic)",
    type="CCG",
    term_for_bme="BME",
    board_name="Governing Body",
    band_groups=("Band 8a and above",),
    styles={"staff": {"national": 1}, "recruitment": {"national": 1}, "board": {"national": 1}},
    departments=CCG_DEPARTMENTS,
    counts_only=True,
    representation_target=2027,
    survey={
        2021: {
            i: {"white": invented(k, 120), "bme": invented(j, 30)}
            for i, k, j in ((5, 6, 2), (6, 14, 5), (7, 66, 12), (8, 5, 3))
        },
    },
    years={
        2022: YearSpec(
            staff=(
                Block({"Band 3": 22, "Band 4": 30, "Band 5": 28, "Band 6": 34}, 88, 20, 6),
                Block({"Band 7": 30, "Band 8a": 18, "Band 8b": 12}, 49, 8, 3),
                Block({"Band 8c": 8, "Band 8d": 6, "VSM": 6}, 18, 1, 1),
            ),
            clinical={"Band 6": 8, "Band 7": 10, "Band 8a": 6, "Band 8b": 2},
            recruitment={"white": (60, 14), "bme": (22, 3), "unknown": (5, 1)},
            disciplinary={"white": 2, "bme": 1},
            training={"white": 70, "bme": 12, "unknown": 2},
            board=(
                Seat("white", True, True, 4),
                Seat("white", True, False, 6),
                Seat("bme", True, False, 2),
                Seat("bme", False, True),
                Seat("white", False, False, 2),
            ),
            survey_years=(2021,),
        ),
    },
)

# An ICB made of two sample CCGs (issue 11's aggregate sample): its report is built from leeds's and hwccg's 2020
# records, and disclosure control protects every count either member withholds.
EXAMPLEICB = OrgSpec(
    slug="exampleicb",
    name="NHS Example Integrated Care Board (synthetic)",
    type="ICB",
    term_for_bme="BME",
    board_name="Board",
    band_groups=("Band 8a and above",),
    styles={"board": {"national": 1}},
    departments=[],
    members=("leeds", "hwccg"),
    years={
        2020: YearSpec(
            staff=(),
            board=(
                Seat("white", True, True, 3),
                Seat("bme", True, True),
                Seat("white", True, False, 5),
                Seat("bme", True, False, 2),
                Seat("white", False, True, 2),
            ),
        ),
    },
)

ORGS = (LEEDS, MLCSU, HWCCG, SMALL, COUNTS, EXAMPLEICB)


# ------------------------------------------------------------------------------------------------------
# Counts -> records
# ------------------------------------------------------------------------------------------------------
# Of last year's staff in a pay band and ethnic group, the share who are there again this year under the same
# id (the rest left or moved band): so that turnover worked out by id (targets.py) looks like an organisation's.
STAY = 0.88
BOARD_STAY = 0.8


def carried_ids(keys: list, previous: list[tuple[str, object]], prefix: str, width: int, rng, stay: float) -> list:
    """An id for each of this year's people (keys: what must match, e.g. (band, group)): mostly the id of one of
    last year's people with the same key, else a new one numbered after last year's. With no previous year,
    ids are numbered from 1 in order."""
    pools: dict = {}
    for sid, key in previous:
        pools.setdefault(key, []).append(sid)
    for pool in pools.values():
        rng.shuffle(pool)
    n = max((int(sid[len(prefix) :]) for sid, _ in previous), default=0) + 1
    ids = []
    for key in keys:
        pool = pools.get(key)
        if pool and rng.random() < stay:
            ids.append(pool.pop())
        else:
            ids.append(f"{prefix}{n:0{width}d}")
            n += 1
    return ids


def staff_rows(
    org: OrgSpec, spec: YearSpec, rng: random.Random, previous=(), id_rng: random.Random | None = None
) -> list[tuple[str, str, list[str]]]:
    """(staff_id, group, row) per person; ids are given after shuffling so they do not follow band order, and
    carried over from `previous` ((id, (band, group)) of last year's staff) with their own random stream."""
    people = []
    for block in spec.staff:
        groups = ["white"] * block.white + ["bme"] * block.bme + ["unknown"] * block.unknown
        rng.shuffle(groups)
        slots = [band for band, n in block.bands.items() for _ in range(n)]
        people += [{"band": band, "group": group, "clinical": False} for band, group in zip(slots, groups)]
    for band, n in spec.clinical.items():
        in_band = [p for p in people if p["band"] == band]
        for person in rng.sample(in_band, n):
            person["clinical"] = True
    rng.shuffle(people)
    ids = carried_ids(
        [(p["band"], p["group"]) for p in people], list(previous), "S", 5, id_rng or random.Random(0), STAY
    )
    rows = []
    for sid, p in zip(ids, people):
        if p["clinical"]:
            occupation, department = rng.choice(CLINICAL_JOBS[tier(p["band"])])
        else:
            occupation = rng.choice(NON_CLINICAL_JOBS[tier(p["band"])])
            department = rng.choice(org.departments)
        ethnicity = ethnicity_value(p["group"], org.styles["staff"], rng)
        rows.append(
            (sid, p["group"], [sid, ethnicity, p["band"], "Y" if p["clinical"] else "N", occupation, department])
        )
    return rows


def recruitment_rows(org: OrgSpec, counts: dict[str, tuple[int, int]], rng: random.Random) -> list[list[str]]:
    """One row per shortlisted application; `appointed` applications of each group get the yes flag."""
    yes, no = org.flag_words
    apps = [(group, k < appointed) for group, (shortlisted, appointed) in counts.items() for k in range(shortlisted)]
    rng.shuffle(apps)
    return [
        [f"A{i:05d}", ethnicity_value(group, org.styles["recruitment"], rng), yes if hired else no]
        for i, (group, hired) in enumerate(apps, 1)
    ]


def application_rows(org: OrgSpec, spec: YearSpec, rng: random.Random) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a recruitment file that holds every application (`shortlisted`) and, when the spec
    has them, which applications came from internal recruitment campaigns (`internal`; one in four of the
    applications not shortlisted)."""
    yes, no = org.flag_words
    flag = lambda b: yes if b else no  # noqa: E731
    apps = []  # (group, shortlisted, appointed, internal)
    for group, (shortlisted, appointed) in spec.recruitment.items():
        inside, inside_appointed = (spec.internal or {}).get(group, (0, 0))
        for k in range(shortlisted):
            hired = k < appointed
            internal = k < inside_appointed if hired else k - appointed < inside - inside_appointed
            apps.append((group, True, hired, internal))
        for k in range((spec.not_shortlisted or {}).get(group, 0)):
            apps.append((group, False, False, k % 4 == 0))
    rng.shuffle(apps)
    header = ["application_id", "ethnic_category", "shortlisted", "appointed"]
    if spec.internal is not None:
        header.append("internal")
    rows = []
    for i, (group, listed, hired, internal) in enumerate(apps, 1):
        row = [f"A{i:05d}", ethnicity_value(group, org.styles["recruitment"], rng), flag(listed), flag(hired)]
        rows.append(row + ([flag(internal)] if spec.internal is not None else []))
    return header, rows


def random_day(start: date, end: date, rng: random.Random) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def disciplinary_rows(org: OrgSpec, year: int, counts: dict[str, int], rng: random.Random) -> list[list[str]]:
    """One row per person entering a formal investigation, dated within 1 April (year-1) to 31 March (year)."""
    cases = [
        (random_day(date(year - 1, 4, 1), date(year, 3, 31), rng), group)
        for group, n in counts.items()
        for _ in range(n)
    ]
    cases.sort()
    return [
        [f"D{i:04d}", ethnicity_value(group, org.styles["disciplinary"], rng), f"{day:%d/%m/%Y}"]
        for i, (day, group) in enumerate(cases, 1)
    ]


def training_rows(
    staff: list[tuple[str, str, list[str]]], counts: dict[str, int], rng: random.Random
) -> list[list[str]]:
    """Staff ids of those who accessed training: `counts[group]` people drawn from each group's staff."""
    chosen = []
    for group in GROUPS:
        ids = [sid for sid, g, _ in staff if g == group]
        chosen += rng.sample(ids, counts.get(group, 0))
    return [[sid] for sid in sorted(chosen)]


def board_rows(
    org: OrgSpec, seats: tuple[Seat, ...], rng: random.Random, previous=(), id_rng: random.Random | None = None
) -> list[list[str]]:
    """The board register in spec order (executives first, as registers usually are); member ids carried over
    from `previous` ((id, seat) of last year's members) as staff ids are."""
    members = [seat for seat in seats for _ in range(seat.count)]
    keys = [(s.group, s.voting, s.executive) for s in members]
    ids = carried_ids(keys, list(previous), "B", 2, id_rng or random.Random(0), BOARD_STAY)
    return [
        [
            sid,
            ethnicity_value(s.group, org.styles["board"], rng),
            "Y" if s.voting else "N",
            "Y" if s.executive else "N",
        ]
        for sid, s in zip(ids, members)
    ]


def _people(org: OrgSpec, year: int) -> tuple[list, list]:
    """Last year's staff ((id, (band, group))) and board ((id, seat)) of `year`'s records, or empty."""
    spec = org.years.get(year)
    if spec is None:
        return [], []
    staff_before, board_before = _people(org, year - 1)

    def rng(name: str) -> random.Random:
        return random.Random(f"{org.slug}/{year}/{name}")

    staff = staff_rows(org, spec, rng("staff"), staff_before, rng("staff-ids"))
    board = board_rows(org, spec.board, rng("board"), board_before, rng("board-ids"))
    return (
        [(sid, (row[2], group)) for sid, group, row in staff],
        [
            (row[0], key)
            for row, key in zip(board, [(s.group, s.voting, s.executive) for s in spec.board for _ in range(s.count)])
        ],
    )


def survey_rows(org: OrgSpec, years: tuple[int, ...]) -> list[list[str]]:
    rows = []
    for year in years:
        for indicator in (5, 6, 7, 8):
            for group in ("white", "bme"):
                percent, respondents = org.survey[year][indicator][group]
                rows.append([str(year), str(indicator), group, str(respondents), f"{percent:g}"])
    return rows


# ------------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------------
def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def yaml_text(data: dict) -> str:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return f"{HEADER_NOTE}\n{body}"


def year_files(org: OrgSpec, year: int, spec: YearSpec) -> dict[str, str]:
    """File name -> content for one report year. Each file has its own seeded random stream."""

    def rng(name: str) -> random.Random:
        return random.Random(f"{org.slug}/{year}/{name}")

    files = {}
    if org.members:  # an aggregate's year holds its own board and settings; every count is its members'
        files["board.csv"] = csv_text(
            ["member_id", "ethnic_category", "voting", "executive"], board_rows(org, spec.board, rng("board"))
        )
        if spec.settings is not None:
            files["settings.yaml"] = yaml_text(spec.settings)
        return files
    staff_before, board_before = _people(org, year - 1)
    staff = staff_rows(org, spec, rng("staff"), staff_before, rng("staff-ids"))
    if org.counts_only:
        files["counts.csv"] = csv_text(list(COUNTS_HEADER), counts_rows(org, spec, staff, rng("training")))
        if spec.survey_years:
            files["staff_survey.csv"] = csv_text(
                ["survey_year", "indicator", "group", "respondents", "percent"], survey_rows(org, spec.survey_years)
            )
        if spec.settings is not None:
            files["settings.yaml"] = yaml_text(spec.settings)
        return files
    header = ["staff_id", "ethnic_category", "pay_band", "clinical", "occupation", "department"]
    width = len(header) if org.job_columns else 4  # without the optional occupation and department
    files["staff.csv"] = csv_text(header[:width], [row[:width] for _, _, row in staff])
    if spec.recruitment is not None and spec.not_shortlisted is not None:
        files["recruitment.csv"] = csv_text(*application_rows(org, spec, rng("recruitment")))
    elif spec.recruitment is not None:
        files["recruitment.csv"] = csv_text(
            ["application_id", "ethnic_category", "appointed"],
            recruitment_rows(org, spec.recruitment, rng("recruitment")),
        )
    if spec.disciplinary is not None:
        files["disciplinary.csv"] = csv_text(
            ["case_id", "ethnic_category", "date_entered"],
            disciplinary_rows(org, year, spec.disciplinary, rng("disciplinary")),
        )
    if spec.training is not None:
        files["training.csv"] = csv_text(["staff_id"], training_rows(staff, spec.training, rng("training")))
    files["board.csv"] = csv_text(
        ["member_id", "ethnic_category", "voting", "executive"],
        board_rows(org, spec.board, rng("board"), board_before, rng("board-ids")),
    )
    if spec.survey_years:
        files["staff_survey.csv"] = csv_text(
            ["survey_year", "indicator", "group", "respondents", "percent"], survey_rows(org, spec.survey_years)
        )
    if spec.settings is not None:
        files["settings.yaml"] = yaml_text(spec.settings)
    return files


COUNTS_HEADER = ("indicator", "measure", "breakdown", "group", "numerator", "denominator")


def counts_rows(org: OrgSpec, spec: YearSpec, staff, rng: random.Random) -> list[list[str]]:
    """counts.csv (counts.py) of one year's records: indicator 1 by pay band, staff group and ethnic group, with
    a total row per cell and the whole workforce as check rows; indicators 2, 3 and 4 by group (3 and 4 with the
    headcount as denominator); indicator 9 by voting and executive membership, with the check rows."""
    from . import vocab

    cells: dict[tuple[str, str], dict[str, int]] = {}
    for _, group, row in staff:
        kind = "clinical" if row[3] == "Y" else "non-clinical"
        cells.setdefault((row[2], kind), dict.fromkeys(GROUPS, 0))[group] += 1
    order = list(vocab.pay_bands())
    rows = []
    heads = dict.fromkeys(GROUPS, 0)
    for (band, kind), counts in sorted(cells.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        for group in GROUPS:
            rows.append(["1", "headcount", f"{band}/{kind}", group, str(counts[group]), ""])
            heads[group] += counts[group]
        rows.append(["1", "headcount", f"{band}/{kind}", "total", str(sum(counts.values())), ""])
    for group in GROUPS:
        rows.append(["1", "headcount", "all", group, str(heads[group]), ""])
    rows.append(["1", "headcount", "all", "total", str(sum(heads.values())), ""])
    if spec.recruitment is not None:
        for group in GROUPS:
            shortlisted, appointed = spec.recruitment.get(group, (0, 0))
            rows.append(["2", "appointed", "all", group, str(appointed), str(shortlisted)])
    trained = {g: len(ids) for g, ids in _trained_by_group(staff, spec, rng).items()}
    for indicator, measure, events in (
        ("3", "entered_investigation", spec.disciplinary),
        ("4", "accessed_training", trained if spec.training is not None else None),
    ):
        if events is not None:
            for group in GROUPS:
                rows.append([indicator, measure, "all", group, str(events.get(group, 0)), str(heads[group])])
    board: dict[str, dict[str, int]] = {}
    for seat in spec.board:
        key = f"{'voting' if seat.voting else 'non-voting'}/{'executive' if seat.executive else 'non-executive'}"
        board.setdefault(key, dict.fromkeys(GROUPS, 0))[seat.group] += seat.count
    for key, counts in board.items():
        rows += [["9", "headcount", key, group, str(counts[group]), ""] for group in GROUPS]
    for check, parts in (
        ("voting", ("voting/executive", "voting/non-executive")),
        ("executive", ("voting/executive", "non-voting/executive")),
        ("all_members", tuple(board)),
    ):
        total = sum(board.get(p, {}).get(g, 0) for p in parts for g in GROUPS)
        rows.append(["9", "headcount", check, "total", str(total), ""])
    return rows


def _trained_by_group(staff, spec: YearSpec, rng: random.Random) -> dict[str, list[str]]:
    ids = training_rows(staff, spec.training or {}, rng)
    group_of = {sid: group for sid, group, _ in staff}
    out: dict[str, list[str]] = {g: [] for g in GROUPS}
    for (sid,) in ids:
        out[group_of[sid]].append(sid)
    return out


README = """\
# Sample workspace

The organisations here are **synthetic samples**, written by the generator in
`wres_helpers/sample_data.py`. Every record is invented (ids such as `S00001`, no names), but the counts
are chosen so that the engine reproduces the correct figures printed in three published WRES reports:

| folder | organisation | report years |
|---|---|---|
| `leeds/` | NHS Leeds CCG | 2020, 2021 |
| `mlcsu/` | NHS Midlands and Lancashire CSU | 2022, 2023, 2024 |
| `hwccg/` | NHS Herefordshire and Worcestershire CCG | 2020 |

Three more are invented outright: `smallccg/` (2021, 40 staff: what small-number protection withholds),
`countsccg/` (2022, a counts-only organisation: one `counts.csv` in place of the record-level files, as an
organisation that has only the ESR WRES dashboard's counts supplies it) and `exampleicb/` (2020, an
aggregate: an ICB whose `org.yaml` names `leeds` and `hwccg` as its `members`, so that its report is their
2020 records put together; its year folder holds only its own board).

`tests/test_seed_figures.py` checks those figures; `tests/test_sample_data.py` checks that the files here
are exactly what the generator writes. Do not edit the files by hand: change the specs in the generator
and regenerate (the output is the same byte for byte on every run):

    .venv/bin/python -m wres_helpers.sample_data            # rewrites params/leeds, params/mlcsu, params/hwccg
    .venv/bin/python -m wres_helpers.sample_data --workspace DIR   # into DIR/params instead

Each organisation has `org.yaml` (name, type, term for the BME group, board name) and one folder per report
year with `staff.csv`, `board.csv` and, where the organisation had them, `recruitment.csv`,
`disciplinary.csv`, `training.csv`, `staff_survey.csv` and `settings.yaml` (survey year, and indicators
declared withheld, not collected or not required, with the reason). `countsccg/` has `counts.csv`,
`staff_survey.csv` and no record-level files; `exampleicb/2020/` has `board.csv` alone.
"""


def render(org: OrgSpec) -> dict[str, str]:
    """Relative path under params/ -> file content, for one organisation."""
    settings = {"name": org.name, "type": org.type, "term_for_bme": org.term_for_bme, "board_name": org.board_name}
    if org.band_groups:
        settings["band_groups"] = list(org.band_groups)
    if org.comparators:
        settings["comparators"] = list(org.comparators)
    if org.members:
        settings["members"] = list(org.members)
    if org.representation_target:
        settings["representation_target"] = {"year": org.representation_target}
    if org.local_bme_pct is not None:
        settings["local_population"] = {
            "bme_pct": org.local_bme_pct,
            "source": "Invented for this synthetic sample; a real report names its Census 2021 area and ages",
        }
    out = {f"{org.slug}/org.yaml": yaml_text(settings)}
    for year, spec in sorted(org.years.items()):
        for name, text in year_files(org, year, spec).items():
            out[f"{org.slug}/{year}/{name}"] = text
    return out


def render_all() -> dict[str, str]:
    out = {"README.md": README}
    for org in ORGS:
        out.update(render(org))
    return out


def write(workspace: str | Path) -> list[Path]:
    """(Re)write the sample organisations under <workspace>/params/. Returns the files written.

    Generated files that a spec no longer produces (e.g. a settings.yaml) are removed; nothing else in
    the organisations' folders is touched.
    """
    params = Path(workspace) / "params"
    files = render_all()
    for org in ORGS:
        for year in org.years:
            folder = params / org.slug / str(year)
            for name in FILES:
                stale = folder / name
                if stale.is_file() and f"{org.slug}/{year}/{name}" not in files:
                    stale.unlink()
    written = []
    for rel, text in files.items():
        path = params / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wres_helpers.sample_data",
        description="Write the synthetic sample organisations under WORKSPACE/params/.",
    )
    parser.add_argument(
        "--workspace",
        default=str(Path(__file__).resolve().parent.parent),
        help="folder to write params/ into (default: this repository)",
    )
    args = parser.parse_args(argv)
    written = write(args.workspace)
    print(f"wrote {len(written)} files under {Path(args.workspace) / 'params'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
