"""The hostile and broken input corpus (tests/corpus/): each malformed input stops with one clear message naming
the file, the row or line and the column, key or field; inputs that only look odd are accepted.

Layout: tests/corpus/<case>/ holds the files of report year 2021 of organisation 't' (inputs, settings.yaml,
actions.yaml, narrative/*.md); an optional org.yaml replaces the default one and an optional 2020/ folder is
last year. The expectation for each case is in CASES below. Workbooks, Windows-1252, UTF-16, BOM and line
ending cases are written by tests/corpus/make_binary_cases.py. Huge files are generated here in tmp_path.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from conftest import ORG_YAML
from wres_helpers import InputError, WresError, indicator_table, narrative, safe_text, tables
from wres_helpers.action_page import render as render_plan_page
from wres_helpers.actions import load_plans
from wres_helpers.inputs import load_year
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace

CORPUS = Path(__file__).parent / "corpus"
YEAR_DIR = "params/t/2021"
# Nothing withheld for small numbers: the corpus figures are tiny on purpose.
DEFAULT_ORG_YAML = ORG_YAML + "small_number_threshold: 1\n"


def workspace_for(case: str, root: Path) -> Path:
    """Copy a corpus case into a workspace: <root>/params/t/{org.yaml, 2021/..., 2020/...}."""
    src = CORPUS / case
    org = root / "params" / "t"
    (org / "2021").mkdir(parents=True)
    org_yaml = src / "org.yaml"
    (org / "org.yaml").write_bytes(org_yaml.read_bytes() if org_yaml.exists() else DEFAULT_ORG_YAML.encode())
    for path in src.iterdir():
        if path.name == "org.yaml":
            continue
        target = org / "2020" if path.name == "2020" else org / "2021" / path.name
        (shutil.copytree if path.is_dir() else shutil.copyfile)(path, target)
    return root


def run_stage(stage: str, root: Path):
    if stage == "inputs":
        return indicator_table("t", 2021, root)
    if stage == "actions":
        return load_plans(Workspace(root), "t", 2021)
    if stage == "narrative":
        return narrative.load_narrative(load_report("t", 2021, root))
    raise ValueError(stage)


@dataclass(frozen=True)
class Case:
    name: str  # the folder under tests/corpus: says what is wrong
    stage: str  # inputs (the indicator engine), actions (the plan) or narrative
    file: str | None  # path of the problem's file, relative to params/t/2021 ('../org.yaml' for org.yaml)
    row: int | None  # spreadsheet row, or YAML / Markdown line; None for a whole-file problem
    column: str | None  # column, settings key, plan field or narrative key
    fragments: tuple[str, ...]
    value: str | None = None  # the offending value, when the problem shows one
    whole_error: bool = False  # a WresError without a Problem list: check the message only


CASES = [
    # -- the input files: columns, codes, ids, flags, dates, references, numbers --------------------------
    Case(
        "staff-missing-column-pay_band",
        "inputs",
        "staff.csv",
        1,
        "pay_band",
        ("the column 'pay_band' is missing", "the header has: staff_id, ethnic_category, clinical"),
    ),
    Case(
        "staff-unknown-ethnic-code",
        "inputs",
        "staff.csv",
        3,
        "ethnic_category",
        ("row 3, column 'ethnic_category'", "not a known ethnic category"),
        "T9",
    ),
    Case("staff-unknown-pay-band", "inputs", "staff.csv", 2, "pay_band", ("not a known pay band",), "Band 10"),
    Case("staff-duplicate-staff-id", "inputs", "staff.csv", 4, "staff_id", ("duplicate", "already in row 2"), "s1"),
    Case("staff-clinical-flag-not-y-or-n", "inputs", "staff.csv", 2, "clinical", ("expected Y or N",), "Maybe"),
    Case(
        "staff-flag-not-y-or-n-after-multi-line-cell",
        "inputs",
        "staff.csv",
        4,
        "clinical",
        ("row 4, column 'clinical'", "expected Y or N"),
        "Maybe",
    ),
    Case(
        "disciplinary-date-outside-period",
        "inputs",
        "disciplinary.csv",
        4,
        "date_entered",
        ("outside the reporting period 01 April 2020 to 31 March 2021",),
        "2021-04-01",
    ),
    Case(
        "disciplinary-date-unparseable",
        "inputs",
        "disciplinary.csv",
        2,
        "date_entered",
        ("expected a date such as 2021-03-31 or 31/03/2021",),
        "last Tuesday",
    ),
    Case(
        "training-staff-id-not-in-staff",
        "inputs",
        "training.csv",
        3,
        "staff_id",
        ("this staff_id is not in the staff file",),
        "ghost",
    ),
    Case(
        "survey-percent-over-100",
        "inputs",
        "staff_survey.csv",
        3,
        "percent",
        ("expected a percentage from 0 to 100",),
        "107",
    ),
    Case(
        "survey-negative-count",
        "inputs",
        "staff_survey.csv",
        2,
        "respondents",
        ("expected a whole number of 0 or more",),
        "-3",
    ),
    Case(
        "survey-non-numeric-count",
        "inputs",
        "staff_survey.csv",
        2,
        "respondents",
        ("expected a whole number of 0 or more",),
        "many",
    ),
    Case("survey-unknown-group", "inputs", "staff_survey.csv", 3, "group", ("expected 'white' or 'bme'",), "asian"),
    Case(
        "survey-indicator-outside-5-to-8",
        "inputs",
        "staff_survey.csv",
        2,
        "indicator",
        ("expected a staff survey indicator number: 5, 6, 7 or 8",),
        "9",
    ),
    Case(
        "survey-duplicate-key",
        "inputs",
        "staff_survey.csv",
        3,
        "survey_year + indicator + group",
        ("duplicate", "already in row 2"),
        "2020 / 5 / white",
    ),
    # -- the shape of a file -------------------------------------------------------------------------------
    Case(
        "recruitment-empty-file",
        "inputs",
        "recruitment.csv",
        None,
        None,
        ("the file is empty: expected a header row and data rows",),
    ),
    Case(
        "staff-header-only",
        "inputs",
        "staff.csv",
        None,
        None,
        ("the file has a header but no rows", "one row per person in post"),
    ),
    Case(
        "board-header-only",
        "inputs",
        "board.csv",
        None,
        None,
        ("the file has a header but no rows", "one row per board member"),
    ),
    Case(
        "staff-ragged-row-more-cells-than-headers",
        "inputs",
        "staff.csv",
        3,
        None,
        ("this row has 5 cells but the header has 4 columns",),
    ),
    Case(
        "staff-duplicate-header", "inputs", "staff.csv", 1, "staff_id", ("this column name appears twice",), "Staff ID"
    ),
    Case("staff-empty-header-cell", "inputs", "staff.csv", 1, "column 3", ("every column needs a header name",), ""),
    Case(
        "staff-unclosed-quote",
        "inputs",
        "staff.csv",
        3,
        None,
        ("a quoted cell that starts in this row never ends", "stray double quote"),
    ),
    Case(
        "staff-bad-quoting",
        "inputs",
        "staff.csv",
        3,
        None,
        ("the quoting in this row cannot be read", "must end with one"),
    ),
    Case(
        "staff-title-rows-above-header",
        "inputs",
        "staff.csv",
        1,
        None,
        ("the header (the column names) must be in row 1", "row 3 has the column names", "delete the 2 rows above it"),
    ),
    Case(
        "staff-blank-row-1-header-in-row-2",
        "inputs",
        "staff.csv",
        1,
        None,
        ("must be in row 1", "row 2 has the column names", "delete the 1 row above it"),
    ),
    Case(
        "staff-windows-1252-encoding",
        "inputs",
        "staff.csv",
        3,
        "department",
        ("not UTF-8", "Windows-1252", "CSV UTF-8 (Comma delimited)"),
        "Café – Estates",
    ),
    Case("staff-utf16-unicode-text", "inputs", "staff.csv", None, None, ("UTF-16", "CSV UTF-8 (Comma delimited)")),
    Case("staff-xlsx-renamed-to-csv", "inputs", "staff.csv", None, None, ("Excel workbook", "with a .csv name")),
    Case("staff-csv-named-xlsx", "inputs", "staff.xlsx", None, None, ("could not be opened as an Excel workbook",)),
    Case(
        "staff-csv-and-xlsx-both-present",
        "inputs",
        None,
        None,
        None,
        ("Both staff.csv and staff.xlsx are in", "keep only one"),
        whole_error=True,
    ),
    Case(
        "staff-xlsx-merged-header-cells",
        "inputs",
        "staff.xlsx",
        1,
        "column 2",
        ("every column needs a header name", "cells A1:B1 are merged", "unmerge"),
        "",
    ),
    Case(
        "staff-xlsx-several-sheets",
        "inputs",
        "staff.xlsx",
        None,
        None,
        ("several sheets with data ('Sheet1', 'Sheet2')", "keep the data on one sheet"),
    ),
    Case(
        "staff-xlsx-title-rows-above-header",
        "inputs",
        "staff.xlsx",
        1,
        None,
        ("must be in row 1", "row 3 has the column names"),
    ),
    Case(
        "staff-xlsx-cell-over-10000-characters",
        "inputs",
        "staff.xlsx",
        2,
        "department",
        ("this cell has 12,000 characters", "limit of 10,000"),
    ),
    # -- settings ------------------------------------------------------------------------------------------
    Case(
        "settings-bad-status",
        "inputs",
        "settings.yaml",
        None,
        "indicators.3.status",
        ("expected one of withheld, not_collected, not_required",),
        "secret",
    ),
    Case(
        "settings-missing-reason",
        "inputs",
        "settings.yaml",
        None,
        "indicators.3.reason",
        ("a reason to print in the report is required",),
    ),
    Case(
        "settings-not-a-mapping",
        "inputs",
        None,
        None,
        None,
        (f"{YEAR_DIR}/settings.yaml must hold 'key: value' settings, not a list",),
        whole_error=True,
    ),
    Case(
        "settings-indicators-not-a-mapping",
        "inputs",
        "settings.yaml",
        None,
        "indicators",
        ("expected a mapping",),
        "[3, 4]",
    ),
    Case(
        "org-yaml-missing-board-name",
        "inputs",
        "../org.yaml",
        None,
        "board_name",
        ("the setting 'board_name' is required",),
    ),
    # -- the action plan -----------------------------------------------------------------------------------
    Case(
        "actions-unknown-status",
        "actions",
        "actions.yaml",
        2,
        "status",
        ("line 2, field 'status'", "not started, in progress, complete, ongoing, dropped"),
        "half done",
    ),
    Case("actions-unparseable-deadline", "actions", "actions.yaml", 2, "deadline", ("cannot be read",), "30/02/2025"),
    Case("actions-indicator-12", "actions", "actions.yaml", 2, "indicators", ("no such WRES indicator",), "12"),
    Case(
        "actions-carried-from-missing-last-year",
        "actions",
        "actions.yaml",
        2,
        "carried_from",
        ("no action with this id in the 2020 plan (params/t/2020/actions.yaml)",),
        "A9",
    ),
    Case("actions-unknown-field", "actions", "actions.yaml", 2, "ownr", ("not an action plan field",)),
    Case("actions-duplicate-id", "actions", "actions.yaml", 5, "id", ("already used at line 2",), "B1"),
    Case("actions-yaml-alias-bomb", "actions", "actions.yaml", 2, None, ("anchors and aliases", "not allowed")),
    Case(
        "actions-literalinclude-directive-in-update",
        "actions",
        "actions.yaml",
        2,
        "update",
        ("this MyST directive is not allowed",),
        "{literalinclude}",
    ),
    Case(
        "actions-link-to-local-file",
        "actions",
        "actions.yaml",
        2,
        "update",
        ("a path to a file would copy that file into the published site",),
        "../../../secret.txt",
    ),
    Case(
        "actions-csv-header-in-row-2",
        "actions",
        "actions.csv",
        1,
        None,
        ("must be in row 1", "row 2 has the column names"),
    ),
    # -- the narrative -------------------------------------------------------------------------------------
    Case(
        "narrative-unknown-key",
        "narrative",
        "narrative/workforce.md",
        3,
        "workforce_bme_pc",
        ("line 3, key 'workforce_bme_pc'", "did you mean workforce_bme_pct"),
    ),
    Case(
        "narrative-withheld-key",
        "narrative",
        "narrative/recruitment.md",
        1,
        "rl_disciplinary",
        ("withheld", "Fewer than five cases", "cannot be quoted"),
    ),
    Case(
        "narrative-sandbox-attribute",
        "narrative",
        "narrative/summary.md",
        3,
        None,
        ("line 3", "a placeholder holds one key name, and at most one filter"),
        "{{ term | attr('__class__') }}",
    ),
    Case(
        "narrative-python-expression-in-placeholder",
        "narrative",
        "narrative/summary.md",
        1,
        None,
        ("a placeholder holds one key name", "calculations, expressions and statements are not allowed"),
        "{{ ''.__class__.__mro__ }}",
    ),
    Case(
        "narrative-jinja-include-file",
        "narrative",
        "narrative/summary.md",
        2,
        None,
        ("a narrative cannot include other files",),
        "{% include",
    ),
    Case(
        "narrative-include-directive",
        "narrative",
        "narrative/next_steps.md",
        3,
        None,
        ("this MyST directive is not allowed",),
        "{include}",
    ),
    Case(
        "narrative-raw-html-directive",
        "narrative",
        "narrative/next_steps.md",
        3,
        None,
        ("this MyST directive is not allowed",),
        "{raw}",
    ),
    Case(
        "narrative-download-role",
        "narrative",
        "narrative/summary.md",
        1,
        None,
        ("this MyST role is not allowed",),
        "{download}",
    ),
    Case(
        "narrative-link-to-local-file",
        "narrative",
        "narrative/board.md",
        3,
        None,
        ("a path to a file would copy that file into the published site",),
        "../../../secret.csv",
    ),
    Case("narrative-front-matter", "narrative", "narrative/next_steps.md", 1, None, ("front matter",), "---"),
    Case(
        "narrative-file-for-no-section",
        "narrative",
        "narrative/intro.md",
        None,
        None,
        ("not a report section",),
        "intro.md",
    ),
    Case("narrative-not-utf8", "narrative", "narrative/summary.md", None, None, ("not UTF-8",)),
]

# Corpus folders that must be accepted; each has its own test below.
ACCEPTED = [
    "accepted-bom-crlf-mixed-case-flags",
    "accepted-mac-cr-line-endings",
    "accepted-formula-injection-in-free-text",
    "accepted-html-in-narrative",
    "accepted-html-in-action-plan",
]


def test_every_corpus_folder_has_an_expectation():
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    declared = [c.name for c in CASES] + ACCEPTED
    assert len(declared) == len(set(declared))
    assert folders == set(declared)
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_corpus_case_gives_its_clear_error(case: Case, tmp_path):
    root = workspace_for(case.name, tmp_path)
    with pytest.raises(WresError) as info:
        run_stage(case.stage, root)
    err, message = info.value, str(info.value)
    assert "Traceback" not in message
    for fragment in case.fragments:
        assert fragment in message, message
    if case.whole_error:
        assert not isinstance(err, InputError), message
        return
    assert isinstance(err, InputError), message
    assert len(err.problems) == 1, message
    p = err.problems[0]
    file = str(Path(YEAR_DIR) / case.file).replace("2021/../", "")
    assert (p.file, p.row, p.column) == (file, case.row, case.column), message
    if case.value is not None:
        assert p.value == case.value, message
    assert message.splitlines()[1].startswith(f"  - {file}")  # the file comes first on the problem's line


# -- accepted -----------------------------------------------------------------------------------------------
def test_bom_windows_line_endings_and_mixed_case_flags_are_accepted(tmp_path):
    raw = (CORPUS / "accepted-bom-crlf-mixed-case-flags" / "staff.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 5  # the file kept its bytes in git
    root = workspace_for("accepted-bom-crlf-mixed-case-flags", tmp_path)
    staff = load_year(Workspace(root), "t", 2021)["staff"]
    assert list(staff["staff_id"]) == ["s1", "s2", "s3", "s4"]
    assert list(staff["clinical"]) == [True, True, False, False]  # y, Yes, NO, n
    assert list(staff[tables.ROW]) == [2, 3, 4, 5]


def test_old_mac_line_endings_are_accepted(tmp_path):
    assert b"\n" not in (CORPUS / "accepted-mac-cr-line-endings" / "staff.csv").read_bytes()
    root = workspace_for("accepted-mac-cr-line-endings", tmp_path)
    staff = load_year(Workspace(root), "t", 2021)["staff"]
    assert list(staff["staff_id"]) == ["s1", "s2", "s3", "s4"] and list(staff[tables.ROW]) == [2, 3, 4, 5]


def test_formula_injection_in_free_text_is_accepted_as_text(tmp_path):
    root = workspace_for("accepted-formula-injection-in-free-text", tmp_path)
    staff = load_year(Workspace(root), "t", 2021)["staff"]
    assert list(staff["occupation"]) == ['=HYPERLINK("http://x","y")', "+cmd", "-2+3", "Nurse"]
    assert list(staff["department"]) == ["Finance", "@SUM(1)", "-2.5", "=cmd|' /C calc'!A0"]
    inert = safe_text.inert_frame(staff[["staff_id", "occupation", "department"]])
    assert list(inert["occupation"]) == ['\'=HYPERLINK("http://x","y")', "'+cmd", "'-2+3", "Nurse"]
    assert list(inert["department"]) == ["Finance", "'@SUM(1)", "-2.5", "'=cmd|' /C calc'!A0"]


def test_html_in_the_narrative_is_escaped_and_markdown_kept(tmp_path):
    root = workspace_for("accepted-html-in-narrative", tmp_path)
    rendered, _ = run_stage("narrative", root)
    text = rendered["summary"]
    for tag in ("<script", "<img", "<iframe", "</script"):
        assert tag not in text
    assert "&lt;script>alert(1)&lt;/script>" in text and "&lt;img src=x onerror=alert(1)>" in text
    assert "**Summary.** 50.0% of staff are BME." in text  # Markdown and placeholders intact
    assert "[a link](https://www.england.nhs.uk/" in text and "\n> A quotation." in text
    assert text.startswith("<!-- A note to myself: not shown. -->")  # a complete comment stays hidden
    html = _markdown_to_html(text)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "<strong>Summary.</strong>" in html and '<a href="https://www.england.nhs.uk/' in html


def test_html_in_the_action_plan_is_escaped_on_the_page(tmp_path):
    root = workspace_for("accepted-html-in-action-plan", tmp_path)
    plan, previous = run_stage("actions", root)
    page = render_plan_page(load_report("t", 2021, root), plan, previous)
    for tag in ("<script", "<img", "<iframe", "<b>", "<i>"):
        assert tag not in page, tag
    assert "- **&lt;b>B1&lt;/b>.** &lt;script>alert(1)&lt;/script> Reverse **mentoring**" in page
    assert "Owner: &lt;img src=x onerror=alert(1)>" in page and "Deadline: &lt;iframe>2025&lt;/iframe>" in page
    assert "Also: &lt;i>Model Employer&lt;/i>" in page
    # A multi-line update is put on one line: its second line cannot become a heading or a code block.
    assert "*Update:* Line one &lt;script>x&lt;/script> # not a heading" in page
    html = _markdown_to_html(page)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html


def _markdown_to_html(text: str) -> str:
    """CommonMark with raw HTML switched on, as the site's Markdown renderer has it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(text)


# -- path traversal through the command line ----------------------------------------------------------------
@pytest.mark.parametrize(
    "org, year",
    [
        ("../../etc", "2021"),
        ("..", "2021"),
        ("leeds/../../x", "2021"),
        ("/etc", "2021"),
        ("t", "2021/.."),
        ("t", "../2021"),
        ("t", "/2021"),
        ("T/../t", "2021"),
    ],
)
def test_path_like_org_or_year_is_refused_by_the_cli(ws, org, year):
    root = ws({2021: {"staff.csv": "staff_id,ethnic_category,pay_band,clinical\ns1,A,Band 5,N\n"}})
    run = subprocess.run(
        [sys.executable, "-m", "wres_helpers", "indicators", org, year, "--workspace", str(root)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error: ") and "Traceback" not in run.stderr and run.stdout == ""
    assert "is not an organisation name" in run.stderr or "is not a report year" in run.stderr


# -- huge files: streamed, with limits ----------------------------------------------------------------------
STAFF_HEADER = "staff_id,ethnic_category,pay_band,clinical,department\n"


def _year_with(ws, name: str, content: bytes) -> tuple[Path, str]:
    root = ws({2021: {name: content}})
    return root, f"{YEAR_DIR}/{name}"


def _only_problem(root):
    with pytest.raises(InputError) as info:
        indicator_table("t", 2021, root)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value.problems[0], str(info.value)


def test_a_line_of_several_megabytes_is_refused_without_reading_it_whole(ws):
    content = (STAFF_HEADER + "s1,A,Band 5,N,Finance\n" + "s2,A,Band 5,N," + "x" * (3 * 1024 * 1024) + "\n").encode()
    root, shown = _year_with(ws, "staff.csv", content)
    p, message = _only_problem(root)
    assert (p.file, p.row) == (shown, 3)
    assert "longer than 1 MB (1,048,576 bytes), the limit for one row" in message


def test_a_cell_over_the_cell_limit_names_its_row_and_column(ws):
    content = (STAFF_HEADER + "s1,A,Band 5,N," + "y" * 20_000 + "\n").encode()
    root, shown = _year_with(ws, "staff.csv", content)
    p, message = _only_problem(root)
    assert (p.file, p.row, p.column) == (shown, 2, "department")
    assert "this cell has 20,000 characters, more than the limit of 10,000 for one cell" in message


def test_a_quoted_cell_running_over_many_lines_is_stopped(ws):
    lines = "".join("z" * 1000 + "\n" for _ in range(1200))  # 1.2 MB inside one quoted cell
    content = (STAFF_HEADER + 's1,A,Band 5,N,"' + lines).encode()
    root, shown = _year_with(ws, "staff.csv", content)
    p, message = _only_problem(root)
    assert (p.file, p.row) == (shown, 2) and "stray double quote" in message


def test_the_file_size_limit_is_checked_before_reading(ws, monkeypatch):
    monkeypatch.setattr(tables, "MAX_FILE_BYTES", 1000)
    content = (STAFF_HEADER + "".join(f"s{i},A,Band 5,N,Finance\n" for i in range(100))).encode()
    root, shown = _year_with(ws, "staff.csv", content)
    monkeypatch.setattr("builtins.open", _no_open(root))
    p, message = _only_problem(root)
    assert p.file == shown and p.row is None
    assert f"the file is {len(content):,} bytes, more than the limit of 1,000 bytes" in message


def _no_open(root: Path):
    real_open = open

    def guarded(file, *args, **kwargs):
        assert not str(file).endswith("staff.csv"), "the file was opened although it is over the size limit"
        return real_open(file, *args, **kwargs)

    return guarded


def test_the_row_limit(ws, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 5)
    content = (STAFF_HEADER + "".join(f"s{i},A,Band 5,N,Finance\n" for i in range(10))).encode()
    root, shown = _year_with(ws, "staff.csv", content)
    p, message = _only_problem(root)
    assert (p.file, p.row) == (shown, 6) and "more than 5 rows" in message


def test_the_unpacked_size_of_a_workbook_is_checked_before_opening_it(ws, monkeypatch):
    book = Workbook()
    book.active.append(["staff_id", "ethnic_category", "pay_band", "clinical"])
    for i in range(200):
        book.active.append([f"s{i}", "A", "Band 5", "N"])
    out = io.BytesIO()
    book.save(out)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(out.getvalue())).infolist())
    monkeypatch.setattr(tables, "MAX_XLSX_UNPACKED_BYTES", unpacked - 1)
    root, shown = _year_with(ws, "staff.xlsx", out.getvalue())
    p, message = _only_problem(root)
    assert p.file == shown and "the workbook unpacks to" in message and "more than the limit of" in message


def test_the_reader_leaves_the_csv_field_limit_as_it_was(ws):
    before = csv.field_size_limit()
    indicator_table("t", 2021, ws({2021: {"staff.csv": "staff_id,ethnic_category,pay_band,clinical\ns1,A,Band 5,N\n"}}))
    assert csv.field_size_limit() == before


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_splitting_across_chunk_boundaries(tmp_path, ending, monkeypatch):
    # Small chunks, so that line endings (a \r\n in particular) fall across chunk boundaries.
    monkeypatch.setattr(tables, "_CHUNK", 7)
    rows = [f"s{i},A,Band {5 + i % 3},N,Dept {i}" for i in range(40)]
    path = tmp_path / "staff.csv"
    path.write_bytes(
        (
            "\ufeff"
            + STAFF_HEADER.rstrip("\n")
            + ending
            + ending.join(rows)
            + ending
            + ending
            + "s99,N,Band 5,Y,Last"
            + ending
        ).encode()
    )
    frame = tables.read_table(path, "staff.csv").frame
    assert list(frame["staff_id"]) == [f"s{i}" for i in range(40)] + ["s99"]
    assert list(frame[tables.ROW]) == list(range(2, 42)) + [43]  # the blank line keeps its number


# -- safe_text ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("  =1+1", "'  =1+1"),
        ("-2.5", "-2.5"),
        ("+3", "+3"),
        ("-1,234.5", "-1,234.5"),
        ("-1e5", "-1e5"),
        ("-12%", "-12%"),
        ("Finance", "Finance"),
        ("a=b", "a=b"),
        ("", ""),
        ("'=already", "'=already"),
    ],
)
def test_inert_for_spreadsheet(value, expected):
    assert safe_text.inert_for_spreadsheet(value) == expected


def test_inert_frame_touches_only_strings():
    df = pd.DataFrame(
        {
            "text": ["=1+1", "ok", None],
            "number": [-2.5, 3.0, float("nan")],
            "mixed": ["-2+3", 7, "@x"],
            "=label": ["a", "b", "c"],
        }
    )
    df["cat"] = pd.Categorical(["+x", "y", "+x"])
    df["str"] = pd.array(["@a", None, "b"], dtype="string")
    out = safe_text.inert_frame(df)
    assert list(out.columns) == ["text", "number", "mixed", "'=label", "cat", "str"]
    assert list(out["text"][:2]) == ["'=1+1", "ok"] and pd.isna(out["text"][2])
    assert out["number"].equals(df["number"])
    assert list(out["mixed"]) == ["'-2+3", 7, "'@x"]
    assert list(out["cat"]) == ["'+x", "y", "'+x"] and isinstance(out["cat"].dtype, pd.CategoricalDtype)
    assert out["str"][0] == "'@a" and pd.isna(out["str"][1]) and out["str"].dtype == df["str"].dtype
    assert list(df["text"][:2]) == ["=1+1", "ok"]  # the input is not changed


def test_inert_frame_survives_an_xlsx_and_csv_round_trip(tmp_path):
    df = pd.DataFrame({"department": ['=HYPERLINK("http://x","y")', "+cmd", "-2.5", "Finance"], "n": [1, 2, 3, 4]})
    xlsx = tmp_path / "out.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        safe_text.inert_frame(df).to_excel(writer, sheet_name="data", index=False)
    cells = [row[0] for row in load_workbook(xlsx)["data"].iter_rows(min_row=2, max_col=1)]
    assert cells[0].data_type != "f" and cells[0].data_type == "s"
    assert cells[0].value == '\'=HYPERLINK("http://x","y")' and cells[0].value.startswith("'=")
    assert [c.value for c in cells[1:]] == ["'+cmd", "-2.5", "Finance"] and all(c.data_type == "s" for c in cells)
    # Without inert_frame openpyxl would have stored a formula: that is what the function prevents.
    raw = tmp_path / "raw.xlsx"
    df.to_excel(raw, index=False)
    assert load_workbook(raw).active["A2"].data_type == "f"
    out = tmp_path / "out.csv"
    safe_text.inert_frame(df).to_csv(out, index=False)
    assert list(csv.reader(out.open()))[1][0] == '\'=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
        ("<iframe src='x'></iframe>", "&lt;iframe src='x'>&lt;/iframe>"),
        ("<SCRIPT >", "&lt;SCRIPT >"),
        ("**bold**, [link](https://x.org), `code`", "**bold**, [link](https://x.org), `code`"),
        ("> quoted\n- item\n1. first\n| a | b |", "> quoted\n- item\n1. first\n| a | b |"),
        ("People & OD; 3 > 2; &amp;", "People & OD; 3 > 2; &amp;"),
        ("<!-- note -->\ntext", "<!-- note -->\ntext"),
        ("see <https://example.org/a?b=1>", "see <https://example.org/a?b=1>"),
        ("<!-- a --!><script>x</script> -->", "&lt;!-- a --!>&lt;script>x&lt;/script> -->"),  # ends early in HTML
        ("<!--><img src=x onerror=1>-->", "&lt;!-->&lt;img src=x onerror=1>-->"),
        ("<!-- never closed <b>", "&lt;!-- never closed &lt;b>"),
        ("<javascript:alert(1)>", "&lt;javascript:alert(1)>"),
    ],
)
def test_escape_html(text, expected):
    assert safe_text.escape_html(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "x <img src=x onerror=alert(1)> y",
        "<iframe src=//x></iframe>",
        "<!-- c -->\n<script>alert(1)</script>",
        "<!-- c --> <script>alert(1)</script>",
        "`<script>` and \\`<script>\\`",
        "<div>\n<script>alert(1)</script>\n</div>",
        "<svg/onload=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
    ],
)
def test_escaped_text_renders_no_tags(text):
    html = _markdown_to_html(safe_text.escape_html(text))
    for tag in ("<script", "<img", "<iframe", "<svg", "<a ", "<div"):
        assert tag not in html, html


def test_markdown_hazards_allow_ordinary_markdown():
    text = (
        "Intro with **bold** and [NHS England](https://www.england.nhs.uk/) and [plan](action_plan) and "
        "[top](#summary) and [mail](mailto:hr@example.org).\n\n```{note}\nA note.\n```\n\n:::{warning}\nW\n:::\n\n"
        "Water is H{sub}`2`O.\n\n[^1]: A footnote.\n"
    )
    assert safe_text.markdown_hazards(text) == []
