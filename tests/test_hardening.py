"""Each crash, hang or silent loss an independent run of 1,100 broken inputs found (issue 14), reproduced, and
now a precise error (file, row or line, what was expected) or the right result."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import ORG_YAML, staff_csv
from wres_helpers import InputError, WresError, indicator_table, narrative, tables
from wres_helpers.actions import load_plans
from wres_helpers.inputs import load_year
from wres_helpers.report_data import load_report
from wres_helpers.values import report_values
from wres_helpers.workspace import Workspace

YEAR_DIR = "params/t/2021"
STAFF = staff_csv(white=6, bme=6)
ACTION = "  - id: A1\n    action: Mentoring\n    status: in progress\n"


def _problem(call, *args):
    with pytest.raises(InputError) as info:
        call(*args)
    message = str(info.value)
    assert "Traceback" not in message
    assert len(info.value.problems) == 1, message
    return info.value.problems[0], message


def engine(root):
    return indicator_table("t", 2021, root)


def plan(root):
    return load_plans(Workspace(root), "t", 2021)


def _row(table, indicator, measure, group):
    rows = table[(table.indicator == indicator) & (table.measure == measure) & (table.group == group)]
    return rows.iloc[0]


# -- a header-only recruitment file: an organisation that shortlisted nobody -----------------------------------
def test_header_only_recruitment_is_nobody_shortlisted(ws):
    root = ws({2021: {"staff.csv": STAFF, "recruitment.csv": "application_id,ethnic_category,appointed\n"}})
    table = indicator_table("t", 2021, root)  # was KeyError: 'group'
    row = _row(table, 2, "share_of_shortlisted_pct", "bme")
    assert row.status == "not_computable" and "nobody was shortlisted" in row.reason
    assert report_values(load_report("t", 2021, root))  # `values` and `report` load the same way


# -- YAML: duplicate keys, deep nesting, size, values PyYAML cannot build ---------------------------------------
def test_a_duplicated_actions_key_is_an_error_not_an_empty_plan(ws):
    root = ws({2021: {"staff.csv": STAFF, "actions.yaml": "actions: []\n\nactions:\n" + ACTION}})
    p, message = _problem(plan, root)
    assert (p.file, p.row) == (f"{YEAR_DIR}/actions.yaml", 3)
    assert "the key 'actions' is given twice" in message and "first at line 1" in message


def test_a_scalar_actions_key_above_the_list_is_an_error_not_an_attribute_error(ws):
    root = ws({2021: {"staff.csv": STAFF, "actions.yaml": "actions: x\nactions:\n" + ACTION}})
    p, _ = _problem(plan, root)
    assert p.row == 2


def test_a_scalar_plan_names_its_line(ws):
    root = ws({2021: {"staff.csv": STAFF, "actions.yaml": "# plan\nactions: x\n"}})
    p, message = _problem(plan, root)
    assert p.row == 2 and "expected a list of actions" in message


@pytest.mark.parametrize("where", ["settings.yaml", "org.yaml", "action field"])
def test_duplicate_keys_in_any_yaml_name_the_file_and_line(ws, where):
    files = {"staff.csv": STAFF}
    org_yaml = ORG_YAML
    if where == "settings.yaml":
        files["settings.yaml"] = "staff_survey_year: 2020\nindicators: {}\nstaff_survey_year: 2019\n"
        call, shown, line = engine, f"{YEAR_DIR}/settings.yaml", 3
    elif where == "org.yaml":
        org_yaml = ORG_YAML + "name: Other Trust\n"
        call, shown, line = engine, "params/t/org.yaml", 5
    else:
        files["actions.yaml"] = "actions:\n  - id: A1\n    action: x\n    status: complete\n    status: dropped\n"
        call, shown, line = plan, f"{YEAR_DIR}/actions.yaml", 5
    root = ws({2021: files}, org_yaml=org_yaml)
    p, message = _problem(call, root)
    assert (p.file, p.row) == (shown, line) and "given twice" in message


def _nested(depth: int) -> str:
    return "key: " + "[" * depth + "]" * depth + "\n"


@pytest.mark.parametrize("name", ["org.yaml", "settings.yaml", "actions.yaml"])
def test_yaml_nested_1000_deep_is_refused_with_its_line(ws, name):
    deep = "# deep\n" + _nested(1000)
    files = {"staff.csv": STAFF}
    if name == "org.yaml":
        root = ws({2021: files}, org_yaml=ORG_YAML + deep)
        call, shown = engine, "params/t/org.yaml"
    else:
        files[name] = deep
        root = ws({2021: files})
        call = engine if name == "settings.yaml" else plan
        shown = f"{YEAR_DIR}/{name}"
    p, message = _problem(call, root)  # was RecursionError
    assert p.file == shown and p.row is not None and "nested more than" in message


@pytest.mark.parametrize("name", ["org.yaml", "settings.yaml"])
def test_settings_files_have_a_size_limit(ws, name):
    big = "# " + "x" * 300_000 + "\n"
    if name == "org.yaml":
        root = ws({2021: {"staff.csv": STAFF}}, org_yaml=ORG_YAML + big)
    else:
        root = ws({2021: {"staff.csv": STAFF, "settings.yaml": big}})
    p, message = _problem(engine, root)
    assert p.file.endswith(name) and "more than the limit of 262,144" in message


def test_an_impossible_date_in_settings_is_an_error(ws):
    root = ws({2021: {"staff.csv": STAFF, "settings.yaml": "report_date: 2021-02-30\n"}})
    p, message = _problem(engine, root)  # was ValueError inside PyYAML
    assert p.file == f"{YEAR_DIR}/settings.yaml" and "day is out of range" in message


def test_an_indicator_number_of_thousands_of_digits_is_an_error(ws):
    text = "actions:\n  - id: A1\n    action: x\n    status: complete\n    indicators: '" + "9" * 5000 + "'\n"
    root = ws({2021: {"staff.csv": STAFF, "actions.yaml": text}})
    p, message = _problem(plan, root)
    assert p.column == "indicators" and "no such WRES indicator" in message


# -- the narrative: only {{ key }} and {{ key | filter }} --------------------------------------------------
@pytest.fixture
def values(ws_withholding_nothing):
    root = ws_withholding_nothing({2021: {"staff.csv": STAFF}})
    return report_values(load_report("t", 2021, root))


@pytest.mark.parametrize(
    "text, what",
    [
        ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", "statements"),
        ("Big: {{ 'a' * 300000000 }}", "a placeholder holds one key name"),
        ("We have {{ headcount * 3 }} staff.", "calculations, expressions and statements are not allowed"),
        ("{{ headcount|attr('__class__') }}", "a placeholder holds one key name"),
        ("{{ term | safe }}", "not an allowed filter"),
        ("{# a private note #}", "HTML comment"),
        ("{{ headcount", "has no '}}' on the same line"),
        ("{{- headcount -}}", "a placeholder holds one key name"),
    ],
)
def test_anything_but_a_key_and_a_filter_is_refused_before_rendering(values, text, what):
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        narrative.render("Intro.\n" + text + "\n", values, "n.md")
    assert time.perf_counter() - started < 2, "refused without running anything"
    assert {p.row for p in info.value.problems} == {2} and what in str(info.value)


def test_keys_and_allowed_filters_render(values):
    text = "{{ term }} {{term|lower}} {{ headcount | upper }} {{ org_name | upper }} {{ term | capitalize }}\n"
    assert narrative.render(text, values, "n.md") == "BME bme 12 TEST TRUST BME\n"


def test_expressions_no_longer_dodge_the_typed_number_warning(values):
    # `{{ headcount * 3 }}` stops the build (above); a typed figure still warns.
    assert narrative.typed_numbers("We have 36 % more.\n", "n.md")


def test_the_rendered_size_is_limited(values, monkeypatch):
    monkeypatch.setattr(narrative, "MAX_RENDERED_CHARS", 500)
    p, message = _problem(narrative.render, "{{ org_name }}\n" * 100, values, "n.md")
    assert p.row is not None and "renders to more than 500 characters" in message


# -- inputs that exist but are not regular files, and links out of the workspace -------------------------------
@pytest.mark.parametrize("kind", ["directory", "dangling symlink", "fifo"])
def test_an_input_that_is_not_a_regular_file_is_an_error_not_no_data(ws, kind, tmp_path):
    root = ws({2021: {"staff.csv": STAFF}})
    path = root / YEAR_DIR / "recruitment.csv"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(root / "params" / "t" / "missing.csv")  # inside the workspace, but gone
    p, message = _problem(engine, root)
    assert p.file == f"{YEAR_DIR}/recruitment.csv"
    assert {"directory": "is a folder", "fifo": "not a regular file", "dangling symlink": "which does not exist"}[
        kind
    ] in message


@pytest.mark.parametrize("name", ["settings.yaml", "actions.yaml", "narrative/summary.md"])
def test_settings_plan_and_narrative_that_are_folders_are_errors(ws_withholding_nothing, name):
    root = ws_withholding_nothing({2021: {"staff.csv": STAFF}})
    (root / YEAR_DIR / name).mkdir(parents=True)
    with pytest.raises(InputError, match=f"{YEAR_DIR}/{name}: is a folder"):
        r = load_report("t", 2021, root)
        load_plans(r.ws, "t", 2021)
        narrative.load_narrative(r)


def test_a_link_out_of_the_workspace_is_refused_without_quoting_its_target(ws, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    root = ws({2021: {"staff.csv": STAFF}})
    (root / YEAR_DIR / "board.csv").symlink_to(outside)
    p, message = _problem(engine, root)
    assert p.file == f"{YEAR_DIR}/board.csv" and "outside the workspace" in message
    assert "root:x" not in message


def test_a_link_inside_the_workspace_is_followed(ws):
    root = ws({2021: {"staff.csv": STAFF}})
    (root / "shared").mkdir()
    (root / "shared" / "board.csv").write_text("member_id,ethnic_category,voting,executive\nB1,A,Y,Y\nB2,N,Y,N\n")
    (root / YEAR_DIR / "board.csv").symlink_to(root / "shared" / "board.csv")
    assert _row(indicator_table("t", 2021, root), 9, "headcount", "total").value == 2


# -- wide rows: limits on every row, and on the cells kept --------------------------------------------------
def test_a_row_wider_than_the_column_limit_is_refused_at_that_row(ws, monkeypatch):
    monkeypatch.setattr(tables, "MAX_COLUMNS", 10)
    root = ws({2021: {"staff.csv": STAFF.replace("\ns3,", "\ns3" + ",x" * 20 + "\ns3,", 1)}})
    p, message = _problem(engine, root)
    assert p.row == 4 and "more than the limit of 10 columns" in message


def test_cells_beyond_the_header_are_not_kept(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}" + "," * 50 + "\n" for i in range(30)))
    frame = tables.read_table(path, "staff.csv").frame
    assert list(frame.columns) == ["a", "b", tables.ROW] and len(frame) == 30


def test_the_cells_kept_in_memory_are_limited(ws, monkeypatch):
    monkeypatch.setattr(tables, "MAX_CELLS", 20)
    root = ws({2021: {"staff.csv": STAFF}})
    p, message = _problem(engine, root)
    assert p.row == 7 and "more than 20 cells" in message  # 4 cells a row: row 7 brings 24


# -- ids: case and invisible characters ------------------------------------------------------------------
def test_ids_that_differ_only_by_case_or_an_invisible_character_are_one_person(ws):
    board = "member_id,ethnic_category,voting,executive\nB08,A,Y,Y\nb08,N,Y,N\n"
    staff = STAFF + "S00016,A,Band 5,N\nS00016\u200b,N,Band 5,N\n"
    root = ws({2021: {"staff.csv": staff, "board.csv": board}})
    with pytest.raises(InputError) as info:
        load_year(Workspace(root), "t", 2021)
    found = {(p.file.rsplit("/", 1)[1], p.row) for p in info.value.problems}
    assert found == {("board.csv", 3), ("staff.csv", 15)}, str(info.value)
    assert "differ only in capital letters" in str(info.value)


def test_a_training_id_in_other_case_or_with_a_zero_width_space_is_matched(ws):
    training = "staff_id\nS1\ns2\u200b\n"
    root = ws({2021: {"staff.csv": staff_csv(white=6, bme=6, prefix="s"), "training.csv": training}})
    table = indicator_table("t", 2021, root)
    assert _row(table, 4, "rate_pct", "white").numerator == 2


# -- command-line arguments --------------------------------------------------------------------------------
@pytest.mark.parametrize("org, year", [("t", "2021\n"), ("t\n", "2021")])
def test_a_trailing_newline_does_not_pass_the_name_checks(ws, org, year):
    root = ws({2021: {"staff.csv": STAFF}})
    with pytest.raises(WresError, match="is not a report year|is not an organisation name"):
        indicator_table(org, year, root)


def test_cli_reports_yaml_problems_without_traceback(ws):
    root = ws({2021: {"staff.csv": STAFF, "settings.yaml": _nested(1000)}})
    run = subprocess.run(
        [sys.executable, "-m", "wres_helpers", "values", "t", "2021", "--workspace", str(root)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr and "settings.yaml, line 1" in run.stderr


# -- a million bad rows: the message lists the first MAX_PROBLEMS ---------------------------------------------
def test_a_file_of_many_bad_rows_lists_the_first_problems_and_counts_the_rest(ws, monkeypatch):
    from wres_helpers import errors

    monkeypatch.setattr(errors, "MAX_PROBLEMS", 5)
    root = ws({2021: {"staff.csv": STAFF.replace(",N\n", ",maybe\n")}})
    with pytest.raises(InputError) as info:
        engine(root)
    message = str(info.value)
    assert len(info.value.problems) == 5 and message.startswith("12 problems in")
    assert message.endswith("... and 7 more, not listed: fix these and run again to see them")


def test_cli_turns_a_bug_into_one_line_and_exit_3_not_a_traceback(ws, monkeypatch, capsys):
    from wres_helpers import cli, engine

    root = ws({2021: {"staff.csv": STAFF}})

    def crash(*args, **kwargs):
        raise KeyError("group")

    monkeypatch.setattr(engine, "indicator_table", crash)
    monkeypatch.delenv("WRES_DEBUG", raising=False)
    assert cli.main(["indicators", "t", "2021", "--workspace", str(root)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: an internal error stopped the run (KeyError: 'group')") and "Traceback" not in err
    details = err.split("details in ", 1)[1].split(" (or run", 1)[0]
    assert "Traceback" in open(details).read()
    os.unlink(details)
