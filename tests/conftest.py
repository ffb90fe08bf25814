"""Helpers to write tiny workspaces for the engine tests: every figure in them is small enough to check by hand."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

# Builds in the tests print no PDF unless a test asks for one (each print takes seconds): the board-paper tests
# set WRES_CHROMIUM themselves; WRES_CHROMIUM=/usr/bin/chromium make test prints one for every site built.
os.environ.setdefault("WRES_CHROMIUM", "")

REPO = Path(__file__).resolve().parent.parent
PDF_SITE = ("leeds", 2021)
ORG_YAML = "name: Test Trust\ntype: trust\nterm_for_bme: BME\nboard_name: Board\n"


def write_workspace(
    root: Path, years: dict[int, dict[str, str | bytes]], org: str = "t", org_yaml: str = ORG_YAML
) -> Path:
    """root/params/<org>/org.yaml plus, for each year, the given files (text is dedented)."""
    folder = root / "params" / org
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "org.yaml").write_text(org_yaml, encoding="utf-8")
    for year, files in years.items():
        (folder / str(year)).mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / str(year) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def copy_sample(params: Path, root: Path, org: str) -> None:
    """Copy a sample organisation into root/params with the comparators its org.yaml names (its pages show them)
    and, for an aggregate, its members (and theirs)."""
    import shutil

    import yaml

    settings = yaml.safe_load((params / org / "org.yaml").read_text())
    for name in [org, *(settings.get("comparators") or []), *(settings.get("members") or [])]:
        if not (root / "params" / name).exists():
            if name == org or not (params / name / "org.yaml").is_file():
                shutil.copytree(params / name, root / "params" / name)
            else:
                copy_sample(params, root, name)


def staff_csv(
    white: int, bme: int, unknown: int = 0, band: str = "Band 5", clinical: str = "N", prefix: str = "s"
) -> str:
    """A staff file with the given numbers of White (code A), BME (code N) and Unknown (blank) staff."""
    lines = ["staff_id,ethnic_category,pay_band,clinical"]
    codes = ["A"] * white + ["N"] * bme + [""] * unknown
    lines += [f"{prefix}{i},{code},{band},{clinical}" for i, code in enumerate(codes, 1)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def ws(tmp_path):
    """A factory: ws({2021: {...files...}}) -> workspace root."""

    def make(years, **kwargs):
        return write_workspace(tmp_path, years, **kwargs)

    return make


@pytest.fixture
def ws_withholding_nothing(tmp_path):
    """Like `ws`, for an organisation whose org.yaml withholds no small number (small_number_threshold: 1)."""

    def make(years, **kwargs):
        kwargs.setdefault("org_yaml", ORG_YAML + "small_number_threshold: 1\n")
        return write_workspace(tmp_path, years, **kwargs)

    return make


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """sample_site(org, year) -> the html/ folder of a sample organisation's site, built once per test session
    (in its own workspace, a copy of params/<org>) and shared by the tests that only read it."""
    from wres_helpers.build import build_report

    built: dict[tuple[str, int], Path] = {}

    def get(org: str, year: int) -> Path:
        if (org, year) not in built:
            root = tmp_path_factory.mktemp(f"sample-{org}-{year}")
            copy_sample(REPO / "params", root, org)
            # One site prints its board paper through the real build, so the browser suite downloads a PDF
            # from a page's link; the others skip the seconds a print takes.
            chromium = os.environ["WRES_CHROMIUM"]
            if (org, year) == PDF_SITE:
                os.environ["WRES_CHROMIUM"] = shutil.which("chromium") or "/usr/bin/chromium"
            try:
                built[org, year] = build_report(org, year, root, log=lambda _: None)
            finally:
                os.environ["WRES_CHROMIUM"] = chromium
        return built[org, year]

    return get


# The suites that read the session's shared sample sites (the `sample_site` fixture) run in one worker.
SAMPLE_SITE_SUITES = {"tests/test_browser.py", "tests/test_sample_reports.py"}
# Suites whose module fixture builds one site per parameter: each parameter's tests go together, and the
# parameters to both workers (six and four builds of about 35 s).
SPLIT_BY_PARAMETER = {"tests/test_missing_inputs.py", "tests/test_safe_publishing.py"}


def pytest_xdist_make_scheduler(config, log):
    """`make test` runs in pytest-xdist workers, a test file (or one parameter of it) at a time: its module
    fixtures are built once and nbval's cells of one notebook share one kernel. (xdist_group marks would say the
    same, but pytest-xdist 3.8's loadgroup renames nodes through an attribute pytest 9 no longer reads, so it
    groups nothing.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path in SAMPLE_SITE_SUITES:
                return "sample sites"
            if path in SPLIT_BY_PARAMETER:
                return path + ("[" + nodeid.rsplit("[", 1)[1] if nodeid.endswith("]") else "::" + nodeid)
            return path

    return ByFile(config, log)
