"""The analyst's workbook: one XLSX per report, with the published figures laid out for copying.

Sheets: Contents; one per indicator ("Indicator 1" to "Indicator 9"), its rows and columns as NHS England's
WRES data collection asks for them (counts by White, the organisation's term for the BME group and Unknown,
then rates and the relative likelihood); Notes (definitions, the small-number rule, sources, the code version
and the input files' fingerprints, as on the methodology page).

- Numbers are the published figures rounded as the pages print them (judgements.printed), stored as numbers.
- A figure that is not published reads as the page does: the organisation's withheld wording, "not
  computable", "no data" ...; the withheld ones are shaded too.
- Text is inert: every text cell is stored as text (never a formula, whatever it starts with) and one that
  starts like a formula also gets Excel's quote prefix, so that editing the cell keeps it text.
- The unrounded table, without disclosure control, stays with the command line (`wres_helpers indicators`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from . import judgements as j
from . import present as p
from .report_data import ReportData
from .safe_text import FORMULA_START

FORMATS = {"count": "#,##0", "pct": "0.0", "ratio": "0.00", "pp": "+0.0;-0.0;0.0"}
WITHHELD_FILL = PatternFill("solid", fgColor="E8EDEE")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
GROUPS = ("white", "bme", "unknown")
HEADER_ROW = 4


def workbook_name(org: str, year: int) -> str:
    return f"{org}-wres-{int(year)}.xlsx"


# -- cells ------------------------------------------------------------------------------------------------
def put(sheet, row: int, column: int, value, number_format: str | None = None, *, withheld: bool = False):
    """Write one cell. Text is stored as text, never a formula; numbers keep their format."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        cell.data_type = "s"
        if text.lstrip(" ")[:1] in FORMULA_START:
            cell.quotePrefix = True
    else:
        cell.value = value
        if number_format and value is not None:
            cell.number_format = number_format
    if withheld:
        cell.fill = WITHHELD_FILL
    return cell


def _figure(row, field: str = "value", unit: str | None = None):
    """(value, number format, withheld?) of a row's figure as printed, or its state in words."""
    if row is None:
        return "no data", None, False
    if field != "value":
        if row["status"] in ("ok", "not_computable") and not pd.isna(row[field]):
            return int(row[field]), FORMATS["count"], False
        return p.state_text(row).lower() if row["status"] != "ok" else "–", None, row["status"] == "withheld"
    if not p.ok(row):
        return p.state_text(row).lower(), None, row["status"] == "withheld"
    unit = unit or j.unit_of(row)
    if unit == "count":
        return int(row["value"]), FORMATS["count"], False
    return j.printed(row["value"], unit), FORMATS[unit], False


def _row(sheet, number: int, cells: list) -> None:
    for column, item in enumerate(cells, 1):
        if isinstance(item, tuple):
            value, fmt, withheld = item
            put(sheet, number, column, value, fmt, withheld=withheld)
        elif item is not None:
            put(sheet, number, column, item)


def _start(book: Workbook, r: ReportData, indicator: int, headers: list[str]):
    sheet = book.create_sheet(f"Indicator {indicator}")
    put(sheet, 1, 1, p.title(indicator)).font = TITLE
    put(sheet, 2, 1, f"{r.org.name}, WRES {r.year}")
    for column, header in enumerate(headers, 1):
        cell = put(sheet, HEADER_ROW, column, header)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2)
    sheet.column_dimensions["A"].width = 34
    for column in range(2, len(headers) + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 16
    return sheet


def _groups(r: ReportData) -> list[str]:
    return [p.capital(p.group_label(r, g)) for g in GROUPS]


# -- one sheet per indicator ------------------------------------------------------------------------------
def _indicator_1(book, r: ReportData):
    t = r.table[(r.table.indicator == 1) & (r.table.measure == "headcount")]
    names = _groups(r)
    sheet = _start(book, r, 1, ["Staff group and pay band", *names, "Total headcount", *[f"{n} %" for n in names]])
    line = HEADER_ROW
    from .indicators import CATEGORY_BREAKDOWN, FREE_TEXT_COLUMNS
    from .vocab import CATEGORY_ORDER, category_group, category_label

    for breakdown in t.breakdown.unique():
        if breakdown == CATEGORY_BREAKDOWN or breakdown in FREE_TEXT_COLUMNS:
            continue  # by ethnic category below; a free-text column the staff file does not have
        line += 1
        _row(
            sheet,
            line,
            ["All staff" if breakdown == "all" else p.capital(str(breakdown))]
            + [_figure(r.row(1, "headcount", breakdown, g)) for g in (*GROUPS, "total")]
            + [_figure(r.row(1, "share_pct", breakdown, g)) for g in GROUPS],
        )
    # Beneath the headline: each census category's count and share, in the column of the group it counts under.
    for code in CATEGORY_ORDER:
        number = r.row(1, "headcount", CATEGORY_BREAKDOWN, code)
        if number is None:
            continue
        line += 1
        group = category_group(code)
        share = r.row(1, "share_pct", CATEGORY_BREAKDOWN, code)
        _row(
            sheet,
            line,
            [f"Ethnic category: {category_label(code)}"]
            + [_figure(number) if g == group else None for g in GROUPS]
            + [None]
            + [_figure(share) if g == group else None for g in GROUPS],
        )
    return sheet, line


def _rates(book, r: ReportData, indicator: int, events: str, people: str, shares=()):
    names = dict(zip(GROUPS, _groups(r)))
    sheet = _start(book, r, indicator, ["Period and group", people, events, "Rate %", *[h for _, h in shares]])
    pooled = r.row(indicator, "years_pooled", "all", "all")
    periods = [("all", str(r.year))]
    if p.ok(pooled) and pooled["value"] == 2:
        periods = [("all", f"{r.year - 1} and {r.year} together"), ("report_year", f"{r.year} alone")]
    if indicator == 2:  # beneath the headline, where the recruitment data has them
        periods += [(b, label) for b, label in INDICATOR_2_BENEATH if r.row(2, "rate_pct", b, "white") is not None]
    key, top, bottom = p.RL_WORDS[indicator][:3]
    line = HEADER_ROW
    for breakdown, label in periods:
        for group in GROUPS:
            row = r.row(indicator, "rate_pct", breakdown, group)
            if row is None and breakdown != "all":
                continue
            line += 1
            _row(
                sheet,
                line,
                [f"{label}: {names[group]}", _figure(row, "denominator"), _figure(row, "numerator"), _figure(row)]
                + [_figure(r.row(indicator, m, breakdown, group)) if breakdown == "all" else None for m, _ in shares],
            )
        line += 1
        _row(
            sheet,
            line,
            [
                f"{label}: relative likelihood ({names[top]} to {names[bottom]})",
                None,
                None,
                _figure(r.row(indicator, "relative_likelihood", breakdown, key)),
            ],
        )
    return sheet, line


# Indicator 2's rows beneath the headline (present.funnel_section and campaign_section): a funnel stage's
# people are applications, not shortlisted applicants, and the label says so.
INDICATOR_2_BENEATH = (
    ("shortlisted_from_applied", "Shortlisted from application (of applications)"),
    ("appointed_from_applied", "Appointed from application (of applications)"),
    ("internal", "Internal recruitment"),
    ("external", "External recruitment"),
)


def _survey(book, r: ReportData, indicator: int):
    names = _groups(r)
    sheet = _start(
        book,
        r,
        indicator,
        [
            "Staff survey year",
            f"{names[0]} %",
            f"{names[0]} respondents",
            f"{names[1]} %",
            f"{names[1]} respondents",
            f"Gap ({names[1]} − White, percentage points)",
        ],
    )
    t = r.table[(r.table.indicator == indicator) & (r.table.measure == "pct")]
    line = HEADER_ROW
    for year in sorted({str(b) for b in t.breakdown}):
        line += 1
        cells: list = [year]
        for group in ("white", "bme"):
            row = r.row(indicator, "pct", year, group)
            cells += [_figure(row), _figure(row, "denominator") if p.ok(row) else ("–", None, False)]
        gap = p.printed_gap(r, indicator, year)
        cells.append(
            (gap, FORMATS["pp"], False)
            if gap is not None
            else _figure(r.row(indicator, "difference_pp", year, "bme_minus_white"))
        )
        _row(sheet, line, cells)
    return sheet, line


def _board(book, r: ReportData):
    names = _groups(r)
    sheet = _start(
        book,
        r,
        9,
        [
            r.org.board_name,
            *names,
            "Total members",
            f"{names[1]} share %",
            "Difference from the workforce (percentage points)",
        ],
    )
    line = HEADER_ROW
    for subset, label in (
        ("voting", "Voting members"),
        ("executive", "Executive members"),
        ("all_members", "All members"),
    ):
        line += 1
        diff, gap = r.row(9, "difference_pp", subset, "bme"), p.printed_gap(r, 9, subset)
        _row(
            sheet,
            line,
            [label]
            + [_figure(r.row(9, "headcount", subset, g)) for g in (*GROUPS, "total")]
            + [
                _figure(r.row(9, "share_pct", subset, "bme")),
                (gap, FORMATS["pp"], False) if gap is not None and p.ok(diff) else _figure(diff),
            ],
        )
    return sheet, line


# -- contents and notes -----------------------------------------------------------------------------------
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def plain(markdown: str) -> str:
    """Markdown from the methodology page as plain text for a cell."""
    text = _MD_LINK.sub(r"\1", markdown)
    return re.sub(r"\*\*|\*|`", "", text).strip()


def _bullets(markdown: str) -> list[str]:
    items, current = [], []
    for line in markdown.splitlines():
        if line.startswith("- "):
            if current:
                items.append(" ".join(current))
            current = [line[2:].strip()]
        elif line.strip() and current:
            current.append(line.strip())
        elif line.strip():
            items.append(line.strip())
    if current:
        items.append(" ".join(current))
    return [plain(i) for i in items]


def _table_rows(markdown: str) -> list[list[str]]:
    rows = [
        [plain(c) for c in line.strip().strip("|").split("|")]
        for line in markdown.splitlines()
        if line.strip().startswith("|")
    ]
    return [row for row in rows[2:]]  # without the header and the alignment row


def _notes(book, r: ReportData) -> None:
    from .manifest import code_version, input_files, package_versions

    sheet = book.create_sheet("Notes")
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 110
    put(sheet, 1, 1, f"Notes: {r.org.name}, WRES {r.year}").font = TITLE
    line = 2

    def heading(text: str) -> None:
        nonlocal line
        line += 2
        put(sheet, line, 1, text).font = BOLD

    def text_row(first: str, second: str = "") -> None:
        nonlocal line
        line += 1
        put(sheet, line, 1, first)
        if second:
            put(sheet, line, 2, second).alignment = Alignment(wrap_text=True, vertical="top")

    heading("Rounding")
    text_row(
        "Figures",
        "As printed on the report's pages: percentages and percentage points to 1 decimal place, "
        "relative likelihoods to 2. The unrounded table stays with the organisation.",
    )
    heading("Definitions")
    for item in _bullets(p.definitions(r)):
        text_row("", item)
    heading("Small numbers (what is withheld and why)")
    for item in _bullets(p.suppression_rule(r)):
        text_row("", item)
    heading("Sources")
    for source, supplied in _table_rows(p.data_sources(r)):
        text_row(supplied, source)
    heading("Code version")
    version = code_version()
    text_row("Commit", version["commit"] + (" (with uncommitted changes)" if version["dirty"] else ""))
    for name, value in package_versions().items():
        text_row(name, value)
    heading("Input files (SHA-256 fingerprints)")
    for shown, digest in input_files(r):
        text_row(p.input_label(shown, r), digest)


def _contents(book, r: ReportData, sheets: list) -> None:
    sheet = book.active
    sheet.title = "Contents"
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90
    put(sheet, 1, 1, f"{r.org.name}: Workforce Race Equality Standard {r.year}").font = TITLE
    intro = put(
        sheet,
        2,
        1,
        f"The published figures of the report, rounded as on its pages. {p.capital(r.term)} is "
        f"{r.org.name}'s term for staff from Black, Asian and minority ethnic backgrounds. A "
        f'figure marked "{r.rules.wording}" is withheld to protect small numbers (see Notes).',
    )
    intro.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells("A2:B2")
    sheet.row_dimensions[2].height = 45
    put(sheet, 4, 1, "Sheet").font = BOLD
    put(sheet, 4, 2, "What it holds").font = BOLD
    for line, (name, what) in enumerate(sheets, 5):
        cell = put(sheet, line, 1, name)
        cell.hyperlink = f"#'{name}'!A1"
        put(sheet, line, 2, what)


def build_workbook(r: ReportData) -> Workbook:
    book = Workbook()
    made = [
        _indicator_1(book, r),
        _rates(
            book,
            r,
            2,
            "Appointed from shortlisting",
            "Shortlisted",
            (
                ("share_of_shortlisted_pct", "Share of shortlisted %"),
                ("share_of_appointed_pct", "Share of appointed %"),
            ),
        ),
        _rates(book, r, 3, "Entered a formal disciplinary investigation", "Headcount"),
        _rates(book, r, 4, "Accessed non-mandatory training or CPD", "Headcount"),
        *[_survey(book, r, i) for i in (5, 6, 7, 8)],
        _board(book, r),
    ]
    for sheet, last in made:
        put(
            sheet,
            last + 2,
            1,
            f'Rounded as on the report\'s pages. "{r.rules.wording}": withheld to protect small '
            "numbers; see the Notes sheet.",
        )
    _notes(book, r)
    _contents(
        book,
        r,
        [(f"Indicator {i}", p.title(i)) for i in range(1, 10)]
        + [("Notes", "Definitions, the small-number rule, sources, code version and input fingerprints")],
    )
    book.properties.creator = "wres_helpers"
    return book


def write_workbook(r: ReportData, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / workbook_name(r.org.slug, r.year)
    build_workbook(r).save(path)
    return path
