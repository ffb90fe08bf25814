"""Words, numbers and tables for the report pages. Every figure comes from the indicator table.

Notebooks call these functions and display what they return (Markdown); nothing here computes an indicator.
A figure whose status is not 'ok' always renders through `state_text` / `state_panel`, never as a number.
"""

from __future__ import annotations

import contextlib
import contextvars
from pathlib import Path

import pandas as pd

from . import judgements as j
from .aggregate import FROM_MEMBERS
from .indicators import INDICATOR_TITLES, INPUT_WORDS, NON_ADVERSE_RANGE
from .judgements import unit_of
from .keys import friendly
from .report_data import ReportData, run_time

# In placeholder mode the sentence functions write {{ key }} instead of each figure: that is how the
# narrative starter files are made, so the analyst starts from the generated sentences, bound to the data.
_PLACEHOLDERS = contextvars.ContextVar("placeholders", default=False)


@contextlib.contextmanager
def placeholders():
    token = _PLACEHOLDERS.set(True)
    try:
        yield
    finally:
        _PLACEHOLDERS.reset(token)


def _ph(key: str) -> str | None:
    return "{{ " + friendly(key) + " }}" if _PLACEHOLDERS.get() else None


STATE_LABELS = {
    "not_computable": "Not computable",
    "withheld": "Withheld",
    "not_collected": "Not collected",
    "not_required": "Not required",
    "no_data": "No data",
}

SURVEY_PHRASES = {
    5: "experienced harassment, bullying or abuse from patients, relatives or the public in the last 12 months",
    6: "experienced harassment, bullying or abuse from staff in the last 12 months",
    7: "believed the organisation provides equal opportunities for career progression or promotion",
    8: "personally experienced discrimination at work from a manager, team leader or other colleagues",
}


# -- numbers -----------------------------------------------------------------------------------------
def pct(value: float, dp: int = 1) -> str:
    return f"{value:.{dp}f}%"


def ratio(value: float) -> str:
    return f"{value:.2f}"


def count(value) -> str:
    return f"{int(value):,}"


def points(value: float) -> str:
    """A difference between two percentages, in percentage points (never 'percent')."""
    return f"{abs(value):.1f} percentage point{'s' if round(abs(value), 1) != 1 else ''}"


def ok(row) -> bool:
    return row is not None and row["status"] == "ok" and not pd.isna(row["value"])


def state_text(row) -> str:
    if row is None:
        return "No data"
    shown_as = row.get("shown_as")
    if isinstance(shown_as, str) and shown_as:
        return capital(shown_as)
    return STATE_LABELS.get(row["status"], row["status"])


def cell(row, fmt=pct) -> str:
    """A table cell: the formatted value, or the state in words."""
    return fmt(row["value"]) if ok(row) else state_text(row)


def count_of(row) -> str:
    """'57 of 377' for a share or rate row."""
    return f"{count(row['numerator'])} of {count(row['denominator'])}"


def state_panel(row, title: str) -> str:
    label = state_text(row)
    reason = (
        row["reason"]
        if row is not None and isinstance(row["reason"], str) and row["reason"]
        else "There is no data for this figure."
    )
    kind = "note" if label in ("Not required", "Not computable") else "warning"
    return f"```{{admonition}} {label}: {title}\n:class: {kind}\n{_sentence(reason)}\n```\n"


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text


def value_text(row) -> str:
    """A row's value formatted by its measure: 15.1%, 0.78, −8.0 percentage points, 1,863."""
    unit = unit_of(row)
    if row["measure"] == "difference_pp":
        return signed_points(row["value"])
    return pct(row["value"]) if unit == "pct" else ratio(row["value"]) if unit == "ratio" else count(row["value"])


def signed_points(value: float) -> str:
    return f"{value:+.1f} percentage points".replace("+0.0 ", "0.0 ").replace("-", "−")


def change_text(now, before) -> str:
    """This year's value minus last year's as printed, signed: −0.8 percentage points, +0.12."""
    unit = unit_of(now)
    diff = j.printed_change(now["value"], before["value"], unit)
    if unit == "pct":
        return signed_points(diff)
    return (f"{diff:+.2f}" if unit == "ratio" else f"{int(diff):+,}").replace("-", "−")


# Figures inside sentences: the number, or its {{ key }} in placeholder mode.
def fv(row) -> str:
    return _ph(row["key"]) or value_text(row)


def fn(row) -> str:
    return _ph(row["key"] + "_n") or count(row["numerator"])


def fd(row) -> str:
    return _ph(row["key"] + "_of") or count(row["denominator"])


def fof(row) -> str:
    return f"{fn(row)} of {fd(row)}"


def fabs(row) -> str:
    return _ph(row["key"] + "_abs") or points(row["value"])


def fchange(now, before) -> str:
    return _ph(now["key"] + "_change_words") or change_words(now["value"], before["value"], unit_of(now))


def fci(row) -> str:
    return _ph(row["key"] + "_ci") or interval_text(row)


def fp(row) -> str:
    return _ph(row["key"] + "_p_value") or j.p_words(row["p_value"])


def fword(row, suffix: str, words: str) -> str:
    """A judgement word (rose, more likely than, ...) made from the data: the words, or their {{ key }}."""
    return _ph(row["key"] + suffix) or words


def fdirection(now, before) -> str:
    return fword(now, "_direction", j.direction(now["value"], before["value"], unit_of(now)))


def fyear(r: ReportData, which: str) -> str:
    """'year', 'previous_year', 'survey_year' or 'previous_survey_year'."""
    sy = r.settings.survey_year
    number = {"year": r.year, "previous_year": r.previous_year(), "survey_year": sy, "previous_survey_year": sy - 1}[
        which
    ]
    return _ph(which) or str(number)


def change_words(now: float, before: float, unit: str = "pct") -> str:
    """'up 2.0 percentage points', 'down 0.04', 'unchanged': the difference of the printed figures."""
    diff = j.printed_change(now, before, unit)
    if diff == 0:
        return "unchanged"
    if unit == "pct":
        return f"{'up' if diff > 0 else 'down'} {points(diff)}"
    return f"{'up' if diff > 0 else 'down'} {abs(diff):.{j.DIGITS[unit]}f}"


# -- 95% intervals and Fisher's exact test (uncertainty.py) --------------------------------------------------
def _published(row, column: str) -> float | None:
    value = row.get(column) if ok(row) else None
    return None if value is None or pd.isna(value) else float(value)


def interval_text(row) -> str | None:
    """'16.5% to 32.1%' or '0.41 to 1.48': a published row's 95% interval, or None where there is none."""
    low, high = _published(row, "ci_low"), _published(row, "ci_high")
    if low is None or high is None:
        return None
    fmt = ratio if unit_of(row) == "ratio" else pct
    return f"{fmt(low)} to {fmt(high)}"


def interval_cell(row, wording: str) -> str:
    """A table cell for a row's interval, short enough for a narrow column ('15.1–28.4%'), the one withheld
    label, or a dash."""
    if not ok(row):
        return "–"
    if interval_text(row) is not None:
        fmt = ratio if unit_of(row) == "ratio" else (lambda v: f"{v:.1f}")
        # Word joiners keep the interval on one line (a browser may break a line after a dash).
        return f"{fmt(row['ci_low'])}\u2060–\u2060{fmt(row['ci_high'])}" + ("" if unit_of(row) == "ratio" else "%")
    return capital(wording) if interval_withheld(row) else "–"


def interval_withheld(row) -> bool:
    from .disclosure import INTERVAL_WITHHELD

    return INTERVAL_WITHHELD in str(row.get("reason") or "")


def chance(row) -> bool | None:
    """Whether the difference a row measures could be chance (Fisher's exact test and, for a relative
    likelihood, its 95% interval, as printed); None when its p-value is not published."""
    p = _published(row, "p_value")
    if p is None:
        return None
    return j.could_be_chance(p, _published(row, "ci_low"), _published(row, "ci_high"))


def significantly_words(row, worse_or_more: str) -> str:
    """'significantly more likely', 'significantly worse than': the judgement a significant test allows."""
    return fword(row, "_significantly", f"significantly {worse_or_more}")


def chance_sentence(row, people: str, significant: str) -> str:
    """' With 39 BAME respondents, this difference could be chance (Fisher's exact test, p = 0.412).' or, when
    the test is significant, ' This difference is significant by Fisher's exact test (p = 0.003): <significant>.'
    Nothing when the row has no published p-value; a withheld one is said."""
    from .uncertainty import TEST_NAME

    maybe = chance(row)
    if maybe is None:
        return (
            " Its 95% interval and p-value are withheld, to protect small numbers."
            if ok(row) and interval_withheld(row)
            else ""
        )
    words = fword(row, "_significance", j.significance_words(maybe))
    if maybe:
        return f" With {people}, this difference {words} ({TEST_NAME}, {fp(row)})."
    return f" This difference {words} by {TEST_NAME} ({fp(row)}): {significant}."


# -- tables --------------------------------------------------------------------------------------------
def md_table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(headers) - 1)
    marks = {"l": ":---", "r": "---:", "c": ":---:"}
    esc = lambda s: str(s).replace("|", "\\|")
    lines = ["| " + " | ".join(esc(h) for h in headers) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def group_label(r: ReportData, group: str) -> str:
    return {"white": "White", "bme": r.term, "unknown": "Unknown"}[group]


def capital(text: str) -> str:
    """'ethnically diverse' -> 'Ethnically diverse' for headings and table headers; 'BAME' stays."""
    return text[:1].upper() + text[1:]


# -- plain-words introductions ----------------------------------------------------------------------
def period(r: ReportData) -> str:
    s = r.settings
    return f"{s.period_start:%-d %B %Y} to {s.period_end:%-d %B %Y}"


def intro(r: ReportData, indicator: int) -> str:
    s, term, board = r.settings, r.term, r.org.board_name
    snapshot = f"{s.snapshot:%-d %B %Y}"
    texts = {
        1: f"Indicator 1 compares the share of {term} staff in each pay band with their share of the whole "
        f"workforce. It counts people in post on {snapshot} (headcount, not whole-time equivalents) from the "
        f"Electronic Staff Record, separately for clinical and non-clinical staff. Staff whose ethnicity is not "
        f"known are counted in every total and shown as their own group.",
        2: f"Indicator 2 asks whether shortlisted applicants were equally likely to be appointed, whatever their "
        f"ethnicity. It covers every post shortlisted from {period(r)} (NHS Jobs / TRAC). The relative likelihood "
        f"divides the White appointment rate by the {term} rate: 1.00 means equal, above 1.00 means White "
        f"applicants were more likely to be appointed.",
        3: f"Indicator 3 asks whether {term} staff are more likely than White staff to enter a formal disciplinary "
        f"investigation. It divides the {term} rate (cases per head of {term} staff) by the White rate; above "
        f"1.00 means {term} staff were more likely to enter the process. NHS England bases it on a two-year "
        f"rolling figure: this year's and last year's cases and headcounts added together.",
        4: f"Indicator 4 asks whether staff are equally likely to access non-mandatory training and continuing "
        f"professional development (CPD), from {period(r)}. It divides the White rate by the {term} rate: "
        f"above 1.00 means White staff were more likely to access training.",
        9: f"Indicator 9 compares the {term} share of the {board} with the {term} share of the whole workforce, "
        f"for voting members, executive members and all members, on {snapshot}. The difference is in "
        f"percentage points: a negative figure means the {board} is less diverse than the workforce.",
    }
    if indicator in texts:
        return texts[indicator]
    return (
        f"Indicator {indicator} comes from the {s.survey_year} NHS Staff Survey (published in the spring "
        f"after the survey): the percentage of White and {term} respondents who "
        f"{SURVEY_PHRASES[indicator]}."
    )


def title(indicator: int) -> str:
    return f"Indicator {indicator}: {INDICATOR_TITLES[indicator]}"


def rl_table(r: ReportData, indicators=(2, 3, 4)) -> str:
    """The relative likelihoods of the chart at a glance (charts.relative_likelihoods) as a table, the chart's
    alternative for a reader who cannot see it: each figure as printed, or its state in words."""
    years = [y for y in (r.previous_year(), r.year) if y]
    rows = []
    for i in indicators:
        key, top, bottom, *_ = RL_WORDS[i]
        rows.append(
            [title(i), f"{capital(group_label(r, top))} ÷ {group_label(r, bottom)}"]
            + [cell(r.row(i, "relative_likelihood", "all", key, y), fmt=ratio) for y in years]
        )
    return md_table(["Indicator", "Relative likelihood"] + [str(y) for y in years], rows, "ll" + "r" * len(years))


# -- headline sentences ---------------------------------------------------------------------------
def workforce_sentence(r: ReportData) -> str:
    now = r.row(1, "share_pct", "all", "bme")
    if not ok(now):
        return state_panel(now, title(1))
    text = f"In {fyear(r, 'year')}, {fv(now)} of staff ({fof(now)}) were {r.term}"
    py = r.previous_year()
    before = r.row(1, "share_pct", "all", "bme", py) if py else None
    if ok(before):
        text += f", compared with {fv(before)} in {fyear(r, 'previous_year')} ({fchange(now, before)})"
    return text + "."


BAND_WORDS = {"VSM": "at very senior manager (VSM) level"}


def band_sentence(r: ReportData, breakdown: str) -> str | None:
    now = r.row(1, "share_pct", breakdown, "bme")
    if not ok(now):
        return None
    where = BAND_WORDS.get(breakdown, f"in {breakdown.replace('Band', 'band')}")
    text = f"{fv(now)} of staff {where} ({fof(now)}) were {r.term}"
    py = r.previous_year()
    before = r.row(1, "share_pct", breakdown, "bme", py) if py else None
    if ok(before):
        text += f", compared with {fv(before)} in {fyear(r, 'previous_year')} ({fchange(now, before)})"
    return text + "."


RL_WORDS = {
    # indicator: (key, top group, bottom group, subject noun, verb phrase)
    2: ("white_vs_bme", "white", "bme", "shortlisted applicants", "to be appointed"),
    3: ("bme_vs_white", "bme", "white", "staff", "to enter a formal disciplinary investigation"),
    4: ("white_vs_bme", "white", "bme", "staff", "to access non-mandatory training and CPD"),
}


def state_line(row) -> str:
    """The state and its reason as one plain sentence, for lists where a panel would not fit."""
    reason = row["reason"] if row is not None and isinstance(row["reason"], str) else ""
    label = state_text(row)
    if reason.lower().startswith(label.lower()):  # "fewer than 5: withheld so that ..." says it all
        return _sentence(reason)
    return f"{label}. {_sentence(reason) if reason else 'There is no data for this figure.'}"


def rl_sentence(r: ReportData, indicator: int, plain: bool = False) -> str:
    """One statement of who was more likely (or about as likely), its range and its change: every judgement
    word comes from the printed figure (judgements.py), as a {{ key }} in placeholder mode."""
    key, top, bottom, noun, verb = RL_WORDS[indicator]
    now = r.row(indicator, "relative_likelihood", "all", key)
    if not ok(now):
        return (
            f"{title(indicator)}, relative likelihood: {state_line(now)}"
            if plain
            else state_panel(now, f"{title(indicator)}, relative likelihood")
        )
    a, b = group_label(r, top), group_label(r, bottom)
    value = now["value"]
    low, high = NON_ADVERSE_RANGE
    text = (
        f"{capital(a)} {noun} were {fword(now, '_likelihood_words', j.likelihood_words(value))} {b} {noun} "
        f"{verb} (relative likelihood {fv(now)}). The figure is "
        f"{fword(now, '_assessment', j.assessment(value))}, {_ph('non_adverse_range') or f'{low:.2f} to {high:.2f}'}."
    )
    py = r.previous_year()
    before = r.row(indicator, "relative_likelihood", "all", key, py) if py else None
    if ok(before):
        text += (
            f" In {fyear(r, 'previous_year')} it was {fv(before)}: since then it {fdirection(now, before)} "
            f"and, judged by how far it is from equal likelihood, "
            f"{fword(now, '_trend', j.rl_trend(value, before['value']))}."
        )
    return text


RL_PEOPLE = {2: "shortlisted applicants", 3: "staff", 4: "staff"}


def rl_uncertainty(r: ReportData, indicator: int, now) -> str:
    """Whether the data can tell the two groups apart, under the indicator's heading: its 95% interval and
    Fisher's exact test. The four-fifths range stays the headline test; this qualifies it, never replaces it."""
    low, high = NON_ADVERSE_RANGE
    text = f"**Could this be chance?** The relative likelihood is {fv(now)}"
    if interval_text(now):
        text += f", with a 95% interval of {fci(now)}."
    elif isinstance(now["reason"], str) and now["reason"] and not interval_withheld(now):
        text += f". {_sentence(now['reason'])}"  # why there is no interval (a group with no events)
    else:
        text += "."
    text += _rl_chance(r, indicator, now)
    return (
        text + f" By the headline test it is {fword(now, '_assessment', j.assessment(now['value']))}, "
        f"{_ph('non_adverse_range') or f'{low:.2f} to {high:.2f}'}."
    )


def _rl_chance(r: ReportData, indicator: int, now) -> str:
    _, top, _, noun, verb = RL_WORDS[indicator]
    bme = r.row(indicator, "rate_pct", "all", "bme")
    pooled = r.row(3, "years_pooled", "all", "all") if indicator == 3 else None
    people = (
        f"{fd(bme)} {r.term} {RL_PEOPLE[indicator]}"
        if ok(bme) and not pd.isna(bme["denominator"])
        else f"these {r.term} {RL_PEOPLE[indicator]}"
    )
    if ok(pooled) and pooled["value"] == 2:
        people += " (both years' headcounts added)"
    return chance_sentence(
        now,
        people,
        f"{capital(group_label(r, top))} {noun} were {significantly_words(now, more_or_less_likely(now))} {verb}",
    )


def more_or_less_likely(row) -> str:
    """On the printed figure (the unrounded one only when it prints as 1.00)."""
    shown = j.printed(row["value"], "ratio")
    return "more likely" if (shown > 1 if shown != 1 else row["value"] > 1) else "less likely"


def significant_judgement(r: ReportData, row) -> str | None:
    """'more likely' (relative likelihood) or 'worse than' (survey gap): what 'significantly' qualifies."""
    if row["measure"] == "relative_likelihood":
        return more_or_less_likely(row)
    if row["measure"] == "difference_pp" and int(row["indicator"]) in SURVEY_PHRASES:
        bme = r.row(int(row["indicator"]), "pct", str(row["breakdown"]), "bme", None)
        white = r.row(int(row["indicator"]), "pct", str(row["breakdown"]), "white", None)
        if ok(bme) and ok(white):
            return j.fared_words(int(row["indicator"]), bme["value"], white["value"])
    return None


# Indicator 2's shares of all shortlisted and of all appointed, shown beside its rates (as the seed reports do).
SHARE_COLUMNS = {
    2: (("share_of_shortlisted_pct", "Share of shortlisted"), ("share_of_appointed_pct", "Share of appointed"))
}


def rate_table(r: ReportData, indicator: int, events: str, people: str) -> str:
    """Counts beside rates for White, BME and Unknown, this year and last; for indicator 3, the pooled two-year
    figure and the report year alone. Nothing when no year has data (the page's panel says why)."""
    rows, any_data = [], False
    shares = SHARE_COLUMNS.get(indicator, ())
    years = [y for y in (r.previous_year(), r.year) if y]
    for year in years:
        label = str(year)
        pooled = r.row(indicator, "years_pooled", "all", "all", year)
        breakdowns = [("all", label)]
        if ok(pooled) and pooled["value"] == 2:
            breakdowns = [("all", f"{year - 1} and {year} together"), ("report_year", f"{year} alone")]
        for breakdown, label in breakdowns:
            for group in ("white", "bme", "unknown"):
                row = r.row(indicator, "rate_pct", breakdown, group, year)
                if row is None:
                    continue
                has_counts = row["status"] in ("ok", "not_computable") and not pd.isna(row["denominator"])
                any_data |= row["status"] != "no_data"
                rows.append(
                    [
                        label,
                        capital(group_label(r, group)),
                        count(row["numerator"]) if has_counts else "–",
                        count(row["denominator"]) if has_counts else "–",
                        cell(row),
                        interval_cell(row, r.rules.wording),
                    ]
                    + [cell(r.row(indicator, m, breakdown, group, year)) for m, _ in shares]
                )
    if not any_data:
        return ""
    return md_table(
        ["Year", "Group", events, people, "Rate", "95% interval"] + [h for _, h in shares],
        rows,
        "llrrrr" + "r" * len(shares),
    )


# -- indicator 2 beneath the headline: the recruitment funnel, internal and external recruitment -------------
FUNNEL_STAGES = (
    # (breakdown of 2 rate_pct / relative_likelihood, the stage in words, the verb phrase of a sentence)
    ("shortlisted_from_applied", "Shortlisted from application", "to be shortlisted from their application"),
    ("all", "Appointed from shortlisting (the headline)", "to be appointed once shortlisted"),
    ("appointed_from_applied", "Appointed from application", "to be appointed from their application"),
)
CAMPAIGNS = (("internal", "Internal recruitment"), ("external", "External recruitment"))
STAGE_ROWS = (("rate_pct", "shortlisted_from_applied"), ("rate_pct", "appointed_from_applied"))  # of applications


def _rate_with_counts(row) -> str:
    """'27.8% (111 of 400)', or the state in words (the organisation's withheld wording)."""
    if not ok(row):
        return state_text(row)
    if pd.isna(row["numerator"]) or pd.isna(row["denominator"]):
        return cell(row)
    return f"{cell(row)} ({count_of(row)})"


def _chance_cell(row, wording: str) -> str:
    """Fisher's exact test in a table cell: 'significant (p = 0.031)', 'could be chance (p = 0.480)', the
    withheld wording where disclosure withheld it, or a dash."""
    maybe = chance(row)
    if maybe is None:
        return capital(wording) if ok(row) and interval_withheld(row) else "–"
    return f"{'could be chance' if maybe else 'significant'} ({j.p_words(row['p_value'])})"


def _rl_rows(r: ReportData, stages, with_counts: bool = True) -> list[list[str]]:
    """One table row per stage: each group's rate with its counts, then the White-vs-BME relative likelihood,
    its 95% interval and Fisher's exact test, as published."""
    rows = []
    for breakdown, label, *_ in stages:
        rl = r.row(2, "relative_likelihood", breakdown, "white_vs_bme")
        rows.append(
            [label]
            + [
                _rate_with_counts(row) if with_counts else cell(row)
                for row in (r.row(2, "rate_pct", breakdown, g) for g in ("white", "bme", "unknown"))
            ]
            + [cell(rl, fmt=ratio), interval_cell(rl, r.rules.wording), _chance_cell(rl, r.rules.wording)]
        )
    return rows


def _rl_headers(r: ReportData, first: str) -> list[str]:
    return [
        first,
        "White",
        capital(r.term),
        "Unknown",
        f"Relative likelihood (White ÷ {r.term})",
        "95% interval",
        "Fisher's exact test",
    ]


def _stage_words(r: ReportData, stages) -> str | None:
    """'more likely than BME applicants to be shortlisted from their application (relative likelihood 1.48)
    and about as likely as them to be appointed ...': the stages whose relative likelihood is published."""
    said = []
    for breakdown, _, verb in stages:
        rl = r.row(2, "relative_likelihood", breakdown, "white_vs_bme")
        if ok(rl):
            whom = f"{r.term} applicants" if not said else "them"
            words = fword(rl, "_likelihood_words", j.likelihood_words(rl["value"]))
            said.append(f"{words} {whom} {verb} (relative likelihood {fv(rl)})")
    return " and ".join(said) if said else None


def _has_recruitment(r: ReportData) -> bool:
    """Whether indicator 2 had recruitment data (its headline has a state other than no data)."""
    headline = r.row(2, "relative_likelihood", "all", "white_vs_bme")
    return headline is not None and headline["status"] != "no_data"


def funnel_section(r: ReportData, level: int = 3) -> str:
    """Applied, shortlisted and appointed per group, with the White-vs-BME relative likelihood at each stage
    (the EDI Improvement Plan's 'diversity in shortlisted candidates'); when the recruitment data holds
    shortlisted applications only, the plain reason the application stage cannot be shown. Nothing when there
    is no recruitment data at all (the headline's panel says so)."""
    from .indicators import NO_APPLICATION_STAGE

    first = r.row(2, "relative_likelihood", FUNNEL_STAGES[0][0], "white_vs_bme")
    if first is None:
        if not _has_recruitment(r):
            return ""
        return f"{'#' * level} From application to appointment\n\n{_sentence(NO_APPLICATION_STAGE)}\n"
    text = f"{'#' * level} From application to appointment\n\n" + (
        "Indicator 2 starts at shortlisting. The recruitment data also holds every application, so each stage "
        "of recruitment can be compared: being shortlisted from an application, being appointed once "
        "shortlisted (the headline figure above) and being appointed from an application. A relative "
        f"likelihood above 1.00 means White applicants were more likely than {r.term} applicants to get through "
        "that stage."
    )
    applied, listed = r.row(2, "share_of_applied_pct", "all", "bme"), r.row(2, "share_of_shortlisted_pct", "all", "bme")
    if ok(applied) and ok(listed):
        text += (
            f" {capital(r.term)} applicants made up {fv(applied)} of applications and {fv(listed)} of shortlisted "
            "applicants."
        )
    said = _stage_words(r, [stage for stage in FUNNEL_STAGES if stage[0] != "all"])
    if said:
        text += f" White applicants were {said}."

    def number(group: str, places) -> str:
        """A count as one of the published rows that carry it prints it, or the withheld wording."""
        for measure, breakdown, column in places:
            row = r.row(2, measure, breakdown, group)
            if ok(row) and not pd.isna(row[column]):
                return count(row[column])
        return capital(r.rules.wording)

    counts = [
        [
            capital(group_label(r, g)),
            number(g, [("share_of_applied_pct", "all", "numerator"), *((m, b, "denominator") for m, b in STAGE_ROWS)]),
            number(
                g,
                [
                    ("share_of_shortlisted_pct", "all", "numerator"),
                    ("rate_pct", "all", "denominator"),
                    ("rate_pct", "shortlisted_from_applied", "numerator"),
                ],
            ),
            number(
                g,
                [
                    ("rate_pct", "all", "numerator"),
                    ("share_of_appointed_pct", "all", "numerator"),
                    ("rate_pct", "appointed_from_applied", "numerator"),
                ],
            ),
        ]
        for g in ("white", "bme", "unknown")
    ]
    return (
        text
        + "\n\n**Applications, shortlisted and appointed**\n\n"
        + md_table(["Group", "Applications", "Shortlisted", "Appointed"], counts)
        + "\n**Each group's rate, and the relative likelihood, at each stage**\n\n"
        + md_table(_rl_headers(r, "Stage"), _rl_rows(r, FUNNEL_STAGES, with_counts=False), "lrrrrrl")
    )


def campaign_section(r: ReportData, level: int = 3) -> str:
    """Appointment from shortlisting for internal and for external recruitment campaigns, per group, with each
    one's relative likelihood beside the headline; when the data does not tell them apart, the plain reason."""
    from .indicators import NO_CAMPAIGN

    first = r.row(2, "relative_likelihood", CAMPAIGNS[0][0], "white_vs_bme")
    if first is None:
        if not _has_recruitment(r):
            return ""
        return f"{'#' * level} Internal and external recruitment\n\n{_sentence(NO_CAMPAIGN)}\n"
    text = f"{'#' * level} Internal and external recruitment\n\n" + (
        "NHS England asks for internal recruitment campaigns to be included in indicator 2. Here the headline is "
        "split into appointments from internal campaigns and from external ones, each with its own rates and "
        "relative likelihood."
    )
    said = _stage_words(r, [(b, label, f"to be appointed in {label.lower()}") for b, label in CAMPAIGNS])
    if said:
        text += f" Once shortlisted, White applicants were {said}."
    withheld = [
        label.lower().replace(" recruitment", "")
        for b, label in CAMPAIGNS
        if r.row(2, "relative_likelihood", b, "white_vs_bme")["status"] == "withheld"
    ]
    if withheld:
        which = " and ".join(withheld)
        text += (
            f" The relative likelihood{'s' if len(withheld) > 1 else ''} of {which} recruitment "
            f"{'are' if len(withheld) > 1 else 'is'} withheld: built on a small number, or on a figure that "
            "would let a small number be worked out."
        )
    stages = [*CAMPAIGNS, ("all", "All recruitment (the headline)")]
    return (
        text
        + "\n\n**Each group's rate of appointment from shortlisting (appointed of shortlisted), internal and external "
        "recruitment**\n\n" + md_table(_rl_headers(r, "Recruitment"), _rl_rows(r, stages), "lrrrrrl")
    )


def _survey_problem(r: ReportData, indicator: int):
    """The first of this survey year's two rows (BME, White) that is not ok, or None."""
    sy = str(r.settings.survey_year)
    return next((row for row in (r.row(indicator, "pct", sy, g) for g in ("bme", "white")) if not ok(row)), None)


def _shared_survey_state(r: ReportData):
    """The row whose state covers all four survey indicators (e.g. not required in 2020), or None."""
    problems = [_survey_problem(r, i) for i in (5, 6, 7, 8)]
    if all(p is not None for p in problems) and len({(p["status"], p["reason"]) for p in problems}) == 1:
        return problems[0]
    return None


def survey_overview(r: ReportData) -> str:
    """The generated text for the staff experience section."""
    shared = _shared_survey_state(r)
    if shared is not None:
        return state_panel(shared, f"indicators 5 to 8 ({r.settings.survey_year} NHS Staff Survey)")
    return "\n\n".join(survey_sentence(r, i, plain=True) for i in (5, 6, 7, 8)) + "\n"


def survey_details(r: ReportData, indicator: int) -> str:
    """Under each survey indicator's heading: its state (unless shared by all four) and its table."""
    problem = _survey_problem(r, indicator)
    if problem is not None and _shared_survey_state(r) is not None:
        return f"{state_text(problem)}: see above.\n"
    panel = "" if problem is None else state_panel(problem, f"{title(indicator)} ({r.settings.survey_year} survey)")
    has_data = ((r.table.indicator == indicator) & (r.table.measure == "pct") & (r.table.status == "ok")).any()
    return panel + survey_uncertainty(r, indicator) + ("\n" + survey_table(r, indicator) if has_data else "")


def survey_uncertainty(r: ReportData, indicator: int) -> str:
    """Whether this survey year's gap between the groups could be chance (Fisher's exact test), with each
    group's 95% interval; nothing when either result is not shown."""
    sy = r.settings.survey_year
    bme, white = r.row(indicator, "pct", str(sy), "bme"), r.row(indicator, "pct", str(sy), "white")
    gap = r.row(indicator, "difference_pp", str(sy), "bme_minus_white")
    if not (ok(bme) and ok(white) and ok(gap)):
        return ""
    fared = j.fared_words(indicator, bme["value"], white["value"])
    both = interval_text(bme) and interval_text(white)
    text = (
        f"**Could this be chance?** In the {fyear(r, 'survey_year')} survey the figure was {fv(bme)} for "
        f"{r.term} respondents" + (f" (95% interval {fci(bme)})" if both else "") + f" and {fv(white)} for White "
        f"respondents" + (f" ({fci(white)})" if both else "") + "."
    )
    return (
        text
        + chance_sentence(
            gap,
            f"{fd(bme)} {r.term} respondents",
            f"{r.term} staff fared {significantly_words(gap, fared)} White staff",
        )
        + "\n"
    )


def survey_sentence(r: ReportData, indicator: int, plain: bool = False) -> str:
    sy = r.settings.survey_year
    bme, white = r.row(indicator, "pct", str(sy), "bme"), r.row(indicator, "pct", str(sy), "white")
    if not (ok(bme) and ok(white)):
        row = bme if not ok(bme) else white
        return f"**Indicator {indicator}.** {state_line(row)}" if plain else state_panel(row, title(indicator))
    fared = j.fared_words(indicator, bme["value"], white["value"])
    text = (
        f"In the {fyear(r, 'survey_year')} NHS Staff Survey, {fv(bme)} of {r.term} respondents (of {fd(bme)}) "
        f"{SURVEY_PHRASES[indicator]}, compared with {fv(white)} of White respondents (of {fd(white)}): "
        f"{r.term} staff fared {fword(bme, '_fared', fared)} White staff."
    )
    changes = []
    for group, now in (("bme", bme), ("white", white)):
        before = r.row(indicator, "pct", str(sy - 1), group)
        if ok(before):
            changes.append(
                f"for {group_label(r, group)} staff the figure {fdirection(now, before)} from {fv(before)} "
                f"in {fyear(r, 'previous_survey_year')} ({fchange(now, before)})"
            )
    if changes:
        text += " " + _sentence("; ".join(changes))
    return text


def survey_table(r: ReportData, indicator: int) -> str:
    years = sorted({int(b) for b in r.table[(r.table.indicator == indicator) & (r.table.measure == "pct")].breakdown})
    rows = []
    for year in years:
        row = [str(year)]
        for group in ("white", "bme"):
            x = r.row(indicator, "pct", str(year), group)
            interval = interval_text(x) and interval_cell(x, r.rules.wording)
            row += [cell(x) + (f" ({interval})" if interval else ""), count(x["denominator"]) if ok(x) else "–"]
        gap = printed_gap(r, indicator, str(year))
        row.append(f"{gap:+.1f}" if gap is not None else "–")
        rows.append(row)
    return md_table(
        [
            "Survey year",
            "White (95% interval)",
            "White respondents",
            f"{capital(r.term)} (95% interval)",
            f"{capital(r.term)} respondents",
            f"Gap ({r.term} − White, percentage points)",
        ],
        rows,
    )


def printed_gap(r: ReportData, indicator: int, breakdown: str, year: int | None = None) -> float | None:
    """A difference row's value as the page prints it: the difference of the two printed figures it is built
    on (indicator 9: a board subset's BME share minus the whole workforce's; 5 to 8: the BME figure minus the
    White figure of one survey year), or None when either is not shown. Every page, word and key uses this,
    so a difference always equals the two figures printed beside it."""
    if indicator == 9:
        a, b = r.row(9, "share_pct", breakdown, "bme", year), r.row(1, "share_pct", "all", "bme", year)
    else:
        a, b = r.row(indicator, "pct", breakdown, "bme", year), r.row(indicator, "pct", breakdown, "white", year)
    return j.printed_change(a["value"], b["value"]) if ok(a) and ok(b) else None


BOARD_SUBSETS = ("voting", "executive", "all_members")


def board_overview(r: ReportData) -> str:
    """The generated text for the board section: one panel when no subset has a figure for the same reason
    (no board file), else a sentence per subset (a panel cannot sit inside a list item)."""
    shares = [r.row(9, "share_pct", s, "bme") for s in BOARD_SUBSETS]
    if not any(ok(s) for s in shares) and len({(s["status"], s["reason"]) for s in shares if s is not None}) <= 1:
        return state_panel(shares[0], f"indicator 9 ({r.org.board_name})")
    return bullets([board_sentence(r, s, plain=True) for s in BOARD_SUBSETS])


def board_sentence(r: ReportData, subset: str = "voting", plain: bool = False) -> str:
    share = r.row(9, "share_pct", subset, "bme")
    diff = r.row(9, "difference_pp", subset, "bme")
    words = {"voting": "voting members", "executive": "executive members", "all_members": "members"}[subset]
    if not ok(share):
        if plain:
            return f"{capital(words)}: {state_line(share)}"
        return state_panel(share, f"{r.org.board_name} {words}")
    text = f"{fv(share)} of the {r.org.board_name}'s {words} ({fof(share)}) are {r.term}"
    gap = printed_gap(r, 9, subset)
    if gap is not None and ok(diff):
        workforce = r.row(1, "share_pct", "all", "bme")
        text += (
            f", {_ph(diff['key'] + '_abs') or points(gap)} {fword(diff, '_side', j.side_words(gap))} the "
            f"{r.term} share of the whole workforce ({fv(workforce)})"
        )
    return text + "."


def board_table(r: ReportData) -> str:
    rows = []
    for subset, label in (
        ("voting", "Voting members"),
        ("executive", "Executive members"),
        ("all_members", "All members"),
    ):
        share, diff = r.row(9, "share_pct", subset, "bme"), r.row(9, "difference_pp", subset, "bme")
        total = r.row(9, "headcount", subset, "total")
        bme = r.row(9, "headcount", subset, "bme")
        gap = printed_gap(r, 9, subset)
        rows.append(
            [
                label,
                count(bme["value"]) if ok(bme) else state_text(bme).lower(),
                count(total["value"]) if ok(total) else "–",
                cell(share),
                f"{gap:+.1f}" if gap is not None and ok(diff) else state_text(diff),
            ]
        )
    return md_table(
        ["", capital(r.term), "Members", f"{capital(r.term)} share", "Difference from workforce (percentage points)"],
        rows,
    )


def representation_table(r: ReportData, breakdowns: list[str]) -> str:
    rows = []
    for b in breakdowns:
        total = r.row(1, "headcount", b, "total")
        if total is None or total["status"] not in ("ok", "withheld"):
            continue
        row = [b]
        for group in ("white", "bme", "unknown"):
            number, share = r.row(1, "headcount", b, group), r.row(1, "share_pct", b, group)
            row.append(
                (f"{count(number['value'])} ({cell(share) if ok(share) else state_text(share).lower()})")
                if ok(number)
                else state_text(number).lower()
            )
        row.append(count(total["value"]) if ok(total) else state_text(total).lower())
        rows.append(row)
    return md_table(["", "White", capital(r.term), "Unknown", "Headcount"], rows)


# -- key findings -----------------------------------------------------------------------------------
SHORT_TITLES = {
    1: "Workforce",
    2: "Appointment from shortlisting",
    3: "Formal disciplinary investigation",
    4: "Non-mandatory training and CPD",
    5: "Harassment from patients and the public",
    6: "Harassment from staff",
    7: "Equal opportunities for progression",
    8: "Discrimination from a manager or colleague",
    9: "Board",
}


def _finding(r: ReportData, indicator: int) -> str:
    """The one sentence a key finding quotes for an indicator (no state panels: the verdict says why)."""
    sy = r.settings.survey_year
    if indicator == 1:
        share = r.row(1, "share_pct", "all", "bme")
        return workforce_sentence(r) if ok(share) else ""
    if indicator in RL_WORDS:
        key, top, bottom, noun, verb = RL_WORDS[indicator]
        now = r.row(indicator, "relative_likelihood", "all", key)
        if not ok(now):
            return ""
        return (
            f"{capital(group_label(r, top))} {noun} were "
            f"{fword(now, '_likelihood_words', j.likelihood_words(now['value']))} {group_label(r, bottom)} "
            f"{noun} {verb} (relative likelihood {fv(now)})."
        )
    if indicator in SURVEY_PHRASES:
        bme, white = r.row(indicator, "pct", str(sy), "bme"), r.row(indicator, "pct", str(sy), "white")
        if not (ok(bme) and ok(white)):
            return ""
        return (
            f"{fv(bme)} of {r.term} and {fv(white)} of White respondents {SURVEY_PHRASES[indicator]} "
            f"({fyear(r, 'survey_year')} survey)."
        )
    share = r.row(9, "share_pct", "voting", "bme")
    return f"{fv(share)} of the {r.org.board_name}'s voting members ({fof(share)}) are {r.term}." if ok(share) else ""


def _finding_chance(r: ReportData, indicator: int) -> str:
    """After the verdict (the headline), whether the difference could be chance: it qualifies, never replaces."""
    from .uncertainty import TEST_NAME

    if indicator in RL_WORDS:
        row, people = r.row(indicator, "relative_likelihood", "all", RL_WORDS[indicator][0]), RL_PEOPLE[indicator]
    elif indicator in SURVEY_PHRASES:
        row, people = r.row(indicator, "difference_pp", str(r.settings.survey_year), "bme_minus_white"), "respondents"
    else:
        return ""
    maybe = chance(row) if ok(row) else None
    if maybe is None:
        return ""
    return (
        f" The difference between {r.term} and White {people} "
        f"{fword(row, '_significance', j.significance_words(maybe))} ({TEST_NAME}, {fp(row)})."
    )


def key_findings(r: ReportData) -> list[str]:
    """One finding per indicator, 1 to 9, each ending with the concern rule's verdict (concerns.py)."""
    from .concerns import assess, verdict

    out = []
    declared = r.row(1, "declared_pct", "all", "all")
    if ok(declared):
        out.append(f"{fv(declared)} of staff ({fof(declared)}) have a recorded ethnicity.")
    for a in assess(r):
        finding = _finding(r, a.indicator)
        out.append(
            f"**Indicator {a.indicator}: {SHORT_TITLES[a.indicator]}.** "
            + (finding + " " if finding else "")
            + verdict(a)
            + _finding_chance(r, a.indicator)
        )
    vsm = band_sentence(r, "VSM")
    if vsm:
        out.insert(2 if ok(declared) else 1, vsm)
    return out


def concern_overview(r: ReportData) -> str:
    """Which indicators are of concern and which could not be assessed, in one or two sentences."""
    from .concerns import assess

    found = assess(r)
    bad = [a.indicator for a in found if a.concern]
    unknown = [a.indicator for a in found if not a.assessed]
    assessed = [a.indicator for a in found if a.assessed]
    if bad:
        text = (
            f"By this report's rule (see the methodology page), {_ph('concern_indicators') or j.join_numbers(bad)} "
            f"of the nine {'is' if len(bad) == 1 else 'are'} of concern."
        )
    elif assessed:
        text = (
            f"By this report's rule (see the methodology page), none of the {len(assessed)} indicators that "
            f"could be assessed ({j.join_numbers(assessed)}) is of concern."
        )
    else:
        text = "None of the nine indicators could be assessed, so this report cannot say whether any is of concern."
    if unknown:
        text += (
            f" Not assessed, because their figures are withheld, not collected, not computable or missing: "
            f"{_ph('not_assessed_indicators') or j.join_numbers(unknown)}."
        )
    return text


def bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) + "\n"


def pay_band_tables(r: ReportData) -> str:
    """The pay band view (bands within each staff group, bands for all staff, or clusters: see
    disclosure.BAND_VIEWS), one table per panel in pay order, then the pay band groups the organisation reports."""
    from .disclosure import pay_band_view

    panels, note = pay_band_view(r.table, ["non-clinical", "clinical"], aggregated(r))
    out = [note] if note else []
    shown = set()
    for title_, rows in panels:
        table = representation_table(r, [b for _, b in rows])
        for label, breakdown in rows:
            table = table.replace(f"| {breakdown} |", f"| {label} |")
        shown |= {b for _, b in rows}
        out.append(f"**{title_}**\n\n{table}")
    groups = [
        name
        for name in r.table[(r.table.indicator == 1) & (r.table.measure == "headcount")].breakdown.unique()
        if name not in shown
        and (name.startswith(("Cluster", "Band 7 and", "Band 8a and", "Band 8b and", "Medical")) or name == "VSM")
    ]
    if groups:
        out.append(
            "**Pay band groups and VSM (clinical and non-clinical together)**\n\n" + representation_table(r, groups)
        )
    return "\n\n".join(out) if out else state_panel(r.row(1, "share_pct", "all", "bme"), title(1))


def pooling_note(r: ReportData) -> str:
    pooled = r.row(3, "years_pooled", "all", "all")
    if not ok(pooled):
        return ""
    text = f"*{_sentence(pooled['reason'])}*"
    alone = r.row(3, "relative_likelihood", "report_year", "bme_vs_white")
    if alone is not None:
        interval = f" (95% interval {fci(alone)})" if interval_text(alone) else ""
        text += (
            f" For {fyear(r, 'year')} alone, the relative likelihood is "
            f"{fv(alone) + interval if ok(alone) else state_text(alone).lower()}."
        )
    return text


def definitions(r: ReportData) -> str:
    low, high = NON_ADVERSE_RANGE
    items = [
        f"**{r.term}** is {r.org.name}'s term for staff from Black, Asian and minority ethnic backgrounds: every "
        "ethnic category other than White British, White Irish and any other White background.",
        "**Unknown** covers 'not stated', 'not known' and blank records. These staff count in every headcount and "
        "are left out of every White-versus-" + r.term + " comparison.",
        "**Headcount** counts people, not whole-time equivalents, on the snapshot date.",
        "**Relative likelihood** divides one group's rate by the other's. 1.00 means equally likely. "
        f"NHS England treats {low:.2f} to {high:.2f} as showing no adverse impact (the four-fifths rule, used in "
        '*A fair experience for all*, 2019). This report says the two groups were "about as likely" when the '
        f"printed figure is from {j.ABOUT_AS_LIKELY[0]:.2f} to {j.ABOUT_AS_LIKELY[1]:.2f} (a choice of this report, "
        'not an NHS England rule), and "more likely" or "less likely" outside that band.',
        "**Changes and judgements** (rose, fell, improved, worsened, more likely, outside the range) are made on "
        "the figures as printed: a change is the difference of the two printed figures, so it always matches the "
        "tables.",
        "**Indicators of concern** (a rule of this report, not NHS England's): a relative likelihood (indicators "
        f"2 to 4) outside {low:.2f} to {high:.2f}, or further from 1.00 than last year; a staff survey indicator "
        f"(5 to 8) where {r.term} staff fare worse than White staff by more than {_survey_margin():.1f} percentage "
        f"points, where the {r.term} figure worsened since the year before, or where the gap widened; a board "
        f"whose voting members are a smaller {r.term} share than the workforce, which has no {r.term} executive "
        f"member, or whose gap widened; a fall in the {r.term} share at band 8a and above. An indicator whose "
        "figures are withheld, not collected, not computable or missing is *not assessed*: that is never read "
        "as no concern.",
        "**Percentage points** measure the difference between two percentages: 15% to 18% is a rise of "
        "3 percentage points, or 20 percent.",
        "**Indicator 3** adds this year's and last year's cases and headcounts together (a two-year rolling "
        "figure), as NHS England's guidance asks. The guidance does not spell out the averaging; this report "
        "sums both years, which weights each year by its size (an assumption, not an NHS England rule).",
        "**Not computable** means a ratio's denominator group had no events or no people, so no ratio exists. "
        "It is never shown as 0.",
        "**Over the years.** Each year's figures are shown as that year's report publishes them, so a figure "
        "withheld then stays withheld. A change is the difference of the two printed figures: percentage points "
        "for percentages, a plain difference for a relative likelihood.",
        "**National figures** are NHS England's for all NHS trusts in England, each kept with its WRES year, "
        "snapshot date and source in a data file shipped with the report builder. A year for which no figure has "
        "been confirmed stays blank and the page says so: a national figure is never estimated. For an organisation "
        "that is not a trust they are context, not a target.",
        *uncertainty_definitions(r),
    ]
    return bullets(items)


def uncertainty_definitions(r: ReportData) -> list[str]:
    """The 95% interval and Fisher's exact test, for a lay reader (methodology page)."""
    from .uncertainty import TEST_NAME

    low, high = NON_ADVERSE_RANGE
    return [
        "**95% interval.** A figure built from a few dozen people can move a long way by chance: one more "
        "appointment changes it. The 95% interval beside a figure is the range of values the data are consistent "
        "with; the fewer the people behind the figure, the wider it is. Percentages use the Wilson score "
        "interval; relative likelihoods use Katz's log method, which has no answer when either group has no "
        "events (the report then says why). Staff survey results are published as percentages, so their "
        "intervals use the number of respondents. Indicator 3 adds two years together, so anyone in post in "
        "both years counts twice and its intervals are a little too narrow.",
        f"**Could be chance, or significant.** For each relative likelihood and each staff survey gap the report "
        f"runs {TEST_NAME}. It asks how often a difference at least this large would arise by chance alone if the "
        f"two groups were in fact treated alike (the p-value). When that is below 5% (and a relative "
        f"likelihood's 95% interval leaves out 1.00) the report says the difference is significant, as NHS "
        f'England uses the word; otherwise it says the difference could be chance. "Could be chance" does '
        f"not mean there is no difference: it means there are too few people to tell. The {low:.2f} to "
        f"{high:.2f} range stays the headline test of a relative likelihood; the interval and the test only "
        f"say how sure the figure is.",
    ]


def _survey_margin() -> float:
    from .concerns import SURVEY_MARGIN_PP

    return SURVEY_MARGIN_PP


def ethnicity_code_table(r: ReportData) -> str:
    from .vocab import ethnic_categories

    rows = [[c.code, c.label, group_label(r, c.group), c.scheme] for c in ethnic_categories().values()]
    note = (
        "ESR values such as 'C3 White - Any other White background' or 'LK Asian - Sri Lankan' are read by "
        "their first character, the national code. 2011 and 2021 census categories are also accepted: "
        "Gypsy or Irish Traveller and Roma count as White, Arab as " + r.term + " (an assumption: NHS England "
        "has not published a WRES rule for them). An unrecognised code stops the build with the file, row "
        "and value; it is never counted as Unknown."
    )
    return md_table(["Code", "Category", "WRES group", "Scheme"], rows, "llll") + "\n" + note + "\n"


def data_sources(r: ReportData) -> str:
    s = r.settings
    names = {
        "staff": f"Electronic Staff Record (ESR): staff in post on {s.snapshot:%-d %B %Y} (indicators 1, 3, 4 and 9)",
        "recruitment": f"Recruitment system (NHS Jobs / TRAC): shortlisted applications (or every application), "
        f"{period(r)} (indicator 2)",
        "disciplinary": f"HR case log: entries into formal disciplinary investigation, {period(r)} (indicator 3)",
        "training": f"Learning and development records: non-mandatory training and CPD, {period(r)} (indicator 4)",
        "board": f"{r.org.board_name} register on {s.snapshot:%-d %B %Y} (indicator 9)",
        "staff_survey": f"NHS Staff Survey {s.survey_year}, published results (indicators 5 to 8)",
    }
    rows = []
    for name, what in names.items():
        supplied = "Supplied as counts" if counted(r) and name in COUNTED else "Supplied"
        if aggregated(r) and name in FROM_MEMBERS:
            supplied = "Supplied by every member"
        rows.append([what, supplied if r.files.get(name) else "**No data supplied**"])
    note = counts_note(r) if counted(r) else aggregate_note(r)
    return md_table(["Source", "Data"], rows, "ll") + ("\n" + note + "\n" if note else "")


def aggregated(r: ReportData) -> bool:
    """Whether the organisation is an aggregate of member organisations (`members:` in org.yaml)."""
    return bool(r.org.members)


def member_names(r: ReportData) -> str:
    """The members' names in a sentence: 'A, B and C'."""
    names = [r.ws.org_settings(m).name for m in r.org.members]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def members_sentence(r: ReportData) -> str:
    """For the opening paragraph of an aggregate's report: whose figures these are (' ' + sentence, or '')."""
    if not aggregated(r):
        return ""
    return (
        f" Its figures are those of its member organisations together, {member_names(r)}, summed from their "
        "records (the data behind this report says how)."
    )


def aggregate_note(r: ReportData) -> str:
    """The paragraph that says an aggregate's report is its members' records together, and how ('' otherwise)."""
    if not aggregated(r):
        return ""
    own_survey = r.files.get("staff_survey") and r.ws.org_dir(r.org.slug) in Path(r.files["staff_survey"]).parents
    survey = (
        f"the staff survey results are {r.org.name}'s own"
        if own_survey
        else "the staff survey results are the members' put together (each result turned back into the number of "
        "respondents who agreed, and those numbers summed)"
        if r.files.get("staff_survey")
        else "staff survey results are shown only when every member supplied them"
    )
    return (
        f"{r.org.name} reports for its member organisations together: {member_names(r)}. Its figures for "
        "indicators 1 to 4 are computed from the members' records put together, so every figure is a sum of "
        "counts, never an average of the members' percentages, and a file is used only when every member supplied "
        f"it. The {r.org.board_name}'s figures (indicator 9) are {r.org.name}'s own, and {survey}. Small numbers are "
        "protected across the reports together: no figure a member's own report withholds can be worked out from "
        "this report and the members' reports side by side. Occupations and departments are not combined, "
        "because each member names its own."
    )


COUNTED = ("staff", "recruitment", "disciplinary", "training", "board")  # what counts.csv replaces (counts.py)


def counted(r: ReportData) -> bool:
    """Whether this year's figures came from counts (a counts-only counts.csv) rather than records."""
    return "counts" in r.files


def counts_note(r: ReportData) -> str:
    """The sentence that says the figures came from counts, and what counts cannot give ('' for records)."""
    if not counted(r):
        return ""
    return (
        f"The figures for indicators 1 to 4 and 9 were computed from counts supplied by {r.org.name} (headcounts "
        "by pay band, staff group and ethnic group, as the ESR WRES dashboard gives them), not from records of "
        "individual staff. Rates, relative likelihoods and intervals are worked out from those counts exactly as "
        "they would be from records. Counts cannot give the workforce by ethnic category, occupation or "
        "department, the stages of recruitment before shortlisting, internal and external recruitment, or "
        "turnover from one year to the next, so those figures are not shown."
    )


def suppression_rule(r: ReportData) -> str:
    rules = r.rules
    items = [
        f"**Small counts.** A count from 1 to {rules.threshold - 1} is withheld. "
        + (
            "Board membership is public, so board counts are shown."
            if rules.board_counts_public
            else "Board counts follow the same rule."
        ),
        "**Counts nobody prints count too.** Shortlisted applicants who were not appointed (in all, in internal "
        "and in external recruitment), applications that were not shortlisted, staff who did not "
        "enter a disciplinary investigation and staff who did not access training can be worked out by "
        "subtraction, so a small one of them is protected like a printed count.",
        f"**Everyone in one group.** In a band or staff group of fewer than {rules.all_one_group_below} people "
        "who are all in one ethnic group, that group's count is protected like a small count: otherwise "
        '"5 (100%) White" would tell the ethnicity of every one of them.',
        f'**One label.** Every withheld figure reads "{rules.wording}", whichever rule withheld it, so a '
        "small count cannot be told apart from the figures withheld to protect it. A count and its share "
        "are always shown or withheld together.",
        "**Nothing can be worked out.** Figures add up (White + " + r.term + " + Unknown = total; clinical + "
        "non-clinical = all staff; the bands add up to their staff group and to every pay band group; "
        "appointed + not appointed = shortlisted; shortlisted + not shortlisted = applications; internal + external "
        "recruitment = all recruitment), percentages pin counts to their denominators, and last "
        "year's report and the two-year disciplinary figures are public too. So other figures are withheld "
        f"as well, until no withheld figure can be narrowed to a range of fewer than {rules.width + 1} whole "
        f"numbers (for example 0 to {rules.width}, or 1 to {rules.width + 1}): nobody can tell a withheld "
        "small count from zero or from a count that is not small. The figures to withhold are chosen by "
        "optimisation so that the report loses as little as it can: the " + r.term + " share of each band "
        "and the band totals are kept before the White and Unknown counts beside them, and the whole-"
        "workforce figures last of all. An independent check (an interval audit by linear programming, the "
        "method statistical offices use) attacks every published table with all of the above before it is "
        "published.",
        *(
            [
                f"**Beside the members' reports.** {r.org.name}'s counts are the sums of its members' "
                f"({member_names(r)}), whose own reports are public too. So a figure is also withheld where, "
                "read beside their published figures, it would narrow a figure a member withholds to fewer than "
                f"{rules.width + 1} whole numbers; and a staff survey result a member withholds is withheld here. "
                "The independent check attacks this report and the members' reports together."
            ]
            if aggregated(r)
            else []
        ),
        "**Pay band view.** Bands within each staff group and bands for all staff can be subtracted from each "
        "other, so the report shows the most detailed of three views in which the " + r.term + " share of at "
        "least half of the bands can be published: bands within each staff group, then bands for all staff "
        "together, then NHS England's four pay band clusters. The finer views are not published at all.",
        "**Built on a withheld count.** A percentage, relative likelihood or difference that uses a withheld "
        "count is withheld too"
        + (
            ", except that this organisation has chosen to show rates built on small counts"
            if rules.rates_from_small_counts
            else ""
        )
        + ".",
        "**Intervals and p-values.** The width of an interval can reveal the counts it was computed from, so a "
        "95% interval or p-value is published only where the figure and every count behind it are published too; "
        "otherwise it is withheld with the figure. The independent check confirms this before publishing.",
        f"**Staff survey.** The NHS Staff Survey's own rule applies alone: results for a group with fewer than "
        f"{rules.survey_min_respondents} respondents are not shown.",
        "**Aggregates only.** No record about any person appears on this site, and the downloadable table is "
        "the same withheld table. The organisation keeps the full figures for NHS England's data collection.",
    ]
    declared = [
        f"Indicator {i}: **{STATE_LABELS[d.status].lower()}**. {_sentence(d.reason)}"
        for i, d in sorted(r.settings.declared.items())
    ]
    text = bullets(items)
    if declared:
        text += "\nThe organisation has declared:\n\n" + bullets(declared)
    return text


def data_quality(r: ReportData) -> str:
    items = []
    declared = r.row(1, "declared_pct", "all", "all")
    if ok(declared):
        unknown = int(declared["denominator"] - declared["numerator"])
        items.append(
            f"{pct(declared['value'])} of staff have a recorded ethnicity; {count(unknown)} "
            f"{'person has' if unknown == 1 else 'people have'} none (shown as Unknown)."
        )
    total = r.row(1, "headcount", "all", "total")
    if ok(total) and total["value"] < 500:
        items.append(
            f"With {count(total['value'])} staff, one person can move a percentage by "
            f"{100 / total['value']:.1f} percentage points: read small changes with care."
        )
    pooled = r.row(3, "years_pooled", "all", "all")
    if ok(pooled) and pooled["value"] == 1:
        items.append(_sentence(pooled["reason"]))
    missing = [words for n, words in INPUT_WORDS.items() if n not in r.files]
    if missing:
        items.append("No data was supplied for: " + ", ".join(missing) + ".")
    if counted(r):
        items.append(
            "Counts-only input: the figures come from counts, not records, so they could not be checked record by "
            "record (a person counted twice, or in the wrong pay band or group, cannot be found in counts)."
        )
    return bullets(items) if items else "No data-quality issues were found.\n"


def provenance(r: ReportData) -> str:
    from .manifest import code_version, input_files, package_versions

    version = code_version()
    commit = version["commit"][:12] + (" (with uncommitted changes)" if version["dirty"] else "")
    packages = ", ".join(f"{name} {v}" for name, v in package_versions().items())
    rows = [[input_label(name, r), f"`{digest}`"] for name, digest in input_files(r)]
    return (
        f"Built by the WRES pipeline, code version `{commit}`, on {run_time()}, with {packages}. Every "
        "figure on these pages is computed from the files below; none is typed by hand. The SHA-256 "
        "fingerprint of each file lets anyone check that a rebuild used the same data. The same record, "
        "with every setting resolved and each file named, is in `manifest.json` beside this site.\n\n"
        + md_table(["Input", "SHA-256"], rows, "ll")
    )


def input_label(shown: str, r: ReportData | None = None) -> str:
    """An input file in words for a public page ('params/leeds/2021/narrative/summary.md' -> '2021: narrative,
    summary'): the workspace's paths stay in manifest.json and the build log. With `r`, a file of another
    organisation (an aggregate's member) is named by that organisation."""
    parts = shown.replace("\\", "/").split("/")
    member = parts[1] if r is not None and parts[:1] == ["params"] and len(parts) > 2 else None
    whose = f"{r.ws.org_settings(member).name}, " if member and member != r.org.slug else ""
    parts = parts[2:] if parts[:1] == ["params"] and len(parts) > 2 else parts[-2:]
    words = [p.rsplit(".", 1)[0].replace("_", " ") for p in parts]
    words = ["action plan" if w == "actions" else w for w in words]
    if words and words[0].isdigit():
        return f"{whose}{words[0]}: {', '.join(words[1:])}"
    return whose + ("organisation settings" if words == ["org"] else ", ".join(words))


def rl_state(r: ReportData, indicator: int) -> str:
    """A panel when the indicator's relative likelihood is not available; when it is, whether it could be
    chance (its 95% interval and Fisher's exact test)."""
    key = RL_WORDS[indicator][0]
    row = r.row(indicator, "relative_likelihood", "all", key)
    if ok(row):
        return rl_uncertainty(r, indicator, row)
    return state_panel(row, f"{title(indicator)}, relative likelihood")


def downloads(r: ReportData) -> str:
    from .workbook import workbook_name

    return (
        # the home page says where the figures came from
        (counts_note(r) + "\n\n" if counted(r) else aggregate_note(r) + "\n\n" if aggregated(r) else "")
        + f"Every figure in this report is in the analyst's workbook, [{workbook_name(r.org.slug, r.year)}]"
        f"(data/{workbook_name(r.org.slug, r.year)}) (Excel): one sheet per indicator, laid out as NHS "
        "England's data collection asks for the figures, rounded as on these pages. Withheld, not collected "
        "and not computable figures say so there too. Its Notes sheet, like the methodology page, lists the "
        "definitions, the rules and the input files' fingerprints."
    )


# -- indicator 1 beneath the headline (indicators._drilldowns) ----------------------------------------------
def literal(text: str) -> str:
    """Free text from the inputs (an occupation, a department) shown exactly as spelt: on one line, with every
    character Markdown or MyST could read as markup escaped, so it can add no link, role, HTML or emphasis."""
    out = []
    for ch in " ".join(str(text).split()):
        if ch == "<":
            out.append("&lt;")
        elif ch in "\\`*_{}[]()#+-.!~$:>&'\"=@%^" and ch != "|":  # md_table escapes '|'
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _count_share(number, share) -> str:
    if not ok(number):
        return state_text(number).lower()
    return f"{count(number['value'])} ({cell(share) if ok(share) else state_text(share).lower()})"


def category_table(r: ReportData) -> str:
    """Indicator 1 by census ethnic category, for the whole workforce: each category's headcount and share."""
    from .indicators import CATEGORY_BREAKDOWN
    from .vocab import CATEGORY_ORDER, category_group, category_label

    rows = []
    for code in CATEGORY_ORDER:
        number = r.row(1, "headcount", CATEGORY_BREAKDOWN, code)
        if number is None:
            continue
        share = r.row(1, "share_pct", CATEGORY_BREAKDOWN, code)
        rows.append(
            [
                f"{code} {category_label(code)}" if code not in ("0", "99") else category_label(code),
                group_label(r, category_group(code)),
                count(number["value"]) if ok(number) else state_text(number).lower(),
                cell(share) if ok(share) else state_text(share).lower(),
            ]
        )
    missing = r.row(1, "headcount", CATEGORY_BREAKDOWN, "total")
    if not rows and missing is not None and missing["status"] == "no_data":
        return f"*{_sentence(str(missing['reason']))}*"
    if not rows:
        return state_panel(r.row(1, "share_pct", "all", "bme"), "by ethnic category")
    return md_table(["Ethnic category", "Counted as", "Headcount", "Share of all staff"], rows)


def senior_split_table(r: ReportData) -> str:
    """Band 8a and above, clinical and non-clinical staff: the headcount and the BME share of each."""
    from .indicators import SENIOR, SENIOR_SPLIT

    rows = []
    for label, breakdown in (
        ("Clinical staff", SENIOR_SPLIT["clinical"]),
        ("Non-clinical staff", SENIOR_SPLIT["non-clinical"]),
        ("All staff", SENIOR),
    ):
        total = r.row(1, "headcount", breakdown, "total")
        if total is None:
            continue
        bme, share = r.row(1, "headcount", breakdown, "bme"), r.row(1, "share_pct", breakdown, "bme")
        rows.append(
            [
                label,
                count(total["value"]) if ok(total) else state_text(total).lower(),
                count(bme["value"]) if ok(bme) else state_text(bme).lower(),
                cell(share) if ok(share) else state_text(share).lower(),
            ]
        )
    if not rows:
        return "There are no staff at band 8a and above."
    return md_table(["Band 8a and above", "Headcount", capital(r.term), f"{capital(r.term)} share"], rows)


def free_text_table(r: ReportData, column: str) -> str:
    """Indicator 1 by the staff file's optional occupation or department column: White, BME and Unknown
    headcount and share for each value, largest first, spelt as the staff file spells it."""
    from .indicators import FREE_TEXT_PREFIX

    missing = r.row(1, "headcount", column, "total")
    if missing is not None:
        article = "an" if column[0] in "aeiou" else "a"
        if counted(r) or aggregated(r):  # no column to add: counts give none; an aggregate's are not combined
            return f"*{_sentence(str(missing['reason']))}*"
        return f"*{_sentence(str(missing['reason']))}* Add {article} `{column}` column to the staff file to see it."
    prefix = FREE_TEXT_PREFIX[column]
    names = [
        b
        for b in r.table[(r.table.indicator == 1) & (r.table.measure == "headcount")].breakdown.unique()
        if str(b).startswith(prefix)
    ]
    if not names:
        return f"There is no breakdown by {column} for this year."
    rows = []
    for b in names:
        total = r.row(1, "headcount", b, "total")
        rows.append(
            [literal(str(b)[len(prefix) :])]
            + [
                _count_share(r.row(1, "headcount", b, g), r.row(1, "share_pct", b, g))
                for g in ("white", "bme", "unknown")
            ]
            + [count(total["value"]) if ok(total) else state_text(total).lower()]
        )
    return md_table([capital(column), "White", capital(r.term), "Unknown", "Headcount"], rows)


def cluster_table(r: ReportData) -> str:
    """NHS England's four pay band clusters (a presentation grouping, not an indicator breakdown), all staff."""
    clusters = [name for name, _ in _band_groupings() if name.startswith("Cluster")]
    present_ = [c for c in clusters if r.row(1, "headcount", c, "total") is not None]
    if not present_:
        return (
            "NHS England also groups pay bands into four clusters (bands 1 to 4, 5 to 7, 8a and 8b, 8c to VSM). "
            "This report does not print them, because the single pay bands above are shown instead and the "
            "clusters could be subtracted from them to reveal small numbers."
        )
    return (
        "*A presentation grouping: NHS England's pay band clusters (bands 1 to 4, 5 to 7, 8a and 8b, 8c to VSM), "
        "not an official indicator breakdown.*\n\n" + representation_table(r, present_)
    )


def _band_groupings():
    from .vocab import band_groupings

    return band_groupings()


def drilldown_note(r: ReportData) -> str:
    source = "counts" if counted(r) else "staff records"
    return (
        f"These tables go beneath the headline figures. Each count comes from the same {source} as the "
        f"tables above, and small numbers are protected in the same way: a figure reading "
        f"'{r.rules.wording}' is withheld so that no one can be identified, either because it is small or "
        "because it would let a small number be worked out from the other figures. An occupation or department "
        f"with fewer than {r.rules.threshold} staff is not named: such staff are counted together in the last row."
    )
