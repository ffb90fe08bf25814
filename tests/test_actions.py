"""The action plan: every validation error names the file, the line or row and the field; the page logic."""

import pytest

from conftest import staff_csv
from wres_helpers import InputError
from wres_helpers.action_page import render
from wres_helpers.actions import load_plans
from wres_helpers.concerns import concerns
from wres_helpers.report_data import load_report
from wres_helpers.workspace import Workspace


@pytest.fixture
def ws(ws_withholding_nothing):
    """The figures in these tests are tiny on purpose; disclosure control has its own tests."""
    return ws_withholding_nothing


PLAN_2020 = """\
actions:
  - id: A1
    action: Old action kept
    indicators: [2]
    status: in progress
  - id: A2
    action: Old action finished
    indicators: [4]
    status: complete
  - id: A3
    action: Old action dropped
    status: dropped
  - id: A4
    action: Old action forgotten
    status: not started
"""


def plans(root, year=2021):
    return load_plans(Workspace(root), "t", year)


def only_problem(root):
    with pytest.raises(InputError) as info:
        plans(root)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value.problems[0], str(info.value)


def one_action(**fields) -> str:
    lines = ["actions:", "  - id: B1", "    action: Something"]
    fields.setdefault("status", "not started")
    lines += [f"    {k}: {v}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


def test_unknown_status(ws):
    p, msg = only_problem(ws({2021: {"actions.yaml": one_action(status="half done")}}))
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/actions.yaml", 2, "status", "half done")
    assert "line 2, field 'status'" in msg and "not started, in progress, complete, ongoing, dropped" in msg


@pytest.mark.parametrize("deadline", ["30/02/2025", "31 Febtember 2025", "2025-13-01"])
def test_unparseable_date(ws, deadline):
    p, msg = only_problem(ws({2021: {"actions.yaml": one_action(deadline=f'"{deadline}"')}}))
    assert (p.row, p.column, p.value) == (2, "deadline", deadline)
    assert "cannot be read" in msg


def test_text_deadline_is_fine(ws):
    plan, _ = plans(ws({2021: {"actions.yaml": one_action(deadline="Ongoing throughout 2024-25")}}))
    assert plan.actions[0].deadline is None and plan.actions[0].deadline_text == "Ongoing throughout 2024-25"


def test_indicator_that_does_not_exist(ws):
    p, msg = only_problem(ws({2021: {"actions.yaml": one_action(indicators="[2, 12]")}}))
    assert (p.row, p.column, p.value) == (2, "indicators", "12")
    assert "no such WRES indicator" in msg


def test_free_references_are_kept(ws):
    plan, _ = plans(ws({2021: {"actions.yaml": one_action(indicators='[3, "Beyond the Data R3", Model Employer]')}}))
    assert plan.actions[0].indicators == [3]
    assert plan.actions[0].references == ["Beyond the Data R3", "Model Employer"]


def test_carried_from_missing_in_last_years_plan(ws):
    root = ws({2020: {"actions.yaml": PLAN_2020}, 2021: {"actions.yaml": one_action(carried_from="A9")}})
    p, msg = only_problem(root)
    assert (p.row, p.column, p.value) == (2, "carried_from", "A9")
    assert "no action with this id in the 2020 plan (params/t/2020/actions.yaml)" in msg


def test_carried_from_without_a_plan_last_year(ws):
    p, msg = only_problem(ws({2021: {"actions.yaml": one_action(carried_from="A1")}}))
    assert p.column == "carried_from" and "no 2020 action plan" in msg


def test_duplicate_id_and_missing_field_are_both_listed(ws):
    text = "actions:\n  - id: B1\n    action: One\n    status: ongoing\n  - id: B1\n    status: ongoing\n"
    with pytest.raises(InputError) as info:
        plans(ws({2021: {"actions.yaml": text}}))
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(5, "action"), (5, "id")}


def test_unknown_field(ws):
    p, _ = only_problem(ws({2021: {"actions.yaml": one_action(ownr="HR")}}))
    assert (p.row, p.column) == (2, "ownr")


def test_csv_plan_uses_spreadsheet_rows(ws):
    csv = (
        "id,action,indicators,owner,deadline,status,update,carried_from\n"
        "B1,First,2;4,HR,31/03/2022,in progress,,\n"
        "B2,Second,Model Employer,HR,31/03/2022,Finished,,\n"
    )
    p, msg = only_problem(ws({2021: {"actions.csv": csv}}))
    assert (p.file, p.row, p.column, p.value) == ("params/t/2021/actions.csv", 3, "status", "Finished")
    assert "row 3, field 'status'" in msg


def test_page_counts_overdue_changes_and_uncovered_concerns(ws):
    recruitment = "application_id,ethnic_category,appointed\n" + "".join(
        f"a{i},{'A' if i < 10 else 'N'},{'Y' if i in (0, 1, 2, 3, 10) else 'N'}\n" for i in range(18)
    )
    plan = """\
    actions:
      - id: B1
        action: Kept from last year
        indicators: [2]
        deadline: 31/03/2021
        status: in progress
        carried_from: A1
      - id: B2
        action: New and on time
        indicators: [5]
        deadline: 2022-03-31
        status: not started
    """
    root = ws(
        {
            2020: {"staff.csv": staff_csv(white=30, bme=10, prefix="p"), "actions.yaml": PLAN_2020},
            2021: {
                "staff.csv": staff_csv(white=30, bme=12),
                "recruitment.csv": recruitment,
                "board.csv": "member_id,ethnic_category,voting,executive\nm1,A,Y,Y\n",
                "actions.yaml": plan,
            },
        }
    )
    r = load_report("t", 2021, root)
    current, previous = plans(root)
    page = render(r, current, previous)
    # B1's deadline (31 March 2021) is before the report date (30 September 2021) and it is open.
    assert "| **Overdue** | **1** |" in page and "Deadline: 31/03/2021 (**overdue**)" in page
    # Indicator 2: White 4/10 = 40% vs BME 1/8 = 12.5% -> RL 3.20, outside 0.80-1.25, addressed by B1.
    assert (2, "relative likelihood 3.20 is outside 0.80–1.25") in concerns(r)
    assert "| Indicator 2 | relative likelihood 3.20 is outside 0.80–1.25 | Yes: B1 |" in page
    # Last year's plan: A1 carried forward, A2 completed, A3 dropped, A4 not carried; B2 is new.
    assert "1 completed, 1 dropped, 1 carried forward, 1 not carried forward, 1 new this year." in page
    assert "| A1 | Old action kept | Carried forward as B1 (in progress) |" in page


def test_page_says_when_no_action_addresses_a_concern(ws):
    recruitment = "application_id,ethnic_category,appointed\n" + "".join(
        f"a{i},{'A' if i < 10 else 'N'},{'Y' if i in (0, 1, 2, 3, 10) else 'N'}\n" for i in range(18)
    )
    root = ws(
        {
            2021: {
                "staff.csv": staff_csv(white=30, bme=12),
                "recruitment.csv": recruitment,
                "actions.yaml": one_action(indicators="[5]"),
            }
        }
    )
    r = load_report("t", 2021, root)
    page = render(r, *plans(root))
    assert "| Indicator 2 | relative likelihood 3.20 is outside 0.80–1.25 | **No action addresses this** |" in page
    assert "No action addresses indicator 2" in page


def test_sample_plans_load():
    ws = Workspace()
    ml, _ = load_plans(ws, "mlcsu", 2024)
    assert len(ml.actions) == 8 and ml.actions[0].deadline_text == "Ongoing throughout 2024-25"
    hw, _ = load_plans(ws, "hwccg", 2020)
    assert [a.id for a in hw.actions][:13] == [str(i) for i in range(1, 14)]
    leeds, leeds_2020 = load_plans(ws, "leeds", 2021)
    assert leeds_2020 is not None and {a.carried_from for a in leeds.actions} >= {"A1", "A2", "A4"}


def test_sign_off_table_heads_the_page_with_every_action_on_one_line(ws):
    plan = """\
    actions:
      - id: C1
        action: Review shortlisting panels
        indicators: [2]
        owner: Head of HR
        deadline: 31/03/2021
        status: in progress
      - id: C2
        action: Reverse mentoring for the board
        indicators: [9]
        deadline: Ongoing
        status: complete
    """
    root = ws({2021: {"staff.csv": staff_csv(white=30, bme=12), "actions.yaml": plan}})
    page = render(load_report("t", 2021, root), *plans(root))
    lines = page.splitlines()
    head = lines.index("| No. | Action | Lead | Deadline | Status |")
    # The table comes before every other section of the page.
    assert head < min(i for i, line in enumerate(lines) if line.startswith("## ") and "approval" not in line)
    # C1's deadline is before the report date (30 September 2021) and it is open: overdue. C2 names no lead.
    assert lines[head + 2] == "| C1 | Review shortlisting panels | Head of HR | 31/03/2021 (overdue) | In progress |"
    assert lines[head + 3] == "| C2 | Reverse mentoring for the board | Not named | Ongoing | Complete |"
    assert not lines[head + 4].startswith("|")


def test_page_without_a_plan_says_so_in_words(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=30, bme=12)}})
    page = render(load_report("t", 2021, root), *plans(root))
    assert "No action plan was supplied for 2021." in page and "params/" not in page
