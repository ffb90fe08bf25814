"""95% intervals and Fisher's exact test (wres_helpers.uncertainty), their disclosure and their words.

Every expected value is worked out here by hand from the closed formulas (standard library only), never
taken from the code under test.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd
import pytest

from conftest import ORG_YAML, staff_csv
from wres_helpers import present
from wres_helpers.disclosure import publish, rules_for
from wres_helpers.disclosure_audit import interval_leaks
from wres_helpers.engine import indicator_table
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace

Z = NormalDist().inv_cdf(0.975)  # 1.959963984540054


def hand_wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return 100 * (centre - half), 100 * (centre + half)


def hand_fisher(a: int, n1: int, c: int, n2: int) -> float:
    """Two-sided: the probabilities of every table with the same margins that is no more likely than this one."""
    events, total = a + c, n1 + n2
    prob = lambda x: math.comb(n1, x) * math.comb(n2, events - x) / math.comb(total, events)  # noqa: E731
    observed = prob(a)
    return sum(prob(x) for x in range(max(0, events - n2), min(n1, events) + 1) if prob(x) <= observed * (1 + 1e-7))


def recruitment(white: tuple[int, int], bme: tuple[int, int]) -> str:
    """(appointed, shortlisted) for White (code A) and BME (code N) applicants."""
    lines = ["application_id,ethnic_category,appointed"]
    for code, (appointed, shortlisted) in (("A", white), ("N", bme)):
        lines += [f"{code}{i},{code},{'Y' if i < appointed else 'N'}" for i in range(shortlisted)]
    return "\n".join(lines) + "\n"


def rows(table: pd.DataFrame, indicator: int, measure: str) -> pd.DataFrame:
    return table[(table.indicator == indicator) & (table.measure == measure)].set_index("group")


def test_wilson_interval_of_a_rate_by_hand(ws):
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": recruitment((26, 111), (9, 30))}}))
    bme = rows(t, 2, "rate_pct").loc["bme"]
    low, high = hand_wilson(9, 30)  # 16.66%, 47.88%
    assert (bme.ci_low, bme.ci_high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
    assert round(low, 1) == 16.7 and round(high, 1) == 47.9


def test_katz_interval_and_fisher_p_value_of_a_relative_likelihood_by_hand(ws):
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": recruitment((26, 111), (9, 30))}}))
    rl = rows(t, 2, "relative_likelihood").loc["white_vs_bme"]
    ratio = (26 / 111) / (9 / 30)
    half = Z * math.sqrt(1 / 26 - 1 / 111 + 1 / 9 - 1 / 30)
    assert rl.value == pytest.approx(ratio)
    assert rl.ci_low == pytest.approx(math.exp(math.log(ratio) - half))  # 0.41
    assert rl.ci_high == pytest.approx(math.exp(math.log(ratio) + half))  # 1.48
    assert rl.p_value == pytest.approx(hand_fisher(26, 111, 9, 30))
    assert 0.4 < rl.p_value < 0.6


def test_fisher_p_value_of_a_significant_difference_by_hand(ws):
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": recruitment((30, 60), (5, 40))}}))
    rl = rows(t, 2, "relative_likelihood").loc["white_vs_bme"]
    assert rl.p_value == pytest.approx(hand_fisher(30, 60, 5, 40)) and rl.p_value < 0.001
    assert rl.ci_low > 1  # (30/60) / (5/40) = 4.0, interval clear of 1.00


def test_zero_count_has_no_katz_interval_and_says_why(ws):
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": recruitment((0, 20), (6, 20))}}))
    rl = rows(t, 2, "relative_likelihood").loc["white_vs_bme"]
    assert rl.status == "ok" and rl.value == 0
    assert pd.isna(rl.ci_low) and pd.isna(rl.ci_high)
    assert "no 95% interval" in rl.reason and "no White staff were appointed" in rl.reason
    assert rl.p_value == pytest.approx(hand_fisher(0, 20, 6, 20))  # Fisher's test needs no log


def test_survey_interval_uses_the_respondents_behind_the_percentage(ws):
    survey = "survey_year,indicator,group,respondents,percent\n2020,5,white,214,7.9\n2020,5,bme,39,10.3\n"
    t = indicator_table("t", 2021, ws({2021: {"staff_survey.csv": survey}}))
    bme = t[(t.indicator == 5) & (t.measure == "pct") & (t.group == "bme")].iloc[0]
    low, high = hand_wilson(4, 39)  # 10.3% of 39 respondents is 4 people
    assert (bme.ci_low, bme.ci_high) == (pytest.approx(low), pytest.approx(high))
    gap = t[(t.indicator == 5) & (t.measure == "difference_pp")].iloc[0]
    assert gap.p_value == pytest.approx(hand_fisher(4, 39, 17, 214))  # 7.9% of 214 is 17 people


def test_withheld_figure_has_a_withheld_interval(ws):
    # BME: 2 appointed of 10 (a small count), so the BME rate, the relative likelihood and their intervals go.
    root = ws({2021: {"recruitment.csv": recruitment((6, 20), (2, 10))}})
    t = publish(indicator_table("t", 2021, root), rules_for(Workspace(root).org_settings("t")))
    for measure, group in (("rate_pct", "bme"), ("relative_likelihood", "white_vs_bme")):
        row = rows(t, 2, measure).loc[group]
        assert row.status == "withheld" and row[["ci_low", "ci_high", "p_value"]].isna().all()
    assert interval_leaks(t, 2021) == []


def test_a_rate_shown_from_a_small_count_keeps_its_interval_withheld(ws):
    root = ws(
        {2021: {"recruitment.csv": recruitment((6, 20), (2, 10))}},
        org_yaml=ORG_YAML + "allow_rates_from_small_counts: true\n",
    )
    t = publish(indicator_table("t", 2021, root), rules_for(Workspace(root).org_settings("t")))
    bme, rl = rows(t, 2, "rate_pct").loc["bme"], rows(t, 2, "relative_likelihood").loc["white_vs_bme"]
    assert bme.status == "ok" and bme.value == 20 and pd.isna(bme.numerator)  # the count itself is not printed
    for row in (bme, rl):
        assert row[["ci_low", "ci_high", "p_value"]].isna().all() and "interval and p-value are withheld" in row.reason
    white = rows(t, 2, "rate_pct").loc["white"]
    assert white.ci_low == pytest.approx(hand_wilson(6, 20)[0])
    assert interval_leaks(t, 2021) == []
    page = present.rl_state(load_report("t", 2021, root), 2)  # the page says so, and never guesses
    assert "interval and p-value are withheld" in page and "could be chance" not in page


def test_the_audit_catches_a_leaky_interval(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=30, bme=3), "recruitment.csv": recruitment((6, 20), (2, 10))}})
    t = publish(indicator_table("t", 2021, root), rules_for(Workspace(root).org_settings("t")))
    leaky = t.copy()
    withheld = leaky.index[
        (leaky.indicator == 1) & (leaky.measure == "share_pct") & (leaky.breakdown == "all") & (leaky.group == "bme")
    ][0]
    assert leaky.at[withheld, "status"] == "withheld"
    leaky.loc[withheld, ["ci_low", "ci_high"]] = [2.9, 23.5]  # an interval on a withheld share
    rl = leaky.index[(leaky.indicator == 2) & (leaky.measure == "relative_likelihood")][0]
    leaky.loc[rl, "p_value"] = 0.68  # a p-value on a withheld relative likelihood
    found = {leak.row for leak in interval_leaks(leaky, 2021)}
    assert found == {(1, "share_pct", "all", "bme"), (2, "relative_likelihood", "all", "white_vs_bme")}
    # An interval on a shown rate whose count is not printed is caught too.
    white = leaky.index[(leaky.indicator == 2) & (leaky.measure == "rate_pct") & (leaky.group == "white")][0]
    leaky.loc[white, "numerator"] = pd.NA
    assert (2, "rate_pct", "all", "white") in {leak.row for leak in interval_leaks(leaky, 2021)}


def test_could_be_chance_on_a_real_sample_page():
    r = load_report("leeds", 2021)
    rl = r.row(2, "relative_likelihood", "all", "white_vs_bme")
    assert rl.ci_low < 1 < rl.ci_high  # the interval spans 1.00
    text = present.rl_state(r, 2)
    p = hand_fisher(26, 111, 9, 30)  # leeds 2021: 26 of 111 White, 9 of 30 BAME appointed
    assert (
        f"With 30 BAME shortlisted applicants, this difference could be chance (Fisher's exact test, "
        f"p = {p:.3f})" in text
    )
    assert "outside the non-adverse range" in text  # the four-fifths test stays the headline
    survey = present.survey_details(r, 8)
    assert "significantly worse than White staff" in survey and "Fisher's exact test" in survey


def test_fisher_p_and_z_agree_with_scipy_on_small_large_and_tied_tables():
    """fisher_p is SciPy's two-sided fisher_exact written out (so that no build imports scipy.stats): SciPy is
    the independent check, on tables from 1 to 40,000 people, the tied ones (two splits equally likely) among
    them, and the normal quantile bit for bit."""
    import random

    from scipy.special import ndtri
    from scipy.stats import fisher_exact, norm

    from wres_helpers.uncertainty import _z95, fisher_p, z_value

    assert z_value() == float(norm.ppf(0.975)) and _z95() == float(ndtri(0.975))
    rng = random.Random(9)
    tables = [(0, 1, 38, 75), (25, 51, 1, 1), (29, 44, 2, 2), (5, 10, 5, 10), (0, 5, 0, 5), (5, 5, 5, 5)]
    for _ in range(3000):
        n1, n2 = (rng.randint(1, rng.choice([3, 12, 60, 400, 20000])) for _ in range(2))
        tables.append((rng.randint(0, n1), n1, rng.randint(0, n2), n2))
    for a, n1, c, n2 in tables:
        expected = float(fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="two-sided").pvalue)
        assert fisher_p(a, n1, c, n2) == pytest.approx(expected, rel=1e-9, abs=1e-300), (a, n1, c, n2)
