"""The book's own folder (book/): the site follows its _config.yml and an organisation's logo and colours
(params/<org>/book/) without any change to Python; a bad logo or colour is a clear error; a PDF that fails to
print publishes nothing."""

from __future__ import annotations

import io
import shutil

import pytest
import yaml
from PIL import Image

from test_build_pipeline import FIXTURE_NOTEBOOKS, FIXTURE_SECTIONS, ORG, _hashes, _make_workspace
from wres_helpers.book_config import TEMPLATE_DIR, org_look
from wres_helpers.build import BuildError, build_report
from wres_helpers.errors import InputError
from wres_helpers.workspace import Workspace


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """A site built from an edited copy of book/ for an organisation with its own logo and colours."""
    root = _make_workspace(tmp_path_factory.mktemp("workspace"))
    template = tmp_path_factory.mktemp("template") / "book"
    shutil.copytree(TEMPLATE_DIR, template)
    config = yaml.safe_load((template / "_config.yml").read_text())
    config["sphinx"]["config"]["html_theme_options"]["search_bar_text"] = "Find a figure in {organisation}'s report"
    (template / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    look = root / "params" / ORG / "book"
    look.mkdir()
    (look / "logo.png").write_bytes(_png("red"))
    (look / "colours.yaml").write_text("primary: '#AB1234'\n")
    lines: list[str] = []
    site = build_report(
        ORG,
        2021,
        root,
        notebooks_dir=FIXTURE_NOTEBOOKS,
        sections=FIXTURE_SECTIONS,
        book_template=template,
        log=lines.append,
    )
    assert any("no PDF: Chromium is not installed" in line for line in lines), lines  # (WRES_CHROMIUM="")
    return root, template, site


def test_editing_book_config_changes_the_site(changed):
    _, _, site = changed
    index = (site / "index.html").read_text(encoding="utf-8")
    assert (
        "Find a figure in Fixture NHS Trust&#39;s report" in index
        or "Find a figure in Fixture NHS Trust's report" in index
    )
    default = (TEMPLATE_DIR / "_config.yml").read_text()
    assert "Find a figure" not in default  # the change came from the edited copy, not from book/


def test_organisation_logo_and_colours_reach_the_site(changed):
    root, template, site = changed
    assert (site / "_static" / "logo.png").read_bytes() == _png("red")
    assert 'src="_static/logo.png"' in (site / "index.html").read_text(encoding="utf-8")
    assert "--pst-color-primary: #ab1234;" in (site / "_static" / "wres-organisation.css").read_text()
    assert "wres-organisation.css" in (site / "index.html").read_text(encoding="utf-8")


def test_a_pdf_that_fails_to_print_publishes_nothing(changed, monkeypatch):
    root, template, site = changed
    before = _hashes(site)
    assert ".pdf" not in (site / "index.html").read_text(encoding="utf-8")  # built without Chromium: no PDF link
    # A new logo, and a Chromium that fails: the build stops and the site keeps its old logo.
    (root / "params" / ORG / "book" / "logo.png").write_bytes(_png("blue"))
    monkeypatch.setenv("WRES_CHROMIUM", shutil.which("false") or "/bin/false")
    lines: list[str] = []
    with pytest.raises(BuildError) as caught:
        build_report(
            ORG,
            2021,
            root,
            notebooks_dir=FIXTURE_NOTEBOOKS,
            sections=FIXTURE_SECTIONS,
            book_template=template,
            log=lines.append,
        )
    assert "Chromium could not print the report" in str(caught.value)
    assert "Nothing was published" in str(caught.value)
    assert _hashes(site) == before
    assert any(line.startswith("reused ") for line in lines), "a logo is no reason to run the notebooks again"


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("logo.png", b"GIF89a not a png", "a PNG image"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "without scripts"),
        ("logo.svg", b'<svg><image href="https://tracker.example/x.png"/></svg>', "without scripts"),
        ("colours.yaml", b"primary: red\n", "six hexadecimal digits"),
        ("colours.yaml", b"background: '#ffffff'\n", "only primary and secondary"),
    ],
)
def test_a_bad_logo_or_colour_is_a_clear_error(tmp_path, name, content, expected):
    root = _make_workspace(tmp_path)
    folder = root / "params" / ORG / "book"
    folder.mkdir()
    (folder / name).write_bytes(content)
    with pytest.raises(InputError) as caught:
        org_look(Workspace(root), ORG)
    assert f"params/{ORG}/book/{name}" in str(caught.value) and expected in str(caught.value)
