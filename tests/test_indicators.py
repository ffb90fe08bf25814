"""Every formula against values worked out by hand in the test."""

import math

import pandas as pd
import pytest

from conftest import staff_csv
from wres_helpers import indicator_table
from wres_helpers.engine import missing_input_notes


def value(table, indicator, measure, breakdown, group):
    rows = table[
        (table.indicator == indicator)
        & (table.measure == measure)
        & (table.breakdown == breakdown)
        & (table.group == group)
    ]
    assert len(rows) == 1, f"expected one row for {indicator}/{measure}/{breakdown}/{group}, got {len(rows)}"
    return rows.iloc[0]


def recruitment_csv(groups: dict[str, tuple[int, int]]) -> str:
    """groups: code -> (shortlisted, appointed)."""
    lines, n = ["application_id,ethnic_category,appointed"], 0
    for code, (shortlisted, appointed) in groups.items():
        for i in range(shortlisted):
            n += 1
            lines.append(f"a{n},{code},{'Y' if i < appointed else 'N'}")
    return "\n".join(lines) + "\n"


def cases_csv(codes: list[str], day: str) -> str:
    return "case_id,ethnic_category,date_entered\n" + "".join(f"c{i},{c},{day}\n" for i, c in enumerate(codes))


# -- indicator 1 -----------------------------------------------------------------------------------
def test_indicator_1_shares_include_unknown_in_the_denominator(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=6, bme=3, unknown=1)}})
    t = indicator_table("t", 2021, root)
    # 3 BME of 10 staff = 30%, 1 unknown of 10 = 10%; declared = 9 of 10.
    assert value(t, 1, "share_pct", "all", "bme").value == pytest.approx(30.0)
    assert value(t, 1, "share_pct", "all", "white").value == pytest.approx(60.0)
    assert value(t, 1, "share_pct", "all", "unknown").value == pytest.approx(10.0)
    assert value(t, 1, "headcount", "all", "total").value == 10
    assert value(t, 1, "declared_pct", "all", "all").value == pytest.approx(90.0)


def test_indicator_1_by_band_and_clinical_split(ws):
    staff = """\
    staff_id,ethnic_category,pay_band,clinical
    1,A,Band 5,Y
    2,N,AfC Band 5,Y
    3,N,Band 5,N
    4,A,Band 8 - Range A,N
    5,,8A,N
    6,H,VSM,N
    """
    t = indicator_table("t", 2021, ws({2021: {"staff.csv": staff}}))
    assert value(t, 1, "share_pct", "Band 5/clinical", "bme").value == pytest.approx(50.0)  # 1 of 2
    assert value(t, 1, "share_pct", "Band 5/non-clinical", "bme").value == pytest.approx(100.0)  # 1 of 1
    assert value(t, 1, "share_pct", "Band 5", "bme").value == pytest.approx(200 / 3)  # 2 of 3
    assert value(t, 1, "headcount", "Band 8a/non-clinical", "unknown").value == 1
    assert value(t, 1, "share_pct", "clinical", "bme").value == pytest.approx(50.0)  # 1 of 2
    # Band 8a and above = 8a (2 people) + VSM (1 BME) -> 1 of 3
    assert value(t, 1, "share_pct", "Band 8a and above", "bme").value == pytest.approx(100 / 3)


def test_old_numeric_and_esr_text_codes_are_counted(ws):
    staff = """\
    staff_id,ethnic_category,pay_band,clinical
    1,0,Band 5,N
    2,4,Band 5,N
    3,C3 White - Any other White background,Band 5,N
    4,LK Asian - Sri Lankan,Band 5,N
    5,9,Band 5,N
    6,Z Not Stated,Band 5,N
    """
    t = indicator_table("t", 2021, ws({2021: {"staff.csv": staff}}))
    assert value(t, 1, "headcount", "all", "white").value == 2  # 0 and C3
    assert value(t, 1, "headcount", "all", "bme").value == 2  # 4 and LK
    assert value(t, 1, "headcount", "all", "unknown").value == 2  # 9 and Z


# -- indicator 2 -----------------------------------------------------------------------------------
def test_indicator_2_relative_likelihood_white_vs_bme(ws):
    rec = recruitment_csv({"A": (10, 4), "N": (8, 2), "": (5, 5)})
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": rec}}))
    # White 4/10 = 40%, BME 2/8 = 25%, RL = 0.40 / 0.25 = 1.6
    assert value(t, 2, "rate_pct", "all", "white").value == pytest.approx(40.0)
    assert value(t, 2, "rate_pct", "all", "bme").value == pytest.approx(25.0)
    assert value(t, 2, "rate_pct", "all", "unknown").value == pytest.approx(100.0)
    assert value(t, 2, "relative_likelihood", "all", "white_vs_bme").value == pytest.approx(1.6)
    assert value(t, 2, "share_of_shortlisted_pct", "all", "bme").value == pytest.approx(800 / 23)


def test_unknown_ethnicity_does_not_change_the_ratio(ws, tmp_path):
    with_unknown = indicator_table(
        "t", 2021, ws({2021: {"recruitment.csv": recruitment_csv({"A": (10, 4), "N": (8, 2), "Z": (50, 1)})}})
    )
    assert value(with_unknown, 2, "relative_likelihood", "all", "white_vs_bme").value == pytest.approx(1.6)


def test_indicator_2_not_computable_when_no_bme_appointed(ws):
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": recruitment_csv({"A": (10, 4), "N": (8, 0)})}}))
    rl = value(t, 2, "relative_likelihood", "all", "white_vs_bme")
    assert rl.status == "not_computable"
    assert pd.isna(rl.value)
    assert "no BME staff were appointed" in rl.reason


def test_indicator_2_not_computable_when_nobody_bme_shortlisted(ws):
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": recruitment_csv({"A": (10, 4)})}}))
    assert value(t, 2, "rate_pct", "all", "bme").status == "not_computable"
    rl = value(t, 2, "relative_likelihood", "all", "white_vs_bme")
    assert rl.status == "not_computable" and "no BME applicants were shortlisted" in rl.reason


def test_indicator_2_zero_white_appointed_is_a_real_zero(ws):
    # White 0 of 10, BME 2 of 8: White staff were 0 times as likely; that is a result, not a gap.
    t = indicator_table("t", 2021, ws({2021: {"recruitment.csv": recruitment_csv({"A": (10, 0), "N": (8, 2)})}}))
    rl = value(t, 2, "relative_likelihood", "all", "white_vs_bme")
    assert rl.status == "ok" and rl.value == 0


# -- indicator 3 -----------------------------------------------------------------------------------
def test_indicator_3_two_year_rolling_adds_cases_and_headcounts(ws):
    root = ws(
        {
            2020: {
                "staff.csv": staff_csv(white=18, bme=6, prefix="p"),
                "disciplinary.csv": cases_csv(["N"], "2019-06-01"),
            },
            2021: {
                "staff.csv": staff_csv(white=20, bme=5),
                "disciplinary.csv": cases_csv(["A", "A", "N"], "2020-06-01"),
            },
        }
    )
    t = indicator_table("t", 2021, root)
    # BME: (1 + 1) / (5 + 6) = 2/11; White: (2 + 0) / (20 + 18) = 2/38; RL = (2/11) / (2/38) = 38/11
    assert value(t, 3, "rate_pct", "all", "bme").value == pytest.approx(200 / 11)
    assert value(t, 3, "rate_pct", "all", "white").value == pytest.approx(200 / 38)
    assert value(t, 3, "relative_likelihood", "all", "bme_vs_white").value == pytest.approx(38 / 11)
    assert value(t, 3, "years_pooled", "all", "all").value == 2
    # The report year alone, as its own rows: BME 1/5 = 20%, White 2/20 = 10%, RL 2.0.
    alone = value(t, 3, "rate_pct", "report_year", "bme")
    assert alone.value == pytest.approx(20.0) and (alone.numerator, alone.denominator) == (1, 5)
    assert value(t, 3, "rate_pct", "report_year", "white").value == pytest.approx(10.0)
    assert value(t, 3, "relative_likelihood", "report_year", "bme_vs_white").value == pytest.approx(2.0)


def test_indicator_3_single_year_when_last_year_is_missing(ws):
    root = ws(
        {2021: {"staff.csv": staff_csv(white=20, bme=5), "disciplinary.csv": cases_csv(["A", "A", "N"], "2020-06-01")}}
    )
    t = indicator_table("t", 2021, root)
    # BME 1/5 = 20%, White 2/20 = 10%: RL 2.0 from one year, and the table says so.
    assert value(t, 3, "relative_likelihood", "all", "bme_vs_white").value == pytest.approx(2.0)
    pooled = value(t, 3, "years_pooled", "all", "all")
    assert pooled.value == 1 and "one year only: no disciplinary and staff data was supplied for 2020" in pooled.reason
    assert "params/" not in pooled.reason  # the reason is published: plain words, no path
    assert not len(t[t.breakdown == "report_year"])  # one year: the key rows are the year alone already


def test_indicator_3_nobody_entered_is_not_computable(ws):
    root = ws(
        {2021: {"staff.csv": staff_csv(white=20, bme=5), "disciplinary.csv": "case_id,ethnic_category,date_entered\n"}}
    )
    rl = value(indicator_table("t", 2021, root), 3, "relative_likelihood", "all", "bme_vs_white")
    assert rl.status == "not_computable" and pd.isna(rl.value)
    assert "nobody entered a formal disciplinary investigation" in rl.reason


def test_indicator_3_no_white_cases_is_not_computable(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=20, bme=5), "disciplinary.csv": cases_csv(["N"], "2020-06-01")}})
    rl = value(indicator_table("t", 2021, root), 3, "relative_likelihood", "all", "bme_vs_white")
    assert rl.status == "not_computable" and "no White staff" in rl.reason


def test_indicator_3_zero_bme_staff_is_not_computable(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=20, bme=0), "disciplinary.csv": cases_csv(["A"], "2020-06-01")}})
    t = indicator_table("t", 2021, root)
    assert value(t, 3, "rate_pct", "all", "bme").status == "not_computable"
    assert value(t, 3, "relative_likelihood", "all", "bme_vs_white").status == "not_computable"


# -- indicator 4 -----------------------------------------------------------------------------------
def test_indicator_4_training_rates_use_staff_headcount(ws):
    # staff s1-s8 White, s9-s12 BME, s13 Unknown; trained: 4 White, 1 BME, the Unknown one.
    root = ws(
        {
            2021: {
                "staff.csv": staff_csv(white=8, bme=4, unknown=1),
                "training.csv": "staff_id\ns1\ns2\ns3\ns4\ns9\ns13\n",
            }
        }
    )
    t = indicator_table("t", 2021, root)
    assert value(t, 4, "rate_pct", "all", "white").value == pytest.approx(50.0)
    assert value(t, 4, "rate_pct", "all", "bme").value == pytest.approx(25.0)
    assert value(t, 4, "relative_likelihood", "all", "white_vs_bme").value == pytest.approx(2.0)


# -- indicators 5 to 8 --------------------------------------------------------------------------------
def test_staff_survey_percentages_and_gap(ws):
    survey = """\
    survey_year,indicator,group,respondents,percent
    2020,5,white,214,7.9
    2020,5,BAME,39,10.3
    2019,5,White,230,10.4
    2019,5,bme,36,8.3
    """
    t = indicator_table("t", 2021, ws({2021: {"staff_survey.csv": survey}}))
    row = value(t, 5, "pct", "2020", "bme")
    assert row.value == pytest.approx(10.3) and row.denominator == 39
    assert value(t, 5, "pct", "2019", "white").value == pytest.approx(10.4)
    assert value(t, 5, "difference_pp", "2020", "bme_minus_white").value == pytest.approx(2.4)
    # indicator 6 is absent from the file: no data for the survey year, with the reason
    assert value(t, 6, "pct", "2020", "bme").status == "no_data"


def test_survey_year_setting(ws):
    survey = "survey_year,indicator,group,respondents,percent\n2019,5,white,100,5\n2019,5,bme,20,10\n"
    root = ws({2021: {"staff_survey.csv": survey, "settings.yaml": "staff_survey_year: 2019\n"}})
    t = indicator_table("t", 2021, root)
    assert value(t, 5, "pct", "2019", "bme").value == 10
    assert not (t.breakdown == "2020").any()


# -- indicator 9 --------------------------------------------------------------------------------------
def test_indicator_9_voting_executive_and_all_members(ws):
    board = """\
    member_id,ethnic_category,voting,executive
    m1,A,Y,Y
    m2,N,Y,N
    m3,H,N,Y
    m4,,Y,N
    """
    root = ws({2021: {"staff.csv": staff_csv(white=3, bme=1), "board.csv": board}})
    t = indicator_table("t", 2021, root)
    # Workforce: 1 BME of 4 = 25%. Voting: m1 m2 m4 -> 1 of 3; executive: m1 m3 -> 1 of 2; all: 2 of 4.
    assert value(t, 9, "share_pct", "voting", "bme").value == pytest.approx(100 / 3)
    assert value(t, 9, "share_pct", "executive", "bme").value == pytest.approx(50.0)
    assert value(t, 9, "share_pct", "all_members", "bme").value == pytest.approx(50.0)
    assert value(t, 9, "difference_pp", "voting", "bme").value == pytest.approx(100 / 3 - 25)
    assert value(t, 9, "difference_pp", "executive", "bme").value == pytest.approx(25.0)
    assert value(t, 9, "headcount", "voting", "total").value == 3


def test_indicator_9_no_executive_members_is_not_computable(ws):
    board = "member_id,ethnic_category,voting,executive\nm1,A,Y,N\n"
    t = indicator_table("t", 2021, ws({2021: {"staff.csv": staff_csv(white=3, bme=1), "board.csv": board}}))
    assert value(t, 9, "share_pct", "executive", "bme").status == "not_computable"
    assert value(t, 9, "difference_pp", "executive", "bme").status == "not_computable"


# -- states ----------------------------------------------------------------------------------------
def test_missing_files_give_no_data_rows_in_plain_words_and_the_log_names_the_file(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=3, bme=1)}})
    t = indicator_table("t", 2021, root)
    rl = value(t, 2, "relative_likelihood", "all", "white_vs_bme")
    # The reason is published, so it names no file; the analyst's log does.
    assert rl.status == "no_data" and rl.reason == "no recruitment data was supplied for 2021"
    board = value(t, 9, "share_pct", "voting", "bme")
    assert board.status == "no_data" and board.reason == "no board membership data was supplied for 2021"
    notes = missing_input_notes("t", 2021, root)
    assert len(notes) == 5 and any("params/t/2021/recruitment.csv or .xlsx" in n for n in notes)
    assert not any(n.startswith("no staff file") for n in notes)


def test_declared_statuses_from_settings(ws):
    settings = """\
    indicators:
      3: {status: withheld, reason: Fewer than five cases}
      4: {status: not_collected, reason: No central training record}
    """
    root = ws(
        {2021: {"staff.csv": staff_csv(white=3, bme=1), "training.csv": "staff_id\ns1\n", "settings.yaml": settings}}
    )
    t = indicator_table("t", 2021, root)
    assert set(t[t.indicator == 3].status) == {"withheld"}
    assert set(t[t.indicator == 3].reason) == {"Fewer than five cases"}
    four = t[t.indicator == 4]
    assert set(four.status) == {"not_collected"} and four.value.isna().all()


def test_required_keys_present_and_no_inf_or_nan_text(ws):
    root = ws(
        {
            2021: {
                "staff.csv": staff_csv(white=3, bme=0),
                "recruitment.csv": recruitment_csv({"A": (3, 1)}),
                "disciplinary.csv": "case_id,ethnic_category,date_entered\n",
                "training.csv": "staff_id\n",
                "board.csv": "member_id,ethnic_category,voting,executive\nm1,A,Y,Y\n",
            }
        }
    )
    t = indicator_table("t", 2021, root)
    keys = set(zip(t.indicator, t.measure, t.breakdown, t.group))
    required = {(1, "share_pct", "all", g) for g in ("white", "bme", "unknown")}
    required |= {(1, "headcount", "all", g) for g in ("white", "bme", "unknown", "total")}
    required |= {(2, "rate_pct", "all", g) for g in ("white", "bme", "unknown")} | {
        (2, "relative_likelihood", "all", "white_vs_bme")
    }
    required |= {(3, "rate_pct", "all", g) for g in ("white", "bme")} | {
        (3, "relative_likelihood", "all", "bme_vs_white")
    }
    required |= {(4, "rate_pct", "all", g) for g in ("white", "bme")} | {
        (4, "relative_likelihood", "all", "white_vs_bme")
    }
    required |= {(i, "pct", "2020", g) for i in (5, 6, 7, 8) for g in ("white", "bme")}
    required |= {
        (9, m, s, "bme") for m in ("share_pct", "difference_pp") for s in ("voting", "executive", "all_members")
    }
    assert required <= keys
    for v in t.value.dropna():
        assert math.isfinite(v)
    assert set(t.status) <= {"ok", "not_computable", "withheld", "not_collected", "not_required", "no_data"}
    csv_text = t.to_csv(index=False).lower()
    assert "inf" not in csv_text.replace("information", "") and "nan" not in csv_text
