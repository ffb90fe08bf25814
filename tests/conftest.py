"""Helpers to write tiny workspaces for the engine tests: every figure in them is small enough to check by hand."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ORG_YAML = "name: Test Trust\ntype: trust\nterm_for_bme: BME\nboard_name: Board\n"


def write_workspace(root: Path, years: dict[int, dict[str, str | bytes]], org: str = "t",
                    org_yaml: str = ORG_YAML) -> Path:
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


def staff_csv(white: int, bme: int, unknown: int = 0, band: str = "Band 5", clinical: str = "N",
              prefix: str = "s") -> str:
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
            shutil.copytree(REPO / "params" / org, root / "params" / org)
            built[org, year] = build_report(org, year, root, log=lambda _: None)
        return built[org, year]
    return get
