"""Indicator 2 beneath the headline: the recruitment funnel (the optional `shortlisted` column) and internal and
external recruitment (the optional `internal` column). Every expected figure is worked by hand here."""

import pandas as pd
import pytest

from conftest import ORG_YAML, write_workspace
from wres_helpers import indicator_table, present
from wres_helpers.disclosure import publish, rules_for
from wres_helpers.disclosure_audit import audit, interval_leaks, unprotected
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace

HEADER = "application_id,ethnic_category,shortlisted,appointed,internal\n"


def applications(groups: dict[str, list[tuple[int, str, str, str]]]) -> str:
    """A recruitment file from {code: [(how many, shortlisted, appointed, internal), ...]}."""
    lines, n = [], 0
    for code, kinds in groups.items():
        for many, listed, hired, internal in kinds:
            for _ in range(many):
                n += 1
                lines.append(f"a{n},{code},{listed},{hired},{internal}\n")
    return HEADER + "".join(lines)


# White (A): 20 applications, 8 shortlisted (4 internal, 3 of them appointed; 4 external, 1 appointed).
# BME (N): 25 applications, 6 shortlisted (2 internal, 1 appointed; 4 external, 1 appointed).
# Unknown (Z): 5 applications, 2 shortlisted (1 internal, appointed; 1 external, not appointed).
HAND = {
    "A": [(3, "Y", "Y", "Y"), (1, "Y", "N", "Y"), (1, "Y", "Y", "N"), (3, "Y", "N", "N"), (12, "N", "N", "N")],
    "N": [(1, "Y", "Y", "Y"), (1, "Y", "N", "Y"), (1, "Y", "Y", "N"), (3, "Y", "N", "N"), (19, "N", "N", "Y")],
    "Z": [(1, "Y", "Y", "Y"), (1, "Y", "N", "N"), (3, "N", "N", "N")],
}


def row(t, measure, breakdown, group):
    hit = t[(t.indicator == 2) & (t.measure == measure) & (t.breakdown == breakdown) & (t.group == group)]
    assert len(hit) == 1, (measure, breakdown, group, hit)
    return hit.iloc[0]


def test_the_funnel_worked_by_hand(ws):
    t = indicator_table("t", 2021, Workspace(ws({2021: {"recruitment.csv": applications(HAND)}})))
    # Shortlisted from applied: White 8 of 20 = 40%, BME 6 of 25 = 24%, Unknown 2 of 5 = 40%.
    for group, (n, d) in {"white": (8, 20), "bme": (6, 25), "unknown": (2, 5)}.items():
        r = row(t, "rate_pct", "shortlisted_from_applied", group)
        assert (r.numerator, r.denominator) == (n, d)
        assert r.value == pytest.approx(100 * n / d)
    # Appointed from applied: White 4 of 20 = 20%, BME 2 of 25 = 8%, Unknown 1 of 5 = 20%.
    for group, (n, d) in {"white": (4, 20), "bme": (2, 25), "unknown": (1, 5)}.items():
        r = row(t, "rate_pct", "appointed_from_applied", group)
        assert (r.numerator, r.denominator, r.value) == (n, d, pytest.approx(100 * n / d))
    # The headline, appointed from shortlisting, from the shortlisted rows only: 4 of 8 = 50%, 2 of 6 = 33.3%.
    assert (row(t, "rate_pct", "all", "white").numerator, row(t, "rate_pct", "all", "white").denominator) == (4, 8)
    assert (row(t, "rate_pct", "all", "bme").numerator, row(t, "rate_pct", "all", "bme").denominator) == (2, 6)
    # The three relative likelihoods, White ÷ BME: 40 / 24 = 1.667; 50 / 33.3 = 1.5; 20 / 8 = 2.5.
    assert row(t, "relative_likelihood", "shortlisted_from_applied", "white_vs_bme").value == pytest.approx(40 / 24)
    assert row(t, "relative_likelihood", "all", "white_vs_bme").value == pytest.approx(1.5)
    assert row(t, "relative_likelihood", "appointed_from_applied", "white_vs_bme").value == pytest.approx(2.5)
    # Each group's share of the 50 applications: 40%, 50%, 10%; of the 16 shortlisted: BME 6 = 37.5%.
    for group, n in {"white": 20, "bme": 25, "unknown": 5}.items():
        r = row(t, "share_of_applied_pct", "all", group)
        assert (r.numerator, r.denominator, r.value) == (n, 50, pytest.approx(2 * n))
    assert row(t, "share_of_shortlisted_pct", "all", "bme").value == pytest.approx(37.5)
    # Every stage's relative likelihood has its interval and Fisher's p-value (uncertainty.py), like the headline.
    for breakdown in ("shortlisted_from_applied", "appointed_from_applied"):
        rl = row(t, "relative_likelihood", breakdown, "white_vs_bme")
        assert rl.ci_low < rl.value < rl.ci_high and 0 < rl.p_value <= 1


def test_the_headline_is_the_same_with_or_without_the_applications(ws, tmp_path):
    """With the column, indicator 2's headline rows are exactly those of a file of the shortlisted rows alone."""
    full = indicator_table("t", 2021, Workspace(ws({2021: {"recruitment.csv": applications(HAND)}})))
    lines = [
        f"s{code}{k}{n},{code},{hired}\n"
        for code, kinds in HAND.items()
        for k, (many, listed, hired, _) in enumerate(kinds)
        for n in range(many)
        if listed == "Y"
    ]
    alone_root = write_workspace(
        tmp_path / "alone", {2021: {"recruitment.csv": "application_id,ethnic_category,appointed\n" + "".join(lines)}}
    )
    alone = indicator_table("t", 2021, Workspace(alone_root))
    keep = lambda t: t[(t.indicator == 2) & (t.breakdown == "all") & (t.measure != "share_of_applied_pct")]  # noqa: E731
    assert len(keep(full)) == 10  # rates, relative likelihood and the two shares of each group
    pd.testing.assert_frame_equal(keep(full).reset_index(drop=True), keep(alone).reset_index(drop=True))


def test_internal_and_external_worked_by_hand(ws):
    t = indicator_table("t", 2021, Workspace(ws({2021: {"recruitment.csv": applications(HAND)}})))
    expected = {  # (appointed, shortlisted) of the shortlisted applications in each kind of campaign
        "internal": {"white": (3, 4), "bme": (1, 2), "unknown": (1, 1)},
        "external": {"white": (1, 4), "bme": (1, 4), "unknown": (0, 1)},
    }
    for breakdown, groups in expected.items():
        for group, (n, d) in groups.items():
            r = row(t, "rate_pct", breakdown, group)
            assert (r.numerator, r.denominator, r.value) == (n, d, pytest.approx(100 * n / d))
    # Internal: 75% ÷ 50% = 1.5; external: 25% ÷ 25% = 1.0.
    assert row(t, "relative_likelihood", "internal", "white_vs_bme").value == pytest.approx(1.5)
    assert row(t, "relative_likelihood", "external", "white_vs_bme").value == pytest.approx(1.0)


def test_without_the_columns_the_table_is_as_it_was(ws):
    plain = "application_id,ethnic_category,appointed\na1,A,Y\na2,N,N\na3,A,N\n"
    t = indicator_table("t", 2021, Workspace(ws({2021: {"recruitment.csv": plain}})))
    assert set(t[t.indicator == 2].breakdown) == {"all"}
    assert "share_of_applied_pct" not in set(t.measure)
    assert t[(t.indicator == 2) & (t.measure == "rate_pct") & (t.breakdown != "all")].empty
    # The headline is computed as before: 1 of 2 White, 0 of 1 BME.
    assert (row(t, "rate_pct", "all", "white").numerator, row(t, "rate_pct", "all", "white").denominator) == (1, 2)


# -- disclosure: complementary suppression of the new cells, and the audit that attacks them --------------------
# White: 60 applications, 30 shortlisted (15 internal, 6 appointed; 15 external, 6 appointed).
# BME: 22 applications, 20 shortlisted: 2 NOT SHORTLISTED (a small count nobody prints: 22 - 20), and 9
# appointed: 2 INTERNAL (small) of 10 shortlisted internally, 7 external of 10.
# Unknown: 15 applications, 10 shortlisted (5 internal, none appointed; 5 external, all appointed).
ATTACK = {
    "A": [(6, "Y", "Y", "Y"), (9, "Y", "N", "Y"), (6, "Y", "Y", "N"), (9, "Y", "N", "N"), (30, "N", "N", "N")],
    "N": [(2, "Y", "Y", "Y"), (8, "Y", "N", "Y"), (7, "Y", "Y", "N"), (3, "Y", "N", "N"), (2, "N", "N", "N")],
    "Z": [(5, "Y", "N", "Y"), (5, "Y", "Y", "N"), (5, "N", "N", "N")],
}


def _hand_suppressed(true: pd.DataFrame) -> pd.DataFrame:
    """Primary suppression only, as a careless analyst would do it: the rows printing a count from 1 to 4 are
    withheld (and the relative likelihood built on them); nothing else."""
    t = true.copy()
    t["suppression"], t["shown_as"] = "", ""
    small = (t.numerator.between(1, 4) | t.denominator.between(1, 4)).fillna(False).astype(bool) & (t.status == "ok")
    rl = (t.measure == "relative_likelihood") & t.breakdown.isin(t.loc[small, "breakdown"]) & (t.indicator == 2)
    for mask, kind in ((small, "withheld"), (rl & (t.status == "ok"), "derived")):
        t.loc[mask, ["value", "numerator", "denominator", "ci_low", "ci_high", "p_value"]] = pd.NA
        t.loc[mask, ["status", "suppression", "shown_as"]] = ["withheld", kind, "withheld"]
    return t


def test_the_audit_catches_a_hand_suppressed_table_that_leaks(ws):
    true = indicator_table("t", 2021, Workspace(ws({2021: {"recruitment.csv": applications(ATTACK)}})))
    leaky = _hand_suppressed(true)
    # The careless table withheld BME internal appointments (2 of 10) and printed everything else.
    assert row(leaky, "rate_pct", "internal", "bme").status == "withheld"
    assert row(leaky, "rate_pct", "external", "bme").status == "ok"
    found = {f.cell: f for f in unprotected(audit({2021: leaky}, 2021), width=4)}
    # 9 appointed - 7 external = 2 internal; 22 applications - 20 shortlisted = 2 not shortlisted.
    internal = next(
        f
        for cell, f in found.items()
        if cell[0] == "2" and cell[2] == "bme" and "internal" in cell[1] and cell[1].startswith("appointed")
    )
    assert (internal.low, internal.high) == (2, 2)
    not_shortlisted = next(
        f for cell, f in found.items() if cell[0] == "hidden" and cell[1] == "not shortlisted" and cell[2] == "bme"
    )
    assert (not_shortlisted.low, not_shortlisted.high) == (2, 2)


def test_publish_protects_the_small_counts_beneath_the_headline(ws):
    root = Workspace(ws({2021: {"recruitment.csv": applications(ATTACK)}}))
    true = indicator_table("t", 2021, root)
    t = publish(true, rules_for(root.org_settings("t")))
    assert unprotected(audit({2021: t}, 2021), width=4) == []
    assert interval_leaks(t, 2021) == []
    # The small internal count is withheld, and so is what would give it back by subtraction ...
    assert row(t, "rate_pct", "internal", "bme").status == "withheld"
    assert row(t, "rate_pct", "external", "bme").status == "withheld"
    # ... and the 2 BME applications not shortlisted cannot be worked out: 22 - 20 is no longer printed.
    printed = lambda measure, breakdown, column: row(t, measure, breakdown, "bme")[column]  # noqa: E731
    applied_shown = any(
        not pd.isna(printed(m, b, c))
        for m, b, c in (
            ("share_of_applied_pct", "all", "numerator"),
            ("rate_pct", "shortlisted_from_applied", "denominator"),
            ("rate_pct", "appointed_from_applied", "denominator"),
        )
    )
    assert not applied_shown
    # The new figures are the cheap ones to withhold: the headline keeps every figure it had.
    for group in ("white", "bme", "unknown"):
        assert row(t, "rate_pct", "all", group).status == "ok"
    assert row(t, "relative_likelihood", "all", "white_vs_bme").status == "ok"


def test_the_page_shows_the_funnel_in_the_organisations_wording(ws):
    root = ws({2021: {"recruitment.csv": applications(ATTACK)}}, org_yaml=ORG_YAML + "withheld_wording: not shown\n")
    text = present.funnel_section(load_report("t", 2021, root)) + present.campaign_section(load_report("t", 2021, root))
    assert "### From application to appointment" in text and "### Internal and external recruitment" in text
    assert "| Not shown |" in text and "withheld |" not in text.lower().replace("not shown", "")
    # White: 60 applications, 30 shortlisted (50.0%), 12 appointed; 6 of 15 appointed internally = 40.0%.
    assert "| White | 60 | 30 | 12 |" in text and "| Shortlisted from application | 50.0% |" in text
    assert "40.0% (6 of 15)" in text


def test_the_page_says_when_the_stages_were_not_supplied(ws):
    plain = "application_id,ethnic_category,appointed\n" + "".join(
        f"a{i},{'A' if i % 2 else 'N'},N\n" for i in range(20)
    )
    r = load_report("t", 2021, ws({2021: {"recruitment.csv": plain}}))
    assert "the application stage was not supplied" in present.funnel_section(r).lower()
    assert "internal recruitment campaigns" in present.campaign_section(r)


@pytest.mark.parametrize("org, year, has", [("leeds", 2021, True), ("mlcsu", 2024, True), ("hwccg", 2020, False)])
def test_the_samples_with_and_without_the_columns(org, year, has):
    t = load_report(org, year).table
    for breakdown in ("shortlisted_from_applied", "appointed_from_applied", "internal", "external"):
        rl = t[(t.indicator == 2) & (t.measure == "relative_likelihood") & (t.breakdown == breakdown)]
        assert len(rl) == (1 if has else 0)
