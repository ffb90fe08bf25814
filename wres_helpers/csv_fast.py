"""The fast path of tables.read_table for a CSV: pyarrow reads the whole file at once, after every limit of
tables.py has been checked on its bytes with numpy.

It only ever answers for a file it reads exactly as the streaming reader would: one record per line, no blank
line, the header in row 1 with every expected column, unique non-empty names, every row as wide as the header,
UTF-8, every cell within MAX_CELL_CHARS. Otherwise it returns None and the streaming reader reads the file and
names the row, column and limit (so every error message stays as it was).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from . import tables


def read_csv_fast(path: Path, expected: Sequence[str]) -> pd.DataFrame | None:
    """The frame read_table would return (stripped strings, ROW), or None to use the streaming reader."""
    data = path.read_bytes()  # the size was checked with stat() by read_table
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04")):
        return None
    if data.startswith(tables._UTF8_BOM):
        data = data[len(tables._UTF8_BOM) :]
    if not data or data.isspace():  # (as `not data.strip()`, without copying the file)
        return None
    if b"\r" in data:  # a lone \r (Excel for Mac) ends a line for the streaming reader: let it split those
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
    if data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data:
        return None  # a blank line is a spreadsheet row of its own: the streaming reader counts it
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if _has_long_line(data, tables.MAX_LINE_BYTES):
        return None
    if lines - 1 > tables.MAX_ROWS:
        return None
    if b'"' in data and not _plain_quotes(data):
        return None  # a quote the strict reader might refuse, or a quoted cell running over lines
    first_end = data.find(b"\n")
    header_line = data[:first_end] if first_end >= 0 else data
    try:
        header = next(csv.reader([header_line.decode("utf-8").rstrip("\r\n")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    names = [tables.normalise_header(h) for h in header]
    if (
        len(names) > tables.MAX_COLUMNS
        or "" in names
        or len(set(names)) != len(names)
        or any(e not in names for e in expected)
        or (lines - 1) * len(names) > tables.MAX_CELLS
        or any(len(h) > tables.MAX_CELL_CHARS for h in header)
    ):
        return None
    if lines == 1:
        frame = pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
        frame[tables.ROW] = pd.Series([], dtype="int64")
        return frame
    table = _parse(data, _body_start(data, len(header_line)), names)
    if table is None or table.num_rows != lines - 1:
        return None
    return _to_frame(table, names)


def _has_long_line(data: bytes, limit: int) -> bool:
    """Is any line (the bytes between two line feeds) longer than `limit`? Each step jumps to the last line feed
    within reach of a line's start (bytes.rfind, in C), so the file is scanned once and nothing is allocated."""
    start = 0
    while len(data) - start > limit:
        end = data.rfind(b"\n", start, start + limit + 1)
        if end < 0:
            return True
        start = end + 1
    return False


def _body_start(data: bytes, header_bytes: int) -> int:
    """Where the rows begin: after the header line and its line end."""
    start = header_bytes
    while start < len(data) and data[start] in b"\r\n":
        start += 1
    return start


def _plain_quotes(data: bytes) -> bool:
    """Is every double quote one that opens a cell (after a comma or at the start of a line) or closes one
    (before a comma or the end of a line), with an even number of them on every line? Then each quoted cell
    opens and closes on its line, and pyarrow reads it as the streaming reader (strict csv) does. A doubled
    quote inside a cell ("") or one in mid-cell fails the test: such a file goes to the streaming reader
    (pyarrow would read 'ab"c' or '"ab"c' without the error the strict reader gives)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == 34)
    # The bytes either side of each quote; the file's start and end count as line ends (10).
    before = np.where(quotes > 0, raw[np.maximum(quotes - 1, 0)], 10)
    after = np.where(quotes + 1 < len(raw), raw[np.minimum(quotes + 1, len(raw) - 1)], 10)
    opens = (before == 44) | (before == 10)
    closes = (after == 44) | (after == 10) | (after == 13)
    if not (opens | closes).all():
        return False
    return _even_per_line(data, quotes)


_FEW_QUOTES = 10_000  # a quoted header or a few quoted cells: their lines are counted one quote at a time


def _even_per_line(data: bytes, quotes: np.ndarray) -> bool:
    """Is the number of quotes on every line even? With few quotes, the line feeds between one quote and the
    next are counted (bytes.count, in C); with many, every line end is found and the quotes before each."""
    if len(quotes) <= _FEW_QUOTES:
        per_line: dict[int, int] = {}
        line = previous = 0
        for at in quotes.tolist():
            line += data.count(b"\n", previous, at)
            previous = at
            per_line[line] = per_line.get(line, 0) + 1
        return all(n % 2 == 0 for n in per_line.values())
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    per_line = np.diff(np.concatenate(([0], np.searchsorted(quotes, ends), [len(quotes)])))
    return bool((per_line % 2 == 0).all())


def _parse(data: bytes, start: int, names: list[str]):
    """The rows of data[start:], every cell a string (the buffer is sliced, not copied)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    columns = [f"c{i}" for i in range(len(names))]
    try:
        return pacsv.read_csv(
            pa.py_buffer(data)[start:],
            read_options=pacsv.ReadOptions(column_names=columns, use_threads=True),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):  # a ragged row, bad UTF-8, ...: the streaming reader says which
        return None


def _to_frame(table, names: list[str]) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.compute as pc

    out = {}
    blank = None
    for name, column in zip(names, table.columns):
        if (pc.max(pc.utf8_length(column)).as_py() or 0) > tables.MAX_CELL_CHARS:
            return None  # the streaming reader names the cell
        stripped = pc.utf8_trim_whitespace(column)
        empty = pc.equal(stripped, "")
        blank = empty if blank is None else pc.and_(blank, empty)
        out[name] = stripped
    rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
    keep = ~np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)
    if not keep.all():  # a row of empty cells is skipped, as the streaming reader skips it
        mask = pa.array(keep)
        out = {n: pc.filter(c, mask) for n, c in out.items()}
        rows = rows[keep]
    frame = pa.table(list(out.values()), names=names).to_pandas()
    frame[tables.ROW] = rows
    return frame
