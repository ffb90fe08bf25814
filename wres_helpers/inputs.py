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

import numpy as np
import pandas as pd

from . import counts, staff_groups, vocab
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
            # clinical (Y/N), or ESR's own staff_group (staff_groups.py), or both when they agree.
            Column("clinical", "flag", False),
            Column("staff_group", "staff_group", False),
            Column("occupation", "text", False),
            Column("department", "text", False),
        ),
        ("staff_id",),
        True,
        "person in post at the snapshot",
    ),
    "recruitment": Schema(
        (
            Column("application_id", "id"),
            Column("ethnic_category", "ethnicity"),
            Column("appointed", "flag"),
            # With shortlisted, the file holds every application (indicator 2 is still from the shortlisted ones);
            # internal marks internal recruitment campaigns (indicator 2 split into internal and external).
            Column("shortlisted", "flag", False),
            Column("internal", "flag", False),
        ),
        ("application_id",),
        False,
        "application",
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
    if any(c.kind == "staff_group" for c in schema.columns) and not {"clinical", "staff_group"} & set(frame.columns):
        missing.append("clinical")
    for name in missing:
        have = ", ".join(c for c in frame.columns if c != ROW) or "none"
        instead = " or ESR's 'staff_group'" if name == "clinical" else ""
        problems.add(shown, 1, name, None, f"the column '{name}'{instead} is missing (the header has: {have})")
    if missing:
        return frame.iloc[0:0]
    if schema.needs_rows and frame.empty:
        problems.add(shown, None, None, None, f"the file has a header but no rows: expected one row per {schema.what}")
    out = pd.DataFrame({ROW: frame[ROW]})
    rows = frame[ROW].to_numpy()
    for col in schema.columns:
        if col.name not in frame.columns:
            continue
        # With both clinical and ESR's staff_group, one of the two may be blank in a row: the other says which.
        blank_ok = col.name in ("clinical", "staff_group") and {"clinical", "staff_group"} <= set(frame.columns)
        parsed = _check_column(col, frame[col.name], rows, shown, ctx, problems, blank_ok)
        if col.kind == "ethnicity":
            out["ethnic_category"] = as_objects(frame[col.name])
            out["group"] = parsed
        elif col.kind == "band":
            out["pay_band"] = parsed
            out["family"] = _per_value(
                parsed, lambda b: vocab.pay_bands()[b].family if isinstance(b, str) and b else None
            )
        elif col.kind == "flag" and not any(v is None for v in pd.unique(parsed)):
            # Typed even when empty: an empty object column used as a mask selects columns, not rows.
            out[col.name] = pd.Series(parsed, index=out.index, dtype=bool)
        else:
            out[col.name] = parsed
    if "staff_group" in out.columns:
        _clinical_from_staff_group(out, frame, shown, problems)
    if {"appointed", "shortlisted"} <= set(out.columns):
        _check_appointed_were_shortlisted(out, frame, shown, problems)
    _check_unique(out, frame, schema, shown, problems)
    return out


def _clinical_from_staff_group(out: pd.DataFrame, frame: pd.DataFrame, shown: str, problems: ProblemList) -> None:
    """`clinical` from ESR's staff group. With both columns, a blank clinical cell takes the staff group's, and
    a row where the two disagree is an error."""
    clinical = out.pop("staff_group").astype(object)
    if "clinical" in out.columns:
        given = out["clinical"].astype(object)
        clash = clinical.notna() & given.notna() & (clinical != given)
        for row, value, group, kind in zip(
            out.loc[clash, ROW], frame.loc[clash, "clinical"], frame.loc[clash, "staff_group"], clinical[clash]
        ):
            problems.add(
                shown,
                int(row),
                "clinical",
                value,
                f"the staff_group {group!r} is {'clinical' if kind else 'non-clinical'} staff (WRES technical "
                f"guidance), so clinical must be {'Y' if kind else 'N'}, or leave one of the two columns out",
            )
        neither = (frame["clinical"] == "") & (frame["staff_group"] == "")
        for row in out.loc[neither, ROW]:
            problems.add(shown, int(row), "clinical", "", "expected Y or N, or an ESR staff group in staff_group")
        clinical = given.where(given.notna(), clinical)
    if clinical.isna().any():
        out["clinical"] = clinical.to_numpy()
    else:  # typed, as a clinical column of Y and N is
        out["clinical"] = pd.Series(clinical.to_numpy(), index=out.index, dtype=bool)


def _check_appointed_were_shortlisted(out: pd.DataFrame, frame: pd.DataFrame, shown: str, problems: ProblemList):
    """Recruitment with a shortlisted column: an application appointed must have been shortlisted first."""
    appointed = out["appointed"].astype(object).to_numpy() == True  # noqa: E712 (None where unparsed)
    not_shortlisted = out["shortlisted"].astype(object).to_numpy() == False  # noqa: E712
    clash = appointed & not_shortlisted
    for row, value in zip(out.loc[clash, ROW], frame.loc[clash, "shortlisted"]):
        problems.add(
            shown,
            int(row),
            "shortlisted",
            value,
            "this application was appointed (appointed = Y), and only a shortlisted application can be appointed: "
            "expected shortlisted = Y, or appointed = N",
        )


def _per_value(values, fn) -> np.ndarray:
    """fn of every value, called once per distinct value (a national file repeats a few hundred values)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return np.array([fn(u) for u in uniques] + [None], dtype=object)[codes]


def as_objects(values: pd.Series) -> pd.Series:
    """values.astype(object), made from the distinct values: each becomes one Python string, shared by its
    rows (a national file repeats a few ethnic categories or pay bands millions of times)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return pd.Series(np.asarray(uniques, dtype=object)[codes], index=values.index, dtype=object)


def _check_column(
    col: Column, values: pd.Series, rows: np.ndarray, shown: str, ctx: Context, problems: ProblemList, blank_ok=False
):
    """The parsed column (an object array), every distinct value checked once by _check_cell and its problem,
    if any, reported for every row that holds it, in row order."""
    if col.kind == "text":
        return values.astype(object).to_numpy()
    if col.kind == "id":
        return _check_ids(col, values, rows, shown, problems)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    parsed, bad = [], {}
    for i, value in enumerate(uniques):
        found = ProblemList()
        parsed.append(None if blank_ok and value == "" else _check_cell(col, value, 0, shown, ctx, found))
        if found:
            bad[i] = found[0]
    if bad:
        for row, code in zip(rows[np.isin(codes, list(bad))], codes[np.isin(codes, list(bad))]):
            problems.add(shown, int(row), col.name, bad[code].value, bad[code].expected)
    out = np.empty(len(parsed), dtype=object)
    out[:] = parsed
    return out[codes]


def _check_ids(col: Column, values: pd.Series, rows: np.ndarray, shown: str, problems: ProblemList) -> np.ndarray:
    """Ids are mostly distinct, so they are cleaned in bulk: only an id with a character outside ASCII can hold
    an invisible or full-width character that clean_id removes (ASCII is unchanged by NFKC)."""
    plain = values.str.isascii().to_numpy(dtype=bool)
    if plain.all():  # nothing to clean: the ids stay strings as read, not a Python string each
        text = values.astype("str")
    else:
        text = values.astype(object).copy()
        text[~plain] = [clean_id(v) for v in text[~plain]]
    empty = (text == "").to_numpy(dtype=bool)
    for row in rows[empty]:
        problems.add(shown, int(row), col.name, "", "an id is required in every row")
    return text.array if plain.all() else text.to_numpy()


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
    if kind == "staff_group":
        clinical = staff_groups.is_clinical(value)
        if clinical is None:
            bad(f"not a known staff group: expected {staff_groups.expected()}")
        return clinical
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


def _all_different(key: pd.Series, usable: np.ndarray) -> bool:
    """Whether no two usable keys are the same, counted by pyarrow's hash table: the usual answer, found in a
    fifth of the time `duplicated` takes to mark each row (0.8 s for 1.5 million staff ids)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = key if usable.all() else key[usable]
    return len(pc.unique(pa.array(values))) == len(values)


def _check_unique(out: pd.DataFrame, frame: pd.DataFrame, schema: Schema, shown: str, problems: ProblemList) -> None:
    cols = list(schema.key)
    if any(c not in out.columns for c in cols):
        return
    ids = {c.name for c in schema.columns if c.kind == "id"}
    # A key part that failed to parse is None or NaN (and pandas 3's astype(str) keeps NaN): those rows are
    # left out. Ids are strings already; other parts are written as text cell by cell.
    texts = [out[c].astype("str") if c in ids else out[c].astype(object).map(_key_text).astype("str") for c in cols]
    keys = [fold(t) if c in ids else t for c, t in zip(cols, texts)]
    key = keys[0]
    for part in keys[1:]:
        key = key + " / " + part
    usable = (out[cols].notna().all(axis=1) & (key != "")).to_numpy()
    if _all_different(key, usable):
        return
    repeated = usable & key.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return
    shown_keys = texts[0].str.cat(texts[1:], sep=" / ") if len(cols) > 1 else texts[0]
    first: dict[str, tuple[int, str]] = {}
    for k, row, shown_key in zip(key[repeated], out.loc[repeated, ROW], shown_keys[repeated]):
        if k in first:
            first_row, first_shown = first[k]
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
            first[k] = (int(row), shown_key)


@dataclass
class YearInputs:
    """Validated input tables for one organisation and report year; a missing file is None."""

    org: OrgSettings
    settings: YearSettings
    tables: dict[str, pd.DataFrame | None]
    files: dict[str, Path] = field(default_factory=dict)
    # Where the tables came from: "records" (the record-level files), "counts" (a counts-only counts.csv,
    # counts.py) or "aggregate" (the members' records together, aggregate.py). Ids mean people only in records.
    source: str = "records"
    # Published reasons for an input that is absent for a reason other than "not supplied" (an aggregate's).
    why_missing: dict[str, str] = field(default_factory=dict)

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
    counts_path = ws.input_file(org, year, counts.NAME)  # counts-only input (counts.py) in place of records
    beside: dict[str, str] = {}
    for name in INPUT_NAMES:
        path = ws.input_file(org, year, name)
        if path is None or (counts_path is not None and name in counts.REPLACES):
            if path is not None:
                beside[name] = ws.display(path)
            tables[name] = None
            continue
        files[name] = path
        try:
            raw = read_table(path, ws.display(path), expected=SCHEMAS[name].required_names, vectorised=True)
        except InputError as exc:
            problems.extend(exc.problems)
            tables[name] = None
            continue
        tables[name] = validate(raw, SCHEMAS[name], ctx, problems)
    if counts_path is None:
        _check_training_refs(tables, ws, files, problems)
    else:
        shown = ws.display(counts_path)
        counts.beside_records(beside, shown, problems)
        counted = counts.read_counts(counts_path, shown, org_settings.term_for_bme, problems)
        tables.update(counted)
        files["counts"] = counts_path
        # Each table the counts give is named by the file it came from, so "was staff data supplied?" reads alike.
        files.update({name: counts_path for name, table in counted.items() if table is not None})
    problems.raise_if_any(f"the {year} inputs of {org} ({ws.display(ws.year_dir(org, year))})")
    return YearInputs(org_settings, settings, tables, files, "records" if counts_path is None else "counts")


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
    check_training_refs(training, staff, shown, problems)


def fold(ids: pd.Series) -> pd.Series:
    """id_key of every id, in bulk: for ASCII ids (nearly all) casefold is lower(), which pyarrow does in C."""
    text = ids.astype("str")
    if text.str.isascii().all():
        return text.str.lower()
    return text.astype(object).map(id_key).astype("str")


def check_training_refs(
    training: pd.DataFrame, staff: pd.DataFrame, shown: str, problems: ProblemList, scope: str | None = None
) -> None:
    """Every training staff_id must be in the staff file; each is then spelled as there ('s08' for 'S08'), so
    that the indicators match the two exactly. Compared as id_key does (casefold), in bulk. `scope`: a column
    both tables have (a national extract's organisation) within which ids are compared."""

    def keyed(frame: pd.DataFrame) -> pd.Series:
        keys = fold(frame["staff_id"])
        return keys if scope is None else frame[scope].astype("str") + "\x1f" + keys

    ids = training["staff_id"].to_numpy(dtype=object)
    found = _last_match(keyed(training), keyed(staff))
    unknown = (ids != "") & (found < 0)
    for sid, row in zip(ids[unknown], training.loc[unknown, ROW]):
        problems.add(shown, int(row), "staff_id", sid, "this staff_id is not in the staff file")
    if len(staff):
        spelled = staff["staff_id"].take(np.maximum(found, 0)).to_numpy(dtype=object)
        training["staff_id"] = np.where(found >= 0, spelled, ids)


def _last_match(keys: pd.Series, among: pd.Series) -> np.ndarray:
    """The position in `among` of the last string equal to each of `keys` (as a dict built row by row would
    keep), or -1. pyarrow's hash lookup, on the Arrow strings as they are: pandas' made a Python string of
    every id first."""
    import pyarrow as pa
    import pyarrow.compute as pc

    last_first = pc.take(pa.array(among, type=pa.large_string()), pa.array(np.arange(len(among) - 1, -1, -1)))
    at = pc.index_in(pa.array(keys, type=pa.large_string()), value_set=last_first)
    at = at.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.where(at >= 0, len(among) - 1 - at, -1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
