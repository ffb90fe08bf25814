"""Disclosure control: small counts withheld, nothing withheld can be worked back by subtraction.

The recovery check here is written independently of wres_helpers.disclosure: it rebuilds the additive
relations of the published table from the table's own keys and asks, by linear algebra, whether any
withheld count is pinned down by the printed ones.
"""
import numpy as np
import pandas as pd
import pytest

from conftest import ORG_YAML, staff_csv
from wres_helpers import InputError, indicator_table, vocab
from wres_helpers.disclosure import Rules, publish, rules_for
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace

GROUPS = ("white", "bme", "unknown")


def counts(table: pd.DataFrame) -> dict[tuple, float]:
    """Every count the table states, keyed by meaning: indicator-1 and board headcounts, and the numerators
    and denominators of rates (appointed / shortlisted, cases / people, trained / staff)."""
    out = {}
    for _, r in table.iterrows():
        i, m, b, g = int(r.indicator), r.measure, str(r.breakdown), r.group
        if m == "headcount":
            out[(i, b, g)] = r.value
        elif i == 2 and m == "rate_pct":
            out[(2, "appointed", g)], out[(2, "shortlisted", g)] = r.numerator, r.denominator
        elif i == 2 and m == "share_of_shortlisted_pct":
            out[(2, "shortlisted", "total")] = r.denominator
        elif i == 2 and m == "share_of_appointed_pct":
            out[(2, "appointed", "total")] = r.denominator
        elif i == 3 and m == "rate_pct":
            out[(3, "cases", g)], out[(3, "people", g)] = r.numerator, r.denominator
        elif i == 4 and m == "rate_pct":
            out[(4, "trained", g)] = r.numerator
        elif m in ("share_pct", "declared_pct") and i == 1:
            out.setdefault((1, b, "total"), r.denominator)
    return out


def relations(keys) -> list[tuple[tuple, list[tuple]]]:
    """total = sum(parts), for every way the counts add up."""
    rel = []
    breakdowns = {k[1] for k in keys if k[0] == 1}
    bands = [b for b in vocab.pay_bands() if b in breakdowns]
    for b in breakdowns:
        rel.append(((1, b, "total"), [(1, b, g) for g in GROUPS]))
    for g in GROUPS + ("total",):
        rel.append(((1, "all", g), [(1, k, g) for k in ("clinical", "non-clinical")]))
        rel.append(((1, "all", g), [(1, b, g) for b in bands]))
        for k in ("clinical", "non-clinical"):
            rel.append(((1, k, g), [(1, f"{b}/{k}", g) for b in bands]))
        for b in bands:
            rel.append(((1, b, g), [(1, f"{b}/{k}", g) for k in ("clinical", "non-clinical")]))
        for name, members in vocab.band_groupings():
            rel.append(((1, name, g), [(1, m, g) for m in members]))
    for kind in ("appointed", "shortlisted"):
        rel.append(((2, kind, "total"), [(2, kind, g) for g in GROUPS]))
    for g in GROUPS:   # the counts nobody prints: not appointed, did not enter, did not train
        rel.append(((2, "shortlisted", g), [(2, "appointed", g), ("hidden", 2, g)]))
        rel.append(((3, "people", g), [(3, "cases", g), ("hidden", 3, g)]))
        rel.append(((1, "all", g), [(4, "trained", g), ("hidden", 4, g)]))
    return [(t, [p for p in parts if p in keys]) for t, parts in rel if t in keys]


def recoverable(true: dict, published: dict) -> list[tuple]:
    """Withheld counts (present in `true`, missing from `published`) that the printed counts determine."""
    keys = set(true) | {("hidden", i, g) for i in (2, 3, 4) for g in GROUPS}
    unknown = sorted((k for k in keys if k not in published or pd.isna(published[k])), key=str)
    where = {k: n for n, k in enumerate(unknown)}
    rows = []
    for total, parts in relations(keys):
        row = np.zeros(len(unknown))
        for k, sign in [(total, 1)] + [(p, -1) for p in parts]:
            if k in where:
                row[where[k]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return []
    _, sv, vt = np.linalg.svd(np.array(rows))
    null = vt[int((sv > 1e-9).sum()):]
    free = np.abs(null).max(axis=0) > 1e-9 if null.size else np.zeros(len(unknown), bool)
    return [k for k, n in where.items() if not free[n] and k[0] != "hidden" and k in true]


@pytest.mark.parametrize("org, year", [("smallccg", 2021), ("leeds", 2021), ("leeds", 2020), ("hwccg", 2020),
                                       ("mlcsu", 2022), ("mlcsu", 2023), ("mlcsu", 2024)])
def test_no_small_count_is_published_and_none_can_be_recovered(org, year):
    ws = Workspace()
    true_table = indicator_table(org, year, ws)
    published_table = publish(true_table, rules_for(ws.org_settings(org)))
    true, published = counts(true_table), counts(published_table)
    small = {k: v for k, v in published.items() if not pd.isna(v) and 0 < v < 5 and k[0] != 9}
    assert small == {}, f"counts from 1 to 4 are published: {small}"
    withheld_small = [k for k, v in true.items() if not pd.isna(v) and 0 < v < 5 and k[0] != 9]
    exposed = [k for k in recoverable(true, published) if k in withheld_small]
    assert exposed == [], f"withheld counts can be worked out by subtraction: {exposed}"


def test_small_organisation_withholds_and_keeps_what_it_can():
    r = load_report("smallccg", 2021)
    t = r.table
    row = lambda *k: t[(t.indicator == k[0]) & (t.measure == k[1]) & (t.breakdown == k[2]) & (t.group == k[3])].iloc[0]
    # 3 BME and 2 Unknown of 40 staff: both withheld and shown as "fewer than 5"; the 40 and the 35 White stay.
    assert row(1, "headcount", "all", "bme").status == "withheld" and row(1, "headcount", "all", "bme").shown_as == "fewer than 5"
    assert row(1, "headcount", "all", "total").value == 40 and row(1, "headcount", "all", "white").value == 35
    # Zero is not withheld: no BME member of the clinical staff.
    assert row(1, "headcount", "clinical", "bme").value == 0 and row(1, "headcount", "clinical", "bme").status == "ok"
    # A relative likelihood built on withheld counts is withheld.
    assert row(2, "relative_likelihood", "all", "white_vs_bme").status == "withheld"
    # Board counts are public: 1 BME voting member of 8 is shown.
    assert row(9, "headcount", "voting", "bme").value == 1
    # Staff survey: 3 BME respondents, fewer than 11, so not shown; the White result (27 respondents) is.
    assert row(5, "pct", "2020", "bme").suppression == "survey" and row(5, "pct", "2020", "white").status == "ok"


def test_secondary_suppression_by_hand(ws):
    # Band 5: 6 White, 2 BME, 0 Unknown (8). Band 6: 7 White, 5 BME, 6 Unknown (18). All non-clinical.
    # Only Band 5's 2 BME is small. Printed as it is, 8 - 6 - 0 gives it away, so a second figure in the Band 5
    # row must go; then the BME column (7 = 2 + 5) gives it away, so a figure in Band 6 must go too, and so on
    # until every row and column through a withheld figure holds at least two.
    people = [("A", "Band 5")] * 6 + [("N", "Band 5")] * 2 + [("A", "Band 6")] * 7 + [("N", "Band 6")] * 5 + \
        [("", "Band 6")] * 6
    staff = "staff_id,ethnic_category,pay_band,clinical\n" + "".join(
        f"s{i},{code},{band},N\n" for i, (code, band) in enumerate(people))
    root = ws({2021: {"staff.csv": staff}}, org_yaml=ORG_YAML + "band_groups: []\n")
    true_table = indicator_table("t", 2021, root)
    t = publish(true_table, Rules())
    headcount = t[t.measure == "headcount"].set_index(["breakdown", "group"])
    assert headcount.loc[("Band 5", "bme"), "suppression"] == "small"
    assert headcount.loc[("Band 5", "bme"), "shown_as"] == "fewer than 5"
    for band in ("Band 5", "Band 6"):
        row = headcount.loc[band]
        assert (row.status == "withheld").sum() >= 2, f"{band} row could be completed by subtraction"
    bme_column = headcount.xs("bme", level="group")
    assert (bme_column.loc[["Band 5", "Band 6"], "status"] == "withheld").sum() == 2
    # The whole-workforce row is the headline: 13 White, 7 BME, 6 Unknown, 26 in all, kept.
    assert [headcount.loc[("all", g), "value"] for g in ("white", "bme", "unknown", "total")] == [13, 7, 6, 26]
    assert recoverable(counts(true_table), counts(t)) == []


def test_rates_from_small_counts_when_the_organisation_allows_it(ws):
    rec = "application_id,ethnic_category,appointed\n" + "".join(
        f"a{i},{'A' if i < 20 else 'N'},{'Y' if i in (0, 1, 2, 3, 4, 5, 20, 21) else 'N'}\n" for i in range(30))
    root = ws({2021: {"recruitment.csv": rec}}, org_yaml=ORG_YAML + "allow_rates_from_small_counts: true\n")
    ws_ = Workspace(root)
    t = publish(indicator_table("t", 2021, ws_), rules_for(ws_.org_settings("t")))
    rl = t[(t.indicator == 2) & (t.measure == "relative_likelihood")].iloc[0]
    # White 6/20 = 30%, BME 2/10 = 20% (2 appointed is small): RL 1.5 is kept because the organisation allows it.
    assert rl.status == "ok" and rl.value == pytest.approx(1.5)


def test_threshold_and_wording_are_settings(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=20, bme=6, unknown=1)}},
              org_yaml=ORG_YAML + "small_number_threshold: 10\nsmall_number_wording: fewer than ten\n")
    ws_ = Workspace(root)
    rules = rules_for(ws_.org_settings("t"))
    t = publish(indicator_table("t", 2021, ws_), rules)
    bme = t[(t.measure == "headcount") & (t.breakdown == "all") & (t.group == "bme")].iloc[0]
    assert rules.threshold == 10 and bme.status == "withheld" and bme.shown_as == "fewer than ten"


def test_bad_disclosure_settings_name_the_file(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=20, bme=6)}}, org_yaml=ORG_YAML + "small_number_threshold: lots\n")
    with pytest.raises(InputError, match=r"params/t/org.yaml, column 'small_number_threshold'"):
        load_report("t", 2021, root)
