"""Every optional input may be missing: the real report (notebooks and book) still builds, says plainly on the
page which data was not supplied, and shows no workspace path.

Six builds: staff.csv and org.yaml alone (no other input, no previous year, no narrative, no action plan), and
the leeds sample (2020 and 2021, with action plans, without narrative) less one optional input at a time.
"""

import shutil
from pathlib import Path

import pytest
import yaml

from test_public_pages import leaks
from test_sample_reports import PAGES, page_text
from wres_helpers.build import build_report

REPO = Path(__file__).resolve().parent.parent
LEEDS = REPO / "params" / "leeds"

# Where each missing input is stated, and how.
STATEMENTS = {
    "recruitment": ("recruitment", "No recruitment data was supplied for {year}"),
    "disciplinary": ("recruitment", "No disciplinary data was supplied for {year}"),
    "training": ("recruitment", "No training data was supplied for {year}"),
    "board": ("board", "No board membership data was supplied for {year}"),
    "staff_survey": ("experience", "No NHS Staff Survey data was supplied for {year}"),
}
CASES = ["staff_only"] + [f"no_{name}" for name in STATEMENTS]


def _without_comparators(path: Path) -> None:
    """leeds names comparators that this one-organisation workspace does not hold."""
    settings = yaml.safe_load(path.read_text())
    settings.pop("comparators", None)
    path.write_text(yaml.safe_dump(settings))


def _workspace(root: Path, case: str) -> tuple[str, int]:
    org = root / "params" / "tiny"
    if case == "staff_only":
        (org / "2024").mkdir(parents=True)
        shutil.copy(LEEDS / "org.yaml", org / "org.yaml")
        _without_comparators(org / "org.yaml")
        shutil.copy(LEEDS / "2021" / "staff.csv", org / "2024" / "staff.csv")
        return "tiny", 2024
    shutil.copytree(LEEDS, org, ignore=shutil.ignore_patterns("narrative"))
    _without_comparators(org / "org.yaml")
    missing = case.removeprefix("no_")
    for year in ("2020", "2021"):
        for found in (org / year).glob(f"{missing}.*"):
            found.unlink()
    return "tiny", 2021


@pytest.fixture(scope="module", params=CASES)
def built(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    org, year = _workspace(root, request.param)
    lines: list[str] = []
    site = build_report(org, year, root, log=lines.append)
    pages = {name: page_text(site / f"{name}.html") for name in PAGES}
    return request.param, year, root, site, pages, lines


def test_the_report_builds_and_says_which_data_was_not_supplied(built):
    case, year, _, site, pages, lines = built
    missing = list(STATEMENTS) if case == "staff_only" else [case.removeprefix("no_")]
    for name in missing:
        page, statement = STATEMENTS[name]
        assert statement.format(year=year) in pages[page], f"{case}: {page}.html does not say {statement!r}"
        assert any(line.startswith(f"note: no {name} file") and f"{name}.csv or .xlsx" in line for line in lines), (
            f"{case}: the build log does not name the {name} file"
        )
    assert "No data supplied" in pages["methodology"]
    for name, text in pages.items():
        for bad in (" nan", "NaN", "None", "{{", "Traceback"):
            assert bad not in text, f"{case}: {name}.html shows {bad!r}"


def test_staff_only_report_has_no_action_plan_and_a_full_workforce_page(built):
    case, year, _, site, pages, _ = built
    if case != "staff_only":
        assert "The plan for approval" in pages["action_plan"]
        return
    assert f"No action plan was supplied for {year}" in pages["action_plan"]
    assert "15.1% of staff (57 of 377)" in pages["workforce"]  # leeds 2021's staff: 57 BAME of 377


def test_no_page_or_download_shows_a_workspace_path(built):
    case, _, root, site, _, _ = built
    assert leaks(site, root) == [], case
