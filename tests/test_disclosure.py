"""Disclosure control: small counts withheld, the settings, and a case small enough to check by hand.

Whether anything withheld can be worked back is checked by the independent interval audit
(tests/test_disclosure_audit.py runs it on every sample organisation).
"""

import pytest

from conftest import ORG_YAML, staff_csv
from wres_helpers import InputError, indicator_table
from wres_helpers.disclosure import Rules, publish, rules_for
from wres_helpers.disclosure_audit import audit, unprotected
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace


def test_small_organisation_withholds_and_keeps_what_it_can():
    r = load_report("smallccg", 2021)
    t = r.table
    row = lambda *k: t[(t.indicator == k[0]) & (t.measure == k[1]) & (t.breakdown == k[2]) & (t.group == k[3])].iloc[0]
    # 3 BME and 2 Unknown of 40 staff: both withheld under the one label; the 40 and the 35 White stay.
    assert (
        row(1, "headcount", "all", "bme").status == "withheld"
        and row(1, "headcount", "all", "bme").shown_as == "withheld"
    )
    assert row(1, "headcount", "all", "total").value == 40 and row(1, "headcount", "all", "white").value == 35
    # A relative likelihood built on withheld counts is withheld.
    assert row(2, "relative_likelihood", "all", "white_vs_bme").status == "withheld"
    # Board counts are public: 1 BME voting member of 8 is shown.
    assert row(9, "headcount", "voting", "bme").value == 1
    # Staff survey: 3 BME respondents, fewer than 11, so not shown; the White result (27 respondents) is.
    assert row(5, "pct", "2020", "bme").suppression == "survey" and row(5, "pct", "2020", "white").status == "ok"


def test_secondary_suppression_by_hand(ws):
    # Band 5: 6 White, 2 BME, 0 Unknown (8). Band 6: 7 White, 5 BME, 6 Unknown (18). All non-clinical.
    # Only Band 5's 2 BME is small. Printed as it is, 8 - 6 - 0 gives it away, so a second figure in the Band 5
    # row must go; then the BME column (7 = 2 + 5) gives it away, so a figure in Band 6 must go too. The
    # cheapest way keeps both band totals and the BME shares where it can: White and Unknown go first.
    people = (
        [("A", "Band 5")] * 6
        + [("N", "Band 5")] * 2
        + [("A", "Band 6")] * 7
        + [("N", "Band 6")] * 5
        + [("", "Band 6")] * 6
    )
    staff = "staff_id,ethnic_category,pay_band,clinical\n" + "".join(
        f"s{i},{code},{band},N\n" for i, (code, band) in enumerate(people)
    )
    root = ws({2021: {"staff.csv": staff}}, org_yaml=ORG_YAML + "band_groups: []\n")
    t = publish(indicator_table("t", 2021, root), Rules(band_view="bands"))
    headcount = t[t.measure == "headcount"].set_index(["breakdown", "group"])
    assert headcount.loc[("Band 5", "bme"), "status"] == "withheld"
    for band in ("Band 5", "Band 6"):
        row = headcount.loc[band]
        assert (row.status == "withheld").sum() >= 2, f"{band} row could be completed by subtraction"
        assert row.loc["total", "status"] == "ok"  # band totals stay
    # The whole-workforce row is the headline: 13 White, 7 BME, 6 Unknown, 26 in all, kept.
    assert [headcount.loc[("all", g), "value"] for g in ("white", "bme", "unknown", "total")] == [13, 7, 6, 26]
    assert unprotected(audit({2021: t}, 2021), width=4) == []
    # Automatically, the report shows the cluster instead: with two bands, neither BME share could be shown.
    auto = publish(indicator_table("t", 2021, root), Rules())
    cluster = auto[(auto.measure == "headcount") & (auto.breakdown == "Cluster 2 (Bands 5-7)")]
    assert list(cluster.value) == [13, 7, 6, 26] and not auto.breakdown.isin(["Band 5", "Band 6"]).any()


def test_rates_from_small_counts_when_the_organisation_allows_it(ws):
    rec = "application_id,ethnic_category,appointed\n" + "".join(
        f"a{i},{'A' if i < 20 else 'N'},{'Y' if i in (0, 1, 2, 3, 4, 5, 20, 21) else 'N'}\n" for i in range(30)
    )
    root = ws({2021: {"recruitment.csv": rec}}, org_yaml=ORG_YAML + "allow_rates_from_small_counts: true\n")
    ws_ = Workspace(root)
    t = publish(indicator_table("t", 2021, ws_), rules_for(ws_.org_settings("t")))
    rl = t[(t.indicator == 2) & (t.measure == "relative_likelihood")].iloc[0]
    # White 6/20 = 30%, BME 2/10 = 20% (2 appointed is small): RL 1.5 is kept because the organisation allows it.
    assert rl.status == "ok" and rl.value == pytest.approx(1.5)


def test_threshold_and_wording_are_settings(ws):
    root = ws(
        {2021: {"staff.csv": staff_csv(white=20, bme=6, unknown=1)}},
        org_yaml=ORG_YAML + "small_number_threshold: 10\nwithheld_wording: not shown\n",
    )
    ws_ = Workspace(root)
    rules = rules_for(ws_.org_settings("t"))
    t = publish(indicator_table("t", 2021, ws_), rules)
    bme = t[(t.measure == "headcount") & (t.breakdown == "all") & (t.group == "bme")].iloc[0]
    assert rules.threshold == 10 and rules.width == 9 and bme.status == "withheld" and bme.shown_as == "not shown"


def test_bad_disclosure_settings_name_the_file(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=20, bme=6)}}, org_yaml=ORG_YAML + "small_number_threshold: lots\n")
    with pytest.raises(InputError, match=r"params/t/org.yaml, column 'small_number_threshold'"):
        load_report("t", 2021, root)


def test_the_old_small_number_wording_is_refused(ws):
    # One label for every withheld figure: a separate wording for small counts would tell them apart.
    root = ws({2021: {"staff.csv": staff_csv(white=20, bme=6)}}, org_yaml=ORG_YAML + "small_number_wording: few\n")
    with pytest.raises(InputError, match=r"params/t/org.yaml, column 'small_number_wording'.*one label"):
        load_report("t", 2021, root)
