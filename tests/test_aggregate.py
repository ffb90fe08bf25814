"""Aggregate organisations (aggregate.py): summed counts worked by hand, and a member's small count that stays
protected when the aggregate's report and its members' reports are read together (disclosure_audit)."""

from __future__ import annotations

import pytest

from conftest import ORG_YAML, staff_csv, write_workspace
from wres_helpers.disclosure import publish
from wres_helpers.disclosure_audit import audit_together, unprotected
from wres_helpers.errors import WresError
from wres_helpers.report_data import load_report

ICB = "name: Test ICB\ntype: ICB\nterm_for_bme: BME\nboard_name: Board\nmembers: [a, b]\n"


@pytest.fixture
def system(tmp_path):
    # Member a: 20 White and 2 BME staff (its report withholds the 2, and the 20 with them); member b: 30 White
    # and 10 BME. The aggregate: 50 White and 12 BME of 62.
    write_workspace(tmp_path, {2021: {"staff.csv": staff_csv(20, 2, prefix="a")}}, org="a")
    write_workspace(tmp_path, {2021: {"staff.csv": staff_csv(30, 10, prefix="b")}}, org="b")
    write_workspace(tmp_path, {2021: {}}, org="icb", org_yaml=ICB)
    return tmp_path


def _count(table, breakdown, group):
    row = table[(table.indicator == 1) & (table.measure == "headcount") & (table.breakdown == breakdown)]
    row = row[row.group == group].iloc[0]
    return row["status"], row["value"]


def test_counts_are_summed_and_a_members_small_count_stays_protected(system):
    icb, a, b = (load_report(o, 2021, system) for o in ("icb", "a", "b"))
    assert _count(a.table, "all", "bme")[0] == "withheld"  # 2: a small count
    assert _count(b.table, "all", "bme") == ("ok", 10)
    assert _count(icb.table, "all", "total") == ("ok", 62)  # 22 + 40, summed, not averaged
    # 12 BME printed beside b's 10 would give a's 2; 50 White beside b's 30 would give a's 20, and 22 - 20 = 2.
    assert _count(icb.table, "all", "bme")[0] == "withheld"
    assert _count(icb.table, "all", "white")[0] == "withheld"
    members = {"a": {2021: a.table}, "b": {2021: b.table}}
    findings = audit_together({2021: icb.table}, members, 2021, 5, "icb")
    assert not unprotected(findings, 4, 5)
    assert set(icb.member_tables) == {"a", "b"}  # what the build's audit reads beside the aggregate's table


def test_the_audit_catches_an_aggregate_published_without_its_members(system):
    icb, a, b = (load_report(o, 2021, system) for o in ("icb", "a", "b"))
    from wres_helpers.engine import indicator_table

    naive = publish(indicator_table("icb", 2021, system), icb.rules)  # disclosure control of the sums alone
    assert _count(naive, "all", "bme") == ("ok", 12)
    findings = audit_together({2021: naive}, {"a": {2021: a.table}, "b": {2021: b.table}}, 2021, 5, "icb")
    leaks = unprotected(findings, 4, 5)
    assert any(str(f.year) == "a 2021" and f.cell == ("1", "all", "bme") and f.low == f.high == 2 for f in leaks)


def test_a_member_without_the_year_or_records_in_the_aggregate_folder_are_refused(tmp_path):
    write_workspace(tmp_path, {2021: {"staff.csv": staff_csv(20, 2, prefix="a")}}, org="a")
    write_workspace(tmp_path, {2020: {"staff.csv": staff_csv(30, 10, prefix="b")}}, org="b")
    write_workspace(tmp_path, {2021: {}}, org="icb", org_yaml=ICB)
    with pytest.raises(WresError, match="b has no 2021 folder"):
        load_report("icb", 2021, tmp_path)
    write_workspace(tmp_path, {2021: {"staff.csv": staff_csv(1, 1)}}, org="icb", org_yaml=ICB)
    write_workspace(tmp_path, {2021: {"staff.csv": staff_csv(30, 10, prefix="b")}}, org="b")
    with pytest.raises(WresError, match="its records are its members'"):
        load_report("icb", 2021, tmp_path)


def test_members_must_be_other_organisations(tmp_path):
    from wres_helpers.errors import InputError
    from wres_helpers.workspace import Workspace

    write_workspace(tmp_path, {2021: {"staff.csv": staff_csv(20, 2)}}, org="a", org_yaml=ORG_YAML)
    write_workspace(tmp_path, {2021: {}}, org="icb", org_yaml=ICB)
    with pytest.raises(InputError, match="'b' is not an organisation of this workspace"):
        Workspace(tmp_path).org_settings("icb")


def test_a_counts_only_member_is_summed_like_records(tmp_path):
    """Member a supplied only counts.csv (20 White and 10 BME non-clinical staff in band 5), member b records
    (30 White, 10 BME): the aggregate has 50 White and 20 BME of 70, and says where its figures came from."""
    counts = (
        "indicator,measure,breakdown,group,numerator,denominator\n"
        "1,headcount,Band 5/non-clinical,white,20,\n"
        "1,headcount,Band 5/non-clinical,bme,10,\n"
        "1,headcount,Band 5/non-clinical,unknown,0,\n"
    )
    write_workspace(tmp_path, {2021: {"counts.csv": counts}}, org="a")
    write_workspace(tmp_path, {2021: {"staff.csv": staff_csv(30, 10, prefix="b")}}, org="b")
    write_workspace(tmp_path, {2021: {}}, org="icb", org_yaml=ICB)
    icb = load_report("icb", 2021, tmp_path)
    assert _count(icb.table, "all", "total") == ("ok", 70)
    assert _count(icb.table, "all", "white") == ("ok", 50)
    assert _count(icb.table, "all", "bme") == ("ok", 20)
    assert icb.files["staff"].name == "counts.csv"  # the first member's file: a's counts
    reasons = icb.table[(icb.table.indicator == 1) & (icb.table.group == "total")].set_index("breakdown").reason
    assert "a member organisation supplied counts" in reasons["ethnic category"]  # counts give no category
    assert reasons["occupation"].startswith("not combined across the member organisations")
