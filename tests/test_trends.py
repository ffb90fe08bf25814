"""Trends across report years, national figures and comparators (issue 10): values worked by hand here."""

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from test_disclosure_audit import _recruitment_table
from wres_helpers import benchmarks, context_page, trends
from wres_helpers.build import BuildError, _audit_disclosure
from wres_helpers.cli import main
from wres_helpers.errors import InputError
from wres_helpers.report_data import ReportData, load_report
from wres_helpers.workspace import OrgSettings, Workspace, YearSettings

COLUMNS = ["indicator", "measure", "breakdown", "group", "value", "numerator", "denominator", "status", "reason"]
WITHHELD = "fewer than 5: withheld so that no one can be identified"


def _table(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


def _share(value, status="ok", reason=""):
    return (1, "share_pct", "all", "bme", value, None, None, status, reason)


def _rl(value, status="ok", reason=""):
    return (2, "relative_likelihood", "all", "white_vs_bme", value, None, None, status, reason)


def _report(tables: dict[int, pd.DataFrame]) -> ReportData:
    """A report made of published tables only, as the pages get it (no band groups, no comparators)."""
    year = max(tables)
    org = OrgSettings("t", "Test Trust", "trust", "BME", "Board", {"band_groups": []})
    return ReportData(
        None,
        org,
        year,
        YearSettings(year, year - 1, {}),
        {},
        tables[year],
        {y: t for y, t in tables.items() if y != year},
        None,
    )


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def test_a_withheld_year_stays_withheld_and_no_change_reveals_it():
    # 2022 10.04% (printed 10.0%), 2023 withheld (its true figure, 12.3%, is not in the published table),
    # 2024 15.06% (printed 15.1%). By hand: 15.1 - 10.0 = 5.1, the only change that can be printed.
    r = _report(
        {2022: _table(_share(10.04)), 2023: _table(_share(None, "withheld", WITHHELD)), 2024: _table(_share(15.06))}
    )
    series = trends.series_for(r, 1)[0]
    found = trends.entries(series, trends.points(r, series))
    assert [(e.years, e.figure, e.change) for e in found] == [
        ((2022,), "10.0%", ""),
        ((2023,), "Withheld", ""),
        ((2024,), "15.1%", "up 5.1 percentage points on 2022"),
    ]
    page = context_page.over_the_years(r, 1)
    assert "| 2023 | Withheld |" in page
    # Nothing printed about 2023 but its state: no figure, and no change to or from it.
    assert _numbers(page) <= {"1", "5", "2022", "2023", "2024", "10.0", "15.1", "5.1"}, _numbers(page)  # 5: the rule


def test_shares_change_in_percentage_points_and_relative_likelihoods_by_a_plain_difference():
    # By hand: 15.1 - 15.9 = -0.8 percentage points; 0.78 - 0.89 = -0.11 (a ratio has no points).
    r = _report({2020: _table(_share(15.94), _rl(0.8912)), 2021: _table(_share(15.12), _rl(0.7849))})
    share, rl = trends.series_for(r, 1)[0], trends.series_for(r, 2)[0]
    assert trends.entries(share, trends.points(r, share))[-1].change == "down 0.8 percentage points"
    assert trends.entries(rl, trends.points(r, rl))[-1].change == "down 0.11"
    assert "percentage" not in context_page.over_the_years(r, 2).split("relative likelihood.")[-1]


def test_a_state_repeated_over_years_is_said_once():
    why = "nobody entered a formal disciplinary investigation, so there is nothing to compare"
    r = _report({y: _table(_rl(None, "not_computable", why)) for y in (2022, 2023, 2024)})
    page = context_page.over_the_years(r, 2)
    assert "not computable in every year from 2022 to 2024" in page
    assert page.count("nothing to compare") == 1 and "|" not in page  # one sentence, no table of dashes
    # Two withheld years after a shown one: one line for both.
    r = _report(
        {
            2022: _table(_rl(1.30)),
            2023: _table(_rl(None, "withheld", WITHHELD)),
            2024: _table(_rl(None, "withheld", WITHHELD)),
        }
    )
    rl = trends.series_for(r, 2)[0]
    found = trends.entries(rl, trends.points(r, rl))
    assert [(e.year_label(), e.figure) for e in found] == [
        ("2022", "1.30"),
        ("2023 to 2024", "Withheld in 2023 and 2024"),
    ]


def test_no_national_figure_for_a_year_the_sources_leave_blank():
    # The reference table (wres-reference.md): indicator 2 is 1.59 in 2023 and blank in 2024.
    assert benchmarks.lookup(2, "relative_likelihood", "all", "white_vs_bme", 2023).value == 1.59
    assert benchmarks.lookup(2, "relative_likelihood", "all", "white_vs_bme", 2024) is None
    assert benchmarks.lookup(2, "relative_likelihood", "all", "white_vs_bme", 2015) is None  # no row at all
    blank = [
        b
        for b in benchmarks.all_benchmarks()
        if b.wres_year == 2024 and b.indicator == 2 and b.measure == "relative_likelihood"
    ]
    assert blank and blank[0].value is None and blank[0].source == ""  # kept blank
    assert all(
        b.source and b.snapshot_date == f"{b.wres_year}-03-31"
        for b in benchmarks.all_benchmarks()
        if b.value is not None
    )
    r = _report({2023: _table(_rl(1.70)), 2024: _table(_rl(1.80))})
    page = context_page.beside_others(r, 2)
    assert "There is no national figure for indicator 2 for 2024" in page
    r = _report({2022: _table(_rl(1.70)), 2023: _table(_rl(1.80))})
    assert "| NHS trusts in England (national) | 1.59 |" in context_page.beside_others(r, 2)


def test_trends_command_stacks_every_year_with_a_leading_year_column(tmp_path, capsys):
    out = tmp_path / "trends.csv"
    assert main(["trends", "mlcsu", "--published", "--out", str(out)]) == 0
    stacked = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert list(stacked.columns[:2]) == ["year", "indicator"]
    assert sorted(set(stacked.year)) == ["2022", "2023", "2024"]
    # Each year's block is that year's own published table: 2023 as the 2023 report publishes it.
    own = load_report("mlcsu", 2023).table
    block = stacked[stacked.year == "2023"].drop(columns="year").reset_index(drop=True)
    assert len(block) == len(own)
    assert (block.status == own.status.astype(str)).all()
    assert "wrote" in capsys.readouterr().err
    assert main(["trends", "nosuch"]) == 2


def _org_yaml(root, slug, extra=""):
    folder = root / "params" / slug
    folder.mkdir(parents=True)
    (folder / "org.yaml").write_text(f"name: {slug}\ntype: trust\nterm_for_bme: BME\nboard_name: Board\n{extra}")


def test_comparators_are_checked_against_the_workspace(tmp_path):
    _org_yaml(tmp_path, "a", "comparators: [b, nosuch, a]\n")
    _org_yaml(tmp_path, "b", "comparators: b\n")
    _org_yaml(tmp_path, "c", "comparators: [a]\n")
    ws = Workspace(tmp_path)
    with pytest.raises(InputError) as bad:
        ws.org_settings("a")
    message = str(bad.value)
    assert "params/a/org.yaml" in message and "comparators" in message
    assert "'nosuch' is not an organisation of this workspace" in message
    assert "'a' is this organisation itself" in message and "b, c" in message
    with pytest.raises(InputError, match="expected a list of other organisations"):
        ws.org_settings("b")
    assert ws.org_settings("c").comparators == ("a",)


def test_the_build_audits_every_year_the_pages_show():
    # The 2020 table leaks White appointed (3, see test_disclosure_audit); 2021's is safe. Auditing only the
    # report year would publish the 2020 table on the trend pages.
    report = SimpleNamespace(
        history={2020: _recruitment_table(True)},
        year=2021,
        table=_recruitment_table(False),
        rules=SimpleNamespace(threshold=5, width=4),
    )
    with pytest.raises(BuildError, match="2020/2/appointed/white: 3 to 3"):
        _audit_disclosure(report)
