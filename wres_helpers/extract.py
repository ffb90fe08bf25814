"""A national ESR extract: every organisation's inputs in one set of files, each row tagged with its org_code.

    <extract>/organisations.csv       org_code, name, type, term_for_bme, board_name
    <extract>/<year>/<input>.csv      the inputs of a workspace year (staff, recruitment, ...), org_code first
    <extract>/<year>/settings.yaml    optional: the year's settings (staff_survey_year, ...) for every organisation

Each file is read and validated once, as a whole (the rules of inputs.py, with org_code + the file's key
unique), so an error names the extract file and its row; the tables are then split by org_code (groupby),
never written out per organisation, except by `split`, which writes a workspace of them.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import safe_yaml
from .errors import InputError, ProblemList, WresError
from .inputs import SCHEMAS, Column, Context, Schema, YearInputs, as_objects, check_training_refs, fold, validate
from .tables import ROW, read_table
from .workspace import INPUT_NAMES, MAX_SETTINGS_BYTES, ORG_TYPES, OrgSettings, YearSettings, parse_year_settings

ORG_COLUMNS = ("org_code", "name", "type", "term_for_bme", "board_name")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def slug(org_code: str) -> str:
    """The workspace folder of an organisation: its code in lower case ('RR8' -> 'rr8'), other characters '-'."""
    return re.sub(r"[^a-z0-9_-]+", "-", org_code.strip().lower()).strip("-")


@dataclass
class Extract:
    folder: Path
    year: int
    orgs: dict[str, OrgSettings]  # org_code (casefolded) -> settings, in organisations.csv order
    codes: dict[str, str]  # casefolded -> org_code as organisations.csv spells it
    settings: YearSettings
    raw: dict[str, pd.DataFrame]  # each file's stripped strings (org_code first, ROW), for split
    tables: dict[str, pd.DataFrame | None]  # each file validated, with an _org column (casefolded org_code)
    previous: dict[str, pd.DataFrame | None]  # last year's staff and disciplinary, when <year - 1>/ exists


def _shown(folder: Path, path: Path) -> str:
    return str(folder / path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def read_organisations(folder: Path) -> tuple[dict[str, OrgSettings], dict[str, str]]:
    path = folder / "organisations.csv"
    shown = _shown(folder, path)
    if not path.is_file():
        raise WresError(f"{folder} is not a national extract: it has no organisations.csv ({', '.join(ORG_COLUMNS)}).")
    frame = read_table(path, shown, expected=ORG_COLUMNS, vectorised=True).frame
    problems = ProblemList()
    missing = [c for c in ORG_COLUMNS if c not in frame.columns]
    for name in missing:
        have = ", ".join(c for c in frame.columns if c != ROW) or "none"
        problems.add(shown, 1, name, None, f"the column '{name}' is missing (the header has: {have})")
    problems.raise_if_any(f"the organisations of the extract {folder}")
    orgs: dict[str, OrgSettings] = {}
    codes: dict[str, str] = {}
    folders: dict[str, int] = {}
    for record in frame.astype(object).to_dict("records"):
        row, code = int(record[ROW]), record["org_code"]
        for key in ORG_COLUMNS:
            if not record[key]:
                problems.add(shown, row, key, "", f"the {key} is required in every row")
            elif any(ch in record[key] for ch in "<>{}"):
                problems.add(shown, row, key, record[key], "names are shown on every page: no <, >, { or }")
        if record["type"] and record["type"] not in ORG_TYPES:
            problems.add(shown, row, "type", record["type"], f"expected one of {', '.join(ORG_TYPES)}")
        name = slug(code)
        if code and not _SLUG.fullmatch(name):
            problems.add(shown, row, "org_code", code, "expected letters and digits, such as RR8 or 15F")
        elif code.casefold() in codes:
            problems.add(shown, row, "org_code", code, "this org_code is already in an earlier row")
        elif name in folders:
            problems.add(shown, row, "org_code", code, f"gives the same folder name as row {folders[name]}")
        folders.setdefault(name, row)
        key = code.casefold()
        codes.setdefault(key, code)
        orgs.setdefault(
            key, OrgSettings(name, record["name"], record["type"], record["term_for_bme"], record["board_name"])
        )
    if frame.empty:
        problems.add(shown, None, None, None, "the file has a header but no rows: expected one row per organisation")
    problems.raise_if_any(f"the organisations of the extract {folder}")
    return orgs, codes


def _year_settings(folder: Path, year: int) -> YearSettings:
    path = folder / str(year) / "settings.yaml"
    data = {}
    if path.is_file():
        data, _ = safe_yaml.load(path, _shown(folder, path), "settings", MAX_SETTINGS_BYTES)
        if not isinstance(data, dict):
            raise WresError(f"{path} must hold 'key: value' settings.")
    return parse_year_settings(data or {}, year, _shown(folder, path), "every organisation of the extract")


def _extract_schema(schema: Schema) -> Schema:
    """The file's schema with org_code first: the key is unique within an organisation, not nationally."""
    return Schema((Column("org_code", "id"), *schema.columns), ("org_code", *schema.key), False, schema.what)


def _read_year(
    folder: Path, year: int, codes: dict[str, str], orgs: dict[str, OrgSettings], names, problems: ProblemList
):
    raw: dict[str, pd.DataFrame] = {}
    tables: dict[str, pd.DataFrame | None] = {}
    ctx = Context((YearSettings(year, year - 1, {}).period_start, YearSettings(year, year - 1, {}).period_end))
    known = ", ".join(codes.values())
    for name in names:
        path = folder / str(year) / f"{name}.csv"
        if not path.is_file():
            tables[name] = None
            continue
        shown = _shown(folder, path)
        schema = _extract_schema(SCHEMAS[name])
        try:
            frame = read_table(path, shown, expected=schema.required_names, vectorised=True).frame
        except InputError as exc:
            problems.extend(exc.problems)
            tables[name] = None
            continue
        if "org_code" in frame.columns:
            org = fold(frame["org_code"])
            unknown = ~org.isin(codes.keys())
            for row, code in zip(frame.loc[unknown, ROW], frame.loc[unknown, "org_code"]):
                why = (
                    "an org_code is required in every row"
                    if code == ""
                    else "this org_code is not in organisations.csv"
                )
                problems.add(shown, int(row), "org_code", code, f"{why} (which has {len(codes)}: {known[:300]})")
        if name == "staff_survey" and "org_code" in frame.columns:
            # A survey group may be written in an organisation's own term for BME: checked as organisation by
            # organisation (the file has a few rows per organisation).
            table = _validate_by_term(frame, org, schema, ctx, orgs, shown, problems)
            if table is None:
                parts = []
                for key, part in frame.groupby(org, sort=False):
                    term = _term(orgs, key)
                    parts.append(validate_part(part, schema, Context(ctx.period, term), shown, problems))
                table = pd.concat(parts) if parts else validate_part(frame, schema, ctx, shown, problems)
        else:
            table = validate_part(frame, schema, ctx, shown, problems)
        if "org_code" in table.columns:
            table["_org"] = fold(table["org_code"]).array  # (Arrow strings, not a Python string per row)
        raw[name], tables[name] = frame, table
    staff, training = tables.get("staff"), tables.get("training")
    if training is not None and "staff_id" in training.columns:
        if staff is None or "staff_id" not in staff.columns:
            if "staff" not in raw:
                problems.add(
                    _shown(folder, folder / str(year) / "training.csv"),
                    None,
                    "staff_id",
                    None,
                    "training rows take their ethnicity from the staff file, and there is no staff file",
                )
        else:
            check_training_refs(
                training, staff, _shown(folder, folder / str(year) / "training.csv"), problems, scope="_org"
            )
    return raw, tables


def _term(orgs: dict[str, OrgSettings], key: str) -> str:
    return orgs[key].term_for_bme if key in orgs else "BME"


def _validate_by_term(
    frame: pd.DataFrame, org: pd.Series, schema: Schema, ctx: Context, orgs, shown: str, problems: ProblemList
) -> pd.DataFrame | None:
    """The table and problems that validating organisation by organisation gives, from one pass per term for
    BME (a validation of each of hundreds of small parts cost more than the rest of the file's checks). Each
    organisation's problems are its rows' problems of its term's pass, in that pass's order, listed organisation
    by organisation, as the organisation-by-organisation passes list them. None when a pass finds a problem of
    no organisation's row (a missing column, listed once per organisation) or more problems than a list holds:
    the caller then validates organisation by organisation."""
    keys = org.to_numpy(dtype=object)
    order = list(dict.fromkeys(keys.tolist()))  # as groupby(sort=False) orders the organisations
    terms = np.array([_term(orgs, key) for key in keys.tolist()], dtype=object)
    org_of_row = dict(zip(frame[ROW].tolist(), keys.tolist()))
    tables, found = [], []
    for term in dict.fromkeys(terms.tolist()):
        listed = ProblemList()
        tables.append(validate_part(frame[terms == term], schema, Context(ctx.period, term), shown, listed))
        if listed.omitted or any(p.row not in org_of_row for p in listed):
            return None
        found += listed
    by_org: dict[str, list] = {key: [] for key in order}
    for p in found:
        by_org[org_of_row[p.row]].append(p)
    for key in order:
        for p in by_org[key]:
            problems.add(p.file, p.row, p.column, p.value, p.expected)
    if not tables:
        return None
    table = pd.concat(tables)
    rank = {key: i for i, key in enumerate(order)}
    return table.iloc[np.argsort([rank[org_of_row[r]] for r in table[ROW].tolist()], kind="stable")]


def validate_part(frame: pd.DataFrame, schema: Schema, ctx: Context, shown: str, problems: ProblemList):
    from .tables import RawTable

    return validate(RawTable(shown, frame), schema, ctx, problems)


def load_extract(folder: str | Path, year: int | str) -> Extract:
    folder = Path(folder)
    if not re.fullmatch(r"(19|20)[0-9]{2}", str(year)):
        raise WresError(f"{year!r} is not a report year: expected four digits such as 2021.")
    year = int(year)
    if not (folder / str(year)).is_dir():
        raise WresError(f"The extract {folder} has no {year} folder ({folder / str(year)}).")
    orgs, codes = read_organisations(folder)
    settings = _year_settings(folder, year)
    problems = ProblemList()
    raw, tables = _read_year(folder, year, codes, orgs, INPUT_NAMES, problems)
    previous: dict[str, pd.DataFrame | None] = {}
    if (folder / str(year - 1)).is_dir():
        _, previous = _read_year(folder, year - 1, codes, orgs, ("staff", "disciplinary"), problems)
    problems.raise_if_any(f"the {year} files of the extract {folder}")
    return Extract(folder, year, orgs, codes, settings, raw, tables, previous)


def _by_org(table: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    if table is None:
        return {}
    # Plain numpy columns: each organisation's table is sliced dozens of times by the indicators, and slicing
    # a small Arrow-backed column costs far more than slicing a numpy one.
    columns = {c: _plain(table[c]) for c in table.columns if c not in ("org_code", "_org")}
    plain = pd.DataFrame(columns, index=table.index)
    return dict(tuple(plain.groupby(table["_org"], sort=False)))


def _plain(column: pd.Series) -> pd.Series:
    """An Arrow string column as an object one, its Python strings shared by the rows of each value (a string
    per row was most of the memory of the split); other columns as they are."""
    return as_objects(column) if isinstance(column.dtype, pd.StringDtype) else column


def org_inputs(extract: Extract):
    """(org_code, this year's inputs, last year's or None) of every organisation, in organisations.csv order.

    An organisation with no rows in a file has no data from that file, as if a workspace had no such file."""
    split = {name: _by_org(t) for name, t in extract.tables.items()}
    before = {name: _by_org(t) for name, t in extract.previous.items()}
    last = YearSettings(extract.year - 1, extract.year - 2, {})
    for key, org in extract.orgs.items():
        tables = {name: split[name].get(key) for name in INPUT_NAMES}
        current = YearInputs(org, extract.settings, tables)
        previous = None
        if before:
            previous = YearInputs(org, last, {name: before[name].get(key) for name in before})
        yield extract.codes[key], current, previous


def indicator_tables(folder: str | Path, year: int | str) -> pd.DataFrame:
    """Every organisation's indicator table, stacked, org_code first."""
    from .indicators import compute_rows, table_of

    extract = load_extract(folder, year)
    rows, codes = [], []
    for code, current, previous in org_inputs(extract):
        found = compute_rows(current, previous)
        rows += found
        codes += [code] * len(found)
    # One table of every organisation's rows: they share the year's settings (and so its declarations).
    table = table_of(rows, extract.settings)
    table.insert(0, "org_code", codes)
    return table


def split(folder: str | Path, year: int | str, workspace: str | Path) -> list[str]:
    """Write each organisation's files into <workspace>/params/<slug>/<year>/ (and org.yaml): a workspace that
    `indicators ORG YEAR --workspace` builds. The whole extract is validated first, so an error names the
    extract's file and row. Returns the organisation folders written."""
    import yaml

    extract = load_extract(folder, year)
    root = Path(workspace)
    params = root / "params"
    settings = Path(folder) / str(extract.year) / "settings.yaml"
    written = []
    for key, org in extract.orgs.items():
        target = params / org.slug / str(extract.year)
        target.mkdir(parents=True, exist_ok=True)
        fields = {"name": org.name, "type": org.type, "term_for_bme": org.term_for_bme, "board_name": org.board_name}
        (params / org.slug / "org.yaml").write_text(
            "# Written by `python -m wres_helpers split` from organisations.csv of a national extract\n"
            + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        if settings.is_file():
            (target / "settings.yaml").write_bytes(settings.read_bytes())
        written.append(org.slug)
    for name, frame in extract.raw.items():
        columns = [c for c in frame.columns if c not in ("org_code", ROW)]
        keys = pd.Series(fold(frame["org_code"]).to_numpy(dtype=object), index=frame.index)
        for key, part in frame[columns].groupby(keys, sort=False):
            org = extract.orgs[key]
            part.to_csv(params / org.slug / str(extract.year) / f"{name}.csv", index=False, lineterminator="\n")
    print(f"wrote {len(written)} organisations to {params}", file=sys.stderr)
    return written
