"""Counts-only input: one counts.csv (or counts.xlsx) in place of the record-level files.

An organisation that has only the ESR WRES dashboard's counts, not records, supplies
`params/<org>/<year>/counts.csv` instead of staff, recruitment, disciplinary, training and board (staff_survey
stays as it is: it is counts already). Columns `indicator, measure, breakdown, group, numerator, denominator`,
one row per indicator, breakdown and group (README, "Counts instead of records"):

    indicator  measure                breakdown                                  numerator  denominator
    1          headcount              <pay band>/clinical, <pay band>/non-clinical  staff     (blank)
    2          appointed              all                                        appointed  shortlisted
    3          entered_investigation  all                                        cases      (blank or headcount)
    4          accessed_training      all                                        trained    (blank or headcount)
    9          headcount              voting|non-voting / executive|non-executive  members  (blank)

with group white, bme (or the organisation's own term) or unknown in every row.

Optional check rows: group `total` (the sum of the three groups), indicator 1 breakdown `all` (the sum of its
pay band cells), indicator 9 breakdowns `voting`, `executive` and `all_members` (the sums of their cells).

Design: the counts are validated here and turned into the *minimal validated tables* that
`indicators.compute` reads (one anonymous row per counted person, only the columns compute needs), so that
every rate, relative likelihood, interval and derived figure comes from the same code as for records. The ids
of those rows are made up here (`counted:<row>:<n>`) and mean nobody: `YearInputs.source` is "counts", and
nothing matches them across years (targets.py treats a counts year as having no people to follow).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import vocab
from .errors import InputError, ProblemList
from .tables import MAX_ROWS, ROW, read_table

NAME = "counts"  # the file: counts.csv or counts.xlsx
# The record-level files that counts.csv replaces, and the indicator whose rows give each one's table.
REPLACES = {"staff": 1, "recruitment": 2, "disciplinary": 3, "training": 4, "board": 9}
COLUMNS = ("indicator", "measure", "breakdown", "group", "numerator", "denominator")
MEASURES = {1: "headcount", 2: "appointed", 3: "entered_investigation", 4: "accessed_training", 9: "headcount"}
KINDS = ("clinical", "non-clinical")
BOARD_CELLS = tuple(f"{v}/{e}" for v in ("voting", "non-voting") for e in ("executive", "non-executive"))
# Check rows of indicator 9: each is the sum of these cells.
BOARD_SUMS = {
    "voting": ("voting/executive", "voting/non-executive"),
    "executive": ("voting/executive", "non-voting/executive"),
    "all_members": BOARD_CELLS,
}
GROUPS = vocab.GROUPS  # white, bme, unknown: every cell needs all three
TOTAL = "total"
# No count may be larger than the largest record file could be: a counts file must not make the engine build a
# table bigger than any record file would have given it.
MAX_COUNT = MAX_ROWS
UNKNOWN_WORDS = {"unknown", "not known", "not stated", "not stated or not known"}

# The published reasons (plain words) for the figures counts cannot give.
NO_CATEGORY = (
    "counts-only input: headcounts by ethnic category were not supplied (the counts give White, BME and "
    "Unknown only), so there is no breakdown by ethnic category"
)


def no_free_text(column: str) -> str:
    return f"counts-only input: headcounts by {column} were not supplied, so there is no breakdown by {column}"


@dataclass(frozen=True)
class Count:
    row: int  # spreadsheet row in counts.csv
    indicator: int
    breakdown: str  # canonical: 'Band 5/clinical', 'all', 'voting/executive'
    group: str  # white, bme, unknown or total
    numerator: int
    denominator: int | None


def _words(value: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(value).lower()))


def _measure_key(value: str) -> str:
    return _words(value).replace(" ", "_")


def _whole(value: str) -> int | None:
    """A whole number of 0 or more ('1,234' too), or None."""
    text = value.replace(",", "").strip()
    if not re.fullmatch(r"[0-9]+(\.0*)?", text):
        return None
    return int(float(text)) if "." in text else int(text)


def _kind(value: str) -> str | None:
    words = _words(value)
    return "clinical" if words == "clinical" else "non-clinical" if words in ("non clinical", "nonclinical") else None


def _voting(value: str) -> str | None:
    words = _words(value)
    return {"voting": "voting", "non voting": "non-voting", "nonvoting": "non-voting"}.get(words)


def _executive(value: str) -> str | None:
    words = _words(value)
    return {"executive": "executive", "non executive": "non-executive", "nonexecutive": "non-executive"}.get(words)


def _breakdown(indicator: int, value: str) -> tuple[str | None, str]:
    """(canonical breakdown, what was expected) of one row's breakdown cell."""
    if indicator == 1:
        expected = (
            "'<pay band>/clinical' or '<pay band>/non-clinical' (e.g. 'Band 5/clinical', pay bands as the staff "
            "file takes them), or 'all' (a check: the sum of the pay band rows)"
        )
        if _words(value) == "all":
            return "all", expected
        band, _, kind = value.rpartition("/")
        canonical, kind = vocab.pay_band(band), _kind(kind)
        return (f"{canonical}/{kind}" if canonical and kind else None), expected
    if indicator == 9:
        expected = (
            "'voting/executive', 'voting/non-executive', 'non-voting/executive' or 'non-voting/non-executive' "
            "(board members by voting and executive membership), or the check rows 'voting', 'executive' and "
            "'all_members'"
        )
        key = _measure_key(value)
        if key in BOARD_SUMS:
            return key, expected
        voting, _, executive = value.partition("/")
        voting, executive = _voting(voting), _executive(executive)
        return (f"{voting}/{executive}" if voting and executive else None), expected
    return ("all" if _words(value) == "all" else None), "'all'"


def _group(value: str, term_for_bme: str) -> str | None:
    if _words(value) == TOTAL:
        return TOTAL
    if _words(value) in UNKNOWN_WORDS:
        return "unknown"
    return vocab.parse_group(value, term_for_bme)


def _parse_rows(frame: pd.DataFrame, shown: str, term_for_bme: str, problems: ProblemList) -> list[Count]:
    """Every row checked on its own: a Count for each row without a problem."""
    out = []
    columns = [c for c in COLUMNS if c in frame.columns]
    for values in frame[[ROW, *columns]].itertuples(index=False, name=None):
        row, cells = int(values[0]), dict(zip(columns, (str(v) for v in values[1:])))
        before = len(problems)

        def bad(column: str, expected: str) -> None:
            problems.add(shown, row, column, cells.get(column), expected)

        indicator = _whole(cells["indicator"]) if cells["indicator"] else None
        if indicator in (5, 6, 7, 8):
            bad("indicator", "indicators 5 to 8 come from the staff survey file (staff_survey.csv), not counts.csv")
            continue
        if indicator not in MEASURES:
            bad("indicator", "expected an indicator of counts.csv: 1, 2, 3, 4 or 9")
            continue
        if _measure_key(cells["measure"]) != MEASURES[indicator]:
            bad("measure", f"indicator {indicator}'s measure is '{MEASURES[indicator]}'")
        breakdown, expected = _breakdown(indicator, cells["breakdown"])
        if breakdown is None:
            bad("breakdown", f"expected {expected} for indicator {indicator}")
        group = _group(cells["group"], term_for_bme)
        if group is None:
            bad("group", f"expected 'white', 'bme' (or '{term_for_bme}'), 'unknown' or 'total'")
        numbers = {}
        for column in ("numerator", "denominator"):
            text = cells[column]
            if text == "":
                numbers[column] = None
                continue
            number = _whole(text)
            if number is None:
                bad(column, "expected a whole number of 0 or more")
            elif number > MAX_COUNT:
                bad(column, f"expected at most {MAX_COUNT:,} (the most rows an input file may have)")
                number = None
            numbers[column] = number
        numerator, denominator = numbers["numerator"], numbers["denominator"]
        if cells["numerator"] == "":
            bad("numerator", "a count is required in every row (0 when there is none)")
        if indicator in (1, 9) and cells["denominator"] != "":
            bad("denominator", f"expected a blank: indicator {indicator}'s rows are headcounts, with no denominator")
        if indicator == 2 and cells["denominator"] == "":
            bad("denominator", "expected the number shortlisted (indicator 2: appointed of shortlisted)")
        if numerator is not None and denominator is not None and numerator > denominator:
            bad(
                "numerator",
                f"the numerator is more than the denominator ({denominator:,}): expected at most {denominator:,}",
            )
        if len(problems) == before:
            out.append(Count(row, indicator, breakdown, group, numerator, denominator))
    return out


def _check_unique(counts: list[Count], shown: str, problems: ProblemList) -> list[Count]:
    first: dict[tuple, int] = {}
    kept = []
    for c in counts:
        key = (c.indicator, c.breakdown, c.group)
        if key in first:
            problems.add(
                shown,
                c.row,
                "indicator + breakdown + group",
                f"{c.indicator} / {c.breakdown} / {c.group}",
                f"duplicate: the same indicator, breakdown and group are already in row {first[key]} "
                "(expected one row per indicator, breakdown and group)",
            )
        else:
            first[key] = c.row
            kept.append(c)
    return kept


def _is_cell(c: Count) -> bool:
    """A row the tables are made from (not a check row)."""
    if c.group == TOTAL:
        return False
    return c.breakdown != "all" if c.indicator == 1 else c.breakdown in BOARD_CELLS if c.indicator == 9 else True


def _check_sums(counts: list[Count], shown: str, problems: ProblemList) -> dict:
    """Every cell has all three groups; every check row equals its sum. Returns {(indicator, breakdown): {group:
    Count}} of the cells."""
    cells: dict[tuple[int, str], dict[str, Count]] = {}
    for c in counts:
        if _is_cell(c):
            cells.setdefault((c.indicator, c.breakdown), {})[c.group] = c
    for (indicator, breakdown), groups in cells.items():
        for group in GROUPS:
            if group not in groups:
                first = min(c.row for c in groups.values())
                problems.add(
                    shown,
                    first,
                    "group",
                    None,
                    f"indicator {indicator}, breakdown '{breakdown}' has no row for the group '{group}': expected "
                    "one row for each of white, bme and unknown (0 where there is nobody)",
                )

    for indicator in sorted({c.indicator for c in counts} - {i for i, _ in cells}):
        first = min(c.row for c in counts if c.indicator == indicator)
        problems.add(
            shown,
            first,
            "group",
            None,
            f"indicator {indicator} has check rows only: expected its counts for each of white, bme and unknown"
            + (
                " by pay band and staff group"
                if indicator == 1
                else " by voting and executive membership"
                if indicator == 9
                else ""
            ),
        )

    def cell_sum(indicator: int, breakdowns, group: str, column: str) -> int | None:
        parts = [cells.get((indicator, b), {}) for b in breakdowns]
        groups = GROUPS if group == TOTAL else (group,)
        values = [getattr(p[g], column) for p in parts for g in groups if g in p]
        return None if any(v is None for v in values) else sum(values)

    for c in counts:
        if _is_cell(c):
            continue
        if c.indicator == 1 and c.breakdown == "all":
            parts, what = [b for i, b in cells if i == 1], "the pay band rows"
        elif c.indicator == 9 and c.breakdown in BOARD_SUMS:
            parts, what = BOARD_SUMS[c.breakdown], f"the rows {', '.join(BOARD_SUMS[c.breakdown])}"
        else:  # a total row of one cell
            parts, what = [c.breakdown], f"the rows of breakdown '{c.breakdown}'"
        what += " of all three groups" if c.group == TOTAL else f" of the group {c.group}"
        for column in ("numerator", "denominator"):
            given = getattr(c, column)
            if given is None:
                continue
            expected = cell_sum(c.indicator, parts, c.group, column)
            if expected is not None and expected != given:
                problems.add(
                    shown,
                    c.row,
                    column,
                    str(given),
                    f"a check row must equal the sum of {what}: expected {expected:,}",
                )
    return cells


def _headcounts(cells: dict) -> dict[str, int] | None:
    """Indicator 1's headcount of each group (the sum of its cells), or None without indicator 1."""
    bands = [groups for (i, _), groups in cells.items() if i == 1]
    if not bands:
        return None
    return {g: sum(groups[g].numerator for groups in bands if g in groups) for g in GROUPS}


def _check_against_headcount(cells: dict, shown: str, problems: ProblemList) -> None:
    """Indicators 3 and 4: a denominator, when given, is indicator 1's headcount of the group; staff who accessed
    training are some of the staff, so never more than the headcount."""
    heads = _headcounts(cells)
    for indicator in (3, 4):
        groups = cells.get((indicator, "all"), {})
        for group, c in sorted(groups.items(), key=lambda kv: kv[1].row):
            if heads is None:
                if indicator == 4 or c.denominator is not None:
                    problems.add(
                        shown,
                        c.row,
                        "denominator" if c.denominator is not None else "indicator",
                        str(c.denominator if c.denominator is not None else indicator),
                        f"indicator {indicator} is counted against the headcount of indicator 1, and counts.csv "
                        "has no indicator 1 rows: expected indicator 1's headcounts too",
                    )
                continue
            if c.denominator is not None and c.denominator != heads[group]:
                problems.add(
                    shown,
                    c.row,
                    "denominator",
                    str(c.denominator),
                    f"the denominator of indicator {indicator} is the headcount, and indicator 1's {group} headcount "
                    f"is {heads[group]:,}: expected {heads[group]:,} or a blank",
                )
            elif indicator == 4 and c.numerator > heads[group]:
                problems.add(
                    shown,
                    c.row,
                    "numerator",
                    str(c.numerator),
                    f"more {group} staff accessed training than indicator 1 counts {group} staff "
                    f"({heads[group]:,}): expected at most {heads[group]:,}",
                )
    for indicator, what in ((1, "staff"), (9, "board members")):
        parts = [groups for (i, _), groups in cells.items() if i == indicator]
        if parts and not sum(c.numerator for groups in parts for c in groups.values()):
            first = min(c.row for groups in parts for c in groups.values())
            problems.add(
                shown,
                first,
                "numerator",
                "0",
                f"indicator {indicator}'s counts add up to no {what}: expected at least one (or leave indicator "
                f"{indicator}'s rows out when there is no data)",
            )
    total = sum(c.numerator for groups in cells.values() for c in groups.values())
    if total > MAX_COUNT:
        problems.add(
            shown,
            None,
            "numerator",
            f"{total:,}",
            f"the counts add up to more than {MAX_COUNT:,} people, the most rows an input file may have",
        )


# -- the minimal validated tables ----------------------------------------------------------------------------
def _people(parts: list[tuple[Count, int]], prefix: str) -> dict[str, np.ndarray]:
    """One row per counted person: the counts.csv row it comes from and a made-up id ('<prefix>:<row>:<n>')."""
    sizes = np.array([n for _, n in parts], dtype=np.int64)
    rows = np.repeat(np.array([c.row for c, _ in parts], dtype=np.int64), sizes)
    ids = np.array([f"{prefix}:{c.row}:{k}" for c, n in parts for k in range(1, n + 1)], dtype=object)
    return {ROW: rows, "id": ids}


def _staff(cells: dict) -> pd.DataFrame:
    parts = []
    for (indicator, breakdown), groups in cells.items():
        if indicator == 1:
            parts += [(groups[g], groups[g].numerator) for g in GROUPS]
    people = _people(parts, "counted")
    bands = np.array([c.breakdown.rpartition("/")[0] for c, n in parts for _ in range(n)], dtype=object)
    kinds = np.array([c.breakdown.rpartition("/")[2] == "clinical" for c, n in parts for _ in range(n)], dtype=bool)
    groups = np.array([c.group for c, n in parts for _ in range(n)], dtype=object)
    family = {b: p.family for b, p in vocab.pay_bands().items()}
    frame = pd.DataFrame(
        {
            ROW: people[ROW],
            "staff_id": people["id"],
            "group": groups,
            "pay_band": bands,
            "family": np.array([family[b] for b in bands], dtype=object),
        }
    )
    frame["clinical"] = pd.Series(kinds, index=frame.index, dtype=bool)
    return frame


def _events(cells: dict, indicator: int, id_column: str, prefix: str) -> pd.DataFrame:
    groups = cells[(indicator, "all")]
    parts = [(groups[g], groups[g].numerator) for g in GROUPS]
    people = _people(parts, prefix)
    group = np.array([c.group for c, n in parts for _ in range(n)], dtype=object)
    return pd.DataFrame({ROW: people[ROW], id_column: people["id"], "group": group})


def _recruitment(cells: dict) -> pd.DataFrame:
    """One row per shortlisted application of each group, the first `appointed` of them appointed."""
    groups = cells[(2, "all")]
    parts = [(groups[g], groups[g].denominator) for g in GROUPS]
    people = _people(parts, "counted")
    group = np.array([c.group for c, n in parts for _ in range(n)], dtype=object)
    appointed = np.array([k < c.numerator for c, n in parts for k in range(n)], dtype=bool)
    frame = pd.DataFrame({ROW: people[ROW], "application_id": people["id"], "group": group})
    frame["appointed"] = pd.Series(appointed, index=frame.index, dtype=bool)
    return frame


def _training(cells: dict, staff: pd.DataFrame) -> pd.DataFrame:
    """The first `trained` staff of each group, by their made-up staff ids."""
    groups = cells[(4, "all")]
    ids, rows = [], []
    for g in GROUPS:
        chosen = staff.loc[staff["group"] == g, "staff_id"].to_numpy(dtype=object)[: groups[g].numerator]
        ids.append(chosen)
        rows.append(np.full(len(chosen), groups[g].row, dtype=np.int64))
    return pd.DataFrame({ROW: np.concatenate(rows), "staff_id": np.concatenate(ids)})


def _board(cells: dict) -> pd.DataFrame:
    parts = []
    for breakdown in BOARD_CELLS:
        groups = cells.get((9, breakdown), {})
        parts += [(groups[g], groups[g].numerator) for g in GROUPS if g in groups]
    people = _people(parts, "counted")
    flags = [c.breakdown.split("/") for c, n in parts for _ in range(n)]
    group = np.array([c.group for c, n in parts for _ in range(n)], dtype=object)
    frame = pd.DataFrame({ROW: people[ROW], "member_id": people["id"], "group": group})
    frame["voting"] = pd.Series([v == "voting" for v, _ in flags], index=frame.index, dtype=bool)
    frame["executive"] = pd.Series([e == "executive" for _, e in flags], index=frame.index, dtype=bool)
    return frame


def tables_from_counts(counts: list[Count], cells: dict) -> dict[str, pd.DataFrame | None]:
    """The validated tables of the record-level files that the counts give (None where counts.csv has no rows
    of that file's indicator)."""
    given = {i for i, _ in cells}
    staff = _staff(cells) if 1 in given else None
    return {
        "staff": staff,
        "recruitment": _recruitment(cells) if 2 in given else None,
        "disciplinary": _events(cells, 3, "case_id", "counted") if 3 in given else None,
        "training": _training(cells, staff) if 4 in given and staff is not None else None,
        "board": _board(cells) if 9 in given else None,
    }


def read_counts(path: Path, shown: str, term_for_bme: str, problems: ProblemList) -> dict[str, pd.DataFrame | None]:
    """counts.csv validated (every problem added to `problems`) and turned into the tables it replaces."""
    none = dict.fromkeys(REPLACES)
    try:
        raw = read_table(path, shown, expected=COLUMNS)
    except InputError as exc:
        problems.extend(exc.problems)
        return none
    frame = raw.frame
    missing = [c for c in COLUMNS if c not in frame.columns]
    for name in missing:
        have = ", ".join(c for c in frame.columns if c != ROW) or "none"
        problems.add(shown, 1, name, None, f"the column '{name}' is missing (the header has: {have})")
    if missing:
        return none
    if frame.empty:
        problems.add(
            shown,
            None,
            None,
            None,
            "the file has a header but no rows: expected one row per indicator, breakdown and group",
        )
        return none
    before = len(problems)
    counts = _check_unique(_parse_rows(frame, shown, term_for_bme, problems), shown, problems)
    cells = _check_sums(counts, shown, problems)
    _check_against_headcount(cells, shown, problems)
    if len(problems) > before:
        return none
    return tables_from_counts(counts, cells)


def beside_records(record_files: dict[str, str], counts_shown: str, problems: ProblemList) -> None:
    """counts.csv replaces the record-level files: one problem for each of them that is there too."""
    for name, shown in record_files.items():
        problems.add(
            shown,
            None,
            None,
            None,
            f"{counts_shown} holds this year's counts, which replace the record-level {name} file: remove "
            f"{shown.replace(chr(92), '/').rsplit('/', 1)[-1]} (or remove counts.csv to use the records)",
        )
