"""A national ESR extract: `indicators --extract` and `split` on a small extract written here, row by row.

The figures checked by hand are worked out in the comments from the rows below, never from the code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wres_helpers import cli
from wres_helpers.engine import indicator_table
from wres_helpers.errors import InputError
from wres_helpers.extract import indicator_tables, split

ORGS = """org_code,name,type,term_for_bme,board_name
AAA,Trust A,trust,BME,Trust Board
BBB,Trust B,trust,ethnically diverse,Trust Board
CCC,ICB C,ICB,BAME,Integrated Care Board
"""

# AAA: 10 staff, 6 White, 3 BME, 1 unknown, with clinical Y/N. BBB: ESR's staff_group instead of clinical
# (2 Administrative and Clerical + 1 Estates and Ancillary = 3 non-clinical; 2 Medical and Dental clinical).
# CCC: 4 staff, and the same staff ids as AAA (ids are unique within an organisation, not nationally).
STAFF_A = [
    ("AAA", "S1", "A White - British", "Band 5", "Y", ""),
    ("AAA", "S2", "A", "Band 5", "Y", ""),
    ("AAA", "S3", "C3 White - Any other White background", "Band 6", "N", ""),
    ("AAA", "S4", "B", "Band 6", "N", ""),
    ("AAA", "S5", "A", "Band 7", "Y", ""),
    ("AAA", "S6", "A", "Band 3", "N", ""),
    ("AAA", "S7", "H Asian or Asian British - Indian", "Band 5", "Y", ""),
    ("AAA", "S8", "N", "Band 6", "Y", ""),
    ("AAA", "S9", "LK Asian - Sri Lankan", "Band 3", "N", ""),
    ("AAA", "S10", "Z", "Band 5", "Y", ""),
]
STAFF_B = [
    ("BBB", "S1", "A", "Band 4", "", "Administrative and Clerical"),
    ("BBB", "S2", "N", "Band 3", "", "Administrative & Clerical"),
    ("BBB", "S3", "A", "Band 2", "", "Estates and Ancillary"),
    ("BBB", "S4", "H", "Consultant", "", "Medical and Dental"),
    ("BBB", "S5", "A", "Trainee grade", "", "Medical and Dental"),
]
STAFF_C = [
    ("CCC", "S1", "A", "Band 7", "N", "Administrative and Clerical"),
    ("CCC", "S2", "A", "Band 8a", "N", ""),
    ("CCC", "S3", "R", "Band 6", "Y", "Nursing and Midwifery Registered"),
    ("CCC", "S4", "", "Band 5", "Y", "Allied Health Professionals"),
]
STAFF_HEADER = "org_code,staff_id,ethnic_category,pay_band,clinical,staff_group\n"

# AAA recruitment: White 4 shortlisted, 2 appointed (50%); BME 4 shortlisted, 1 appointed (25%):
# relative likelihood of White appointment = 50 / 25 = 2.0.
RECRUITMENT = """org_code,application_id,ethnic_category,appointed
AAA,R1,A,Y
AAA,R2,A,Y
AAA,R3,A,N
AAA,R4,B,N
AAA,R5,H,Y
AAA,R6,N,N
AAA,R7,R,N
AAA,R8,M,N
BBB,R1,A,Y
BBB,R2,N,N
CCC,R1,A,Y
CCC,R2,H,Y
CCC,R3,H,N
"""
DISCIPLINARY = """org_code,case_id,ethnic_category,date_entered
AAA,D1,H,2023-06-01
AAA,D2,A,15/01/2024
CCC,D1,R,2023-04-01
"""
TRAINING = """org_code,staff_id
AAA,S1
AAA,s2
AAA,S7
BBB,S4
CCC,S1
"""
BOARD = """org_code,member_id,ethnic_category,voting,executive
AAA,B1,A,Y,Y
AAA,B2,H,Y,N
AAA,B3,A,N,N
BBB,B1,A,Y,Y
CCC,B1,N,Y,Y
CCC,B2,A,Y,N
"""
SURVEY = """org_code,survey_year,indicator,group,respondents,percent
AAA,2023,5,white,120,25.0
AAA,2023,5,bme,40,30.0
BBB,2023,7,ethnically diverse,30,40.5
BBB,2023,7,white,90,55.5
"""


def _rows(rows) -> str:
    return "".join(",".join(r) + "\n" for r in rows)


def make_extract(root: Path, **replace: str) -> Path:
    """The extract above in root/extract, with any file replaced (staff='...')."""
    folder = root / "extract"
    (folder / "2024").mkdir(parents=True)
    files = {
        "organisations.csv": ORGS,
        "2024/staff.csv": STAFF_HEADER + _rows(STAFF_A + STAFF_B + STAFF_C),
        "2024/recruitment.csv": RECRUITMENT,
        "2024/disciplinary.csv": DISCIPLINARY,
        "2024/training.csv": TRAINING,
        "2024/board.csv": BOARD,
        "2024/staff_survey.csv": SURVEY,
    }
    for name, text in replace.items():
        files[f"2024/{name}.csv"] = text
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _row(table: pd.DataFrame, org: str, indicator: int, measure: str, breakdown: str, group: str) -> pd.Series:
    found = table[
        (table["org_code"] == org)
        & (table["indicator"] == indicator)
        & (table["measure"] == measure)
        & (table["breakdown"] == breakdown)
        & (table["group"] == group)
    ]
    assert len(found) == 1, (org, indicator, measure, breakdown, group)
    return found.iloc[0]


def test_each_organisation_of_the_extract_equals_its_split_workspace(tmp_path):
    folder = make_extract(tmp_path)
    every = indicator_tables(folder, 2024)
    assert list(every.columns[:2]) == ["org_code", "indicator"]
    assert list(dict.fromkeys(every["org_code"])) == ["AAA", "BBB", "CCC"]
    written = split(folder, 2024, tmp_path / "ws")
    assert written == ["aaa", "bbb", "ccc"]
    for org in written:
        alone = indicator_table(org, 2024, tmp_path / "ws")
        mine = every[every["org_code"] == org.upper()].drop(columns="org_code").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_figures_worked_by_hand(tmp_path):
    every = indicator_tables(make_extract(tmp_path), 2024)
    share = _row(every, "AAA", 1, "share_pct", "all", "bme")
    assert (share["numerator"], share["denominator"]) == (3, 10)
    assert share["value"] == pytest.approx(30.0)
    rl = _row(every, "AAA", 2, "relative_likelihood", "all", "white_vs_bme")
    assert rl["value"] == pytest.approx(2.0)
    # BBB has no clinical column: its staff groups make 2 clinical and 3 non-clinical staff.
    assert _row(every, "BBB", 1, "headcount", "clinical", "total")["value"] == 2
    assert _row(every, "BBB", 1, "headcount", "non-clinical", "total")["value"] == 3
    # CCC's training: S1 of CCC (White) only; AAA's S1 is another person. 1 of CCC's 2 White staff.
    trained = _row(every, "CCC", 4, "rate_pct", "all", "white")
    assert (trained["numerator"], trained["denominator"]) == (1, 2)
    # AAA's training 's2' is S2 (ids compared without regard to capitals): White 2 of 6 trained.
    assert _row(every, "AAA", 4, "rate_pct", "all", "white")["numerator"] == 2


def test_the_command_line_writes_every_organisation_with_org_code_first(tmp_path):
    folder = make_extract(tmp_path)
    out = tmp_path / "all.csv"
    assert cli.main(["indicators", "--extract", str(folder), "2024", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert table.columns[0] == "org_code" and set(table["org_code"]) == {"AAA", "BBB", "CCC"}
    ws = tmp_path / "ws"
    assert cli.main(["split", str(folder), "2024", "--workspace", str(ws)]) == 0
    assert (ws / "params" / "bbb" / "org.yaml").is_file() and (ws / "params" / "bbb" / "2024" / "staff.csv").is_file()
    assert cli.main(["indicators", "ccc", "2024", "--workspace", str(ws), "--out", str(tmp_path / "c.csv")]) == 0


def _problems(folder: Path) -> list:
    with pytest.raises(InputError) as caught:
        indicator_tables(folder, 2024)
    return caught.value.problems


def test_an_org_code_not_in_organisations_csv(tmp_path):
    staff = STAFF_HEADER + _rows(STAFF_A + STAFF_B + STAFF_C) + "ZZZ,S1,A,Band 5,Y,\n"
    (p,) = _problems(make_extract(tmp_path, staff=staff))
    assert p.file.endswith("2024/staff.csv") and (p.row, p.column, p.value) == (21, "org_code", "ZZZ")
    assert "not in organisations.csv" in p.expected and "AAA, BBB, CCC" in p.expected


def test_a_file_without_org_code(tmp_path):
    (p,) = _problems(make_extract(tmp_path, board="member_id,ethnic_category,voting,executive\nB1,A,Y,Y\n"))
    assert p.file.endswith("2024/board.csv") and p.column == "org_code" and "is missing" in p.expected


def test_an_unknown_staff_group(tmp_path):
    staff = STAFF_HEADER + _rows(STAFF_A + STAFF_B + STAFF_C) + "BBB,S9,A,Band 5,,Porters\n"
    (p,) = _problems(make_extract(tmp_path, staff=staff))
    assert (p.row, p.column, p.value) == (21, "staff_group", "Porters")
    assert "not a known staff group" in p.expected and "'Administrative and Clerical'" in p.expected


def test_a_staff_group_that_contradicts_clinical(tmp_path):
    staff = STAFF_HEADER + _rows(STAFF_A + STAFF_B + STAFF_C) + "BBB,S9,A,Band 5,Y,Estates and Ancillary\n"
    (p,) = _problems(make_extract(tmp_path, staff=staff))
    assert (p.row, p.column, p.value) == (21, "clinical", "Y") and "non-clinical" in p.expected


def test_ids_are_unique_within_an_organisation_and_training_stays_in_its_own(tmp_path):
    staff = STAFF_HEADER + _rows(STAFF_A + STAFF_B + STAFF_C) + "AAA,s3,A,Band 5,Y,\n"
    training = "org_code,staff_id\nAAA,S1\nCCC,S9\n"
    problems = _problems(make_extract(tmp_path, staff=staff, training=training))
    assert [(p.file.rsplit("/", 1)[-1], p.row, p.column) for p in problems] == [
        ("staff.csv", 21, "org_code + staff_id"),
        ("training.csv", 3, "staff_id"),  # S9 is AAA's, not CCC's
    ]


def test_survey_problems_are_listed_organisation_by_organisation(tmp_path):
    """The survey file is checked in one pass per term for BME (extract._validate_by_term), yet its problems
    read as checking each organisation on its own gives them: organisations in the order they first appear
    (BBB, AAA, CCC), each one's in the order of the file's columns (respondents before percent)."""
    survey = (
        "org_code,survey_year,indicator,group,respondents,percent\n"
        "BBB,2023,7,ethnically diverse,30,140.5\n"  # row 2
        "AAA,2023,5,purple,40,30.0\n"  # row 3
        "BBB,2023,7,white,-3,55.5\n"  # row 4
        "AAA,2023,5,white,120,250.0\n"  # row 5
        "CCC,2023,5,bme,12,x\n"  # row 6
    )
    found = [(p.row, p.column, p.value) for p in _problems(make_extract(tmp_path, staff_survey=survey))]
    assert found == [
        (4, "respondents", "-3"),
        (2, "percent", "140.5"),
        (3, "group", "purple"),
        (5, "percent", "250.0"),
        (6, "percent", "x"),
    ]
