"""The action plan page: actions by indicator, status counts, overdue actions, the change from last year's
plan, and whether every indicator of concern has an action.

Every field the analyst wrote (id, action, owner, deadline, references, update, carried_from) goes through
`_safe`: put on one line and with raw HTML escaped, so it cannot add HTML or Markdown blocks to the page.
"""
from __future__ import annotations

import math
from datetime import date

from . import present
from .actions import STATUSES, Action, ActionPlan
from .indicators import INDICATOR_TITLES, NON_ADVERSE_RANGE
from .report_data import ReportData
from .safe_text import escape_html

OPEN = ("not started", "in progress", "ongoing")


def report_date(r: ReportData) -> date:
    """Overdue is judged against the report date: settings `report_date`, else 30 September of the year
    (NHS England asks for the report and action plan to be published by the end of September)."""
    return r.settings.report_date or date(r.year, 9, 30)


def concerns(r: ReportData) -> list[tuple[int, str]]:
    """Indicators outside the non-adverse range, or worse than last year, with the reason in words."""
    out: list[tuple[int, str]] = []
    low, high = NON_ADVERSE_RANGE
    py = r.previous_year()
    for i in (2, 3, 4):
        key, *_ = present.RL_WORDS[i]
        now = r.row(i, "relative_likelihood", "all", key)
        if not present.ok(now):
            continue
        before = r.row(i, "relative_likelihood", "all", key, py) if py else None
        if not low <= round(now["value"], 2) <= high:
            out.append((i, f"relative likelihood {present.ratio(now['value'])} is outside {low:.2f}–{high:.2f}"))
        elif present.ok(before) and now["value"] > 0 and before["value"] > 0 and \
                abs(math.log(now["value"])) > abs(math.log(before["value"])) + 1e-9:
            out.append((i, f"relative likelihood moved further from 1.00 ({present.ratio(before['value'])} to "
                           f"{present.ratio(now['value'])})"))
    sy = str(r.settings.survey_year)
    for i in (5, 6, 7, 8):
        now = r.row(i, "pct", sy, "bme")
        before = r.row(i, "pct", str(int(sy) - 1), "bme")
        if present.ok(now) and present.ok(before):
            worse = now["value"] < before["value"] if i in present.HIGHER_IS_BETTER else now["value"] > before["value"]
            if worse and round(now["value"] - before["value"], 1) != 0:
                out.append((i, f"{r.term} figure worse than the year before ({present.pct(before['value'])} to "
                               f"{present.pct(now['value'])})"))
    senior_now = r.row(1, "share_pct", "Band 8a and above", "bme")
    senior_before = r.row(1, "share_pct", "Band 8a and above", "bme", py) if py else None
    if present.ok(senior_now) and present.ok(senior_before) and round(senior_now["value"] - senior_before["value"], 1) < 0:
        out.append((1, f"{r.term} share at band 8a and above fell ({present.pct(senior_before['value'])} to "
                       f"{present.pct(senior_now['value'])})"))
    gap_now = r.row(9, "difference_pp", "voting", "bme")
    gap_before = r.row(9, "difference_pp", "voting", "bme", py) if py else None
    if present.ok(gap_now) and gap_now["value"] < 0 and present.ok(gap_before) and \
            round(gap_now["value"] - gap_before["value"], 1) < 0:
        out.append((9, f"the voting board's gap from the workforce widened ({gap_before['value']:+.1f} to "
                       f"{gap_now['value']:+.1f} percentage points)"))
    return sorted(out)


def _safe(text: str) -> str:
    """Analyst text for the page: on one line (a line break could start a heading, a code block or a
    directive) and with raw HTML escaped."""
    return escape_html(" ".join(str(text).split()))


def _action_block(a: Action, today: date, heading: str) -> str:
    """One action as a short block: what, who, when, status, then the progress update."""
    overdue = a.deadline is not None and a.deadline < today and a.status in OPEN
    deadline = _safe(a.deadline_text) or "none given"
    facts = [f"**{a.status.capitalize()}**", f"Owner: {_safe(a.owner) or 'not named'}",
             f"Deadline: {deadline}" + (" (**overdue**)" if overdue else "")]
    others = [f"indicator {n}" for n in a.indicators if f"Indicator {n}:" not in heading] + [_safe(x) for x in a.references]
    if others:
        facts.append("Also: " + ", ".join(others))
    if a.carried_from:
        facts.append(f"Carried from {_safe(a.carried_from)}")
    text = f"- **{_safe(a.id)}.** {_safe(a.action)}  \n  " + " · ".join(facts)
    if a.update:
        text += f"  \n  *Update:* {_safe(a.update)}"
    return text


def sign_off_table(plan: ActionPlan, today: date, board_name: str) -> str:
    """Every action on one line, in the plan's order: the table a board approves."""
    rows = []
    for a in plan.actions:
        overdue = a.deadline is not None and a.deadline < today and a.status in OPEN
        rows.append([_safe(a.id), _safe(a.action), _safe(a.owner) or "Not named",
                     (_safe(a.deadline_text) or "Not given") + (" (overdue)" if overdue else ""),
                     a.status.capitalize()])
    return (f"## The plan for approval\n\nThe actions the {escape_html(board_name)} is asked to approve, one per "
            "line.\n\n" + present.md_table(["No.", "Action", "Lead", "Deadline", "Status"], rows, "lllll"))


def render(r: ReportData, plan: ActionPlan, previous: ActionPlan | None) -> str:
    if plan.source is None:
        return ("```{admonition} No action plan yet\n:class: warning\n"
                f"No action plan was supplied for {r.year}.\n```\n")
    today = report_date(r)
    parts = [f"This plan has {len(plan.actions)} action{'s' if len(plan.actions) != 1 else ''}. Overdue means the "
             f"deadline is before the report date, {today:%-d %B %Y}, and the action is not complete or dropped.",
             sign_off_table(plan, today, r.org.board_name)]

    counts = {s: sum(a.status == s for a in plan.actions) for s in STATUSES}
    overdue = [a for a in plan.actions if a.deadline and a.deadline < today and a.status in OPEN]
    parts.append("## Progress\n\n" + present.md_table(
        ["Status", "Actions"], [[s.capitalize(), str(n)] for s, n in counts.items()] +
        [["**Overdue**", f"**{len(overdue)}**"]]))

    addressed = {n for a in plan.actions if a.status != "dropped" for n in a.indicators}
    concern_rows = [[f"Indicator {i}", why, "Yes: " + ", ".join(_safe(a.id) for a in plan.actions if i in a.indicators and a.status != "dropped")
                     if i in addressed else "**No action addresses this**"] for i, why in concerns(r)]
    text = "## Indicators of concern\n\nEvery indicator outside the range 0.80 to 1.25, or worse than last year, and whether an action addresses it.\n\n"
    if concern_rows:
        text += present.md_table(["Indicator", "Why", "Action"], concern_rows, "lll")
        missing = [row[0] for row in concern_rows if row[2].startswith("**No")]
        if missing:
            text += ("\n```{admonition} No action addresses " + ", ".join(missing).lower().replace("indicator", "indicator") +
                     "\n:class: warning\nThe plan has no open action for " + ", ".join(missing) + ".\n```\n")
    else:
        text += "No indicator is outside the range or worse than last year.\n"
    parts.append(text)

    groups: dict[str, list[Action]] = {}
    for a in plan.actions:
        keys = [f"Indicator {n}: {INDICATOR_TITLES[n]}" for n in a.indicators] or (
            ["Other commitments"] if a.references else ["General"])
        for k in keys:
            groups.setdefault(k, []).append(a)
    order = sorted(groups, key=lambda k: (not k.startswith("Indicator"), int(k.split()[1].rstrip(":")) if k.startswith("Indicator") else 0, k))
    section = "## Actions by indicator\n"
    for k in order:
        section += f"\n### {k}\n\n" + "\n".join(_action_block(a, today, k) for a in groups[k]) + "\n"
    parts.append(section)

    parts.append(_changes(plan, previous))
    return "\n\n".join(parts) + "\n"


def _changes(plan: ActionPlan, previous: ActionPlan | None) -> str:
    head = "## Changes from last year's plan\n\n"
    if previous is None or previous.source is None:
        return head + f"There is no {plan.year - 1} action plan to compare with, so every action is new.\n"
    carried = {a.carried_from: a for a in plan.actions if a.carried_from}
    rows = []
    for old in previous.actions:
        if old.id in carried:
            new = carried[old.id]
            rows.append([_safe(old.id), _safe(old.action), f"Carried forward as {_safe(new.id)} ({new.status})"])
        elif old.status == "complete":
            rows.append([_safe(old.id), _safe(old.action), "Completed"])
        elif old.status == "dropped":
            rows.append([_safe(old.id), _safe(old.action), "Dropped"])
        else:
            rows.append([_safe(old.id), _safe(old.action), f"Not carried forward (was {old.status})"])
    new = [[_safe(a.id), _safe(a.action), "New this year"] for a in plan.actions if not a.carried_from]
    summary = {label: sum(r[2].startswith(label) for r in rows + new)
               for label in ("Completed", "Dropped", "Carried forward", "Not carried forward", "New this year")}
    text = head + ", ".join(f"{n} {label.lower()}" for label, n in summary.items()) + ".\n\n"
    return text + present.md_table([f"{plan.year - 1} id", "Action", "What happened"], rows + new, "lll")
