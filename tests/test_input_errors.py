"""Each class of bad input gives one clear message naming the file, the row and the column."""

import subprocess
import sys

import pytest
from openpyxl import Workbook

from conftest import staff_csv
from wres_helpers import InputError, WresError, indicator_table

GOOD_STAFF = staff_csv(white=3, bme=1)


def problems_of(root, year=2021):
    with pytest.raises(InputError) as info:
        indicator_table("t", year, root)
    return info.value


def only_problem(root, year=2021):
    err = problems_of(root, year)
    assert len(err.problems) == 1, str(err)
    return err.problems[0], str(err)


def test_missing_column(ws):
    p, msg = only_problem(ws({2021: {"staff.csv": "staff_id,ethnic_category,clinical\n1,A,Y\n"}}))
    assert (p.file, p.row, p.column) == ("params/t/2021/staff.csv", 1, "pay_band")
    assert "the column 'pay_band' is missing" in msg


def test_unknown_ethnic_code(ws):
    staff = "staff_id,ethnic_category,pay_band,clinical\n1,A,Band 5,N\n2,T9,Band 5,N\n"
    p, msg = only_problem(ws({2021: {"staff.csv": staff}}))
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/staff.csv", 3, "ethnic_category", "T9")
    assert "not a known ethnic category" in msg and "staff.csv, row 3, column 'ethnic_category'" in msg


def test_unknown_pay_band(ws):
    staff = "staff_id,ethnic_category,pay_band,clinical\n1,A,Band 10,N\n"
    p, msg = only_problem(ws({2021: {"staff.csv": staff}}))
    assert (p.row, p.column, p.value) == (2, "pay_band", "Band 10")
    assert "not a known pay band" in msg


def test_duplicate_id(ws):
    staff = "staff_id,ethnic_category,pay_band,clinical\n1,A,Band 5,N\n2,A,Band 5,N\n1,N,Band 6,N\n"
    p, msg = only_problem(ws({2021: {"staff.csv": staff}}))
    assert (p.row, p.column, p.value) == (4, "staff_id", "1")
    assert "already in row 2" in msg


def test_flag_that_is_not_y_or_n(ws):
    staff = "staff_id,ethnic_category,pay_band,clinical\n1,A,Band 5,Maybe\n2,A,Band 5,yes\n3,A,Band 5,n\n"
    p, msg = only_problem(ws({2021: {"staff.csv": staff}}))
    assert (p.row, p.column, p.value) == (2, "clinical", "Maybe")
    assert "expected Y or N" in msg


def test_date_outside_the_period(ws):
    cases = "case_id,ethnic_category,date_entered\nc1,A,2020-04-01\nc2,A,31/03/2021\nc3,N,2021-04-01\n"
    p, msg = only_problem(ws({2021: {"staff.csv": GOOD_STAFF, "disciplinary.csv": cases}}))
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/disciplinary.csv", 4, "date_entered", "2021-04-01")
    assert "outside the reporting period 01 April 2020 to 31 March 2021" in msg


def test_unparseable_date(ws):
    cases = "case_id,ethnic_category,date_entered\nc1,A,last Tuesday\n"
    p, _ = only_problem(ws({2021: {"staff.csv": GOOD_STAFF, "disciplinary.csv": cases}}))
    assert (p.row, p.column) == (2, "date_entered")


def test_training_staff_id_not_in_staff(ws):
    p, msg = only_problem(ws({2021: {"staff.csv": GOOD_STAFF, "training.csv": "staff_id\ns1\nghost\n"}}))
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/training.csv", 3, "staff_id", "ghost")
    assert "not in the staff file" in msg


SURVEY_HEADER = "survey_year,indicator,group,respondents,percent\n"


def test_percent_outside_0_to_100(ws):
    p, msg = only_problem(ws({2021: {"staff_survey.csv": SURVEY_HEADER + "2020,5,white,100,7.9\n2020,5,bme,20,107\n"}}))
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/staff_survey.csv", 3, "percent", "107")
    assert "from 0 to 100" in msg


@pytest.mark.parametrize("bad", ["-3", "many", "12.5"])
def test_negative_or_non_numeric_count(ws, bad):
    p, msg = only_problem(ws({2021: {"staff_survey.csv": SURVEY_HEADER + f"2020,5,white,{bad},7.9\n"}}))
    assert (p.row, p.column, p.value) == (2, "respondents", bad)
    assert "whole number of 0 or more" in msg


def test_empty_file(ws):
    p, msg = only_problem(ws({2021: {"recruitment.csv": ""}}))
    assert p.file == "params/t/2021/recruitment.csv" and p.row is None
    assert "the file is empty" in msg


def test_header_only_staff_file(ws):
    p, msg = only_problem(ws({2021: {"staff.csv": "staff_id,ethnic_category,pay_band,clinical\n"}}))
    assert "no rows" in msg and p.file.endswith("staff.csv")


def test_windows_1252_file_names_the_row_and_column(ws):
    content = (
        "staff_id,ethnic_category,pay_band,clinical,department\n"
        "1,A,Band 5,N,Finance\n2,A,Band 5,N,Caf\xe9 \u2013 Estates\n"
    )
    p, msg = only_problem(ws({2021: {"staff.csv": content.encode("cp1252")}}))
    assert (p.file, p.row, p.column) == ("params/t/2021/staff.csv", 3, "department")
    assert "not UTF-8" in msg and "CSV UTF-8" in msg
    assert p.value == "Café – Estates"


def test_several_problems_are_all_listed_in_one_message(ws):
    staff = "staff_id,ethnic_category,pay_band,clinical\n1,T,Band 5,N\n2,A,Band 99,N\n"
    err = problems_of(ws({2021: {"staff.csv": staff, "recruitment.csv": "application_id,ethnic_category\n"}}))
    rows = {(p.file.rsplit("/", 1)[-1], p.row, p.column) for p in err.problems}
    assert rows == {
        ("staff.csv", 2, "ethnic_category"),
        ("staff.csv", 3, "pay_band"),
        ("recruitment.csv", 1, "appointed"),
    }
    assert str(err).startswith("3 problems in the 2021 inputs of t")


def test_bom_headers_case_and_spaces_are_accepted(ws):
    content = "\ufeffStaff ID,Ethnic Category,PAY BAND,Clinical\r\n1,A,Band 5,Y\r\n2,N,Band 5,n\r\n"
    t = indicator_table("t", 2021, ws({2021: {"staff.csv": content}}))
    assert (
        int(
            t[
                (t.indicator == 1) & (t.measure == "headcount") & (t.breakdown == "all") & (t.group == "total")
            ].value.iloc[0]
        )
        == 2
    )


def test_xlsx_input_is_read_with_spreadsheet_row_numbers(ws, tmp_path):
    root = ws({2021: {}})
    book = Workbook()
    sheet = book.active
    sheet.append(["staff_id", "ethnic_category", "pay_band", "clinical"])
    sheet.append([1, "A", "Band 5", "N"])
    sheet.append([2, "Q", "Band 5", "N"])
    book.save(root / "params/t/2021/staff.xlsx")
    p, _ = only_problem(root)
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/staff.xlsx", 3, "ethnic_category", "Q")


def test_organisation_that_does_not_exist(ws):
    root = ws({2021: {"staff.csv": GOOD_STAFF}})
    with pytest.raises(WresError, match=r"no organisation 'nowhere'.*Organisations here: t"):
        indicator_table("nowhere", 2021, root)


def test_year_that_does_not_exist(ws):
    root = ws({2021: {"staff.csv": GOOD_STAFF}})
    with pytest.raises(WresError, match=r"no 2019 report year for 't'.*Years here: 2021"):
        indicator_table("t", 2019, root)


@pytest.mark.parametrize("org, year", [("../../etc", 2021), ("t", "../2021"), ("T/../t", 2021)])
def test_path_like_org_or_year_is_refused(ws, org, year):
    root = ws({2021: {"staff.csv": GOOD_STAFF}})
    with pytest.raises(WresError):
        indicator_table(org, year, root)


def test_cli_prints_a_user_error_without_traceback(ws):
    root = ws({2021: {"staff.csv": "staff_id,ethnic_category,pay_band,clinical\n1,T,Band 5,N\n"}})
    run = subprocess.run(
        [sys.executable, "-m", "wres_helpers", "indicators", "t", "2021", "--workspace", str(root)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "staff.csv, row 2, column 'ethnic_category'" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_cli_writes_the_table_as_csv(ws, tmp_path):
    root = ws({2021: {"staff.csv": GOOD_STAFF}})
    out = tmp_path / "out" / "table.csv"
    run = subprocess.run(
        [sys.executable, "-m", "wres_helpers", "indicators", "t", "2021", "--workspace", str(root), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    lines = out.read_text().splitlines()
    assert (
        lines[0] == "indicator,measure,breakdown,group,value,numerator,denominator,status,reason,ci_low,ci_high,p_value"
    )
    assert any(line.startswith("1,share_pct,all,bme,25.0,1,4,ok,,") for line in lines)  # then its 95% interval


def test_appointed_without_being_shortlisted(ws):
    rec = "application_id,ethnic_category,shortlisted,appointed\na1,A,Y,Y\na2,N,N,N\na3,N,N,Y\n"
    p, msg = only_problem(ws({2021: {"recruitment.csv": rec}}))
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/recruitment.csv", 4, "shortlisted", "N")
    assert "expected shortlisted = Y, or appointed = N" in msg
    assert "recruitment.csv, row 4, column 'shortlisted'" in msg


@pytest.mark.parametrize("column", ["shortlisted", "internal"])
def test_a_recruitment_flag_column_needs_y_or_n_in_every_row(ws, column):
    rec = f"application_id,ethnic_category,appointed,{column}\na1,A,Y,Y\na2,N,N,\na3,N,N,N\n"
    p, msg = only_problem(ws({2021: {"recruitment.csv": rec}}))
    assert (p.row, p.column, p.value) == (3, column, "")
    assert "expected Y or N" in msg
