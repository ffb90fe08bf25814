"""Reading one input file (CSV or XLSX) into strings, with spreadsheet row numbers kept for error messages."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .errors import InputError, Problem

ROW = "_row"    # column holding each record's spreadsheet row number (the header is row 1)


@dataclass
class RawTable:
    name: str            # what error messages call the file (path relative to the workspace)
    frame: pd.DataFrame  # every cell a stripped string; ROW holds the spreadsheet row


def normalise_header(text: str) -> str:
    """'Staff ID', 'staff-id' and ' STAFF_ID ' all become 'staff_id'."""
    return re.sub(r"[\s\-_]+", "_", str(text).strip().lstrip("\ufeff").lower()).strip("_")


def read_table(path: Path, shown: str) -> RawTable:
    if path.suffix.lower() == ".xlsx":
        header, records = _read_xlsx(path, shown)
    else:
        header, records = _read_csv(path, shown)
    return RawTable(shown, _to_frame(header, records, shown))


def _to_frame(header: list[str], records: list[tuple[int, list[str]]], shown: str) -> pd.DataFrame:
    problems = []
    names = [normalise_header(h) for h in header]
    for i, name in enumerate(names):
        if name == "":
            problems.append(Problem(shown, 1, f"column {i + 1}", "", "every column needs a header name"))
        elif names.index(name) != i:
            problems.append(Problem(shown, 1, name, header[i], "this column name appears twice"))
    for row, cells in records:
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
            problems.append(Problem(shown, row, None, None,
                                    f"this row has {len(cells)} cells but the header has {len(names)} columns"))
    if problems:
        raise InputError(problems, shown)
    data = {name: [(cells[i].strip() if i < len(cells) else "") for _, cells in records]
            for i, name in enumerate(names)}
    frame = pd.DataFrame(data, dtype=object)
    frame[ROW] = [row for row, _ in records]
    return frame


def _read_csv(path: Path, shown: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    raw = path.read_bytes()
    if raw.strip(b"\xef\xbb\xbf \t\r\n") == b"":
        raise InputError([Problem(shown, None, None, None, "the file is empty: expected a header row and data rows")], shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([_encoding_problem(raw, exc.start, shown)], shown) from None
    rows = list(csv.reader(text.splitlines(keepends=True)))
    header = rows[0]
    # Spreadsheet row = record number; blank lines keep their number so rows match what Excel shows.
    records = [(i + 1, cells) for i, cells in enumerate(rows) if i > 0 and any(c.strip() for c in cells)]
    return header, records


def _encoding_problem(raw: bytes, at: int, shown: str) -> Problem:
    line_start = raw.rfind(b"\n", 0, at) + 1
    line_end = raw.find(b"\n", at)
    line = raw[line_start: line_end if line_end >= 0 else len(raw)].decode("cp1252", errors="replace")
    header = raw.split(b"\n", 1)[0].decode("cp1252", errors="replace").lstrip("\ufeff")
    field_index = raw[line_start:at].count(b",")
    names = next(csv.reader([header]))
    column = normalise_header(names[field_index]) if field_index < len(names) else None
    cells = next(csv.reader([line.rstrip("\r")]), [""])
    value = cells[field_index] if field_index < len(cells) else None
    return Problem(shown, raw[:at].count(b"\n") + 1, column, value,
                   f"the file is not UTF-8 text (byte 0x{raw[at]:02X}); it looks like Windows-1252, which Excel "
                   "writes for 'CSV (Comma delimited)'. Save it as 'CSV UTF-8 (Comma delimited)' and run again")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, shown: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or mislabelled file
        raise InputError([Problem(shown, None, None, None, f"could not be opened as an Excel workbook ({exc})")], shown) from None
    try:
        sheets = [ws for ws in book.worksheets if ws.max_row and any(
            any(v is not None for v in row) for row in ws.iter_rows(min_row=1, max_row=1, values_only=True))]
        if not sheets:
            raise InputError([Problem(shown, None, None, None, "the workbook is empty: expected a header row and data rows")], shown)
        if len(sheets) > 1:
            names = ", ".join(repr(ws.title) for ws in sheets)
            raise InputError([Problem(shown, None, None, None,
                                      f"the workbook has several sheets with data ({names}): keep the data on one sheet")], shown)
        rows = [[_cell_text(v) for v in row] for row in sheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    header = rows[0]
    while header and header[-1] == "":
        header = header[:-1]
    records = [(i + 1, cells) for i, cells in enumerate(rows) if i > 0 and any(c.strip() for c in cells)]
    return header, records
