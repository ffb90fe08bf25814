"""Aggregate organisations: an ICB for its system, a CSU for its CCGs, a region (`members:` in org.yaml).

An aggregate's report is built from its members' validated records put together, so every figure is a sum
of counts (never an average of percentages) and is computed by the same code as any organisation's:

- staff, recruitment, disciplinary and training: the members' tables one after another, each id prefixed
  by its member (`leeds/S00001`), so that two members' ids never meet;
- a file or an optional column (shortlisted, internal, staff_group ...) is used only when every member has
  it: a figure from some members only would not be the aggregate's;
- occupation and department are not combined: each organisation spells its own job titles and departments;
- the staff survey: each member's result turned back into respondents (percent x respondents), summed;
- the board: the aggregate's own, from its own year folder (an ICB's board is not its members' boards);
- indicator 3 pools two years only when every member has last year's records.

Disclosure control runs on the aggregate's table, jointly with the members' own published tables
(disclosure.py, `Member`): nobody can recover a member's withheld count from the two together.
"""

from __future__ import annotations

import pandas as pd

from . import uncertainty
from .errors import WresError
from .inputs import YearInputs
from .inputs import load_year as load_records
from .workspace import INPUT_NAMES, Workspace, parse_year_settings

FROM_MEMBERS = ("staff", "recruitment", "disciplinary", "training")
ID_COLUMNS = {"staff": ("staff_id",), "recruitment": ("application_id",), "disciplinary": ("case_id",)}
NOT_COMBINED = ("occupation", "department")
SEPARATOR = "/"


def _prefixed(frame: pd.DataFrame, member: str, columns) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = member + SEPARATOR + out[column].astype(str)
    return out


def _together(name: str, parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The members' tables one after another, with only the columns every one of them has."""
    columns = [c for c in next(iter(parts.values())).columns if all(c in p.columns for p in parts.values())]
    columns = [c for c in columns if not (name == "staff" and c in NOT_COMBINED)]
    ids = ID_COLUMNS.get(name, ("staff_id",))
    if name == "recruitment" and "shortlisted" not in columns:
        # Without every member's applications, indicator 2 is from the shortlisted applications alone: a
        # member that supplied every application gives its shortlisted ones.
        parts = {m: p[p["shortlisted"].astype(bool)] if "shortlisted" in p.columns else p for m, p in parts.items()}
    frames = [_prefixed(p[columns], member, ids) for member, p in parts.items()]
    out = pd.concat(frames, ignore_index=True)
    for column in columns:  # a flag column stays a flag column
        if all(p[column].dtype == bool for p in parts.values()):
            out[column] = out[column].astype(bool)
    return out


def _survey(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The staff survey of the members together: each result turned back into the respondents who agreed
    (as uncertainty.survey_count does for the interval), summed, over the respondents summed. A result some
    member lacks is left out."""
    keyed = []
    for frame in parts.values():
        first = frame.drop_duplicates(["survey_year", "indicator", "group"])
        keyed.append(
            {
                (int(y), int(i), g): (uncertainty.survey_count(float(p), int(n)), int(n))
                for y, i, g, p, n in zip(
                    first["survey_year"], first["indicator"], first["group"], first["percent"], first["respondents"]
                )
            }
        )
    rows = []
    for key in sorted(set.intersection(*(set(k) for k in keyed))):
        agreed = sum(k[key][0] for k in keyed)
        respondents = sum(k[key][1] for k in keyed)
        percent = 100.0 * agreed / respondents if respondents else 0.0
        rows.append(
            {
                "survey_year": key[0],
                "indicator": key[1],
                "group": key[2],
                "respondents": respondents,
                "percent": percent,
            }
        )
    return pd.DataFrame(rows, columns=["survey_year", "indicator", "group", "respondents", "percent"])


def combine(own: YearInputs, members: dict[str, YearInputs]) -> YearInputs:
    """The aggregate's inputs for one year: its own settings and board, and its members' records together."""
    tables: dict[str, pd.DataFrame | None] = dict(own.tables)
    why: dict[str, str] = {}
    files = dict(own.files)
    year = own.settings.year
    for name in (*FROM_MEMBERS, "staff_survey"):
        if name == "staff_survey" and own[name] is not None:
            continue  # the aggregate's own published survey results, when it has them
        lacking = [m for m, inputs in members.items() if inputs[name] is None]
        if lacking:
            tables[name] = None
            why[name] = (
                f"not every member organisation supplied it for {year}: none from "
                f"{', '.join(members[m].org.name for m in lacking)}, so the aggregate has no figure"
            )
            continue
        parts = {m: inputs[name] for m, inputs in members.items()}
        tables[name] = _survey(parts) if name == "staff_survey" else _together(name, parts)
        for m, inputs in members.items():
            files.setdefault(name, inputs.files[name])
    return YearInputs(own.org, own.settings, tables, files, source="aggregate", why_missing=why)


def own_year(ws: Workspace, org: str, year: int, *, optional: bool = False) -> YearInputs | None:
    """The aggregate's own files of one year (settings, board, its own staff survey results). A year it has no
    folder for (optional=True) has none: last year, for indicator 3, needs only the members' records."""
    own = load_records(ws, org, year, optional=optional)
    if own is None:
        settings = parse_year_settings({}, int(year), ws.display(ws.year_dir(org, year, must_exist=False)), org)
        return YearInputs(ws.org_settings(org), settings, {name: None for name in INPUT_NAMES})
    records = [n for n in FROM_MEMBERS if n in own.files]
    if records:
        members = ", ".join(own.org.members)
        raise WresError(
            f"{ws.display(ws.year_dir(org, year))} holds {', '.join(f'{n} data' for n in records)}, but {org} is "
            f"an aggregate of {members}: its records are its members'. Remove "
            + ", ".join(ws.display(own.files[n]) for n in records)
            + " (an aggregate's year folder holds only its settings, board and staff survey files)."
        )
    return own


def lacking_year(org: str, members, have, year: int) -> None:
    """Stops the build when a member has no folder for the aggregate's report year."""
    lacking = [m for m in members if year not in have(m)]
    if lacking:
        raise WresError(
            f"{org} is an aggregate of {', '.join(members)}, and {', '.join(lacking)} "
            f"{'has' if len(lacking) == 1 else 'have'} no {year} folder: build the aggregate for a year every "
            "member has."
        )


def load_year(ws: Workspace, org: str, year: int, *, optional: bool = False) -> YearInputs | None:
    """`inputs.load_year` for any organisation: an aggregate's year is its members' records together (None,
    with optional=True, when any member has no folder for that year)."""
    members = ws.org_settings(org).members
    if not members:
        return load_records(ws, org, year, optional=optional)
    found = {m: load_records(ws, m, year, optional=True) for m in members}
    if any(inputs is None for inputs in found.values()):
        if optional:
            return None
        lacking_year(org, members, lambda m: () if found[m] is None else (year,), year)
    own = own_year(ws, org, year, optional=optional)
    return combine(own, found)
