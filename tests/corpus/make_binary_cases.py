"""Write the corpus cases that are not plain UTF-8 text: workbooks, Windows-1252, UTF-16, BOM and line endings.

The files are committed (so a person can open them); run this again only to change them:

    .venv/bin/python tests/corpus/make_binary_cases.py
"""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = ["staff_id", "ethnic_category", "pay_band", "clinical"]
ROWS = [["s1", "A", "Band 5", "N"], ["s2", "A", "Band 6", "Y"], ["s3", "N", "Band 5", "N"], ["s4", "N", "Band 7", "Y"]]
GOOD_CSV = "\n".join(",".join(r) for r in [HEADER] + ROWS) + "\n"


def workbook(*sheets: list[list], merged: dict[int, list[str]] | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for i, rows in enumerate(sheets):
        sheet = book.create_sheet(f"Sheet{i + 1}")
        for row in rows:
            sheet.append(row)
        for ref in (merged or {}).get(i, []):
            sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cases() -> dict[str, dict[str, bytes]]:
    cp1252 = ("staff_id,ethnic_category,pay_band,clinical,department\ns1,A,Band 5,N,Finance\n"
              "s2,A,Band 5,N,Caf\u00e9 \u2013 Estates\n").encode("cp1252")
    return {
        "staff-windows-1252-encoding": {"staff.csv": cp1252},
        "staff-utf16-unicode-text": {"staff.csv": GOOD_CSV.replace(",", "\t").encode("utf-16")},
        "staff-xlsx-renamed-to-csv": {"staff.csv": workbook([HEADER] + ROWS)},
        "staff-csv-and-xlsx-both-present": {"staff.csv": GOOD_CSV.encode(), "staff.xlsx": workbook([HEADER] + ROWS)},
        # 'staff_id' typed into A1:B1 merged: column 2 (ethnic_category) has no name.
        "staff-xlsx-merged-header-cells": {"staff.xlsx": workbook(
            [["staff_id", None, "pay_band", "clinical"], ["s1", "A", "Band 5", "N"]], merged={0: ["A1:B1"]})},
        "staff-xlsx-several-sheets": {"staff.xlsx": workbook([HEADER] + ROWS, [["notes"], ["checked by HR"]])},
        # A merged title across A1:D1 and a blank row above the header in row 3.
        "staff-xlsx-title-rows-above-header": {"staff.xlsx": workbook(
            [["Staff in post at 31 March 2021"], [], HEADER] + ROWS, merged={0: ["A1:D1"]})},
        "staff-xlsx-cell-over-10000-characters": {"staff.xlsx": workbook(
            [HEADER + ["department"], ["s1", "A", "Band 5", "N", "x" * 12_000]])},
        "narrative-not-utf8": {"staff.csv": GOOD_CSV.encode(),
                               "narrative/summary.md": "Our caf\u00e9 \u2013 open to all.\n".encode("cp1252")},
        "accepted-bom-crlf-mixed-case-flags": {"staff.csv": (
            "\ufeffStaff ID,Ethnic Category,PAY BAND,Clinical\r\ns1,A,Band 5,y\r\ns2,N,Band 5,Yes\r\n"
            "s3,A,Band 6,NO\r\ns4,N,Band 6,n\r\n").encode("utf-8")},
        "accepted-mac-cr-line-endings": {"staff.csv": GOOD_CSV.replace("\n", "\r").encode()},
    }


def main() -> None:
    for case, files in cases().items():
        for name, content in files.items():
            path = HERE / case / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            print(f"wrote {path.relative_to(HERE)}")


if __name__ == "__main__":
    main()
