"""Reading one input file (CSV or XLSX) into strings, with spreadsheet row numbers kept for error messages.

Files are read as a stream and every size is capped, so that a hostile or broken file (one 2 GB line, a
zip bomb posing as a workbook, a stray quote that swallows the rest of the file) stops with a message
naming the file, the row and the limit instead of exhausting memory:

- MAX_FILE_BYTES (a CSV) and MAX_XLSX_BYTES (a workbook): checked with stat() before a byte is read.
- MAX_LINE_BYTES: a CSV is split into lines from bounded binary chunks, before decoding; a line longer
  than this is refused without reading the rest of it.
- MAX_CELL_CHARS: every cell of a CSV or XLSX, checked as each row is read.
- MAX_ROWS (a CSV), MAX_XLSX_ROWS (a sheet) and MAX_COLUMNS: checked as each row is read (every row, not only
  the header).
- MAX_CELLS: the cells kept in memory. A row keeps no more cells than the header has columns (cells beyond
  them are only checked to be empty), so a file of short cells cannot grow 25-fold in memory.
- MAX_XLSX_UNPACKED_BYTES: the declared uncompressed size of a workbook's parts, checked before openpyxl
  opens it (it reads the shared strings of a workbook into memory in full).

A CSV is first read by pyarrow (csv_fast.py), vectorised, once every limit has been checked on its bytes.
Anything that reader cannot read exactly as the streaming reader below would (a blank line, a quoted cell over
several lines, a ragged row, bad bytes, a misplaced header ...) goes to the streaming reader, which gives the
precise message: the fast path for good files, the exact diagnosis for bad ones.
"""

from __future__ import annotations

import csv
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

import pandas as pd

from .errors import InputError, Problem

ROW = "_row"  # column holding each record's spreadsheet row number (the header is row 1)

# -- limits ---------------------------------------------------------------------------------------------
# The largest NHS employers have about 50,000 staff and the biggest input (recruitment: one row per
# shortlisted application) a few hundred thousand rows of well under 200 bytes, so real inputs are a few
# tens of MB at most. The limits leave ample room above that while keeping a pandas frame of the file, and
# the Python strings behind it, within a few GB.
# A national ESR extract (one file for every organisation: 1.5 million staff, about 100 MB of staff.csv) is a
# CSV and never a workbook, so CSV has its own, larger limits: 5 million rows of at most 200 bytes is 1 GB.
MAX_FILE_BYTES = 1024 * 1024 * 1024  # 1 GB: one CSV file on disk (a 1.5-million-row staff file is ~110 MB)
MAX_XLSX_BYTES = 100 * 1024 * 1024  # 100 MB: one workbook on disk
MAX_XLSX_UNPACKED_BYTES = 500 * 1024 * 1024  # 500 MB: a workbook's parts once unzipped
MAX_ROWS = 5_000_000  # a CSV: 3 times the national staff file
MAX_XLSX_ROWS = 1_048_576  # Excel's own row limit: more rows could never have been opened in Excel
MAX_COLUMNS = 1_000  # inputs have 1 to 8 columns; extra columns are allowed, but not thousands
MAX_CELL_CHARS = 10_000  # a department, occupation or action is under 1,000 characters
MAX_LINE_BYTES = 1024 * 1024  # 1 MB: one physical CSV line (a full row is a few hundred bytes)
# Rows x columns kept in memory: 5 million rows of 8 columns. The fast reader holds them as Arrow strings
# (about 20 bytes a cell); the streaming reader, used only to diagnose a bad file, as Python strings.
MAX_CELLS = 40_000_000
HEADER_SEARCH_ROWS = 20  # rows searched for a misplaced header, to say where it is

_CHUNK = 64 * 1024
_EOL = re.compile(rb"\r\n?|\n")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    name: str  # what error messages call the file (path relative to the workspace)
    frame: pd.DataFrame  # every cell a stripped string; ROW holds the spreadsheet row


def normalise_header(text: str) -> str:
    """'Staff ID', 'staff-id' and ' STAFF_ID ' all become 'staff_id'."""
    return re.sub(r"[\s\-_]+", "_", str(text).strip().lstrip("\ufeff").lower()).strip("_")


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _fail(shown: str, row: int | None, column: str | None, value: str | None, expected: str):
    raise InputError([Problem(shown, row, column, value, expected)], shown)


def read_table(path: Path, shown: str, expected: Sequence[str] = (), vectorised: bool = False) -> RawTable:
    """The file as a table of stripped strings. `expected`: column names the header should have; when row 1
    lacks some of them and a later row has them all, the error says the header must be in row 1.
    `vectorised`: a CSV is read by pyarrow when it can be read exactly (cells are then pandas strings)."""
    size = path.stat().st_size
    xlsx = path.suffix.lower() == ".xlsx"
    limit = MAX_XLSX_BYTES if xlsx else MAX_FILE_BYTES
    if size > limit:
        _fail(
            shown,
            None,
            None,
            None,
            f"the file is {_size(size)}, more than the limit of {_size(limit)} "
            "for one input file: is this the right file?",
        )
    if vectorised and not xlsx:
        from .csv_fast import read_csv_fast

        frame = read_csv_fast(path, [normalise_header(e) for e in expected])
        if frame is not None:
            return RawTable(shown, frame)
    rows = _Rows(shown)
    if xlsx:
        merged = _read_xlsx(path, shown, rows)
    else:
        _read_csv(path, shown, rows)
        merged = []
    return RawTable(shown, _to_frame(rows.header or [], rows.records, shown, expected, merged, rows.ragged))


class _Rows:
    """The rows of a file as they are read, with the limits on columns and cells checked on every row."""

    def __init__(self, shown: str):
        self.shown = shown
        self.header: list[str] | None = None
        self.records: list[tuple[int, list[str]]] = []
        self.ragged: list[tuple[int, int]] = []  # (row, cells) of rows with more cells than the header
        self.cells = 0

    def add(self, row: int, cells: list[str]) -> None:
        if len(cells) > MAX_COLUMNS:
            _fail(
                self.shown,
                row,
                None,
                None,
                f"this row has {len(cells):,} cells, more than the limit of {MAX_COLUMNS:,} columns",
            )
        if self.header is None:
            self.header = cells
            return
        if not any(c.strip() for c in cells):
            return
        width = len(self.header)
        if len(cells) > width:
            if any(c.strip() for c in cells[width:]):
                self.ragged.append((row, len(cells)))
            if row > HEADER_SEARCH_ROWS:  # the first rows stay whole: a misplaced header is looked for there
                cells = cells[:width]
        self.cells += len(cells)
        if self.cells > MAX_CELLS:
            _fail(
                self.shown,
                row,
                None,
                None,
                f"the file has more than {MAX_CELLS:,} cells (rows times columns), the limit: is this the right file?",
            )
        self.records.append((row, cells))


def _to_frame(
    header: list[str],
    records: list[tuple[int, list[str]]],
    shown: str,
    expected: Sequence[str] = (),
    merged: Sequence[str] = (),
    ragged: Sequence[tuple[int, int]] = (),
) -> pd.DataFrame:
    names = [normalise_header(h) for h in header]
    _check_header_row(names, records, shown, [normalise_header(e) for e in expected])
    problems = []
    if len(names) > MAX_COLUMNS:
        _fail(shown, 1, None, None, f"the header has {len(names):,} columns, more than the limit of {MAX_COLUMNS:,}")
    for i, name in enumerate(names):
        if name == "":
            hint = ""
            spans = [m for m in merged if _merge_covers(m, i + 1)]
            if spans:
                hint = (
                    f" (cells {spans[0]} are merged: a merged header leaves the other columns without a name; "
                    "unmerge the cells and give each column its own name in row 1)"
                )
            problems.append(Problem(shown, 1, f"column {i + 1}", "", "every column needs a header name" + hint))
        elif names.index(name) != i:
            problems.append(Problem(shown, 1, name, header[i], "this column name appears twice"))
    for row, count in ragged:
        problems.append(
            Problem(shown, row, None, None, f"this row has {count} cells but the header has {len(names)} columns")
        )
    if problems:
        raise InputError(problems, shown)
    data = {
        name: [(cells[i].strip() if i < len(cells) else "") for _, cells in records] for i, name in enumerate(names)
    }
    frame = pd.DataFrame(data, dtype=object)
    frame[ROW] = [row for row, _ in records]
    return frame


def _check_header_row(names: list[str], records: list[tuple[int, list[str]]], shown: str, expected: list[str]) -> None:
    """Refuse title, note or blank rows above the header: the header must be in row 1."""
    header_blank = not any(names)
    if not header_blank and all(e in names for e in expected):
        return
    if expected:
        for row, cells in records:
            if row > HEADER_SEARCH_ROWS:
                break
            if all(e in {normalise_header(c) for c in cells} for e in expected):
                _fail(
                    shown,
                    1,
                    None,
                    None,
                    f"the header (the column names) must be in row 1, but row {row} has the column names: delete "
                    f"the {row - 1} row{'s' if row > 2 else ''} above it (titles, notes or blank rows)",
                )
    if header_blank:
        first = f": the first row with anything in it is row {records[0][0]}" if records else ""
        _fail(shown, 1, None, None, f"row 1 is empty, but the header (the column names) must be in row 1{first}")


# -- CSV ------------------------------------------------------------------------------------------------
class _LineTooLong(Exception):
    pass


class _BadBytes(Exception):
    def __init__(self, line: bytes, at: int):
        super().__init__()
        self.line, self.at = line, at


def _physical_lines(f: BinaryIO) -> Iterator[bytes]:
    """The lines of a binary stream, each with its ending (\\n, \\r\\n or a lone \\r, as Excel for Mac writes).

    Reads bounded chunks and never holds more than MAX_LINE_BYTES plus one chunk: a longer line raises
    _LineTooLong before the rest of it is read.
    """
    buf, pos, eof = b"", 0, False
    while True:
        m = _EOL.search(buf, pos)
        if m and not (m.group() == b"\r" and m.end() == len(buf) and not eof):  # a \r may be half of \r\n
            if m.start() - pos > MAX_LINE_BYTES:
                raise _LineTooLong()
            yield buf[pos : m.end()]
            pos = m.end()
            continue
        if len(buf) - pos > MAX_LINE_BYTES:
            raise _LineTooLong()
        if eof:
            if pos < len(buf):
                yield buf[pos:]
            return
        chunk = f.read(_CHUNK)
        buf, pos = buf[pos:] + chunk, 0
        eof = not chunk


def _decoded_lines(f: BinaryIO, first: list[bytes]) -> Iterator[str]:
    """UTF-8 lines (a leading byte-order mark dropped); `first` receives the raw header line."""
    for number, line in enumerate(_physical_lines(f)):
        if number == 0:
            line = line[len(_UTF8_BOM) :] if line.startswith(_UTF8_BOM) else line
            first.append(line)
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadBytes(line, exc.start) from None


@contextmanager
def _csv_field_limit(limit: int):
    """csv.field_size_limit is global to the process: set it for one read and put it back."""
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _read_csv(path: Path, shown: str, rows: _Rows) -> None:
    first: list[bytes] = []
    row = 0  # spreadsheet rows read so far: one per CSV record, blank lines included
    with open(path, "rb") as f:
        start = f.read(4)
        if start.startswith((b"\xff\xfe", b"\xfe\xff")):
            _fail(
                shown,
                None,
                None,
                None,
                "the file is UTF-16 text (Excel's 'Unicode Text'), not CSV: save it as "
                "'CSV UTF-8 (Comma delimited)' and run again",
            )
        if start.startswith(b"PK\x03\x04"):
            _fail(
                shown,
                None,
                None,
                None,
                "this is an Excel workbook (or another zip file) with a .csv name: "
                "give it the .xlsx extension, or save it as 'CSV UTF-8 (Comma delimited)'",
            )
        f.seek(0)
        # Cells longer than MAX_CELL_CHARS are refused below with their column; the csv module's own limit
        # only stops a quoted cell that runs on over many lines.
        with _csv_field_limit(MAX_LINE_BYTES):
            try:
                for cells in csv.reader(_decoded_lines(f, first), strict=True):
                    row += 1
                    if row > MAX_ROWS:
                        _fail(
                            shown,
                            row,
                            None,
                            None,
                            f"the file has more than {MAX_ROWS:,} rows, the limit for a CSV file: "
                            "is this the right file?",
                        )
                    for i, cell in enumerate(cells):
                        if len(cell) > MAX_CELL_CHARS:
                            _fail(
                                shown,
                                row,
                                _column_name(rows.header, i),
                                cell[:40],
                                f"this cell has {len(cell):,} characters, more than the limit of "
                                f"{MAX_CELL_CHARS:,} for one cell",
                            )
                    rows.add(row, cells)
            except _LineTooLong:
                _fail(
                    shown,
                    row + 1,
                    None,
                    None,
                    f"this row is longer than {_size(MAX_LINE_BYTES)} ({MAX_LINE_BYTES:,} bytes), the limit for "
                    "one row of a CSV file: is this a CSV file, with one record per line?",
                )
            except _BadBytes as exc:
                raise InputError(
                    [_encoding_problem(first[0] if first else exc.line, exc.line, exc.at, row + 1, shown)], shown
                ) from None
            except csv.Error as exc:
                message = str(exc)
                if "field larger than field limit" in message:
                    why = (
                        f"a cell is longer than the limit of {MAX_CELL_CHARS:,} characters: a quoted cell that "
                        'starts in this row runs on over many lines; check for a stray double quote (")'
                    )
                elif "unexpected end of data" in message:
                    why = (
                        'a quoted cell that starts in this row never ends: check for a stray double quote (") '
                        "in this row"
                    )
                else:
                    why = (
                        f"the quoting in this row cannot be read ({message}): a cell that starts with a double "
                        'quote (") must end with one, and a quote inside it must be doubled ("")'
                    )
                _fail(shown, row + 1, None, None, why)
    if rows.header is None or (not any(c.strip() for c in rows.header) and not rows.records):
        _fail(shown, None, None, None, "the file is empty: expected a header row and data rows")


def _column_name(header: list[str] | None, index: int) -> str:
    if header is not None and index < len(header) and normalise_header(header[index]):
        return normalise_header(header[index])
    return f"column {index + 1}"


def _encoding_problem(header: bytes, line: bytes, at: int, row: int, shown: str) -> Problem:
    text = line.decode("cp1252", errors="replace")
    field_index = line[:at].count(b",")
    names = next(csv.reader([header.decode("cp1252", errors="replace").rstrip("\r\n")]), [])
    column = normalise_header(names[field_index]) if field_index < len(names) else None
    cells = next(csv.reader([text.rstrip("\r\n")]), [""])
    value = cells[field_index] if field_index < len(cells) else None
    return Problem(
        shown,
        row,
        column,
        value,
        f"the file is not UTF-8 text (byte 0x{line[at]:02X}); it looks like Windows-1252, which Excel "
        "writes for 'CSV (Comma delimited)'. Save it as 'CSV UTF-8 (Comma delimited)' and run again",
    )


# -- XLSX -----------------------------------------------------------------------------------------------
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


def _check_unpacked_size(path: Path, shown: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        _fail(shown, None, None, None, f"could not be opened as an Excel workbook ({exc})")
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        _fail(
            shown,
            None,
            None,
            None,
            f"the workbook unpacks to {_size(unpacked)}, more than the limit of "
            f"{_size(MAX_XLSX_UNPACKED_BYTES)}: is this the right file?",
        )


def _read_xlsx(path: Path, shown: str, rows: _Rows) -> list[str]:
    from openpyxl import load_workbook

    _check_unpacked_size(path, shown)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or mislabelled file
        raise InputError(
            [Problem(shown, None, None, None, f"could not be opened as an Excel workbook ({exc})")], shown
        ) from None
    try:
        sheets = [
            ws
            for ws in book.worksheets
            if ws.max_row
            and any(
                any(v is not None for v in row)
                for row in ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True)
            )
        ]
        if not sheets:
            raise InputError(
                [Problem(shown, None, None, None, "the workbook is empty: expected a header row and data rows")], shown
            )
        if len(sheets) > 1:
            names = ", ".join(repr(ws.title) for ws in sheets)
            raise InputError(
                [
                    Problem(
                        shown,
                        None,
                        None,
                        None,
                        f"the workbook has several sheets with data ({names}): keep the data on one sheet",
                    )
                ],
                shown,
            )
        sheet = sheets[0]
        sheet.reset_dimensions()  # a hostile dimension (A1:XFD1048576) would pad every row to 16,384 cells
        for row, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if row > MAX_XLSX_ROWS:
                _fail(shown, row, None, None, f"the sheet has more than {MAX_XLSX_ROWS:,} rows, the limit")
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            for i, cell in enumerate(cells):
                if len(cell) > MAX_CELL_CHARS:
                    _fail(
                        shown,
                        row,
                        _column_name(rows.header, i),
                        cell[:40],
                        f"this cell has {len(cell):,} characters, "
                        f"more than the limit of {MAX_CELL_CHARS:,} for one cell",
                    )
            rows.add(row, cells)
        header = rows.header or []
        sheet_path = getattr(sheet, "_worksheet_path", None)
        merged = _merged_ranges(path, sheet_path) if sheet_path and "" in [h.strip() for h in header] else []
    finally:
        book.close()
    return merged


def _merged_ranges(path: Path, sheet_path: str) -> list[str]:
    """The merged cell ranges of a sheet ('A1:B1'), read from its XML as a stream (only on an error path)."""
    import xml.etree.ElementTree as ET

    found = []
    try:
        with zipfile.ZipFile(path) as archive, archive.open(sheet_path) as src:
            for _, element in ET.iterparse(src):
                if element.tag.endswith("}mergeCell") and element.get("ref"):
                    found.append(element.get("ref"))
                element.clear()
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError):
        return []
    return found


def _merge_covers(ref: str, column: int) -> bool:
    """Does the merged range 'A1:C1' (which starts in row 1) cover `column` (1-based) of row 1?"""
    m = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", ref)
    if not m or int(m.group(2)) != 1:
        return False

    def number(letters: str) -> int:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        return n

    return number(m.group(1)) <= column <= number(m.group(3))
