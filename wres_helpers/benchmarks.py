"""National figures for NHS trusts in England, from data/national_benchmarks.csv (never typed into a page).

One row per figure, keyed like the indicator table (indicator, measure, breakdown, group) and stored with its
WRES year, the snapshot date, the staff survey year (for survey figures only: secondary sources often mix the
three up) and its source. A figure the sources do not confirm is a blank value, kept blank: the lookup then
says there is no national figure for that year, as it does for a year the file does not hold.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

FILE = "national_benchmarks.csv"


@dataclass(frozen=True)
class Benchmark:
    wres_year: int
    snapshot_date: str
    survey_year: int | None
    indicator: int
    measure: str
    breakdown: str
    group: str
    label: str
    value: float | None  # None: the sources give no confirmed figure for this year
    source: str
    note: str


@functools.lru_cache(maxsize=1)
def all_benchmarks() -> tuple[Benchmark, ...]:
    with resources.files("wres_helpers").joinpath("data", FILE).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Benchmark(
            int(r["wres_year"]),
            r["snapshot_date"],
            int(r["survey_year"]) if r["survey_year"] else None,
            int(r["indicator"]),
            r["measure"],
            r["breakdown"],
            r["group"],
            r["label"],
            float(r["value"]) if r["value"].strip() else None,
            r["source"],
            r["note"],
        )
        for r in rows
    )


def lookup(indicator: int, measure: str, breakdown: str, group: str, wres_year: int) -> Benchmark | None:
    """The national figure of that WRES year, or None when there is none (a blank in the file or no row)."""
    for b in all_benchmarks():
        if (b.indicator, b.measure, b.breakdown, b.group, b.wres_year) == (
            indicator,
            measure,
            breakdown,
            group,
            int(wres_year),
        ):
            return b if b.value is not None else None
    return None


def years_with_figures(indicator: int, measure: str, breakdown: str, group: str) -> list[int]:
    return sorted(
        b.wres_year
        for b in all_benchmarks()
        if (b.indicator, b.measure, b.breakdown, b.group) == (indicator, measure, breakdown, group)
        and b.value is not None
    )
