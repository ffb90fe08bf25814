"""Small-multiples trend charts: one panel per figure an indicator follows (trends.series_for), over every report
year, each year as published, with the national figure of the same year where one exists.

Palette, width, title wrapping and the <figure> with alt text come from charts.py; a year whose figure is not
shown gets its state in words at the foot of the panel, never a point.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt

from . import benchmarks, trends
from .charts import PALETTE, WIDTH, figure_html
from .indicators import NON_ADVERSE_RANGE
from .report_data import ReportData

NATIONAL_LABEL = "NHS trusts in England"


def _panels(r: ReportData, indicator: int) -> list[list[trends.Series]]:
    """Series drawn together: a survey indicator's two groups share a panel; every other series has its own."""
    series = trends.series_for(r, indicator)
    survey = [s for s in series if s.measure == "pct"]
    if survey:
        return [survey] + [[s] for s in series if s.measure != "pct"]
    return [[s] for s in series]


def _colour(s: trends.Series) -> str:
    return PALETTE["white"] if s.group == "white" else PALETTE["bme"]


def _draw(ax, r: ReportData, panel: list[trends.Series], years: list[int]) -> list[str]:
    """One panel; returns its alt-text parts. Several series in a panel are named at the end of their lines and
    each year's labels go above the higher point and below the lower one, so they never overlap."""
    alt, values = [], []
    drawn = [(s, trends.points(r, s)) for s in panel]
    for k, (s, pts) in enumerate(drawn):
        ys = [p.value if p.value is not None else math.nan for p in pts]
        values += [v for v in ys if not math.isnan(v)]
        ax.plot(years, ys, "-o", color=_colour(s), linewidth=2, markersize=7)
        for i, p in enumerate(pts):
            if p.value is not None:
                others = [q[i].value for _, q in drawn if q[i].value is not None]
                above = p.value >= max(others)
                ax.annotate(
                    trends.figure_text(s, p.value),
                    (p.year, p.value),
                    textcoords="offset points",
                    xytext=(0, 8 if above else -17),
                    ha="center",
                    fontsize=10,
                )
            elif k == 0:
                ax.text(
                    p.year,
                    0.04,
                    p.state.lower(),
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    fontsize=10,
                    color=PALETTE["line"],
                )
        if len(panel) > 1:
            ax.plot([], [], "-o", color=_colour(s), label=s.short_title(r))  # the legend's entry
        alt.append(
            f"{s.title(r)}: "
            + ", ".join(
                f"{p.year} {trends.figure_text(s, p.value) if p.value is not None else p.state.lower()}" for p in pts
            )
        )
        national = [(y, benchmarks.lookup(s.indicator, s.measure, s.breakdown or "", s.group, y)) for y in years]
        national = [(y, b.value) for y, b in national if b is not None]
        if national:
            ax.plot(
                [y for y, _ in national],
                [v for _, v in national],
                "D",
                markerfacecolor="none",
                color=PALETTE["line"],
                markersize=8,
                linestyle="none",
                label=NATIONAL_LABEL,
            )
            values += [v for _, v in national]
            alt.append(f"{NATIONAL_LABEL}: " + ", ".join(f"{y} {trends.figure_text(s, v)}" for y, v in national))
    _axes(ax, panel[0], values, years)
    if len(panel) > 1:  # room for the legend above the lines
        ax.set_ylim(0, max(10.0, max(values, default=0) * 1.7))
    if panel[0].breakdown is None:  # a report year takes the survey of the year before
        ax.set_xticks(years, [f"{y}\n({trends.survey_year(r, y)})" for y in years])
        ax.set_xlabel("report year (survey year)", fontsize=10)
    return alt


def _axes(ax, s: trends.Series, values: list[float], years: list[int]) -> None:
    top = max(values, default=0)
    if s.unit == "ratio":
        low, high = NON_ADVERSE_RANGE
        ax.axhspan(low, high, color=PALETTE["band"], alpha=0.15, label=f"non-adverse range {low:.2f}–{high:.2f}")
        ax.axhline(1.0, color=PALETTE["line"], linewidth=1)
        ax.set_ylim(0, max(2.0, top * 1.25))
    elif s.measure == "difference_pp":
        ax.axhline(0, color=PALETTE["line"], linewidth=1)
        reach = max([abs(v) for v in values] + [5.0]) * 1.4
        ax.set_ylim(-reach, reach)
    else:
        ax.set_ylim(0, max(10.0, top * 1.35))
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)


def trend_chart(r: ReportData, indicator: int) -> str | None:
    """The indicator's figures over every report year; None when no year has a printed figure."""
    years = trends.report_years(r)
    panels = [p for p in _panels(r, indicator) if any(pt.value is not None for s in p for pt in trends.points(r, s))]
    if not panels or len(years) < 2:
        return None
    cols = 1 if len(panels) == 1 else 2
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, 2.6 * rows + 1.0), squeeze=False)
    alt_parts = []
    for ax, panel in zip(axes.flat, panels):
        alt_parts += _draw(ax, r, panel, years)
        name = panel[0].short_title(r) if len(panel) == 1 else "% of respondents"
        if len(panels) > 1:  # one panel: the figure's title names it already
            ax.set_title(textwrap.fill(name, 28), loc="left", fontsize=11)
        if ax.get_legend_handles_labels()[1]:
            ax.legend(loc="upper left", frameon=False, fontsize=9, ncol=2 if len(panel) > 1 else 1)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    head = panels[0][0]
    words = trends.overall_words(head, trends.points(r, head))
    fig.suptitle(
        f"{head.title(r).replace(' (%)', '')} {words}"
        if words
        else f"Indicator {indicator}, {years[0]} to {years[-1]}",
        fontsize=12,
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    alt = (
        f"Line charts of indicator {indicator} for each report year from {years[0]} to {years[-1]}. "
        + "; ".join(alt_parts)
        + "."
    )
    caption = (
        f"Indicator {indicator}, {years[0]} to {years[-1]}, each year as that year's report publishes it; a "
        f"year whose figure is not shown is named at the foot of the panel."
    )
    if any(a.startswith(NATIONAL_LABEL) for a in alt_parts):
        caption += f" Hollow diamonds: the national figure for {NATIONAL_LABEL} of the same year."
    return figure_html(fig, alt, caption)
