"""Counts-only input (counts.csv, wres_helpers/counts.py): the same figures as records, worked by hand, every
validation error with its file, row, column and expectation, and goals that know turnover is unknown."""

from __future__ import annotations

import csv
import io
import math
import shutil
import time
from pathlib import Path

import pytest
import yaml

from wres_helpers import engine
from wres_helpers.errors import InputError
from wres_helpers.inputs import load_year
from wres_helpers.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
PARAMS = REPO / "params"
KEY = ["indicator", "measure", "breakdown", "group"]
HEADER = "indicator,measure,breakdown,group,numerator,denominator\n"
ORG_YAML = "name: Test Trust\ntype: trust\nterm_for_bme: BME\nboard_name: Board\n"
RECORD_FILES = ("staff.csv", "recruitment.csv", "disciplinary.csv", "training.csv", "board.csv")

# Plain-Python ethnic groups of the codes and ESR values the samples use (the first character is the national
# code; the old numeric codes are 0 White, 1-8 BME, 9 unknown; blank, Z, 99 unknown). Deliberately not the
# engine's vocab: the test counts the records on its own.
WHITE, BME = set("ABC0"), set("DEFGHJKLMNPRS12345678")
TEXT_GROUPS = {"white": "white", "any other ethnic group": "bme", "chinese": "bme", "not known": "unknown"}


def group_of(value: str) -> str:
    value = value.strip()
    if value == "" or value.startswith(("Z", "99", "9", "I do not wish")):
        return "unknown"
    if value.lower() in TEXT_GROUPS:
        return TEXT_GROUPS[value.lower()]
    if value.startswith(("White", "Gypsy")):
        return "white"
    if value.startswith(("Mixed", "Asian", "Black")):
        return "bme"
    first = value[0]
    return "white" if first in WHITE else "bme" if first in BME else "unknown"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def counts_from_records(folder: Path) -> str:
    """counts.csv written by counting the record files of one year with the csv module."""
    groups = ("white", "bme", "unknown")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER.strip().split(","))
    staff = read(folder / "staff.csv")
    cells: dict[tuple[str, str], dict[str, int]] = {}
    group = {}
    for r in staff:
        group[r["staff_id"]] = g = group_of(r["ethnic_category"])
        kind = "clinical" if r["clinical"] == "Y" else "non-clinical"
        cells.setdefault((r["pay_band"], kind), dict.fromkeys(groups, 0))[g] += 1
    for (band, kind), n in cells.items():
        for g in groups:
            w.writerow([1, "headcount", f"{band}/{kind}", g, n[g], ""])
    heads = {g: sum(n[g] for n in cells.values()) for g in groups}
    if (folder / "recruitment.csv").is_file():
        apps = [r for r in read(folder / "recruitment.csv") if r.get("shortlisted", "Y") == "Y"]
        for g in groups:
            mine = [r for r in apps if group_of(r["ethnic_category"]) == g]
            w.writerow([2, "appointed", "all", g, sum(r["appointed"] == "Y" for r in mine), len(mine)])
    if (folder / "disciplinary.csv").is_file():
        cases = [group_of(r["ethnic_category"]) for r in read(folder / "disciplinary.csv")]
        for g in groups:
            w.writerow([3, "entered_investigation", "all", g, cases.count(g), heads[g]])
    if (folder / "training.csv").is_file():
        trained = [group[r["staff_id"]] for r in read(folder / "training.csv")]
        for g in groups:
            w.writerow([4, "accessed_training", "all", g, trained.count(g), ""])
    board: dict[str, dict[str, int]] = {}
    for r in read(folder / "board.csv"):
        voting = "voting" if r["voting"] == "Y" else "non-voting"
        key = f"{voting}/{'executive' if r['executive'] == 'Y' else 'non-executive'}"
        board.setdefault(key, dict.fromkeys(groups, 0))[group_of(r["ethnic_category"])] += 1
    for key, n in board.items():
        for g in groups:
            w.writerow([9, "headcount", key, g, n[g], ""])
    return out.getvalue()


def as_counts(src: Path, dst: Path) -> None:
    """A copy of one year's folder with counts.csv in place of the record-level files."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*RECORD_FILES))
    (dst / "counts.csv").write_text(counts_from_records(src), encoding="utf-8")


def _drill(breakdown: str) -> bool:
    return breakdown in ("ethnic category", "occupation", "department") or breakdown.startswith(
        ("occupation: ", "department: ")
    )


def _same(a, b) -> bool:
    return (a is None and b is None) or (a == b) or (isinstance(a, float) and isinstance(b, float) and a == b)


def _rows(table) -> dict[tuple, tuple]:
    out = {}
    for row in table.astype(object).where(table.notna(), None).itertuples(index=False):
        d = row._asdict()
        out[tuple(d[k] for k in KEY)] = tuple(d[c] for c in table.columns if c not in KEY)
    return out


def test_sample_counts_are_the_records_counted_the_same_way():
    """The generator's countsccg counts are what the sample's own checks say (every total row adds up: the
    file loads)."""
    inputs = load_year(Workspace(REPO), "countsccg", 2022)
    assert inputs.source == "counts"
    assert inputs.files["counts"].name == "counts.csv"
    assert len(inputs["staff"]) == 194 and len(inputs["board"]) == 15


def test_counts_give_the_records_table_but_the_drilldowns(tmp_path):
    """smallccg 2021 from records and from counts.csv counted from the same records: every row of the indicator
    table is equal, except the drill-downs, which are no_data for counts and say why."""
    for org in ("rec", "cnt"):
        (tmp_path / "params" / org).mkdir(parents=True)
        shutil.copyfile(PARAMS / "smallccg" / "org.yaml", tmp_path / "params" / org / "org.yaml")
    shutil.copytree(PARAMS / "smallccg" / "2021", tmp_path / "params" / "rec" / "2021")
    as_counts(PARAMS / "smallccg" / "2021", tmp_path / "params" / "cnt" / "2021")
    assert not (tmp_path / "params" / "cnt" / "2021" / "staff.csv").exists()
    records = _rows(engine.indicator_table("rec", 2021, tmp_path))
    counted = _rows(engine.indicator_table("cnt", 2021, tmp_path))
    for key, row in records.items():
        if not _drill(key[2]):
            assert key in counted, key
            assert all(_same(a, b) for a, b in zip(row, counted[key])), (key, row, counted[key])
    drill = {k: v for k, v in counted.items() if _drill(k[2])}
    assert set(drill) == {
        (1, "headcount", "ethnic category", "total"),
        (1, "headcount", "occupation", "total"),
        (1, "headcount", "department", "total"),
    }
    columns = [c for c in engine.indicator_table("cnt", 2021, tmp_path).columns if c not in KEY]
    for key, row in drill.items():
        status, reason = row[columns.index("status")], row[columns.index("reason")]
        assert status == "no_data" and reason.startswith("counts-only input:") and "not supplied" in reason, key
    # Records have the ethnic category total too (ok there); occupation and department have no_data rows only here
    assert set(counted) - set(records) == {
        (1, "headcount", "occupation", "total"),
        (1, "headcount", "department", "total"),
    }
    # 8a and above by staff group comes from the pay band cells: the same as records
    assert (
        counted[(1, "headcount", "8a and above: non-clinical", "total")]
        == records[(1, "headcount", "8a and above: non-clinical", "total")]
    )


def test_two_years_of_counts_pool_indicator_3_as_records_do(tmp_path):
    """leeds 2020 and 2021, both as counts: indicator 3's two-year figure and the report year alone, 1, 4 and 9,
    and indicator 2's headline are those of the records (leeds 2021's funnel and campaigns need records)."""
    settings = yaml.safe_load((PARAMS / "leeds" / "org.yaml").read_text(encoding="utf-8"))
    settings.pop("comparators", None)  # other sample organisations, not in this workspace
    for org in ("rec", "cnt"):
        (tmp_path / "params" / org).mkdir(parents=True)
        (tmp_path / "params" / org / "org.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    for year in (2020, 2021):
        shutil.copytree(PARAMS / "leeds" / str(year), tmp_path / "params" / "rec" / str(year))
        as_counts(PARAMS / "leeds" / str(year), tmp_path / "params" / "cnt" / str(year))
    records = _rows(engine.indicator_table("rec", 2021, tmp_path))
    counted = _rows(engine.indicator_table("cnt", 2021, tmp_path))
    assert counted[(3, "years_pooled", "all", "all")][0] == 2.0
    checked = 0
    for key, row in records.items():
        if _drill(key[2]) or (key[0] == 2 and key[2] != "all") or key[1] == "share_of_applied_pct":
            continue
        assert key in counted and all(_same(a, b) for a, b in zip(row, counted[key])), (key, row, counted.get(key))
        checked += 1
    assert (3, "rate_pct", "report_year", "bme") in counted and checked > 100
    # The funnel and campaign rows are left out (counts give the shortlisted applications only)
    assert (2, "rate_pct", "internal", "white") in records and (2, "rate_pct", "internal", "white") not in counted


THREE_BANDS = (
    HEADER
    + """1,headcount,Band 5/non-clinical,white,6,
1,headcount,Band 5/non-clinical,bme,4,
1,headcount,Band 5/non-clinical,unknown,0,
1,headcount,Band 5/non-clinical,total,10,
1,headcount,AfC Band 6/Clinical,white,3,
1,headcount,AfC Band 6/Clinical,BME,1,
1,headcount,AfC Band 6/Clinical,unknown,1,
1,headcount,Band 7/non-clinical,white,1,
1,headcount,Band 7/non-clinical,bme,0,
1,headcount,Band 7/non-clinical,unknown,4,
1,headcount,all,total,20,
2,appointed,all,white,4,10
2,appointed,all,bme,2,8
2,appointed,all,unknown,0,1
3,entered_investigation,all,white,1,10
3,entered_investigation,all,bme,1,
3,entered_investigation,all,unknown,0,
4,accessed_training,all,white,5,
4,accessed_training,all,bme,1,5
4,accessed_training,all,unknown,0,
9,headcount,voting/executive,white,2,
9,headcount,voting/executive,bme,1,
9,headcount,voting/executive,unknown,0,
9,headcount,voting/non-executive,white,3,
9,headcount,voting/non-executive,bme,0,
9,headcount,voting/non-executive,unknown,0,
9,headcount,non-voting/executive,white,1,
9,headcount,non-voting/executive,bme,1,
9,headcount,non-voting/executive,unknown,0,
9,headcount,non-voting/non-executive,white,0,
9,headcount,non-voting/non-executive,bme,0,
9,headcount,non-voting/non-executive,unknown,1,
9,headcount,all_members,total,9,
"""
)


def test_figures_worked_by_hand(ws):
    root = ws({2021: {"counts.csv": THREE_BANDS}})
    t = engine.indicator_table("t", 2021, root)

    def value(i, m, b, g):
        hit = t[(t.indicator == i) & (t.measure == m) & (t.breakdown == b) & (t.group == g)]
        assert len(hit) == 1, (i, m, b, g)
        return hit.iloc[0]

    # 20 staff: 10 White, 5 BME, 5 Unknown
    assert value(1, "headcount", "all", "total")["value"] == 20
    assert value(1, "share_pct", "all", "bme")["value"] == pytest.approx(25.0)
    assert value(1, "share_pct", "all", "unknown")["value"] == pytest.approx(25.0)
    assert value(1, "share_pct", "Band 5", "bme")["value"] == pytest.approx(40.0)  # 4 of 10
    assert value(1, "share_pct", "clinical", "bme")["value"] == pytest.approx(20.0)  # 1 of 5 (band 6)
    assert value(1, "headcount", "Band 6/clinical", "total")["value"] == 5
    assert value(1, "declared_pct", "all", "all")["value"] == pytest.approx(75.0)  # 15 of 20
    # indicator 2: White 4/10 = 40%, BME 2/8 = 25%: RL 0.40 / 0.25 = 1.6; Katz ln(1.6) ± 1.96 √(1/4 − 1/10 + 1/2 − 1/8)
    rl = value(2, "relative_likelihood", "all", "white_vs_bme")
    assert rl["value"] == pytest.approx(1.6)
    half = 1.959964 * math.sqrt(1 / 4 - 1 / 10 + 1 / 2 - 1 / 8)
    assert rl["ci_low"] == pytest.approx(math.exp(math.log(1.6) - half), rel=1e-6)
    assert rl["ci_high"] == pytest.approx(math.exp(math.log(1.6) + half), rel=1e-6)
    assert value(2, "rate_pct", "all", "unknown")["value"] == pytest.approx(0.0)
    # indicator 3: BME 1/5 = 20%, White 1/10 = 10%: RL 2.0 (one year only)
    assert value(3, "relative_likelihood", "all", "bme_vs_white")["value"] == pytest.approx(2.0)
    # indicator 4: White 5/10 = 50%, BME 1/5 = 20%: RL 2.5
    assert value(4, "relative_likelihood", "all", "white_vs_bme")["value"] == pytest.approx(2.5)
    # indicator 9: voting 6 (1 BME, 16.7%), executive 5 (2 BME, 40%), all 9 (2 BME, 22.2%), against 25%
    assert value(9, "headcount", "voting", "total")["value"] == 6
    assert value(9, "difference_pp", "voting", "bme")["value"] == pytest.approx(100 / 6 - 25)
    assert value(9, "difference_pp", "executive", "bme")["value"] == pytest.approx(40 - 25)
    assert value(9, "difference_pp", "all_members", "bme")["value"] == pytest.approx(200 / 9 - 25)


def _problems(root, year=2021):
    with pytest.raises(InputError) as exc:
        load_year(Workspace(root), "t", year)
    return exc.value.problems


def _find(problems, row, column, words):
    hits = [p for p in problems if p.row == row and p.column == column and words in p.expected]
    assert hits, f"no problem at row {row}, column {column!r} with {words!r}:\n" + "\n".join(map(str, problems))
    return hits[0]


BAD = (
    HEADER
    + """1,headcount,Band 5/non-clinical,white,6,
1,headcount,Band 5/non-clinical,bme,4,
1,headcount,Band 5/non-clinical,unknown,0,
1,headcount,Band 5/non-clinical,total,11,
1,headcount,Band 5/non-clinical,white,6,
1,headcount,Band 99/clinical,white,1,
1,headcount,Band 6/clinical,purple,1,
1,staff,Band 6/clinical,white,1,
7,pct,all,white,1,
12,headcount,all,white,1,
2,appointed,all,white,-1,10
2,appointed,all,bme,2.5,10
2,appointed,all,unknown,5,3
3,entered_investigation,all,white,1,7
3,entered_investigation,all,bme,0,
3,entered_investigation,all,unknown,0,
4,accessed_training,all,white,1,
9,headcount,voting/executive,white,,
1,headcount,Band 7/non-clinical,white,3,5
"""
)


def test_every_validation_error_names_file_row_column_and_expectation(ws):
    problems = _problems(ws({2021: {"counts.csv": BAD}}))
    shown = "params/t/2021/counts.csv"
    assert all(p.file == shown for p in problems), problems
    assert _find(problems, 5, "numerator", "check row must equal the sum").expected.endswith("expected 10")
    assert _find(problems, 6, "indicator + breakdown + group", "already in row 2").value == (
        "1 / Band 5/non-clinical / white"
    )
    assert _find(problems, 7, "breakdown", "'<pay band>/clinical'").value == "Band 99/clinical"
    assert _find(problems, 8, "group", "expected 'white', 'bme'").value == "purple"
    assert _find(problems, 9, "measure", "'headcount'").value == "staff"
    assert _find(problems, 10, "indicator", "staff survey file").value == "7"
    assert _find(problems, 11, "indicator", "1, 2, 3, 4 or 9").value == "12"
    assert _find(problems, 12, "numerator", "whole number of 0 or more").value == "-1"
    assert _find(problems, 13, "numerator", "whole number of 0 or more").value == "2.5"
    assert _find(problems, 14, "numerator", "more than the denominator").value == "5"
    hit = _find(problems, 15, "denominator", "indicator 1's white headcount is 6")
    assert hit.value == "7" and "expected 6 or a blank" in hit.expected
    assert "'bme'" in _find(problems, 18, "group", "has no row for the group").expected
    assert _find(problems, 19, "numerator", "a count is required").value == ""
    assert _find(problems, 20, "denominator", "expected a blank").value == "5"
    message = str(InputError(problems, "x"))
    assert "params/t/2021/counts.csv, row 15, column 'denominator': value '7';" in message


def test_counts_beside_record_files_name_each_file_to_remove(ws):
    staff = "staff_id,ethnic_category,pay_band,clinical\ns1,A,Band 5,N\n"
    board = "member_id,ethnic_category,voting,executive\nb1,A,Y,Y\n"
    problems = _problems(ws({2021: {"counts.csv": THREE_BANDS, "staff.csv": staff, "board.csv": board}}))
    assert {p.file for p in problems} == {"params/t/2021/staff.csv", "params/t/2021/board.csv"}
    for p in problems:
        assert "remove " + p.file.rsplit("/", 1)[1] in p.expected and "counts.csv" in p.expected


def test_missing_column_total_mismatch_on_board_and_empty_counts(ws, tmp_path):
    problems = _problems(
        ws({2021: {"counts.csv": "indicator,measure,breakdown,group,numerator\n1,headcount,all,white,1\n"}})
    )
    assert [(p.row, p.column) for p in problems] == [(1, "denominator")]
    assert "'denominator' is missing" in problems[0].expected
    bad_board = THREE_BANDS.replace("9,headcount,all_members,total,9,", "9,headcount,all_members,total,8,")
    problems = _problems(ws({2021: {"counts.csv": bad_board}}))
    assert [(p.row, p.column, p.value) for p in problems] == [(34, "numerator", "8")]
    assert problems[0].expected.endswith("expected 9")
    nobody = HEADER + "".join(f"1,headcount,Band 5/clinical,{g},0,\n" for g in ("white", "bme", "unknown"))
    problems = _problems(ws({2021: {"counts.csv": nobody}}))
    assert problems[0].row == 2 and "add up to no staff" in problems[0].expected


def test_training_without_headcounts_and_more_trained_than_staff(ws):
    only_training = HEADER + "".join(f"4,accessed_training,all,{g},1,\n" for g in ("white", "bme", "unknown"))
    problems = _problems(ws({2021: {"counts.csv": only_training}}))
    assert [p.row for p in problems] == [2, 3, 4] and "no indicator 1 rows" in problems[0].expected
    too_many = THREE_BANDS.replace("4,accessed_training,all,white,5,", "4,accessed_training,all,white,11,")
    problems = _problems(ws({2021: {"counts.csv": too_many}}))
    assert [(p.row, p.column) for p in problems] == [(19, "numerator")] and "at most 10" in problems[0].expected


def test_counts_xlsx_reads_like_csv(ws, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in THREE_BANDS.splitlines():
        sheet.append([int(c) if c.isdigit() else (c or None) for c in line.split(",")])
    root = ws({2021: {}})
    book.save(root / "params" / "t" / "2021" / "counts.xlsx")
    csv_root = tmp_path / "csv"
    from conftest import write_workspace

    write_workspace(csv_root, {2021: {"counts.csv": THREE_BANDS}})
    a, b = engine.indicator_table("t", 2021, root), engine.indicator_table("t", 2021, csv_root)
    assert a.equals(b)


def test_goals_say_turnover_is_unknown_with_counts(tmp_path):
    """countsccg 2022 (counts) after a 2021 of records, and a 2023 of records after it: no made-up id is ever
    matched, turnover is unknown both ways and the page says why."""
    from wres_helpers.report_data import load_report
    from wres_helpers.targets_page import goals_section

    shutil.copytree(PARAMS / "countsccg", tmp_path / "params" / "countsccg")
    for year in (2021, 2023):
        folder = tmp_path / "params" / "countsccg" / str(year)
        folder.mkdir()
        for name in ("staff.csv", "recruitment.csv", "training.csv", "board.csv"):  # dated cases would be out of period
            shutil.copyfile(PARAMS / "leeds" / "2021" / name, folder / name)
    for year, why in ((2022, "counts-only input for 2022"), (2023, "counts-only input for 2022")):
        r = load_report("countsccg", year, tmp_path)
        ok = r.targets[r.targets["status"] == "ok"]
        assert len(ok), r.targets
        assert ok["turnover_pct"].isna().all() and ok["leavers"].isna().all()
        assert ok["reason"].str.startswith(why).all(), ok["reason"].tolist()
        assert "came from counts, not records" in goals_section(r)


def test_sample_site_says_its_figures_came_from_counts(tmp_path):
    """The countsccg site builds; its home and methodology pages say the figures came from counts, the data
    table says which sources were counts, and no page names a file."""
    import re

    from test_public_pages import leaks
    from wres_helpers.build import build_report

    shutil.copytree(PARAMS / "countsccg", tmp_path / "params" / "countsccg")
    start = time.monotonic()
    site = build_report("countsccg", 2022, tmp_path, log=lambda _: None)
    print(f"countsccg 2022 built in {time.monotonic() - start:.0f} s")

    def text(page):
        return " ".join(re.sub(r"<[^>]+>", " ", (site / page).read_text(encoding="utf-8")).split())

    methodology, home, workforce = text("methodology.html"), text("index.html"), text("workforce.html")
    assert methodology.count("Supplied as counts") == 5
    assert "computed from counts" in methodology and "computed from counts" in home
    assert "headcounts by ethnic category were not supplied" in workforce
    assert "headcounts by occupation were not supplied" in workforce
    assert "2022: counts" in methodology  # its fingerprint
    assert leaks(site, tmp_path) == []
