"""The interval audit (wres_helpers.disclosure_audit) attacks what the site publishes, as an adversary would.

It reads only published tables and the documented rules; nothing here asks the suppression code what it did.
"""

import pandas as pd
import pytest

from conftest import ORG_YAML
from wres_helpers import indicator_table
from wres_helpers.disclosure import publish, rules_for
from wres_helpers.disclosure_audit import audit, unprotected
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace

SAMPLES = [
    ("smallccg", 2021),
    ("leeds", 2021),
    ("leeds", 2020),
    ("hwccg", 2020),
    ("mlcsu", 2022),
    ("mlcsu", 2023),
    ("mlcsu", 2024),
]


def attack(report) -> list:
    """Every withheld count's range, from this year's and every earlier year's published table."""
    return audit({**report.history, report.year: report.table}, report.year, report.rules.threshold)


@pytest.mark.parametrize("org, year", SAMPLES, ids=lambda v: str(v))
def test_nothing_withheld_is_recovered_or_narrowed(org, year):
    r = load_report(org, year)
    t = r.table
    findings = attack(r)
    assert unprotected(findings, width=4) == [], "the attacker narrows withheld figures below the width of 4"
    # No count from 1 to 4 is published (board membership is public).
    counts = t[(t.status == "ok") & (t.indicator != 9) & t.measure.isin(["headcount", "rate_pct"])]
    for column in ("numerator", "denominator"):
        small = counts[(counts[column] > 0) & (counts[column] < 5)]
        assert small.empty, f"counts from 1 to 4 published:\n{small}"
    # Never a count shown with its share withheld, nor the reverse ("64 (withheld)").
    ind1 = t[t.indicator == 1].set_index(["measure", "breakdown", "group"])["status"]
    for (measure, breakdown, group), status in ind1.items():
        if measure == "share_pct":
            assert status == ind1[("headcount", breakdown, group)], f"{breakdown} {group}: count and share differ"
    # One label for every withheld count and share.
    labels = t[
        (t.status == "withheld") & t.measure.isin(["headcount", "share_pct", "rate_pct"]) & (t.suppression != "")
    ][["shown_as", "suppression", "reason"]].drop_duplicates()
    assert len(labels) <= 1, labels


def test_the_leeds_vsm_attack_fails():
    # The attack from issue 13: leeds 2021 printed VSM 6 staff, VSM/clinical "fewer than 5" and VSM/non-clinical
    # "withheld" (so 0 or at least 5): non-clinical had to be 5 and clinical 1 (6 = 1 + 5).
    r = load_report("leeds", 2021)
    vsm = {f.cell[-2:]: f for f in attack(r) if f.cell[-2] in ("VSM", "VSM/clinical", "VSM/non-clinical")}
    assert ("VSM/clinical", "total") in vsm  # the one clinical VSM is withheld or not published ...
    for cell, found in vsm.items():  # ... and nothing about VSM can be narrowed to it
        assert found.width >= 4 or found.high == 0, f"{cell} narrowed to {found.low}..{found.high}"


def _recruitment_table(rl_published: bool) -> pd.DataFrame:
    """Indicator 2 as printed: White 3 appointed of 20 withheld, BME 10 of 30 shown (33.3%)."""
    rows = [
        (2, "rate_pct", "all", "white", None, None, None, "withheld", "withheld", "withheld"),
        (2, "rate_pct", "all", "bme", 100 * 10 / 30, 10, 30, "ok", "", ""),
        (2, "share_of_shortlisted_pct", "all", "white", 40.0, 20, 50, "ok", "", ""),
        (
            2,
            "relative_likelihood",
            "all",
            "white_vs_bme",
            (3 / 20) / (10 / 30) if rl_published else None,
            None,
            None,
            "ok" if rl_published else "withheld",
            "" if rl_published else "derived",
            "",
        ),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "measure",
            "breakdown",
            "group",
            "value",
            "numerator",
            "denominator",
            "status",
            "suppression",
            "shown_as",
        ],
    )


def test_a_relative_likelihood_gives_back_a_withheld_count():
    # 0.45 x 33.3% x 20 = 3: with the relative likelihood published, White appointed is pinned to 3.
    appointed = ("2", "appointed", "white")
    leaked = {f.cell: f for f in audit({2021: _recruitment_table(True)}, 2021)}[appointed]
    assert (leaked.low, leaked.high) == (3, 3)
    safe = {f.cell: f for f in audit({2021: _recruitment_table(False)}, 2021)}[appointed]
    assert (safe.low, safe.high) == (0, 20)  # 0 to all 20 shortlisted


def test_publish_withholds_that_relative_likelihood(ws):
    rec = "application_id,ethnic_category,appointed\n" + "".join(
        f"a{i},{'A' if i < 20 else 'N'},{'Y' if i < 3 or 20 <= i < 30 else 'N'}\n" for i in range(50)
    )
    root = Workspace(ws({2021: {"recruitment.csv": rec}}))
    t = publish(indicator_table("t", 2021, root), rules_for(root.org_settings("t")))
    rl = t[(t.indicator == 2) & (t.measure == "relative_likelihood")].iloc[0]
    assert rl.status == "withheld"
    assert unprotected(audit({2021: t}, 2021), width=4) == []


def _band(t, breakdown, group, measure="headcount"):
    return t[(t.indicator == 1) & (t.measure == measure) & (t.breakdown == breakdown) & (t.group == group)].iloc[0]


def test_a_small_band_all_in_one_group_is_protected():
    # smallccg Band 3: 5 staff, all White; hwccg Band 9: 5 staff, all White. Printed as they were ("5 (100.0%)"),
    # they told the ethnicity of everyone in the band.
    for org, year, band in (("smallccg", 2021, "Band 3"), ("hwccg", 2020, "Band 9")):
        t = load_report(org, year).table
        rows = t[(t.indicator == 1) & (t.breakdown == band) & (t.group == "white")]
        # Withheld, or the band is not published on its own at all (the report shows pay band clusters).
        assert (rows.status == "withheld").all(), rows


def test_all_one_group_rule_is_a_setting(ws):
    staff = "staff_id,ethnic_category,pay_band,clinical\n" + "".join(
        f"s{i},{'A' if i < 26 else 'N'},{'Band 3' if i < 6 else 'Band 5'},N\n" for i in range(40)
    )
    for setting, status in (("", "withheld"), ("protect_all_one_group_below: 0\n", "ok")):
        root = Workspace(
            ws({2021: {"staff.csv": staff}}, org_yaml=ORG_YAML + "band_groups: []\npay_band_view: bands\n" + setting)
        )
        t = publish(indicator_table("t", 2021, root), rules_for(root.org_settings("t")))
        assert _band(t, "Band 3", "white").status == status  # 6 staff in Band 3, all White


def test_staff_survey_floor_of_11_respondents(ws):
    survey = "survey_year,indicator,group,respondents,percent\n2020,5,white,11,27.27\n2020,5,bme,10,30.00\n"
    root = Workspace(ws({2021: {"staff_survey.csv": survey}}))
    t = publish(indicator_table("t", 2021, root), rules_for(root.org_settings("t")))
    row = lambda g: t[(t.indicator == 5) & (t.measure == "pct") & (t.breakdown == "2020") & (t.group == g)].iloc[0]
    assert row("white").status == "ok" and row("white").value == pytest.approx(27.27)  # 11: shown
    assert row("bme").status == "withheld" and row("bme").suppression == "survey"  # 10: withheld
