"""The representation goals section (targets.py) on the board page: a table and the assumptions, in words."""

from __future__ import annotations

import pandas as pd

from .present import capital, count, md_table, pct
from .report_data import ReportData


def _label(r: ReportData, row) -> str:
    return f"The {r.org.board_name}" if row["indicator"] == 9 else row["group"]


def _people(row, unit: str = "staff") -> str:
    return unit if row["indicator"] == 1 else "members"


def _row_cells(r: ReportData, row) -> list[str]:
    if row["status"] != "ok":
        reason = str(row["reason"])
        if row["status"] == "withheld":
            reason = reason.replace("withheld", r.rules.wording, 1)
        return [_label(r, row), capital(reason), "–", "–", "–", "–"]
    now = f"{count(row['bme'])} of {count(row['headcount'])} ({pct(row['bme_pct'])})"
    more = "met" if row["gap"] == 0 else f"{count(row['gap'])} more"
    level = f"{count(row['goal_bme'])} ({more})"
    if pd.isna(row["turnover_pct"]):
        left, appointments = "not known", "not known"
    else:
        left = f"{count(row['leavers'])} of {count(row['previous_headcount'])} ({pct(row['turnover_pct'])})"
        appointments = f"about {count(round(row['appointments_per_year']))}"
    if row["gap"] == 0:
        needed = "none: already level"
    elif pd.isna(row["needed_share_pct"]):
        needed = f"at least {count(row['bme_per_year'])} ({count(row['bme_over_period'])} in all)"
    elif not row["reachable"]:
        needed = f"{count(row['bme_per_year'])}: more than every appointment"
    else:
        needed = (
            f"{count(row['bme_per_year'])} ({pct(row['needed_share_pct'], 0)} of appointments; "
            f"{count(row['bme_over_period'])} in all)"
        )
    return [_label(r, row), now, level, left, appointments, needed]


def goals_section(r: ReportData, level: int = 2) -> str:
    """The section, or '' when the organisation sets no representation goal."""
    goals = r.targets
    if goals is None or not len(goals):
        return ""
    first = goals.iloc[0]
    year, years = int(first["target_year"]), int(first["years"])
    shown = goals[goals["status"] == "ok"]
    workforce = pct(shown.iloc[0]["workforce_bme_pct"]) if len(shown) else None
    term = r.term
    parts = [f"{'#' * level} Representation goals for {year}", ""]
    parts.append(
        f"{r.org.name} aims for band 8a and above, very senior managers (VSM) and the {r.org.board_name} to be "
        f"level with the whole workforce's {term} share"
        + (f" ({workforce} in {r.year})" if workforce else "")
        + f" by {year}, {years} year{'s' if years != 1 else ''} from this report, as NHS England's Model "
        f"Employer strategy asks. The table shows how many {term} appointments a year would get each group "
        "there, worked out from the organisation's own figures."
    )
    parts.append("")
    parts.append(
        md_table(
            [
                "Group",
                f"{capital(term)} now",
                f"Level means ({term})",
                "Left in the last year",
                "Appointments a year",
                f"{capital(term)} appointments needed a year",
            ],
            [_row_cells(r, row) for _, row in goals.iterrows()],
            "llllrl",
        )
    )
    for _, row in shown.iterrows():
        if not pd.isna(row["bme_joiners"]) and row["joiners"]:
            parts.append(
                f"- {_label(r, row)}: {count(row['bme_joiners'])} of the {count(row['joiners'])} "
                f"{_people(row, 'staff')} who joined it in the last year were {term}."
            )
        if row["status"] == "ok" and not row["reachable"] and row["gap"]:
            parts.append(
                f"- {_label(r, row)}: at the turnover of the last year, even if every appointment went to {term} "
                f"staff the group would not be level by {year}; it needs a later year, more turnover or a larger "
                "group."
            )
    parts.append("")
    parts.append(f"{'#' * (level + 1)} How the goals are worked out")
    parts.append("")
    parts.append(
        "- *Now* and *level* come from the figures published in this report. Level is the workforce's "
        f"{term} share of the group's headcount, rounded up to whole people."
    )
    parts.append(
        "- *Left in the last year*: people in the group in last year's records and not in this year's "
        "(by staff or member id), including those who moved to another band. Where last year's records "
        "were not supplied, turnover is not known and the figure is the least number needed (nobody leaving)."
        + (
            " This report's figures came from counts, not records: counts name nobody, so nobody can be followed "
            "from one year to the next and turnover is not known."
            if goals["reason"].astype(str).str.startswith("counts-only input").any()
            else ""
        )
    )
    parts.append(
        "- The group keeps its size: every leaver is replaced, so the appointments a year are the turnover "
        f"times the headcount. People leave at the same rate whatever their ethnicity, and only appointments "
        f"change the group's make-up. The {term} appointments needed are rounded up to whole people."
    )
    parts.append(
        f"- A group whose {term} headcount is withheld (small numbers) has no goal here, because the goal would "
        f"give the count away; the number of {term} staff who joined a group is shown only where neither it nor "
        "anything it lets a reader work out is a small number."
    )
    return "\n".join(parts) + "\n"
