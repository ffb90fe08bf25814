"""The six input files: their columns, the values each column accepts, and validation into clean tables.

Every problem found in any file of a report year is collected, then all are raised together.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from . import vocab
from .errors import InputError, ProblemList
from .tables import ROW, RawTable, read_table
from .workspace import INPUT_NAMES, OrgSettings, Workspace, YearSettings


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id, ethnicity, band, flag, date, count, percent, year, indicator, group, text
    required: bool = True


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # must be unique across rows
    needs_rows: bool = False  # a header with no rows is an error (for staff and board, not for case logs)
    what: str = ""  # one row per ...

    @property
    def required_names(self) -> tuple[str, ...]:
        """The columns the header must have (tables.read_table uses them to find a header below row 1)."""
        return tuple(c.name for c in self.columns if c.required)


SCHEMAS: dict[str, Schema] = {
    "staff": Schema(
        (
            Column("staff_id", "id"),
            Column("ethnic_category", "ethnicity"),
            Column("pay_band", "band"),
            Column("clinical", "flag"),
            Column("occupation", "text", False),
            Column("department", "text", False),
        ),
        ("staff_id",),
        True,
        "person in post at the snapshot",
    ),
    "recruitment": Schema(
        (Column("application_id", "id"), Column("ethnic_category", "ethnicity"), Column("appointed", "flag")),
        ("application_id",),
        False,
        "shortlisted application",
    ),
    "disciplinary": Schema(
        (Column("case_id", "id"), Column("ethnic_category", "ethnicity"), Column("date_entered", "date")),
        ("case_id",),
        False,
        "person entering a formal disciplinary investigation",
    ),
    "training": Schema(
        (Column("staff_id", "id"),), ("staff_id",), False, "staff member who accessed non-mandatory training or CPD"
    ),
    "board": Schema(
        (
            Column("member_id", "id"),
            Column("ethnic_category", "ethnicity"),
            Column("voting", "flag"),
            Column("executive", "flag"),
        ),
        ("member_id",),
        True,
        "board member at the snapshot",
    ),
    "staff_survey": Schema(
        (
            Column("survey_year", "year"),
            Column("indicator", "indicator"),
            Column("group", "group"),
            Column("respondents", "count"),
            Column("percent", "percent"),
        ),
        ("survey_year", "indicator", "group"),
        False,
        "published staff survey result",
    ),
}

_FLAGS = {"y": True, "yes": True, "n": False, "no": False}
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def clean_id(value: str) -> str:
    """An id as the organisation means it: invisible characters pasted in with it (zero-width space, soft
    hyphen, direction marks: Unicode's format characters) dropped, and full-width or other compatibility
    forms of letters and digits made plain (NFKC)."""
    visible = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", visible).strip()


def id_key(value: str) -> str:
    """What two ids are compared by: 'B08' and 'b08' are the same person."""
    return value.casefold()


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").rstrip("%").strip())
    except ValueError:
        return None


@dataclass
class Context:
    """What validation needs to know beyond the file itself."""

    period: tuple[date, date]
    term_for_bme: str = "BME"


def validate(raw: RawTable, schema: Schema, ctx: Context, problems: ProblemList) -> pd.DataFrame:
    """Check every cell; return a clean table (typed columns plus ROW) even when problems were found."""
    frame, shown = raw.frame, raw.name
    missing = [c.name for c in schema.columns if c.required and c.name not in frame.columns]
    for name in missing:
        have = ", ".join(c for c in frame.columns if c != ROW) or "none"
        problems.add(shown, 1, name, None, f"the column '{name}' is missing (the header has: {have})")
    if missing:
        return frame.iloc[0:0]
    if schema.needs_rows and frame.empty:
        problems.add(shown, None, None, None, f"the file has a header but no rows: expected one row per {schema.what}")
    out = pd.DataFrame({ROW: frame[ROW]})
    for col in schema.columns:
        if col.name not in frame.columns:
            continue
        parsed = [_check_cell(col, value, row, shown, ctx, problems) for value, row in zip(frame[col.name], frame[ROW])]
        if col.kind == "ethnicity":
            out["ethnic_category"] = list(frame[col.name])
            out["group"] = parsed
        elif col.kind == "band":
            out["pay_band"] = parsed
            out["family"] = [vocab.pay_bands()[b].family if b else None for b in parsed]
        elif col.kind == "flag" and None not in parsed:
            # Typed even when empty: an empty object column used as a mask selects columns, not rows.
            out[col.name] = pd.Series(parsed, index=out.index, dtype=bool)
        else:
            out[col.name] = parsed
    _check_unique(out, frame, schema, shown, problems)
    return out


def _check_cell(col: Column, value: str, row: int, shown: str, ctx: Context, problems: ProblemList):
    kind = col.kind

    def bad(expected: str):
        problems.add(shown, row, col.name, value, expected)

    if kind == "text":
        return value
    if kind == "id":
        value = clean_id(value)
        if value == "":
            bad("an id is required in every row")
        return value
    if kind == "ethnicity":
        group = vocab.ethnic_group(value)
        if group is None:
            bad(f"not a known ethnic category: expected {vocab.ETHNICITY_EXPECTED}")
        return group
    if kind == "band":
        band = vocab.pay_band(value)
        if band is None:
            bad(f"not a known pay band: expected {vocab.PAY_BAND_EXPECTED}")
        return band
    if kind == "flag":
        flag = _FLAGS.get(value.lower())
        if flag is None:
            bad("expected Y or N")
        return flag
    if kind == "date":
        day = parse_date(value)
        start, end = ctx.period
        if day is None:
            bad("expected a date such as 2021-03-31 or 31/03/2021")
        elif not start <= day <= end:
            bad(f"the date is outside the reporting period {start:%d %B %Y} to {end:%d %B %Y}")
            return None
        return day
    if kind == "year":
        if not re.fullmatch(r"(19|20)[0-9]{2}", value):
            bad("expected a four-digit year such as 2020")
            return None
        return int(value)
    if kind == "indicator":
        if value not in {"5", "6", "7", "8"}:
            bad("expected a staff survey indicator number: 5, 6, 7 or 8")
            return None
        return int(value)
    if kind == "group":
        group = vocab.parse_group(value, ctx.term_for_bme)
        if group is None:
            bad(f"expected 'white' or 'bme' (or '{ctx.term_for_bme}')")
        return group
    number = _number(value)
    if kind == "count":
        if number is None or not number.is_integer() or number < 0:
            bad("expected a whole number of 0 or more")
            return None
        return int(number)
    if kind == "percent":
        if number is None or not 0 <= number <= 100:
            bad("expected a percentage from 0 to 100")
            return None
        return number
    raise AssertionError(f"unknown column kind {kind}")


def _key_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_unique(out: pd.DataFrame, frame: pd.DataFrame, schema: Schema, shown: str, problems: ProblemList) -> None:
    cols = list(schema.key)
    if any(c not in out.columns for c in cols):
        return
    # Built cell by cell: a key part that failed to parse is None or NaN (and pandas 3's astype(str) keeps NaN).
    parts = out[cols].astype(object).map(_key_text)
    for col in schema.columns:
        if col.kind == "id" and col.name in cols:
            parts[col.name] = parts[col.name].map(id_key)
    keys = parts.agg(" / ".join, axis=1) if len(cols) > 1 else parts[cols[0]]
    keys = keys[out[cols].notna().all(axis=1) & (keys != "")]
    first: dict[str, tuple[int, str]] = {}
    for key, row, shown_key in zip(
        keys, out.loc[keys.index, ROW], out.loc[keys.index, cols].astype(object).map(_key_text).agg(" / ".join, axis=1)
    ):
        if key in first:
            first_row, first_shown = first[key]
            alike = (
                ""
                if first_shown == shown_key
                else (f" as {first_shown!r}: ids that differ only in capital letters are the same person")
            )
            problems.add(
                shown,
                int(row),
                " + ".join(cols),
                shown_key,
                f"duplicate: the same {' + '.join(cols)} is already in row {first_row}{alike} "
                f"(expected one row per {schema.what})",
            )
        else:
            first[key] = (int(row), shown_key)


@dataclass
class YearInputs:
    """Validated input tables for one organisation and report year; a missing file is None."""

    org: OrgSettings
    settings: YearSettings
    tables: dict[str, pd.DataFrame | None]
    files: dict[str, Path] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def load_year(ws: Workspace, org: str, year: int, *, optional: bool = False) -> YearInputs | None:
    """Read and validate every input file of one report year. With optional=True a missing year gives None."""
    year = int(year)
    if optional and not ws.year_dir(org, year, must_exist=False).is_dir():
        return None
    org_settings = ws.org_settings(org)
    settings = ws.year_settings(org, year)
    ctx = Context((settings.period_start, settings.period_end), org_settings.term_for_bme)
    problems = ProblemList()
    tables: dict[str, pd.DataFrame | None] = {}
    files: dict[str, Path] = {}
    for name in INPUT_NAMES:
        path = ws.input_file(org, year, name)
        if path is None:
            tables[name] = None
            continue
        files[name] = path
        try:
            raw = read_table(path, ws.display(path), expected=SCHEMAS[name].required_names)
        except InputError as exc:
            problems.extend(exc.problems)
            tables[name] = None
            continue
        tables[name] = validate(raw, SCHEMAS[name], ctx, problems)
    _check_training_refs(tables, ws, files, problems)
    problems.raise_if_any(f"the {year} inputs of {org} ({ws.display(ws.year_dir(org, year))})")
    return YearInputs(org_settings, settings, tables, files)


def _check_training_refs(tables, ws: Workspace, files, problems: ProblemList) -> None:
    training, staff = tables.get("training"), tables.get("staff")
    if training is None or "staff_id" not in training.columns:
        return
    shown = ws.display(files["training"])
    if staff is None or "staff_id" not in staff.columns:
        if "staff" not in files:
            problems.add(
                shown,
                None,
                "staff_id",
                None,
                "training rows take their ethnicity from the staff file, and there is no staff file",
            )
        return
    known = {id_key(sid): sid for sid in staff["staff_id"]}
    for sid, row in zip(training["staff_id"], training[ROW]):
        if sid and id_key(sid) not in known:
            problems.add(shown, int(row), "staff_id", sid, "this staff_id is not in the staff file")
    # Spelled as in the staff file ('s08' for 'S08'), so that the indicators match the two exactly.
    training["staff_id"] = [known.get(id_key(sid), sid) for sid in training["staff_id"]]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
