"""The action plan page: actions by indicator, status counts, overdue actions, the change from last year's
plan, and whether every indicator of concern has an action.

Every field the analyst wrote (id, action, owner, deadline, references, update, carried_from) goes through
`_safe`: put on one line and with raw HTML escaped, so it cannot add HTML or Markdown blocks to the page.
"""

from __future__ import annotations

from datetime import date

from . import present
from .actions import STATUSES, Action, ActionPlan
from .concerns import assess
from .indicators import INDICATOR_TITLES
from .report_data import ReportData
from .safe_text import escape_html

OPEN = ("not started", "in progress", "ongoing")


def report_date(r: ReportData) -> date:
    """Overdue is judged against the report date: settings `report_date`, else 30 September of the year
    (NHS England asks for the report and action plan to be published by the end of September)."""
    return r.settings.report_date or date(r.year, 9, 30)


def is_overdue(a: Action, today: date) -> bool:
    """Past its deadline on the report date and neither complete nor dropped."""
    return a.deadline is not None and a.deadline < today and a.status in OPEN


def _safe(text: str) -> str:
    """Analyst text for the page: on one line (a line break could start a heading, a code block or a
    directive) and with raw HTML escaped."""
    return escape_html(" ".join(str(text).split()))


def _action_block(a: Action, today: date, heading: str) -> str:
    """One action as a short block: what, who, when, status, then the progress update."""
    overdue = is_overdue(a, today)
    deadline = _safe(a.deadline_text) or "none given"
    facts = [
        f"**{a.status.capitalize()}**",
        f"Owner: {_safe(a.owner) or 'not named'}",
        f"Deadline: {deadline}" + (" (**overdue**)" if overdue else ""),
    ]
    others = [f"indicator {n}" for n in a.indicators if f"Indicator {n}:" not in heading] + [
        _safe(x) for x in a.references
    ]
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
        overdue = is_overdue(a, today)
        rows.append(
            [
                _safe(a.id),
                _safe(a.action),
                _safe(a.owner) or "Not named",
                (_safe(a.deadline_text) or "Not given") + (" (overdue)" if overdue else ""),
                a.status.capitalize(),
            ]
        )
    return (
        f"## The plan for approval\n\nThe actions the {escape_html(board_name)} is asked to approve, one per "
        "line.\n\n" + present.md_table(["No.", "Action", "Lead", "Deadline", "Status"], rows, "lllll")
    )


def render(r: ReportData, plan: ActionPlan, previous: ActionPlan | None) -> str:
    if plan.source is None:
        return (
            f"```{{admonition}} No action plan yet\n:class: warning\nNo action plan was supplied for {r.year}.\n```\n"
        )
    today = report_date(r)
    parts = [
        f"This plan has {len(plan.actions)} action{'s' if len(plan.actions) != 1 else ''}. Overdue means the "
        f"deadline is before the report date, {today:%-d %B %Y}, and the action is not complete or dropped.",
        sign_off_table(plan, today, r.org.board_name),
    ]

    counts = {s: sum(a.status == s for a in plan.actions) for s in STATUSES}
    overdue = [a for a in plan.actions if is_overdue(a, today)]
    parts.append(
        "## Progress\n\n"
        + present.md_table(
            ["Status", "Actions"],
            [[s.capitalize(), str(n)] for s, n in counts.items()] + [["**Overdue**", f"**{len(overdue)}**"]],
        )
    )

    parts.append(_concern_section(r, plan))

    groups: dict[str, list[Action]] = {}
    for a in plan.actions:
        keys = [f"Indicator {n}: {INDICATOR_TITLES[n]}" for n in a.indicators] or (
            ["Other commitments"] if a.references else ["General"]
        )
        for k in keys:
            groups.setdefault(k, []).append(a)
    order = sorted(
        groups,
        key=lambda k: (
            not k.startswith("Indicator"),
            int(k.split()[1].rstrip(":")) if k.startswith("Indicator") else 0,
            k,
        ),
    )
    section = "## Actions by indicator\n"
    for k in order:
        section += f"\n### {k}\n\n" + "\n".join(_action_block(a, today, k) for a in groups[k]) + "\n"
    parts.append(section)

    parts.append(_changes(plan, previous))
    return "\n\n".join(parts) + "\n"


def _concern_section(r: ReportData, plan: ActionPlan) -> str:
    """Every indicator of concern (concerns.py) with whether an action addresses it, and the indicators that
    could not be assessed."""
    addressed = {n for a in plan.actions if a.status != "dropped" for n in a.indicators}
    found = assess(r)
    rows = [
        [
            f"Indicator {a.indicator}",
            "; ".join(a.reasons),
            "Yes: "
            + ", ".join(_safe(x.id) for x in plan.actions if a.indicator in x.indicators and x.status != "dropped")
            if a.indicator in addressed
            else "**No action addresses this**",
        ]
        for a in found
        if a.concern
    ]
    text = (
        "## Indicators of concern\n\n" + present.concern_overview(r) + " The rule is on the methodology page; "
        "the table shows whether an action addresses each indicator of concern.\n\n"
    )
    if rows:
        text += present.md_table(["Indicator", "Why", "Action"], rows, "lll")
        missing = [row[0] for row in rows if row[2].startswith("**No")]
        if missing:
            text += (
                "\n```{admonition} No action addresses "
                + ", ".join(missing).lower()
                + "\n:class: warning\nThe plan has no open action for "
                + ", ".join(missing)
                + ".\n```\n"
            )
    unknown = [[f"Indicator {a.indicator}", a.note] for a in found if not a.assessed]
    if unknown:
        text += "\n**Not assessed** (this is not the same as no concern):\n\n" + present.md_table(
            ["Indicator", "Why"], unknown, "ll"
        )
    return text


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
    summary = {
        label: sum(r[2].startswith(label) for r in rows + new)
        for label in ("Completed", "Dropped", "Carried forward", "Not carried forward", "New this year")
    }
    text = head + ", ".join(f"{n} {label.lower()}" for label, n in summary.items()) + ".\n\n"
    return text + present.md_table([f"{plan.year - 1} id", "Action", "What happened"], rows + new, "lll")
