"""Everything a report notebook needs for one organisation and year, loaded once through the engine."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .disclosure import Rules, publish, rules_for
from .engine import load_inputs
from .indicators import compute
from .inputs import load_year
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
        hit = table[
            (table.indicator == indicator)
            & (table.measure == measure)
            & (table.breakdown == str(breakdown))
            & (table.group == group)
        ]
        if not len(hit):
            return None
        row = hit.iloc[0].copy()
        if current:
            row["key"] = row_key(row, self.settings.survey_year)
        else:
            row["key"] = row_key(row) + ("_prev" if year == self.previous_year() else f"_{year}")
        return row

    def previous_year(self) -> int | None:
        earlier = [y for y in self.history if y < self.year]
        return max(earlier) if earlier else None


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


def load_report(org: str, year: int, workspace: str | Path | Workspace | None = None) -> ReportData:
    """Validate and compute this year and every earlier year, then apply disclosure control to each table:
    the record-level inputs go no further than this function."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    cached = _from_build(org, year, ws)
    if cached is not None:
        return cached
    current, previous = load_inputs(org, year, ws)
    year = current.settings.year
    rules = rules_for(current.org)
    cache = ResultCache.for_workspace(ws.root)
    history: dict[int, pd.DataFrame] = {}
    for earlier in sorted(y for y in ws.years(org) if y < year):
        inputs = previous if earlier == year - 1 else load_year(ws, org, earlier)
        history[earlier] = publish(
            compute(inputs, load_year(ws, org, earlier - 1, optional=True)), rules, history.get(earlier - 1), cache
        )
    table = publish(compute(current, previous), rules, history.get(year - 1), cache)
    goals = representation_targets(current, previous, table, rules.threshold)
    local_population(current.org)  # checked here: a bad setting stops the build before any page is made
    return ReportData(
        ws, current.org, year, current.settings, dict(current.files), table, history, rules, targets=goals
    )


def run_time() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
