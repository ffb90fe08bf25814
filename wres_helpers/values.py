"""Named, formatted values for the analyst's narrative: `{{ key }}` in Markdown becomes the figure.

Keys are described in keys.py: one per row of the indicator table (e.g. `i1_share_pct_all_bme` -> '15.1%'),
the same with a year (`_2020`) or `_prev` for every earlier report year in the workspace, and `_change`
between last year and this. Short aliases name the headline figures (`workforce_bme_pct`,
`rl_appointment`, ...). A value whose status is not 'ok' stays in the map with its status and reason, so
the narrative check can say "withheld" rather than "unknown key".
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import present
from .keys import ALIASES, SUFFIXES, row_key
from .report_data import ReportData


@dataclass(frozen=True)
class Value:
    text: str | None     # the formatted figure; None when it must not be quoted
    status: str = "ok"
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.status == "ok" and self.text is not None


def _entries(row, key: str) -> dict[str, Value]:
    if not present.ok(row):
        reason = row["reason"] if isinstance(row["reason"], str) else ""
        return {key: Value(None, row["status"], reason)}
    out = {key: Value(present.value_text(row))}
    if row["measure"] in present.PCT_MEASURES:
        for part, column in (("n", "numerator"), ("of", "denominator")):
            if not pd.isna(row[column]):
                out[f"{key}_{part}"] = Value(present.count(row[column]))
    if row["measure"] == "difference_pp":
        out[f"{key}_abs"] = Value(present.points(row["value"]))
    return out


def report_values(r: ReportData) -> dict[str, Value]:
    """Every key the narrative may use for this organisation and year, with its formatted value."""
    sy = r.settings.survey_year
    values: dict[str, Value] = {}
    current = {}
    for _, row in r.table.iterrows():
        key = row_key(row, sy)
        current[key] = row
        values.update(_entries(row, key))
        if key != row_key(row):
            values.update(_entries(row, row_key(row)))
    for key, row in current.items():              # survey: this survey year against the one before
        before = current.get(key.replace("_pct_survey_", "_pct_prev_survey_"))
        if "_pct_survey_" in key and before is not None and present.ok(row) and present.ok(before):
            values[f"{key}_change"] = Value(present.change_text(row, before))
            values[f"{key}_change_words"] = Value(present.change_words(row["value"], before["value"]))
    py = r.previous_year()
    for year, table in sorted(r.history.items()):
        for _, row in table.iterrows():
            base = row_key(row)
            values.update(_entries(row, f"{base}_{year}"))
            if year != py:
                continue
            values.update(_entries(row, f"{base}_prev"))
            now = current.get(base)
            if now is None or int(row["indicator"]) in (5, 6, 7, 8) or row["measure"] == "headcount":
                continue
            if present.ok(now) and present.ok(row):
                values[f"{base}_change"] = Value(present.change_text(now, row))
                values[f"{base}_change_words"] = Value(present.change_words(now["value"], row["value"],
                                                                            present.unit_of(row)))
            else:
                bad = row if not present.ok(row) else now
                for suffix in ("_change", "_change_words"):
                    values[f"{base}{suffix}"] = Value(None, bad["status"], str(bad["reason"]))
    years = tuple(f"_{y}{part}" for y in r.history for part in ("", "_n", "_of"))
    for alias, full in ALIASES.items():
        for suffix in SUFFIXES + years:
            if full + suffix in values:
                values[alias + suffix] = values[full + suffix]
    values.update({
        "org_name": Value(r.org.name), "term": Value(r.term), "term_capital": Value(present.capital(r.term)),
        "board_name": Value(r.org.board_name),
        "year": Value(str(r.year)), "survey_year": Value(str(sy)), "previous_survey_year": Value(str(sy - 1)),
        "period": Value(present.period(r)), "snapshot_date": Value(f"{r.settings.snapshot:%-d %B %Y}"),
    })
    if py:
        values["previous_year"] = Value(str(py))
    return dict(sorted(values.items()))
