"""Every indicator over every report year the workspace holds for an organisation.

Each year's figure comes from that year's own published table (ReportData.history and .table: disclosure
control already applied), so a trend can never show a withheld count. A change is the difference of the two
printed figures (judgements.printed_change through present.change_words): percentage points for shares, rates,
survey percentages and board gaps, a plain difference for relative likelihoods. A change is only given between
two figures that are both printed, so a withheld year stays withheld. Two or more years in a row in the same
state (withheld, not computable, no data, ...) make one entry, said once in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import judgements as j
from . import present
from .report_data import ReportData
from .workspace import Workspace


@dataclass(frozen=True)
class Series:
    """One figure followed across the years. `breakdown` None means that year's staff survey year."""

    label: str  # may hold {term} and {board}
    indicator: int
    measure: str
    breakdown: str | None
    group: str
    short: str = ""  # the chart panel's title, beside a figure title that names the measure

    def short_title(self, r: ReportData) -> str:
        return present.capital((self.short or self.label).format(term=r.term, board=r.org.board_name))

    @property
    def unit(self) -> str:
        return "ratio" if self.measure == "relative_likelihood" else "pct"

    def title(self, r: ReportData) -> str:
        return present.capital(self.label.format(term=r.term, board=r.org.board_name))


RL_SERIES = {
    i: Series(
        f"relative likelihood ({'White ÷ {term}' if top == 'white' else '{term} ÷ White'})",
        i,
        "relative_likelihood",
        "all",
        key,
    )
    for i, (key, top, *_rest) in present.RL_WORDS.items()
}


def series_for(r: ReportData, indicator: int) -> list[Series]:
    """The figures an indicator's trend follows: its headline figure and the ones beside it on its page."""
    if indicator == 1:
        return [Series("{term} share of the whole workforce", 1, "share_pct", "all", "bme", "whole workforce (%)")] + [
            Series(f"{{term}} share of {group}", 1, "share_pct", group, "bme", f"{group} (%)")
            for group in r.org.band_groups
        ]
    if indicator in RL_SERIES:
        return [RL_SERIES[indicator]]
    if indicator in (5, 6, 7, 8):
        return [
            Series("{term} respondents (%)", indicator, "pct", None, "bme", "{term}"),
            Series("White respondents (%)", indicator, "pct", None, "white", "White"),
            Series(
                "gap, {term} − White (percentage points)",
                indicator,
                "difference_pp",
                None,
                "bme",
                "gap, {term} − White (percentage points)",
            ),
        ]
    return [
        Series("{term} share of the {board}'s voting members", 9, "share_pct", "voting", "bme", "voting members (%)"),
        Series(
            "voting members' difference from the workforce (percentage points)",
            9,
            "difference_pp",
            "voting",
            "bme",
            "voting members minus workforce (percentage points)",
        ),
        Series("{term} share of all the {board}'s members", 9, "share_pct", "all_members", "bme", "all members (%)"),
    ]


# Figures with a national counterpart that an indicator's trend does not follow (VSM is often withheld).
NATIONAL_ONLY = {
    1: [Series("{term} share of very senior managers", 1, "share_pct", "VSM", "bme", "very senior managers (%)")]
}


@dataclass(frozen=True)
class Point:
    year: int
    value: float | None  # the figure as the page prints it; None when it is not shown
    state: str  # "" when shown, else the state in words: "Withheld", "Not computable", ...
    reason: str


def report_years(r: ReportData) -> list[int]:
    return sorted([*r.history, r.year])


def survey_year(r: ReportData, year: int) -> int:
    return r.settings.survey_year if year == r.year else r.ws.year_settings(r.org.slug, year).survey_year


def _reason(row) -> str:
    return row["reason"] if row is not None and isinstance(row["reason"], str) else ""


def point(r: ReportData, s: Series, year: int) -> Point:
    """One year's figure of a series, printed, or its state when that year's published table does not show it."""
    breakdown = str(survey_year(r, year)) if s.breakdown is None else s.breakdown
    if s.measure == "difference_pp":
        gap = present.printed_gap(r, s.indicator, breakdown, year)
        if s.indicator == 9:
            rows = [r.row(9, "difference_pp", breakdown, s.group, year), r.row(1, "share_pct", "all", "bme", year)]
        else:
            rows = [r.row(s.indicator, "pct", breakdown, g, year) for g in ("bme", "white")]
        bad = next((row for row in rows if not present.ok(row)), None)
        if gap is not None and bad is None:
            return Point(year, gap, "", "")
        return Point(year, None, present.state_text(bad), _reason(bad))
    row = r.row(s.indicator, s.measure, breakdown, s.group, year)
    if present.ok(row):
        return Point(year, j.printed(row["value"], s.unit), "", "")
    return Point(year, None, present.state_text(row), _reason(row))


def points(r: ReportData, s: Series) -> list[Point]:
    return [point(r, s, year) for year in report_years(r)]


def figure_text(s: Series, value: float) -> str:
    if s.measure == "difference_pp":
        return f"{value:+.1f}".replace("-", "−")
    return present.pct(value) if s.unit == "pct" else present.ratio(value)


def years_text(years: list[int] | tuple[int, ...]) -> str:
    """(2022,) -> '2022'; (2022, 2023, 2024) -> '2022, 2023 and 2024'."""
    names = [str(y) for y in years]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


@dataclass(frozen=True)
class Entry:
    """One line of a trend table: a year with its figure, or a run of years in one state, said once."""

    years: tuple[int, ...]
    figure: str  # '15.1%', 'Withheld', 'Not computable in 2022, 2023 and 2024'
    change: str  # 'up 1.6 percentage points', 'down 0.04 on 2022', '' (nothing to compare with)
    reason: str  # for a state: the reason when every year of the run gives the same one

    def year_label(self, r: ReportData | None = None, survey: bool = False) -> str:
        """'2022', '2022 to 2024'; for a survey figure with the survey year: '2022 (2021 survey)'."""
        label = str(self.years[0]) if len(self.years) == 1 else f"{self.years[0]} to {self.years[-1]}"
        if survey and r is not None and len(self.years) == 1:
            label += f" ({survey_year(r, self.years[0])} survey)"
        return label


def _change(s: Series, p: Point, before: Point | None, previous_year: int | None) -> str:
    if before is None or p.value is None:
        return ""
    words = present.change_words(p.value, before.value, "ratio" if s.unit == "ratio" else "pct")
    return words if before.year == previous_year else f"{words} on {before.year}"


def entries(s: Series, pts: list[Point]) -> list[Entry]:
    """The trend table of a series: each shown figure with its change from the latest earlier shown figure, and
    each run of two or more years in the same state as one entry."""
    out: list[Entry] = []
    last_shown: Point | None = None
    i = 0
    while i < len(pts):
        p = pts[i]
        if p.value is not None:
            previous_year = pts[i - 1].year if i else None
            out.append(Entry((p.year,), figure_text(s, p.value), _change(s, p, last_shown, previous_year), ""))
            last_shown = p
            i += 1
            continue
        run = [p]
        while i + len(run) < len(pts) and pts[i + len(run)].value is None and pts[i + len(run)].state == p.state:
            run.append(pts[i + len(run)])
        reasons = {q.reason for q in run}
        reason = reasons.pop() if len(reasons) == 1 else "; ".join(f"{q.year}: {q.reason}" for q in run if q.reason)
        years = tuple(q.year for q in run)
        figure = p.state if len(run) == 1 else f"{p.state} in {years_text(years)}"
        out.append(Entry(years, figure, "", reason))
        i += len(run)
    return out


def overall_words(s: Series, pts: list[Point]) -> str | None:
    """'rose from 12.0% in 2022 to 15.1% in 2024 (up 3.1 percentage points)', on the first and last printed
    figures, or None when fewer than two years are printed."""
    shown = [p for p in pts if p.value is not None]
    if len(shown) < 2:
        return None
    first, last = shown[0], shown[-1]
    unit = "ratio" if s.unit == "ratio" else "pct"
    return (
        f"{j.direction(last.value, first.value, unit)} from {figure_text(s, first.value)} in {first.year} to "
        f"{figure_text(s, last.value)} in {last.year} ({present.change_words(last.value, first.value, unit)})"
    )


def overall_change(s: Series, pts: list[Point]) -> str | None:
    """The change over all the years, when the table has more than one change to add up (three printed figures)."""
    words = overall_words(s, pts)
    return f"Over the years shown it {words}." if words and sum(p.value is not None for p in pts) > 2 else None


# -- the stacked table of the `trends` command ----------------------------------------------------------------
def stacked(org: str, workspace: str | Path | Workspace | None = None, published: bool = False) -> pd.DataFrame:
    """The indicator table of every report year the workspace holds for `org`, stacked, with a leading `year`
    column. Published: each year's table as its own report publishes it (load_report applies disclosure control
    year by year, each with the year before as the attacker's knowledge); else the true figures."""
    from .engine import indicator_table
    from .errors import WresError
    from .report_data import load_report

    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    years = ws.years(org)
    if not years:
        raise WresError(
            f"There are no report years for {org!r}: {ws.display(ws.org_dir(org))} has no year folders such as 2021/."
        )
    if published:
        r = load_report(org, years[-1], ws)
        tables = {**r.history, r.year: r.table}
    else:
        tables = {year: indicator_table(org, year, ws) for year in years}
    return pd.concat(
        [t.assign(year=year)[["year", *t.columns]] for year, t in sorted(tables.items())], ignore_index=True
    )
