"""Each indicator in context, for the end of its section: its trend over the report years, the national figure of
the same year and the comparator organisations' published figures of the same year.

Notebooks call `over_the_years` and `beside_others` and display the Markdown they return; the chart is
trend_charts.trend_chart. Every figure comes from a published table (trends.py, comparators.py) or from
data/national_benchmarks.csv (benchmarks.py); nothing is computed here.
"""

from __future__ import annotations

from . import benchmarks, present, trends
from .comparators import load_comparators
from .report_data import ReportData

NATIONAL = "NHS trusts in England (national)"


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}\n\n"


def _series_block(r: ReportData, s: trends.Series) -> str:
    pts = trends.points(r, s)
    found = trends.entries(s, pts)
    name = s.title(r)
    if len(found) == 1 and found[0].change == "" and pts[0].value is None:  # one state every year: say it once
        e = found[0]
        years = e.years
        when = (
            f"in {years[0]}"
            if len(years) == 1
            else f"in both {years[0]} and {years[1]}"
            if len(years) == 2
            else f"in every year from {years[0]} to {years[-1]}"
        )
        reason = f" {present._sentence(e.reason)}" if e.reason else ""
        return f"**{name}**: {pts[0].state.lower()} {when}.{reason}\n"
    rows = [[e.year_label(r, s.breakdown is None), e.figure, e.change] for e in found]
    text = f"**{name}**\n\n" + present.md_table(["Year", "Figure", "Change from the year before"], rows, "llr")
    notes = list(dict.fromkeys(f"{e.figure}: {present._sentence(e.reason)}" for e in found if e.reason))
    overall = trends.overall_change(s, pts)
    if overall:
        text += "\n" + overall + "\n"
    if notes:
        text += "\n" + "\n\n".join(notes) + "\n"
    return text


def over_the_years(r: ReportData, indicator: int, level: int = 3) -> str:
    """The trend tables of an indicator (one per figure it follows), each year from its own published table."""
    years = trends.report_years(r)
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    intro = ""  # how a trend is read is said once, on the methodology page (present.definitions)
    if len(years) == 1:
        intro = (
            f"This workspace holds only the {years[0]} report for {r.org.name}: there is no earlier year to "
            f"compare with."
        )
    blocks = [_series_block(r, s) for s in trends.series_for(r, indicator)]
    return (
        _heading(level, f"Indicator {indicator} over the years ({span})")
        + (intro and intro + "\n\n")
        + "\n".join(blocks)
    )


def _comparator_cell(c: ReportData, s: trends.Series) -> str:
    if s.breakdown is not None and c.row(s.indicator, s.measure, s.breakdown, s.group) is None:
        return "Not in its report"  # e.g. a pay band group the organisation does not report
    p = trends.point(c, s, c.year)
    return trends.figure_text(s, p.value) if p.value is not None else p.state


def beside_others(r: ReportData, indicator: int, level: int = 3) -> str:
    """This year's figures beside the national figure of the same WRES year and the comparators' published ones."""
    series = [s for s in trends.series_for(r, indicator) if s.measure != "difference_pp"] + trends.NATIONAL_ONLY.get(
        indicator, []
    )
    corner = {1: f"{present.capital(r.term)} share", 9: f"{present.capital(r.term)} share"}.get(
        indicator, "% of respondents" if indicator in (5, 6, 7, 8) else ""
    )
    headers = [corner] + [s.short_title(r) for s in series]
    rows = [[f"{r.org.name} (this report)"] + [_comparator_cell(r, s) for s in series]]
    sentences = []
    national = [benchmarks.lookup(s.indicator, s.measure, s.breakdown or "", s.group, r.year) for s in series]
    if any(national):
        rows.append(
            [NATIONAL]
            + [trends.figure_text(s, b.value) if b else "No national figure" for s, b in zip(series, national)]
        )
        sources = sorted({b.source for b in national if b})
        # Where the file comes from and why a blank stays blank is said once, on the methodology page.
        sentences.append(
            f"National figures: NHS England's, for all NHS trusts in England, {r.year} "
            f"(source: {'; '.join(sources)})."
            + (
                ""
                if r.org.type == "trust"
                else f" They describe trusts, not a {r.org.type}: context rather than a target."
            )
        )
    else:
        held = sorted(
            {
                y
                for s in series
                for y in benchmarks.years_with_figures(s.indicator, s.measure, s.breakdown or "", s.group)
            }
        )
        sentences.append(
            f"There is no national figure for indicator {indicator} for {r.year} in the data this "
            f"report uses" + (f" (it holds one for {trends.years_text(held)})." if held else ".")
        )
    for extra in _national_extras(indicator, r.year):
        sentences.append(extra)
    missing = []
    for slug, c in load_comparators(r).items():
        if c is None:
            missing.append(slug)
            continue
        rows.append([c.org.name] + [_comparator_cell(c, s) for s in series])
    if missing:
        names = [r.ws.org_settings(slug).name for slug in missing]
        sentences.append(
            f"{trends.years_text(names)} {'has' if len(names) == 1 else 'have'} no {r.year} report in "
            f"this workspace, so {'its' if len(names) == 1 else 'their'} figures cannot be shown."
        )
    if load_comparators(r):
        sentences.append(
            "Other organisations' figures are as their own reports publish them: what they withhold "
            "is withheld here too."
        )
    table = present.md_table(headers, rows) if len(rows) > 1 else ""
    others = " and other organisations" if r.org.comparators else ""
    return (
        _heading(level, f"Indicator {indicator} beside the national figure{others} ({r.year})")
        + table
        + "\n"
        + "\n\n".join(sentences)
        + "\n"
    )


def _national_extras(indicator: int, year: int) -> list[str]:
    """National figures that have no counterpart in one organisation's table (shares of trusts)."""
    out = []
    for b in benchmarks.all_benchmarks():
        if b.indicator == indicator and b.wres_year == year and b.value is not None and b.measure.startswith("trusts_"):
            out.append(
                f"Nationally in {year}: {b.label[0].lower() + b.label[1:].replace(' (%)', '')}: "
                f"{present.pct(b.value, 0)} (source: {b.source})."
            )
    return out
