"""The action plan: params/<org>/<year>/actions.yaml (or .csv / .xlsx with the same columns), validated.

Fields: id, action, indicators (WRES numbers and/or free references such as "Beyond the Data R3"), owner,
deadline (a date, or text such as "Ongoing throughout 2024-25"), status, update, carried_from (the id of
the same action in last year's plan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from . import safe_yaml
from .errors import InputError, Problem, ProblemList
from .safe_text import markdown_hazards
from .tables import ROW, read_table
from .workspace import Workspace

STATUSES = ("not started", "in progress", "complete", "ongoing", "dropped")
FIELDS = ("id", "action", "indicators", "owner", "deadline", "status", "update", "carried_from")
REQUIRED = ("id", "action", "status")
TEXT_FIELDS = ("id", "action", "indicators", "owner", "deadline", "update", "carried_from")
MAX_PLAN_BYTES = 5 * 1024 * 1024  # 5 MB for a YAML plan (a CSV or XLSX plan has the limits of tables.py)

_INDICATOR_NUMBER = re.compile(r"(?:wres\s*)?(?:indicator\s*)?(\d+)", re.I)  # used with fullmatch
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")
_TEXT_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")
_NUMERIC_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass
class Action:
    id: str
    action: str
    indicators: list[int]
    references: list[str]  # free references: "Beyond the Data R3", "Model Employer"
    owner: str
    deadline: date | None
    deadline_text: str
    status: str
    update: str
    carried_from: str
    where: str  # file and row/line, for messages


@dataclass
class ActionPlan:
    year: int
    source: str | None  # file it came from, None when there is no plan
    actions: list[Action] = field(default_factory=list)

    def by_id(self) -> dict[str, Action]:
        return {a.id: a for a in self.actions}


def plan_file(ws: Workspace, org: str, year: int) -> Path | None:
    folder = ws.year_dir(org, year, must_exist=False)
    found = [p for p in (ws.checked_file(folder / f"actions{ext}") for ext in (".yaml", ".yml", ".csv", ".xlsx")) if p]
    if len(found) > 1:
        raise InputError(
            [
                Problem(
                    ws.display(found[1]), None, None, None, f"there is also {found[0].name}: keep one action plan file"
                )
            ],
            "the action plan",
        )
    return found[0] if found else None


def parse_deadline(text: str) -> tuple[date | None, bool]:
    """(date, ok). Text that is not a date is fine ('Ongoing'); a date that cannot be read is not."""
    text = text.strip()
    if not text:
        return None, True
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", " ").replace(" of ", " "))
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if _DATE_LIKE.match(cleaned) or re.match(r"^\d{4}-\d{2}-\d{2}[ T]", cleaned):
        for fmt in _NUMERIC_DATE_FORMATS:
            try:
                return datetime.strptime(cleaned[:10] if cleaned[4:5] == "-" else cleaned, fmt).date(), True
            except ValueError:
                continue
        return None, False
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date(), True
        except ValueError:
            continue
    if re.match(r"^\d{1,2} [A-Za-z]+ \d{4}$", cleaned):  # '31 Febtember 2025', '30 February 2025'
        return None, False
    return None, True


def _records(ws: Workspace, path: Path) -> tuple[list[tuple[int, dict]], str, str]:
    """(spreadsheet row or YAML line, fields) for each action; and the row label."""
    shown = ws.display(path)
    if path.suffix in (".yaml", ".yml"):
        data, node = safe_yaml.load(path, shown, "an action plan", MAX_PLAN_BYTES)
        items = data
        if isinstance(data, dict) and "actions" in data:
            items = data["actions"]
            node = next(v for k, v in node.value if k.value == "actions")
        if not isinstance(items, list):
            line = node.start_mark.line + 1 if node is not None else None
            raise InputError(
                [
                    Problem(
                        shown,
                        line,
                        None,
                        None,
                        "expected a list of actions (each with id, action, "
                        "indicators, owner, deadline, status, update, carried_from)",
                        row_label="line",
                    )
                ],
                shown,
            )
        records = []
        for item, item_node in zip(items, node.value):
            if not isinstance(item, dict):
                raise InputError(
                    [
                        Problem(
                            shown,
                            item_node.start_mark.line + 1,
                            None,
                            str(item),
                            "each action must be a set of 'field: value' lines",
                            row_label="line",
                        )
                    ],
                    shown,
                )
            records.append((item_node.start_mark.line + 1, item))
        return records, shown, "line"
    raw = read_table(path, shown, expected=REQUIRED)
    frame = raw.frame
    return [(int(r[ROW]), {k: v for k, v in r.items() if k != ROW}) for _, r in frame.iterrows()], shown, "row"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value).strip()


def load_plan(
    ws: Workspace, org: str, year: int, previous: "ActionPlan | None" = None, check_carried: bool = True
) -> ActionPlan:
    path = plan_file(ws, org, year)
    if path is None:
        return ActionPlan(year, None)
    records, shown, label = _records(ws, path)
    problems = ProblemList()
    actions: list[Action] = []
    seen: dict[str, int] = {}
    previous_ids = previous.by_id() if previous is not None else {}  # once: a plan may have thousands
    for row, item in records:

        def bad(column, value, expected):
            problems.add(shown, row, column, value, expected, row_label=label, column_label="field")

        fields = {str(k).strip().lower().replace(" ", "_"): v for k, v in item.items()}
        for name in fields:
            if name not in FIELDS:
                bad(name, None, f"not an action plan field: expected {', '.join(FIELDS)}")
        for name in REQUIRED:
            if not _text(fields.get(name)):
                bad(name, None, f"the field '{name}' is required")
        ident = _text(fields.get("id"))
        if ident in seen:
            bad("id", ident, f"duplicate: this id is already used at {label} {seen[ident]}")
        elif ident:
            seen[ident] = row
        status = _text(fields.get("status")).lower().replace("_", " ")
        if status and status not in STATUSES:
            bad("status", fields.get("status"), f"expected one of: {', '.join(STATUSES)}")
        raw_refs = fields.get("indicators")
        items = raw_refs if isinstance(raw_refs, list) else re.split(r"[;,]", _text(raw_refs))
        numbers, references = [], []
        for ref in (_text(x) for x in items):
            if not ref:
                continue
            m = _INDICATOR_NUMBER.fullmatch(ref)
            if m:
                n = int(m.group(1)) if len(m.group(1)) <= 3 else 0  # int() refuses 4,300 digits
                if 1 <= n <= 9:
                    numbers.append(n)
                else:
                    bad(
                        "indicators",
                        ref,
                        "there is no such WRES indicator: expected a number from 1 to 9, or a "
                        "named reference such as 'Model Employer'",
                    )
            else:
                references.append(ref)
        deadline_text = _text(fields.get("deadline"))
        deadline, readable = parse_deadline(deadline_text)
        if not readable:
            bad(
                "deadline",
                deadline_text,
                "this looks like a date but cannot be read: write it as 2025-03-31 or "
                "31/03/2025, or as text such as 'Ongoing throughout 2024-25'",
            )
        for name in TEXT_FIELDS:
            for _, what, why in markdown_hazards(_text(fields.get(name))):
                bad(name, what, why)
        carried = _text(fields.get("carried_from"))
        if carried and check_carried:
            if previous is None or previous.source is None:
                bad("carried_from", carried, f"there is no {year - 1} action plan to carry this action from")
            elif carried not in previous_ids:
                bad(
                    "carried_from",
                    carried,
                    f"there is no action with this id in the {year - 1} plan ({previous.source})",
                )
        actions.append(
            Action(
                ident,
                _text(fields.get("action")),
                sorted(set(numbers)),
                references,
                _text(fields.get("owner")),
                deadline,
                deadline_text,
                status,
                _text(fields.get("update")),
                carried,
                f"{shown}, {label} {row}",
            )
        )
    problems.raise_if_any(f"the {year} action plan of {org}")
    return ActionPlan(year, shown, actions)


def load_plans(ws: Workspace, org: str, year: int) -> tuple[ActionPlan, ActionPlan | None]:
    """This year's plan, checked against last year's (which is loaded first, when it exists)."""
    previous = None
    if ws.year_dir(org, year - 1, must_exist=False).is_dir():
        if plan_file(ws, org, year - 1):
            previous = load_plan(ws, org, year - 1, check_carried=False)
    return load_plan(ws, org, year, previous), previous
