"""Representation goals (targets.py): the arithmetic worked by hand here, the small-number rule attacked."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from wres_helpers import targets
from wres_helpers.errors import InputError
from wres_helpers.report_data import load_report


def test_plan_with_turnover_worked_by_hand():
    # 40 people in the group, 4 of them BME; the workforce is 100 BME of 500 (20%): level means 8 of 40.
    # A quarter leave every year and are replaced (10 appointments a year); 4 years to go.
    # (1 - 0.25)^4 = 0.31640625. x = (8 - 0.31640625 x 4) x 0.25 / (1 - 0.31640625)
    #                              = 6.734375 x 0.25 / 0.68359375 = 1.68359375 / 0.68359375 = 2.46285714...
    made = targets.plan(40, 4, 100, 500, 4, 0.25)
    assert made.goal_bme == 8 and made.gap == 4
    assert made.appointments_per_year == 10
    assert made.needed_share_pct == pytest.approx(24.6285714, abs=1e-6)
    assert made.bme_per_year == 3  # 2.46 rounded up to whole people
    assert made.bme_over_period == 10  # 4 x 2.46 = 9.85, rounded up
    assert made.reachable
    # The model the page states: each year a quarter leave whatever their ethnicity, x of 10 new are BME.
    b = 4.0
    for _ in range(4):
        b = 0.75 * b + 1.68359375 / 0.68359375
    assert b == pytest.approx(8.0)


def test_plan_without_turnover_is_a_least_number():
    # H&W's plan by hand: 9 more BAME staff over 5 years. Group of 90 with 9 BME, workforce 18 of 90 (20%):
    # level is 18, the gap 9, so at least 9 over the period and 2 a year (1.8 rounded up).
    made = targets.plan(90, 9, 18, 90, 5, None)
    assert (made.goal_bme, made.gap, made.bme_per_year, made.bme_over_period) == (18, 9, 2, 9)
    assert made.appointments_per_year is None and made.needed_share_pct is None


def test_goal_rounds_up_and_a_group_already_level_needs_no_more():
    # 7 x 13 / 100 = 0.91 -> 1 person; 3 already: nothing to close.
    made = targets.plan(7, 3, 13, 100, 3, None)
    assert (made.goal_bme, made.gap, made.bme_per_year) == (1, 0, 0)


def test_unreachable_when_more_bme_appointments_are_needed_than_there_are_appointments():
    # 10 people, none BME, workforce half BME: level is 5. 10% leave a year: 1 appointment a year; 2 years.
    # x = (5 - 0) x 0.1 / (1 - 0.81) = 0.5 / 0.19 = 2.63 a year, out of 1 appointment: 263%.
    made = targets.plan(10, 0, 50, 100, 2, 0.1)
    assert made.needed_share_pct == pytest.approx(263.157894, abs=1e-5)
    assert not made.reachable


def test_flow_matches_ids_case_blind():
    before = pd.DataFrame({"id": ["S1", "S2", "S3", "S4"], "bme": [True, False, True, False]})
    now = pd.DataFrame({"id": ["s1", "S2", "S5", "S6", "S7"], "bme": [True, False, True, True, False]})
    moved = targets.flow(now, before)
    # S3 (BME) and S4 left; S5 (BME), S6 (BME) and S7 joined; s1 is S1.
    assert moved == targets.Flow(4, 2, 2, 1, 3, 2)


def _workspace(tmp_path, sample: str, goal) -> str:
    from wres_helpers.workspace import Workspace

    root = Workspace(None).root
    shutil.copytree(root / "params", tmp_path / "params", ignore=shutil.ignore_patterns("build"))
    settings = tmp_path / "params" / sample / "org.yaml"
    data = yaml.safe_load(settings.read_text())
    data["representation_target"] = goal
    settings.write_text(yaml.safe_dump(data))
    return str(tmp_path)


def test_bad_target_year_is_a_clear_error(tmp_path):
    ws = _workspace(tmp_path, "smallccg", {"year": 2021})
    with pytest.raises(InputError) as caught:
        load_report("smallccg", 2021, ws)
    text = str(caught.value)
    assert "org.yaml" in text and "representation_target" in text and "after the report year 2021" in text
    ws = _workspace(tmp_path / "far", "smallccg", {"year": 2042})
    with pytest.raises(InputError, match="at most 20 years after 2021"):
        load_report("smallccg", 2021, ws)
    ws = _workspace(tmp_path / "b", "smallccg", {"year": "soon"})
    with pytest.raises(InputError, match="representation_target: {year: 2028}"):
        load_report("smallccg", 2021, ws)


def test_goals_come_from_published_counts_only(tmp_path):
    ws = _workspace(tmp_path, "smallccg", {"year": 2026})
    r = load_report("smallccg", 2021, ws)
    goals = r.targets.set_index("group")
    table = r.table
    for label, indicator, breakdown in targets.GOAL_GROUPS:
        row = goals.loc[label]
        printed = table[
            (table.indicator == indicator)
            & (table.measure == "headcount")
            & (table.breakdown == breakdown)
            & (table.group == "bme")
        ]
        if row["status"] == "ok":  # its counts are printed in the published table, and are the ones used
            assert printed.iloc[0]["status"] == "ok"
            assert row["bme"] == printed.iloc[0]["value"]
        else:
            assert pd.isna(row["goal_bme"]) and pd.isna(row["bme"]) and row["reason"]


def test_bme_joiners_are_withheld_when_what_they_reveal_is_small():
    # 20 in the group both years. Last year 5 BME (S0-S4), this year 10. 10 left (S0-S9: 5 BME, 5 White),
    # 10 joined (S20-S29: all BME). Printing "10 BME joiners" lets a reader work out 5 + 10 - 10 = 5 BME
    # leavers and 10 - 5 = 5 others: none small, so it may be printed.
    before = pd.DataFrame({"id": [f"S{i}" for i in range(20)], "bme": [i < 5 for i in range(20)]})
    now = pd.DataFrame({"id": [f"S{i}" for i in range(10, 30)], "bme": [i >= 20 for i in range(10, 30)]})
    moved = targets.flow(now, before)
    assert moved == targets.Flow(20, 5, 10, 5, 10, 10)
    assert targets.joiners_printable(moved, 10, 5)
    # Same, but one stayer (S10) is now recorded BME: this year 11 BME. A reader works out 5 + 10 - 11 = 4
    # BME leavers, a small count (the true figure, 5, is not): withheld.
    now.loc[now["id"] == "S10", "bme"] = True
    moved = targets.flow(now, before)
    assert moved.bme_leavers == 5
    assert not targets.joiners_printable(moved, 11, 5)
    # 3 BME joiners is itself small.
    assert not targets.joiners_printable(targets.Flow(20, 5, 10, 5, 10, 3), 3, 5)
    # Under a threshold of 3, 4 BME leavers worked out are not small.
    assert targets.joiners_printable(targets.Flow(20, 5, 10, 5, 10, 10), 11, 3)


def test_no_printed_bme_joiners_lets_a_reader_work_out_a_small_count(tmp_path):
    """The attack, on every sample that sets goals: from the published tables of this year and last and the
    printed goals, work out BME leavers (last year's BME + BME joiners - this year's BME) and the other
    joiners and leavers; none may be a small count."""
    checked = 0
    for sample, year in (("leeds", 2021), ("mlcsu", 2024), ("mlcsu", 2023)):
        ws = _workspace(tmp_path / sample / str(year), sample, {"year": year + 5})
        r = load_report(sample, year, ws)
        last = r.history.get(year - 1)
        for _, row in r.targets.iterrows():
            if pd.isna(row["bme_joiners"]) or last is None:
                continue

            def printed(table, group):
                # The group's printed count, or (a report showing NHS England's clusters) clusters 3 + 4.
                parts = [row["breakdown"]]
                if row["breakdown"] == "Band 8a and above" and not (table.breakdown == row["breakdown"]).any():
                    parts = ["Cluster 3 (Bands 8a-8b)", "Cluster 4 (Bands 8c-9 and VSM)"]
                hit = table[
                    (table.indicator == row["indicator"])
                    & (table.measure == "headcount")
                    & (table.breakdown.isin(parts))
                    & (table.group == group)
                    & (table.status == "ok")
                ]
                return None if len(hit) != len(parts) else int(hit["value"].sum())

            before_bme = printed(last, "bme")
            if before_bme is None:
                continue
            bme_leavers = before_bme + int(row["bme_joiners"]) - int(row["bme"])
            others_out = int(row["leavers"]) - bme_leavers
            others_in = int(row["joiners"]) - int(row["bme_joiners"])
            for n in (int(row["bme_joiners"]), bme_leavers, others_in, others_out):
                assert not 0 < n < r.rules.threshold, (sample, year, row["group"], n)
            checked += 1
    assert checked >= 1  # the attack really ran on printed BME joiners


def test_targets_command_prints_the_table(tmp_path):
    ws = _workspace(tmp_path, "smallccg", {"year": 2026})
    done = subprocess.run(
        [sys.executable, "-m", "wres_helpers", "targets", "smallccg", "2021", "--workspace", ws],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Band 8a and above" in done.stdout and "goal_bme" in done.stdout.splitlines()[0]


def test_band_8a_and_above_is_the_sum_of_published_clusters_3_and_4():
    # mlcsu publishes NHS England's clusters, not 8a and above: its goal adds the printed clusters 3 and 4.
    r = load_report("mlcsu", 2024)
    table = r.table
    printed = table[
        (table.indicator == 1)
        & (table.measure == "headcount")
        & (table.breakdown.isin(["Cluster 3 (Bands 8a-8b)", "Cluster 4 (Bands 8c-9 and VSM)"]))
        & (table.status == "ok")
    ]
    goal = r.targets.set_index("group").loc["Band 8a and above"]
    assert goal["status"] == "ok"
    assert goal["bme"] == printed[printed.group == "bme"]["value"].sum()
    assert goal["headcount"] == printed[printed.group == "total"]["value"].sum()
