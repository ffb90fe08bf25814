"""The engine's front door: organisation + year in, validated inputs and the indicator table out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .aggregate import load_year
from .indicators import compute
from .inputs import YearInputs
from .workspace import Workspace


def load_inputs(
    org: str, year: int, workspace: str | Path | Workspace | None = None
) -> tuple[YearInputs, YearInputs | None]:
    """This year's validated inputs and last year's (None when there is no folder for last year). An aggregate's
    are its members' records together (aggregate.py)."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    year = int(ws.year_dir(org, year).name)  # refuses anything but an existing four-digit year folder
    current = load_year(ws, org, year)
    previous = load_year(ws, org, year - 1, optional=True)
    return current, previous


def indicator_table(org: str, year: int, workspace: str | Path | Workspace | None = None) -> pd.DataFrame:
    """The unsuppressed indicator table for one organisation and report year."""
    current, previous = load_inputs(org, year, workspace)
    return compute(current, previous)


def missing_input_notes(org: str, year: int, workspace: str | Path | Workspace | None = None) -> list[str]:
    """For the analyst's log, never the site: each optional input that is absent, with the file that would
    supply it (the published pages say only "no ... data was supplied")."""
    from .aggregate import FROM_MEMBERS
    from .counts import REPLACES
    from .inputs import INPUT_NAMES

    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)

    def lacks(who: str, name: str) -> bool:
        return ws.input_file(who, year, name) is None and not (
            name in REPLACES and ws.input_file(who, year, "counts")  # counts.csv gives it (counts.py)
        )

    members = ws.org_settings(org).members
    notes = []
    for name in INPUT_NAMES:
        if members and (name in FROM_MEMBERS or (name == "staff_survey" and lacks(org, name))):
            # An aggregate has a figure only when every member supplies the file (aggregate.py).
            lacking = [m for m in members if ws.year_dir(m, year, must_exist=False).is_dir() and lacks(m, name)]
            notes += [
                f"no {name} file from member {m}: the aggregate's {name} indicators show 'No data' (to report them, "
                f"add {ws.display(ws.year_dir(m, year))}/{name}.csv or .xlsx"
                + (", or this aggregate's own published results" if name == "staff_survey" else "")
                + ")"
                for m in lacking
            ]
        elif lacks(org, name):
            folder = ws.display(ws.year_dir(org, year))
            notes.append(
                f"no {name} file: its indicators show 'No data' (to report them, add {folder}/{name}.csv or .xlsx)"
            )
    return notes
