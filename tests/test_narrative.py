"""Narrative placeholders: strict keys, states that cannot be quoted, typed numbers, starter files."""

import pytest

from conftest import staff_csv
from wres_helpers import InputError, narrative
from wres_helpers.report_data import load_report
from wres_helpers.values import report_values


@pytest.fixture
def ws(ws_withholding_nothing):
    """The figures in these tests are tiny on purpose; disclosure control has its own tests."""
    return ws_withholding_nothing


SETTINGS_WITHHELD = "indicators:\n  3: {status: withheld, reason: Fewer than five cases}\n"


@pytest.fixture
def small(ws):
    recruitment = "application_id,ethnic_category,appointed\n" + "".join(
        f"a{i},{'A' if i < 10 else 'N'},{'Y' if i in (0, 1, 2, 3, 10) else 'N'}\n" for i in range(18)
    )
    root = ws(
        {
            2020: {"staff.csv": staff_csv(white=30, bme=10, prefix="p")},
            2021: {
                "staff.csv": staff_csv(white=30, bme=12, unknown=2),
                "recruitment.csv": recruitment,
                "settings.yaml": SETTINGS_WITHHELD,
            },
        }
    )
    return load_report("t", 2021, root)


def test_values_are_formatted_by_measure(small):
    v = report_values(small)
    # 12 BME of 44 staff = 27.27...% ; 2020: 10 of 40 = 25.0%
    assert v["workforce_bme_pct"].text == "27.3%"
    assert v["i1_share_pct_all_bme_n"].text == "12" and v["i1_share_pct_all_bme_of"].text == "44"
    assert v["workforce_bme_pct_prev"].text == "25.0%"
    assert v["workforce_bme_pct_2020"].text == "25.0%"
    assert v["workforce_bme_pct_change"].text == "+2.3 percentage points"
    assert v["workforce_bme_pct_change_words"].text == "up 2.3 percentage points"
    # White 4 of 10 = 40%, BME 1 of 8 = 12.5%: RL 3.2
    assert v["rl_appointment"].text == "3.20"
    assert v["headcount"].text == "44"
    assert v["previous_year"].text == "2020" and v["term"].text == "BME"


def test_render_fills_placeholders(small):
    out = narrative.render(
        "In {{ year }}, {{ workforce_bme_pct }} of staff were {{ term }}.\n",
        report_values(small),
        "narrative/summary.md",
    )
    assert out == "In 2021, 27.3% of staff were BME.\n"


def test_unknown_key_names_file_line_and_near_matches(small):
    text = "Intro line.\n\nThe share was {{ workforce_bme_pc }} this year.\n"
    with pytest.raises(InputError) as info:
        narrative.render(text, report_values(small), "params/t/2021/narrative/workforce.md")
    p = info.value.problems[0]
    assert (p.file, p.row, p.column) == ("params/t/2021/narrative/workforce.md", 3, "workforce_bme_pc")
    message = str(info.value)
    assert "line 3, key 'workforce_bme_pc'" in message
    assert "did you mean workforce_bme_pct" in message


def test_withheld_key_cannot_be_quoted(small):
    text = "Disciplinary ratio: {{ rl_disciplinary }}\n"
    with pytest.raises(InputError) as info:
        narrative.render(text, report_values(small), "narrative/recruitment.md")
    p = info.value.problems[0]
    assert (p.row, p.column) == (1, "rl_disciplinary")
    assert "withheld" in str(info.value) and "Fewer than five cases" in str(info.value)


def test_not_computable_key_cannot_be_quoted(ws):
    root = ws(
        {2021: {"staff.csv": staff_csv(white=5, bme=2), "disciplinary.csv": "case_id,ethnic_category,date_entered\n"}}
    )
    r = load_report("t", 2021, root)
    with pytest.raises(InputError, match="not computable"):
        narrative.render("{{ rl_disciplinary }}", report_values(r), "n.md")


def test_typed_numbers_are_flagged_with_their_line():
    text = "First line.\nThe share is 8.54% this year.\nRatio {{ rl_training }} and 1.04 last year.\nIn 2021 we grew.\n"
    found = narrative.typed_numbers(text, "narrative/experience.md")
    assert [(p.row, p.value) for p in found] == [(2, "8.54%"), (3, "1.04")]
    assert "line 2" in str(found[0])


def test_starter_files_render_back_to_the_generated_sentences():
    # Every figure in a starter is a placeholder bound to the row it came from, so rendering the starter
    # gives exactly the report's generated sentences.
    for org, year in (("leeds", 2021), ("mlcsu", 2024), ("hwccg", 2020)):
        r = load_report(org, year)
        values = report_values(r)
        for section in ("summary", "workforce", "recruitment", "experience", "board"):
            starter = narrative.starter(r, section)
            body = starter.split("-->", 1)[1].lstrip("\n")
            assert narrative.render(body, values, section) == narrative.generated(r, section), (org, year, section)
            assert not narrative.typed_numbers(body.replace("0.80 to 1.25", ""), section), (org, section)


def test_mlcsu_2024_narrative_renders_without_typed_figures():
    rendered, warnings = narrative.load_narrative(load_report("mlcsu", 2024))
    assert set(rendered) == set(narrative.NARRATIVE_SECTIONS) and warnings == []
    assert "2.45, against 1.89 in 2023" in rendered["summary"]  # the seed report's printed RLs


def test_leeds_2021_narrative_renders_with_the_engine_values():
    r = load_report("leeds", 2021)
    rendered, warnings = narrative.load_narrative(r)
    assert set(rendered) == set(narrative.NARRATIVE_SECTIONS)
    assert warnings == []
    # Values as the seed report prints them (to its precision), now from the data.
    assert "7.1% of the voting membership" in rendered["board"]
    assert "8.0 percentage points below" in rendered["board"]
    # The judgement words come from the figures: 0.78 is below 1.00 (White applicants less likely) and
    # outside 0.80-1.25; it moved from 0.89, further from 1.00.
    recruitment = " ".join(rendered["recruitment"].split())
    assert "were less likely than BAME shortlisted applicants" in recruitment
    assert "0.78), outside the non-adverse range of 0.80 to 1.25" in recruitment
    assert "it fell, and judged by how far it is from equal likelihood it worsened" in recruitment
    assert "{{" not in "".join(rendered.values())


def test_a_narrative_file_for_no_section_is_refused(ws):
    root = ws({2021: {"staff.csv": staff_csv(white=5, bme=2), "narrative/intro.md": "Hello\n"}})
    with pytest.raises(InputError, match="not a report section"):
        narrative.load_narrative(load_report("t", 2021, root))


def test_report_values_travel_with_the_report_to_the_kernels_and_follow_its_comparators(monkeypatch):
    """The build works the values out once (validating the narrative) and pickles the report for its kernels:
    a kernel gets them without working them out again, and a copy handed to a caller cannot change them."""
    import pickle

    from wres_helpers import values as values_module
    from wres_helpers.comparators import load_comparators

    r = load_report("leeds", 2021)
    first = report_values(r)
    first["rl_appointment"] = "changed by a caller"
    received = pickle.loads(pickle.dumps(r))  # what report_data.save_for_kernels hands on
    monkeypatch.setattr(values_module, "_report_values", lambda r: pytest.fail("worked out again"))
    again = report_values(received)
    assert again == report_values(r) and again["rl_appointment"] != "changed by a caller"
    assert again["rl_appointment"].text == "0.78"  # leeds 2021: 0.78, as its seed report prints it
    monkeypatch.undo()
    load_comparators(r)  # now there are comparators: the values are made again, for them
    monkeypatch.setattr(values_module, "_report_values", lambda r: {"made": "again"})
    assert report_values(r) == ({"made": "again"} if r.comparators else again)
