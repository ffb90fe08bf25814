"""Words, numbers and tables for the report pages. Every figure comes from the indicator table.

Notebooks call these functions and display what they return (Markdown); nothing here computes an indicator.
A figure whose status is not 'ok' always renders through `state_text` / `state_panel`, never as a number.
"""
from __future__ import annotations

import contextlib
import contextvars

import pandas as pd

from .indicators import INDICATOR_TITLES, INPUT_WORDS, NON_ADVERSE_RANGE
from .keys import friendly
from .report_data import ReportData, run_time

PCT_MEASURES = ("share_pct", "rate_pct", "pct", "declared_pct", "share_of_shortlisted_pct", "share_of_appointed_pct")

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
HIGHER_IS_BETTER = {7}


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
    reason = (row["reason"] if row is not None and isinstance(row["reason"], str) and row["reason"] else
              "There is no data for this figure.")
    kind = "note" if label in ("Not required", "Not computable") else "warning"
    return f"```{{admonition}} {label}: {title}\n:class: {kind}\n{_sentence(reason)}\n```\n"


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text


def unit_of(row) -> str:
    if row["measure"] in PCT_MEASURES or row["measure"] == "difference_pp":
        return "pct"
    return "ratio" if row["measure"] == "relative_likelihood" else "count"


def value_text(row) -> str:
    """A row's value formatted by its measure: 15.1%, 0.78, −8.0 percentage points, 1,863."""
    unit = unit_of(row)
    if row["measure"] == "difference_pp":
        return signed_points(row["value"])
    return pct(row["value"]) if unit == "pct" else ratio(row["value"]) if unit == "ratio" else count(row["value"])


def signed_points(value: float) -> str:
    return f"{value:+.1f} percentage points".replace("+0.0 ", "0.0 ").replace("-", "−")


def change_text(now, before) -> str:
    """This year's value minus last year's, signed: −0.8 percentage points, +0.12."""
    diff = now["value"] - before["value"]
    unit = unit_of(now)
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


def fyear(r: ReportData, which: str) -> str:
    """'year', 'previous_year', 'survey_year' or 'previous_survey_year'."""
    sy = r.settings.survey_year
    number = {"year": r.year, "previous_year": r.previous_year(), "survey_year": sy,
              "previous_survey_year": sy - 1}[which]
    return _ph(which) or str(number)


def change_words(now: float, before: float, unit: str = "pct") -> str:
    """'up 2.0 percentage points', 'down 0.04', 'unchanged'."""
    diff = now - before
    if unit == "pct":
        if round(diff, 1) == 0:
            return "unchanged"
        return f"{'up' if diff > 0 else 'down'} {points(diff)}"
    if round(diff, 2) == 0:
        return "unchanged"
    return f"{'up' if diff > 0 else 'down'} {abs(diff):.2f}"


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
    return (f"Indicator {indicator} comes from the {s.survey_year} NHS Staff Survey (published in the spring "
            f"after the survey): the percentage of White and {term} respondents who "
            f"{SURVEY_PHRASES[indicator]}.")


def title(indicator: int) -> str:
    return f"Indicator {indicator}: {INDICATOR_TITLES[indicator]}"


# -- headline sentences ---------------------------------------------------------------------------
def workforce_sentence(r: ReportData) -> str:
    now = r.row(1, "share_pct", "all", "bme")
    if not ok(now):
        return state_panel(now, title(1))
    text = (f"In {fyear(r, 'year')}, {fv(now)} of staff ({fof(now)}) were {r.term}")
    py = r.previous_year()
    before = r.row(1, "share_pct", "all", "bme", py) if py else None
    if ok(before):
        text += f", compared with {fv(before)} in {fyear(r, 'previous_year')} ({fchange(now, before)})"
    return text + "."


def band_sentence(r: ReportData, breakdown: str) -> str | None:
    now = r.row(1, "share_pct", breakdown, "bme")
    if not ok(now):
        return None
    text = f"{fv(now)} of staff in {breakdown.replace('Band', 'band')} ({fof(now)}) were {r.term}"
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
    if reason.lower().startswith(label.lower()):          # "fewer than 5: withheld so that ..." says it all
        return _sentence(reason)
    return f"{label}. {_sentence(reason) if reason else 'There is no data for this figure.'}"


def rl_sentence(r: ReportData, indicator: int, plain: bool = False) -> str:
    key, top, bottom, noun, verb = RL_WORDS[indicator]
    now = r.row(indicator, "relative_likelihood", "all", key)
    if not ok(now):
        return state_line(now) if plain else state_panel(now, f"relative likelihood, {title(indicator).lower()}")
    a, b = group_label(r, top), group_label(r, bottom)
    value = now["value"]
    text = f"{capital(a)} {noun} were {fv(now)} times as likely {verb} as {b} {noun}"
    py = r.previous_year()
    before = r.row(indicator, "relative_likelihood", "all", key, py) if py else None
    if ok(before):
        text += f" ({fv(before)} in {fyear(r, 'previous_year')})"
    text += ". "
    if round(value, 2) == 1:
        text += f"{capital(a)} and {b} {noun} were equally likely {verb}. "
    else:
        more, less = (a, b) if value > 1 else (b, a)
        text += f"{capital(more)} {noun} were more likely {verb} than {less} {noun}. "
    low, high = NON_ADVERSE_RANGE
    inside = low <= round(value, 2) <= high
    text += (f"At {fv(now)}, the figure is {'inside' if inside else 'outside'} the range {low:.2f} to "
             f"{high:.2f} that NHS England treats as showing no adverse impact.")
    if ok(before):
        move = "rose" if round(value, 2) > round(before["value"], 2) else (
            "fell" if round(value, 2) < round(before["value"], 2) else "was unchanged")
        text += f" Since {fyear(r, 'previous_year')} the figure {move}" + (
            f" from {fv(before)} to {fv(now)}." if move != "was unchanged" else ".")
    return text


# Indicator 2's shares of all shortlisted and of all appointed, shown beside its rates (as the seed reports do).
SHARE_COLUMNS = {2: (("share_of_shortlisted_pct", "Share of shortlisted"), ("share_of_appointed_pct", "Share of appointed"))}


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
                rows.append([label, capital(group_label(r, group)),
                             count(row["numerator"]) if has_counts else "–",
                             count(row["denominator"]) if has_counts else "–", cell(row)]
                            + [cell(r.row(indicator, m, breakdown, group, year)) for m, _ in shares])
    if not any_data:
        return ""
    return md_table(["Year", "Group", events, people, "Rate"] + [h for _, h in shares], rows,
                    "llrrr" + "r" * len(shares))


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
    return panel + ("\n" + survey_table(r, indicator) if has_data else "")


def survey_sentence(r: ReportData, indicator: int, plain: bool = False) -> str:
    sy = r.settings.survey_year
    bme, white = r.row(indicator, "pct", str(sy), "bme"), r.row(indicator, "pct", str(sy), "white")
    if not (ok(bme) and ok(white)):
        row = bme if not ok(bme) else white
        return f"**Indicator {indicator}.** {state_line(row)}" if plain else state_panel(row, title(indicator))
    text = (f"In the {fyear(r, 'survey_year')} NHS Staff Survey, {fv(bme)} of {r.term} respondents (of {fd(bme)}) "
            f"{SURVEY_PHRASES[indicator]}, compared with {fv(white)} of White respondents (of {fd(white)}).")
    changes = []
    for group, now in (("bme", bme), ("white", white)):
        before = r.row(indicator, "pct", str(sy - 1), group)
        if ok(before):
            diff = now["value"] - before["value"]
            verb = "was unchanged at" if round(diff, 1) == 0 else ("rose" if diff > 0 else "fell")
            figure = (f"{verb} {fv(now)}" if round(diff, 1) == 0 else
                      f"{verb} from {fv(before)} in {fyear(r, 'previous_survey_year')} ({fchange(now, before)})")
            changes.append(f"for {group_label(r, group) if group == 'bme' else 'White'} staff it {figure}")
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
            row += [cell(x), count(x["denominator"]) if ok(x) else "–"]
        gap = r.row(indicator, "difference_pp", str(year), "bme_minus_white")
        row.append(f"{gap['value']:+.1f}" if ok(gap) else "–")
        rows.append(row)
    return md_table(["Survey year", "White", "White respondents", capital(r.term), f"{capital(r.term)} respondents",
                     f"Gap ({r.term} − White, percentage points)"], rows)


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
    if ok(diff):
        workforce = r.row(1, "share_pct", "all", "bme")
        side = "below" if diff["value"] < 0 else "above"
        text += (f", {fabs(diff)} {side} the {r.term} share of the whole workforce "
                 f"({fv(workforce)})" if round(diff["value"], 1) != 0 else
                 f", the same as the {r.term} share of the whole workforce")
    return text + "."


def board_table(r: ReportData) -> str:
    rows = []
    for subset, label in (("voting", "Voting members"), ("executive", "Executive members"), ("all_members", "All members")):
        share, diff = r.row(9, "share_pct", subset, "bme"), r.row(9, "difference_pp", subset, "bme")
        total = r.row(9, "headcount", subset, "total")
        bme = r.row(9, "headcount", subset, "bme")
        rows.append([label, count(bme["value"]) if ok(bme) else state_text(bme).lower(),
                     count(total["value"]) if ok(total) else "–", cell(share),
                     f"{diff['value']:+.1f}" if ok(diff) else state_text(diff)])
    return md_table(["", capital(r.term), "Members", f"{capital(r.term)} share",
                     "Difference from workforce (percentage points)"], rows)


def representation_table(r: ReportData, breakdowns: list[str]) -> str:
    rows = []
    for b in breakdowns:
        total = r.row(1, "headcount", b, "total")
        if total is None or total["status"] not in ("ok", "withheld"):
            continue
        row = [b]
        for group in ("white", "bme", "unknown"):
            number, share = r.row(1, "headcount", b, group), r.row(1, "share_pct", b, group)
            row.append((f"{count(number['value'])} ({cell(share) if ok(share) else state_text(share).lower()})")
                       if ok(number) else state_text(number).lower())
        row.append(count(total["value"]) if ok(total) else state_text(total).lower())
        rows.append(row)
    return md_table(["", "White", capital(r.term), "Unknown", "Headcount"], rows)


# -- key findings -----------------------------------------------------------------------------------
def key_findings(r: ReportData) -> list[str]:
    out = []
    declared = r.row(1, "declared_pct", "all", "all")
    if ok(declared):
        out.append(f"{fv(declared)} of staff ({fof(declared)}) have a recorded ethnicity.")
    share = r.row(1, "share_pct", "all", "bme")
    out.append(workforce_sentence(r) if ok(share) else f"**Workforce.** {state_line(share)}")
    vsm = r.row(1, "share_pct", "VSM", "bme")
    if ok(vsm):
        out.append(f"{fv(vsm)} of staff at very senior manager (VSM) level ({fof(vsm)}) are {r.term}.")
    for indicator in (2, 3, 4):
        out.append(f"**Indicator {indicator}.** " + rl_sentence(r, indicator, plain=True))
    sy = r.settings.survey_year
    for indicator in (5, 6, 7, 8):
        bme, white = r.row(indicator, "pct", str(sy), "bme"), r.row(indicator, "pct", str(sy), "white")
        if ok(bme) and ok(white):
            worse = bme["value"] < white["value"] if indicator in HIGHER_IS_BETTER else bme["value"] > white["value"]
            out.append(f"**Indicator {indicator}.** {fv(bme)} of {r.term} respondents and "
                       f"{fv(white)} of White respondents {SURVEY_PHRASES[indicator]} "
                       f"({fyear(r, 'survey_year')} survey): {r.term} staff fared {'worse' if worse else 'no worse'}.")
        else:
            out.append(f"**Indicator {indicator}.** {state_line(bme if not ok(bme) else white)}")
    share = r.row(9, "share_pct", "voting", "bme")
    out.append("**Indicator 9.** " + (board_sentence(r, "voting") if ok(share) else state_line(share)))
    return out


def bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) + "\n"


def pay_band_tables(r: ReportData) -> str:
    """One table per staff group (non-clinical, clinical), bands in pay order, counts beside percentages."""
    from .vocab import pay_bands
    out = []
    for kind in ("non-clinical", "clinical"):
        breakdowns = [f"{b}/{kind}" for b in pay_bands() if r.row(1, "headcount", f"{b}/{kind}", "total") is not None]
        if breakdowns:
            table = representation_table(r, breakdowns).replace(f"/{kind} |", " |")
            out.append(f"**{kind.capitalize()} staff**\n\n{table}")
    groups = [name for name in r.table[(r.table.indicator == 1) & (r.table.measure == "headcount")].breakdown.unique()
              if name.startswith(("Cluster", "Band 7 and", "Band 8a and", "Band 8b and", "Medical"))]
    if groups:
        out.append("**Pay band groups (clinical and non-clinical together)**\n\n" + representation_table(r, groups))
    return "\n".join(out) if out else state_panel(r.row(1, "share_pct", "all", "bme"), title(1))


def pooling_note(r: ReportData) -> str:
    pooled = r.row(3, "years_pooled", "all", "all")
    if not ok(pooled):
        return ""
    text = f"*{_sentence(pooled['reason'])}*"
    alone = r.row(3, "relative_likelihood", "report_year", "bme_vs_white")
    if alone is not None:
        text += (f" For {fyear(r, 'year')} alone, the relative likelihood is "
                 f"{fv(alone) if ok(alone) else state_text(alone).lower()}.")
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
        "*A fair experience for all*, 2019).",
        "**Percentage points** measure the difference between two percentages: 15% to 18% is a rise of "
        "3 percentage points, or 20 percent.",
        "**Indicator 3** adds this year's and last year's cases and headcounts together (a two-year rolling "
        "figure), as NHS England's guidance asks. The guidance does not spell out the averaging; this report "
        "sums both years, which weights each year by its size (an assumption, not an NHS England rule).",
        f"**Not computable** means a ratio's denominator group had no events or no people, so no ratio exists. "
        "It is never shown as 0.",
    ]
    return bullets(items)


def ethnicity_code_table(r: ReportData) -> str:
    from .vocab import ethnic_categories
    rows = [[c.code, c.label, group_label(r, c.group), c.scheme] for c in ethnic_categories().values()]
    note = ("ESR values such as 'C3 White - Any other White background' or 'LK Asian - Sri Lankan' are read by "
            "their first character, the national code. 2011 and 2021 census categories are also accepted: "
            "Gypsy or Irish Traveller and Roma count as White, Arab as " + r.term + " (an assumption: NHS England "
            "has not published a WRES rule for them). An unrecognised code stops the build with the file, row "
            "and value; it is never counted as Unknown.")
    return md_table(["Code", "Category", "WRES group", "Scheme"], rows, "llll") + "\n" + note + "\n"


def data_sources(r: ReportData) -> str:
    s = r.settings
    names = {"staff": f"Electronic Staff Record (ESR): staff in post on {s.snapshot:%-d %B %Y} (indicators 1, 3, 4 and 9)",
             "recruitment": f"Recruitment system (NHS Jobs / TRAC): shortlisted applications, {period(r)} (indicator 2)",
             "disciplinary": f"HR case log: entries into formal disciplinary investigation, {period(r)} (indicator 3)",
             "training": f"Learning and development records: non-mandatory training and CPD, {period(r)} (indicator 4)",
             "board": f"{r.org.board_name} register on {s.snapshot:%-d %B %Y} (indicator 9)",
             "staff_survey": f"NHS Staff Survey {s.survey_year}, published results (indicators 5 to 8)"}
    rows = []
    for name, what in names.items():
        rows.append([what, "Supplied" if r.files.get(name) else "**No data supplied**"])
    return md_table(["Source", "Data"], rows, "ll")


def suppression_rule(r: ReportData) -> str:
    rules = r.rules
    items = [
        f"**Small counts.** A count from 1 to {rules.threshold - 1} is withheld and shown as "
        f"\"{rules.wording}\". Zero is shown. " + ("Board membership is public, so board counts are shown."
                                                if rules.board_counts_public else "Board counts follow the same rule."),
        "**Counts nobody prints count too.** Shortlisted applicants who were not appointed, staff who did not "
        "enter a disciplinary investigation and staff who did not access training can be worked out by "
        "subtraction, so a small one of them is protected like a printed count.",
        "**Secondary suppression.** Wherever figures add up (White + " + r.term + " + Unknown = total; "
        "clinical + non-clinical = all staff; the bands of a staff group add up to its total; a pay band group "
        "is the sum of its bands), a withheld figure could be worked out by subtraction. A second figure is "
        "then withheld too, shown as \"withheld\", until no withheld figure can be recovered by any "
        "combination of additions and subtractions (checked by linear algebra). The figures for the whole "
        "workforce are kept whenever that is possible.",
        "**Built on a withheld count.** A percentage, relative likelihood or difference that uses a withheld "
        "count is withheld too" + (", except that this organisation has chosen to show rates built on small "
                                    "counts" if rules.rates_from_small_counts else "") + ".",
        f"**Staff survey.** The NHS Staff Survey's own rule applies alone: results for a group with fewer than "
        f"{rules.survey_min_respondents} respondents are not shown.",
        "**Aggregates only.** No record about any person appears on this site, and the downloadable table is "
        "the same withheld table. The organisation keeps the full figures for NHS England's data collection.",
    ]
    declared = [f"Indicator {i}: **{STATE_LABELS[d.status].lower()}**. {_sentence(d.reason)}"
                for i, d in sorted(r.settings.declared.items())]
    text = bullets(items)
    if declared:
        text += "\nThe organisation has declared:\n\n" + bullets(declared)
    return text


def data_quality(r: ReportData) -> str:
    items = []
    declared = r.row(1, "declared_pct", "all", "all")
    if ok(declared):
        unknown = int(declared["denominator"] - declared["numerator"])
        items.append(f"{pct(declared['value'])} of staff have a recorded ethnicity; {count(unknown)} "
                     f"{'person has' if unknown == 1 else 'people have'} none (shown as Unknown).")
    total = r.row(1, "headcount", "all", "total")
    if ok(total) and total["value"] < 500:
        items.append(f"With {count(total['value'])} staff, one person can move a percentage by "
                     f"{100 / total['value']:.1f} percentage points: read small changes with care.")
    pooled = r.row(3, "years_pooled", "all", "all")
    if ok(pooled) and pooled["value"] == 1:
        items.append(_sentence(pooled["reason"]))
    missing = [words for n, words in INPUT_WORDS.items() if n not in r.files]
    if missing:
        items.append("No data was supplied for: " + ", ".join(missing) + ".")
    return bullets(items) if items else "No data-quality issues were found.\n"


def provenance(r: ReportData) -> str:
    from .manifest import code_version, input_files, package_versions
    version = code_version()
    commit = version["commit"][:12] + (" (with uncommitted changes)" if version["dirty"] else "")
    packages = ", ".join(f"{name} {v}" for name, v in package_versions().items())
    rows = [[input_label(name), f"`{digest}`"] for name, digest in input_files(r)]
    return (f"Built by the WRES pipeline, code version `{commit}`, on {run_time()}, with {packages}. Every "
            "figure on these pages is computed from the files below; none is typed by hand. The SHA-256 "
            "fingerprint of each file lets anyone check that a rebuild used the same data. The same record, "
            "with every setting resolved and each file named, is in `manifest.json` beside this site.\n\n"
            + md_table(["Input", "SHA-256"], rows, "ll"))


def input_label(shown: str) -> str:
    """An input file in words for a public page ('params/leeds/2021/narrative/summary.md' -> '2021: narrative,
    summary'): the workspace's paths stay in manifest.json and the build log."""
    parts = shown.replace("\\", "/").split("/")
    parts = parts[2:] if parts[:1] == ["params"] and len(parts) > 2 else parts[-2:]
    words = [p.rsplit(".", 1)[0].replace("_", " ") for p in parts]
    words = ["action plan" if w == "actions" else w for w in words]
    if words and words[0].isdigit():
        return f"{words[0]}: {', '.join(words[1:])}"
    return "organisation settings" if words == ["org"] else ", ".join(words)


def rl_state(r: ReportData, indicator: int) -> str:
    """A panel when the indicator's relative likelihood is not available; nothing when it is."""
    key = RL_WORDS[indicator][0]
    row = r.row(indicator, "relative_likelihood", "all", key)
    return "" if ok(row) else state_panel(row, f"relative likelihood, {title(indicator).lower()}")


def downloads(r: ReportData) -> str:
    return ("Every figure in this report is in one table, which you can download as "
            "[CSV](data/indicators.csv) or [Excel](data/indicators.xlsx). Withheld, not collected and not "
            "computable figures are blank there, with the reason beside them. The methodology page lists the "
            "input files and their fingerprints.")
