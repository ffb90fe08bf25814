"""Everything a report notebook needs for one organisation and year, loaded once through the engine."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import aggregate
from .disclosure import Member, Rules, publish, rules_for
from .errors import WresError
from .indicators import compute
from .inputs import YearInputs, load_year
from .keys import row_key
from .population import local_population
from .result_cache import ResultCache
from .targets import representation_targets
from .workspace import OrgSettings, Workspace, YearSettings

KEY = ["indicator", "measure", "breakdown", "group"]


@dataclass
class ReportData:
    """What the report pages may see: published (disclosure-controlled) tables and the names of the input
    files, never a record-level table."""

    ws: Workspace
    org: OrgSettings
    year: int
    settings: YearSettings
    files: dict[str, Path]  # input name -> file, for the methodology page
    table: pd.DataFrame  # this year's indicator table, as published (see disclosure.py)
    history: dict[int, pd.DataFrame]  # every earlier report year in the workspace, as published
    rules: Rules
    comparators: dict | None = None  # comparator slug -> its ReportData of this year (comparators.py)
    targets: pd.DataFrame | None = None  # representation goals (targets.py), when org.yaml sets them
    # An aggregate's members' published tables by year (what the disclosure audit reads beside the aggregate's).
    member_tables: dict[str, dict[int, pd.DataFrame]] | None = None

    @property
    def term(self) -> str:
        """The organisation's own term for the BME group ('BAME', 'ethnically diverse', ...)."""
        return self.org.term_for_bme

    def row(self, indicator: int, measure: str, breakdown: str, group: str, year: int | None = None):
        """One row of the table (a pandas Series, with its narrative `key`), or None when it does not exist."""
        current = year in (None, self.year)
        table = self.table if current else self.history.get(year)
        if table is None:
            return None
        at = _row_positions(table).get((indicator, measure, str(breakdown), group))
        if at is None:
            return None
        row = table.iloc[at]
        if current:
            key = row_key(row, self.settings.survey_year)
        else:
            key = row_key(row) + ("_prev" if year == self.previous_year() else f"_{year}")
        # A new Series with the key (adding a label to a Series in place copies it, slowly).
        return pd.Series([*row.array, key], index=[*row.index, "key"], name=row.name, dtype=object)

    def previous_year(self) -> int | None:
        earlier = [y for y in self.history if y < self.year]
        return max(earlier) if earlier else None


_positions: dict[int, tuple[pd.DataFrame, int, dict]] = {}  # id(table) -> (table, its length, positions by KEY)


def _row_positions(table: pd.DataFrame) -> dict:
    """Each key's first row in `table` (a page asks for one row at a time, over a thousand times a report: a
    filter of the whole table each time took a third of the notebooks' time). Published tables are not
    changed once made; the table is kept with its positions, so its id cannot be another table's."""
    kept = _positions.get(id(table))
    if kept is not None and kept[0] is table and kept[1] == len(table):
        return kept[2]
    positions: dict = {}
    for at, key in enumerate(zip(table.indicator, table.measure, table.breakdown.astype(str), table.group)):
        positions.setdefault(key, at)
    if len(_positions) > 64:  # a batch builds many reports in one process
        _positions.clear()
    _positions[id(table)] = (table, len(table), positions)
    return positions


# A build loads the report once and hands it to its notebook kernels through this file, so that the six pages
# see one and the same published table and disclosure control runs once per build, not once per page.
CACHE_ENV = "WRES_REPORT_CACHE"


def save_for_kernels(report: ReportData, path: Path) -> None:
    with open(path, "wb") as f:
        pickle.dump(report, f, protocol=pickle.HIGHEST_PROTOCOL)


def _from_build(org: str, year: int, ws: Workspace) -> ReportData | None:
    path = os.environ.get(CACHE_ENV)
    if not path or not Path(path).is_file():
        return None
    with open(path, "rb") as f:
        report = pickle.load(f)
    same = report.org.slug == org and str(report.year) == str(year) and report.ws.root == ws.root
    return report if same else None


@dataclass
class _Year:
    inputs: YearInputs
    previous: YearInputs | None  # last year's, for indicator 3 (None when there are none)
    table: pd.DataFrame  # the indicator table before disclosure control
    published: pd.DataFrame
    members: dict[str, dict[int, pd.DataFrame]] | None = None  # an aggregate's: each member's published years


def _years(ws: Workspace, org: str, upto: int, cache: ResultCache | None) -> dict[int, _Year]:
    """Every report year of `org` up to `upto`, validated, computed and published in order (each year's
    disclosure control reads last year's published table). An aggregate's years are built from its members'
    (aggregate.py), whose own published tables its disclosure control protects (disclosure.Member)."""
    settings = ws.org_settings(org)
    rules = rules_for(settings)
    years = [y for y in ws.years(org) if y <= upto]
    out: dict[int, _Year] = {}
    if not settings.members:
        loaded: dict[int, YearInputs | None] = {}
        for y in years:
            current = loaded.get(y) or load_year(ws, org, y)
            previous = loaded[y - 1] if y - 1 in loaded else load_year(ws, org, y - 1, optional=True)
            loaded[y] = current
            table = compute(current, previous)
            earlier = out[y - 1].published if y - 1 in out else None
            out[y] = _Year(current, previous, table, publish(table, rules, earlier, cache))
        return out
    members = {m: _years(ws, m, upto, cache) for m in settings.members}
    for m in settings.members:
        theirs = rules_for(ws.org_settings(m))
        if theirs.threshold > rules.threshold:
            raise WresError(
                f"params/{org}/org.yaml: small_number_threshold is {rules.threshold}, but its member {m} withholds "
                f"counts below {theirs.threshold}: an aggregate must protect small numbers at least as strictly as "
                "each of its members (set its small_number_threshold to at least that)."
            )
    for y in years:
        aggregate.lacking_year(org, settings.members, lambda m: members[m], y)
        current = aggregate.combine(aggregate.own_year(ws, org, y), {m: members[m][y].inputs for m in members})
        previous = None
        if all(y - 1 in members[m] for m in members):
            own = aggregate.own_year(ws, org, y - 1, optional=True)
            previous = aggregate.combine(own, {m: members[m][y - 1].inputs for m in members})
        table = compute(current, previous)
        theirs = tuple(
            Member(m, mine[y].table, mine[y].published, mine[y - 1].published if y - 1 in mine else None)
            for m, mine in members.items()
        )
        earlier = out[y - 1].published if y - 1 in out else None
        published = {m: {k: v.published for k, v in mine.items()} for m, mine in members.items()}
        out[y] = _Year(current, previous, table, publish(table, rules, earlier, cache, theirs), published)
    return out


def load_report(org: str, year: int, workspace: str | Path | Workspace | None = None) -> ReportData:
    """Validate and compute this year and every earlier year, then apply disclosure control to each table:
    the record-level inputs go no further than this function."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    cached = _from_build(org, year, ws)
    if cached is not None:
        return cached
    year = int(ws.year_dir(org, year).name)  # refuses anything but an existing four-digit year folder
    cache = ResultCache.for_workspace(ws.root)
    years = _years(ws, org, year, cache)
    this = years[year]
    current, table = this.inputs, this.published
    rules = rules_for(current.org)
    history = {y: years[y].published for y in years if y < year}
    goals = representation_targets(current, this.previous, table, rules.threshold)
    local_population(current.org)  # checked here: a bad setting stops the build before any page is made
    return ReportData(
        ws,
        current.org,
        year,
        current.settings,
        dict(current.files),
        table,
        history,
        rules,
        targets=goals,
        member_tables=this.members,
    )


def run_time() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
