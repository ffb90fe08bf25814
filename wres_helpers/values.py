"""Named, formatted values for the analyst's narrative: `{{ key }}` in Markdown becomes the figure.

Keys are described in keys.py: one per row of the indicator table (e.g. `i1_share_pct_all_bme` -> '15.1%'),
the same with a year (`_2020`) or `_prev` for every earlier report year in the workspace, and `_change`
between last year and this. Judgement words are keys too, made from the printed figures (judgements.py):
`_direction` (rose / fell / was unchanged), `_trend` (improved / worsened / did not change),
`_likelihood_words` (more likely than / less likely than / about as likely as), `_assessment` (within / outside
the non-adverse range), `_ci` (the 95% interval), `_p_value` (Fisher's exact test: p = 0.480), `_significance`
(could be chance / is significant), `_significantly` (significantly more likely, significantly worse than),
`_fared` (worse than / better than / the same as White staff) and `_side` (below / above / level with the
workforce); `concern_indicators` and `not_assessed_indicators` come from concerns.py. Short aliases name the
headline figures (`workforce_bme_pct`,
`rl_appointment`, ...). A value whose status is not 'ok' stays in the map with its status and reason, so
the narrative check can say "withheld" rather than "unknown key".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import judgements as j
from . import present
from .indicators import NON_ADVERSE_RANGE
from .keys import ALIASES, SUFFIXES, row_key
from .report_data import ReportData


@dataclass(frozen=True)
class Value:
    text: str | None  # the formatted figure; None when it must not be quoted
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
    if row["measure"] in j.PCT_MEASURES:
        for part, column in (("n", "numerator"), ("of", "denominator")):
            if not pd.isna(row[column]):
                out[f"{key}_{part}"] = Value(present.count(row[column]))
    if row["measure"] == "difference_pp":
        out[f"{key}_abs"] = Value(present.points(row["value"]))
    out.update(_uncertainty_entries(row, key))
    return out


def _uncertainty_entries(row, key: str) -> dict[str, Value]:
    """`_ci` ('0.41 to 1.48') and `_p_value` ('p = 0.480') where published; where disclosure withheld them
    (disclosure.py, rule 9), the keys say so."""
    out = {}
    interval = present.interval_text(row)
    if interval:
        out[f"{key}_ci"] = Value(interval)
    if not pd.isna(row.get("p_value", pd.NA)):
        out[f"{key}_p_value"] = Value(j.p_words(row["p_value"]))
    if present.interval_withheld(row):
        for suffix in ("_ci", "_p_value", "_significance", "_significantly"):
            out[f"{key}{suffix}"] = Value(None, "withheld", str(row["reason"]))
    return out


def _trend_rule(row):
    """How better and worse are judged for this row (now, before -> words), or None where they are not."""
    indicator, measure = int(row["indicator"]), row["measure"]
    if measure == "relative_likelihood":
        return j.rl_trend
    if indicator in (5, 6, 7, 8) and measure == "pct":
        return lambda now, before: j.survey_trend(indicator, now, before)
    if indicator == 9 and measure == "difference_pp":
        return j.gap_trend
    return None


def _words(now, before, key: str, values: dict[str, Value]) -> None:
    """Judgement words for a row against its earlier counterpart (last year, or the survey year before)."""
    values[f"{key}_direction"] = Value(j.direction(now["value"], before["value"], j.unit_of(now)))
    rule = _trend_rule(now)
    if rule is not None:
        values[f"{key}_trend"] = Value(rule(now["value"], before["value"]))


def _withheld_words(key: str, bad, values: dict[str, Value]) -> None:
    for suffix in ("_change", "_change_words", "_direction") + (("_trend",) if _trend_rule(bad) else ()):
        values[f"{key}{suffix}"] = Value(None, bad["status"], str(bad["reason"]))


def _printed_differences(r: ReportData, year: int | None = None) -> pd.DataFrame:
    """A year's table with every difference row as the page prints it (present.printed_gap)."""
    table = (r.table if year is None else r.history[year]).copy()
    for index, row in table[(table.status == "ok") & (table.measure == "difference_pp")].iterrows():
        gap = present.printed_gap(r, int(row["indicator"]), str(row["breakdown"]), year)
        if gap is not None:
            table.at[index, "value"] = gap
    return table


def _judgements(r: ReportData, row, key: str, current: dict, values: dict[str, Value]) -> None:
    """Words that judge this year's row on its own: likelihood and range, survey comparison, board side."""
    if not present.ok(row):
        return
    maybe = present.chance(row)
    if maybe is not None:
        values[f"{key}_significance"] = Value(j.significance_words(maybe))
        judged = present.significant_judgement(r, row)
        if not maybe and judged:
            values[f"{key}_significantly"] = Value(f"significantly {judged}")
    if row["measure"] == "relative_likelihood":
        values[f"{key}_likelihood_words"] = Value(j.likelihood_words(row["value"]))
        values[f"{key}_assessment"] = Value(j.assessment(row["value"]))
    elif row["measure"] == "difference_pp" and int(row["indicator"]) == 9:
        values[f"{key}_side"] = Value(j.side_words(row["value"]))
    elif "_pct_survey_bme" in key:
        white = current.get(key.replace("_bme", "_white"))
        if present.ok(white):
            values[f"{key}_fared"] = Value(j.fared_words(int(row["indicator"]), row["value"], white["value"]))


def report_values(r: ReportData) -> dict[str, Value]:
    """Every key the narrative may use for this organisation and year, with its formatted value.

    Worked out once per report and kept on it (a build asks in validating the narrative, and each page again;
    its kernels receive the report, and these with it, from the build: report_data.save_for_kernels)."""
    loaded = tuple(sorted(r.comparators)) if r.comparators else None  # made before the comparators: not theirs
    kept = r.__dict__.get("_values")
    if kept is None or kept[0] != loaded:
        kept = r.__dict__["_values"] = (loaded, _report_values(r))
    return dict(kept[1])


def _report_values(r: ReportData) -> dict[str, Value]:
    sy = r.settings.survey_year
    values: dict[str, Value] = {}
    current = {}
    for _, row in _printed_differences(r).iterrows():
        key = row_key(row, sy)
        current[key] = row
        values.update(_entries(row, key))
        if key != row_key(row):
            values.update(_entries(row, row_key(row)))
    for key, row in current.items():  # survey: this survey year against the one before
        _judgements(r, row, key, current, values)
        before = current.get(key.replace("_pct_survey_", "_pct_prev_survey_"))
        if "_pct_survey_" in key and before is not None and present.ok(row) and present.ok(before):
            values[f"{key}_change"] = Value(present.change_text(row, before))
            values[f"{key}_change_words"] = Value(present.change_words(row["value"], before["value"]))
            _words(row, before, key, values)
    py = r.previous_year()
    for year, table in sorted(r.history.items()):
        for _, row in _printed_differences(r, year).iterrows():
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
                values[f"{base}_change_words"] = Value(present.change_words(now["value"], row["value"], j.unit_of(row)))
                _words(now, row, base, values)
            else:
                _withheld_words(base, row if not present.ok(row) else now, values)
    years = tuple(f"_{y}{part}" for y in r.history for part in ("", "_n", "_of"))
    for alias, full in ALIASES.items():
        for suffix in SUFFIXES + years:
            if full + suffix in values:
                values[alias + suffix] = values[full + suffix]
    values.update(
        {
            "org_name": Value(r.org.name),
            "term": Value(r.term),
            "term_capital": Value(present.capital(r.term)),
            "board_name": Value(r.org.board_name),
            "year": Value(str(r.year)),
            "survey_year": Value(str(sy)),
            "previous_survey_year": Value(str(sy - 1)),
            "period": Value(present.period(r)),
            "snapshot_date": Value(f"{r.settings.snapshot:%-d %B %Y}"),
        }
    )
    if py:
        values["previous_year"] = Value(str(py))
    low, high = NON_ADVERSE_RANGE
    values["non_adverse_range"] = Value(f"{low:.2f} to {high:.2f}")
    from .concerns import not_assessed, of_concern

    values["concern_indicators"] = Value(j.join_numbers(of_concern(r)))
    values["not_assessed_indicators"] = Value(j.join_numbers(not_assessed(r)))
    return dict(sorted(values.items()))
