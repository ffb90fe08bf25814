"""Indicator 1 beneath the headline: by census ethnic category, by occupation and department, and band 8a and
above by staff group; and disclosure control of those figures (complementary suppression, checked by the
independent audit). Every expected figure is worked out by hand in the test, from the staff listed here."""

from __future__ import annotations

import pandas as pd
import pytest

from wres_helpers import disclosure, disclosure_audit
from wres_helpers.indicators import COLUMNS, UNCERTAINTY_COLUMNS, Rows, indicator_1

# staff_id, ethnic_category as typed, group (by hand: A and C are White, H, L and S BME, Z and blank Unknown),
# pay band, family, clinical, occupation, department
SEVEN = [
    ("P1", "A White - British", "white", "Band 8a", "afc", True, "Staff Nurse", "Ward  1"),
    ("P2", "A", "white", "Band 8b", "afc", False, "staff nurse", "ward 1"),
    ("P3", "H", "bme", "Band 5", "afc", True, "Staff Nurse ", "Ward 1"),
    ("P4", "LK Asian - Sri Lankan", "bme", "Band 8a", "afc", False, "Manager", "Finance"),
    ("P5", "", "unknown", "Band 3", "afc", False, "Manager", "Finance"),
    ("P6", "Z", "unknown", "VSM", "vsm", False, "", "Finance"),
    ("P7", "4", "bme", "Band 8c", "afc", True, "Staff Nurse", "Ward 1"),  # old code 4: Indian, category H
]


def staff_frame(people, columns=True) -> pd.DataFrame:
    frame = pd.DataFrame(
        people,
        columns=["staff_id", "ethnic_category", "group", "pay_band", "family", "clinical", "occupation", "department"],
    )
    frame["clinical"] = frame["clinical"].astype(bool)
    return frame if columns else frame.drop(columns=["occupation", "department"])


def table_of(staff: pd.DataFrame, free_text_min: int = 5) -> pd.DataFrame:
    rows = Rows()
    indicator_1(rows, staff, (), free_text_min)
    table = pd.DataFrame([r.__dict__ for r in rows], columns=COLUMNS)
    for col in ("value", *UNCERTAINTY_COLUMNS):
        table[col] = table[col].astype("Float64")
    for col in ("numerator", "denominator"):
        table[col] = table[col].astype("Int64")
    return table


def figure(table, breakdown, group, measure="headcount"):
    found = table[(table.measure == measure) & (table.breakdown == breakdown) & (table.group == group)]
    assert len(found) == 1, (breakdown, group, measure, len(found))
    return found.iloc[0]


def test_by_ethnic_category_worked_by_hand():
    t = table_of(staff_frame(SEVEN), free_text_min=1)
    # A: P1, P2. H: P3 and P7 (old code 4). L: P4 (ESR's LK). Z: P6. Blank: P5, not known. 7 in all.
    expected = {"A": 2, "B": 0, "C": 0, "D": 0, "H": 2, "L": 1, "S": 0, "Z": 1, "99": 1, "total": 7}
    for code, n in expected.items():
        assert int(figure(t, "ethnic category", code)["value"]) == n, code
    assert float(figure(t, "ethnic category", "H", "share_pct")["value"]) == pytest.approx(100 * 2 / 7)
    # 'White' with no category (old code 0) has a row only when someone has it
    assert t[(t.breakdown == "ethnic category") & (t.group == "0")].empty


def test_by_occupation_and_department_worked_by_hand():
    t = table_of(staff_frame(SEVEN), free_text_min=1)
    # 'Staff Nurse', 'staff nurse', 'Staff Nurse ' are one occupation, spelt as most staff spell it: P1 (White),
    # P2 (White), P3 (BME), P7 (BME). Manager: P4 (BME), P5 (Unknown). P6 has none: Not recorded.
    for name, white, bme, unknown in (("Staff Nurse", 2, 2, 0), ("Manager", 0, 1, 1), ("Not recorded", 0, 0, 1)):
        b = f"occupation: {name}"
        assert [int(figure(t, b, g)["value"]) for g in ("white", "bme", "unknown", "total")] == [
            white,
            bme,
            unknown,
            white + bme + unknown,
        ]
    assert float(figure(t, "occupation: Staff Nurse", "bme", "share_pct")["value"]) == pytest.approx(50.0)
    assert not (t.breakdown == "occupation: staff nurse").any()
    # 'Ward  1' (two spaces) and 'ward 1' are 'Ward 1': P1, P2 White, P3, P7 BME. Finance: P4 BME, P5, P6 Unknown.
    assert [int(figure(t, "department: Ward 1", g)["value"]) for g in ("white", "bme", "unknown")] == [2, 2, 0]
    assert [int(figure(t, "department: Finance", g)["value"]) for g in ("white", "bme", "unknown")] == [0, 1, 2]


def test_a_value_few_staff_share_has_no_row_of_its_own():
    t = table_of(staff_frame(SEVEN), free_text_min=5)  # the default threshold: no value has 5 staff
    occupations = [b for b in t.breakdown.unique() if b.startswith("occupation: ")]
    assert occupations == ["occupation: 3 other occupations, not named"]
    assert int(figure(t, occupations[0], "total")["value"]) == 7


def test_band_8a_and_above_by_staff_group_worked_by_hand():
    t = table_of(staff_frame(SEVEN))
    # 8a and above: P1 (8a, clinical, White), P2 (8b, non-clinical, White), P4 (8a, non-clinical, BME),
    # P6 (VSM, non-clinical, Unknown), P7 (8c, clinical, BME).
    assert [int(figure(t, "8a and above: clinical", g)["value"]) for g in ("white", "bme", "unknown", "total")] == [
        1,
        1,
        0,
        2,
    ]
    assert [int(figure(t, "8a and above: non-clinical", g)["value"]) for g in ("white", "bme", "unknown", "total")] == [
        1,
        1,
        1,
        3,
    ]
    assert float(figure(t, "8a and above: non-clinical", "bme", "share_pct")["value"]) == pytest.approx(100 / 3)


def test_without_the_optional_columns_the_table_says_so():
    t = table_of(staff_frame(SEVEN, columns=False))
    for column in ("occupation", "department"):
        row = figure(t, column, "total")
        assert row["status"] == "no_data" and f"no {column} column" in row["reason"]
        assert not t.breakdown.str.startswith(f"{column}: ").any()


# -- complementary suppression of a small category ----------------------------------------------------------
# 30 White British, 10 Indian and 2 'any other ethnic group' (S), all at band 5, non-clinical. BME is 12, a
# count that is published; so S = 12 - 10 = 2 unless another BME category is withheld with it.
ATTACK = (
    [(f"W{i}", "A", "white", "Band 5", "afc", False, "", "") for i in range(30)]
    + [(f"H{i}", "H", "bme", "Band 5", "afc", False, "", "") for i in range(10)]
    + [(f"S{i}", "S", "bme", "Band 5", "afc", False, "", "") for i in range(2)]
)


def test_a_small_category_cannot_be_worked_out_after_publish():
    t = table_of(staff_frame(ATTACK, columns=False))
    published = disclosure.publish(t, disclosure.Rules())
    s = figure(published, "ethnic category", "S")
    assert s["status"] == "withheld" and pd.isna(s["value"])
    assert figure(published, "ethnic category", "H")["status"] == "withheld"  # its complement
    # the headline is not sacrificed: the BME count and share of all staff stay published
    assert int(figure(published, "all", "bme")["value"]) == 12
    assert figure(published, "all", "bme", "share_pct")["status"] == "ok"
    findings = disclosure_audit.audit({2021: published}, 2021)
    assert any(f.cell == ("1", "ethnic category", "S") for f in findings)
    assert disclosure_audit.unprotected(findings, 4) == []


def test_the_audit_catches_a_small_category_withheld_alone():
    t = table_of(staff_frame(ATTACK, columns=False))
    leaky = t.copy()
    leaky["suppression"], leaky["shown_as"] = "", ""
    alone = (leaky.breakdown == "ethnic category") & (leaky.group == "S")  # its count and its share, nothing else
    assert alone.sum() == 2
    leaky.loc[alone, ["status", "suppression", "shown_as"]] = ["withheld", "withheld", "withheld"]
    leaky.loc[alone, ["value", "numerator", "denominator"]] = pd.NA
    bad = disclosure_audit.unprotected(disclosure_audit.audit({2021: leaky}, 2021), 4)
    assert [(f.cell, f.low, f.high) for f in bad] == [(("1", "ethnic category", "S"), 2, 2)]  # 12 - 10 - 0


def test_the_audit_catches_a_small_occupation_withheld_alone():
    # Two occupations: Clerk (20 White, 2 BME) and Analyst (10 White, 8 BME). BME of all staff is 10, so
    # Clerk's 2 is 10 - 8 unless Analyst's BME count is withheld too.
    people = (
        [(f"C{i}", "A", "white", "Band 4", "afc", False, "Clerk", "x") for i in range(20)]
        + [(f"D{i}", "N", "bme", "Band 4", "afc", False, "Clerk", "x") for i in range(2)]
        + [(f"E{i}", "A", "white", "Band 4", "afc", False, "Analyst", "x") for i in range(10)]
        + [(f"F{i}", "N", "bme", "Band 4", "afc", False, "Analyst", "x") for i in range(8)]
    )
    t = table_of(staff_frame(people))
    leaky = t.copy()
    leaky["suppression"], leaky["shown_as"] = "", ""
    alone = (leaky.breakdown == "occupation: Clerk") & (leaky.group == "bme")
    leaky.loc[alone, ["status", "suppression", "shown_as"]] = ["withheld", "withheld", "withheld"]
    leaky.loc[alone, ["value", "numerator", "denominator"]] = pd.NA
    bad = disclosure_audit.unprotected(disclosure_audit.audit({2021: leaky}, 2021), 4)
    assert ("1", "occupation: Clerk", "bme") in [f.cell for f in bad]
    published = disclosure.publish(t, disclosure.Rules())
    assert figure(published, "occupation: Clerk", "bme")["status"] == "withheld"
    assert disclosure_audit.unprotected(disclosure_audit.audit({2021: published}, 2021), 4) == []


def test_the_audit_catches_band_8a_and_above_by_staff_group_withheld_alone():
    # Band 8a: 10 White clinical, 2 BME clinical, 12 White non-clinical, 6 BME non-clinical. The single band
    # (all staff) is published; the clinical BME 2 is the band's BME 8 less the non-clinical 6.
    people = (
        [(f"A{i}", "A", "white", "Band 8a", "afc", True, "", "") for i in range(10)]
        + [(f"B{i}", "N", "bme", "Band 8a", "afc", True, "", "") for i in range(2)]
        + [(f"C{i}", "A", "white", "Band 8a", "afc", False, "", "") for i in range(12)]
        + [(f"D{i}", "N", "bme", "Band 8a", "afc", False, "", "") for i in range(6)]
    )
    t = table_of(staff_frame(people, columns=False))
    shown = t[~t.breakdown.str.contains("/")].reset_index(drop=True)  # bands for all staff, not by staff group
    leaky = shown.copy()
    leaky["suppression"], leaky["shown_as"] = "", ""
    small = ((leaky.breakdown == "8a and above: clinical") & (leaky.group == "bme")) | (
        (leaky.breakdown == "clinical") & (leaky.group == "bme")
    )
    leaky.loc[small, ["status", "suppression", "shown_as"]] = ["withheld", "withheld", "withheld"]
    leaky.loc[small, ["value", "numerator", "denominator"]] = pd.NA
    bad = disclosure_audit.unprotected(disclosure_audit.audit({2021: leaky}, 2021), 4)
    assert ("1", "8a and above: clinical", "bme") in [f.cell for f in bad]


@pytest.mark.parametrize("columns", [True, False])
def test_publish_of_the_hand_made_table_passes_the_audit(columns):
    t = table_of(staff_frame(SEVEN, columns), free_text_min=1)
    published = disclosure.publish(t, disclosure.Rules())
    assert disclosure_audit.unprotected(disclosure_audit.audit({2021: published}, 2021), 4) == []


def test_a_tiny_organisation_whose_total_is_withheld_shows_nothing_beneath_the_headline(tmp_path):
    # 4 staff (2 White A, 1 Indian H, 1 blank): the count of all staff, 4, is itself a small number. With the
    # 15 empty categories printed as 0, the audit pinned that total at exactly 4 (found by a kill -9 test's
    # fixture); so every figure beneath the headline is withheld, zeros too, and the audit finds nothing.
    from wres_helpers import disclosure_audit
    from wres_helpers.report_data import load_report

    org = tmp_path / "params" / "tiny"
    (org / "2021").mkdir(parents=True)
    (org / "org.yaml").write_text("name: Tiny NHS Trust\ntype: trust\nterm_for_bme: BME\nboard_name: Trust Board\n")
    (org / "2021" / "staff.csv").write_text(
        "staff_id,ethnic_category,pay_band,clinical\nS1,A,Band 5,Y\nS2,H,Band 5,N\nS3,A,Band 6,Y\nS4,,Band 7,N\n"
    )
    table = load_report("tiny", 2021, str(tmp_path)).table
    beneath = table[table.breakdown == "ethnic category"]
    assert len(beneath) and (beneath.status == "withheld").all()
    assert beneath[["value", "numerator", "denominator"]].isna().all().all()
    assert disclosure_audit.unprotected(disclosure_audit.audit({2021: table}, 2021), 4) == []
