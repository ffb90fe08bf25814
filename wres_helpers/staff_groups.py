"""ESR's staff group (`staff_group` in staff.csv) as clinical or non-clinical, for indicator 1.

The table is data/esr_staff_groups.csv, with its source: NHS England's WRES technical guidance counts
Administrative and Clerical and Estates and Ancillary as non-clinical and every other ESR staff group as
clinical. Names are matched on their words ('Nursing & Midwifery Registered', 'nursing and midwifery
registered'), never guessed: an unknown staff group is an input error.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from .vocab import _words


@cache
def staff_groups() -> dict[str, bool]:
    """Each staff group's words -> True (clinical) or False (non-clinical)."""
    with resources.files("wres_helpers").joinpath("data", "esr_staff_groups.csv").open(encoding="utf-8") as f:
        return {_words(r["staff_group"]): r["clinical"] == "Y" for r in csv.DictReader(f)}


@cache
def expected() -> str:
    with resources.files("wres_helpers").joinpath("data", "esr_staff_groups.csv").open(encoding="utf-8") as f:
        names = [r["staff_group"] for r in csv.DictReader(f)]
    return "an ESR staff group: " + ", ".join(repr(n) for n in names)


def is_clinical(value: str) -> bool | None:
    """True or False for a known staff group; None for an unknown (or blank) one."""
    return staff_groups().get(_words(value)) if value.strip() else None
