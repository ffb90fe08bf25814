"""The report pipeline: publishing rules, generated book settings, published data, the offline check, and
end-to-end builds of tiny fixture notebooks (a good build, then a failing one that must publish nothing)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from wres_helpers import InputError
from wres_helpers.book_config import book_config, book_toc, dump_yaml
from wres_helpers.build import SECTIONS, BuildError, build_book, build_report, external_references, prepare_for_book
from wres_helpers.disclosure import Rules, publish
from wres_helpers.workspace import OrgSettings

FIXTURE_NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "notebooks"
FIXTURE_SECTIONS = [("summary", "summary.ipynb", "Summary"), ("detail", "detail.ipynb", "Detail")]
ORG = "fixture-org"


# -- prepare_for_book -------------------------------------------------------------------------------------
def _markdown_output(text):
    return new_output(
        "display_data", data={"text/markdown": text, "text/plain": "<IPython.core.display.Markdown object>"}
    )


def _executed_notebook():
    """What papermill leaves behind, in miniature."""
    params = new_code_cell('org = "leeds"\nyear = 2021', metadata={"tags": ["parameters"]}, execution_count=1)
    injected = new_code_cell(
        '# Parameters\norg = "mlcsu"\nyear = 2023\n',
        execution_count=2,
        metadata={"tags": ["injected-parameters"], "papermill": {"duration": 0.01}},
    )
    table = new_code_cell(
        "table",
        execution_count=3,
        metadata={
            "execution": {"iopub.execute_input": "2024-01-01T00:00:00"},
            "papermill": {"duration": 0.5, "start_time": "2024-01-01", "status": "completed"},
        },
        outputs=[
            new_output("stream", name="stderr", text="FutureWarning: noisy\n"),
            new_output(
                "execute_result", data={"text/html": "<table></table>", "text/plain": "table"}, execution_count=3
            ),
            new_output("error", ename="ValueError", evalue="boom", traceback=["tb"]),
        ],
    )
    secret = new_code_cell(
        "print('internal')",
        metadata={"tags": ["remove-cell"]},
        outputs=[new_output("stream", name="stdout", text="internal\n")],
    )
    heading = new_code_cell(
        'display(Markdown("## Headcount"))', execution_count=4, outputs=[_markdown_output("## Headcount")]
    )
    mixed = new_code_cell(
        "show()",
        execution_count=5,
        metadata={"tags": ["hide-input"]},
        outputs=[
            _markdown_output("### Before"),
            new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
            _markdown_output("After the chart."),
        ],
    )
    setup = new_code_cell("import pandas as pd", execution_count=6)
    nb = new_notebook(
        cells=[params, injected, new_markdown_cell("# Title\n\nIntro."), table, secret, heading, mixed, setup],
        metadata={
            "kernelspec": {"name": "wres", "display_name": "WRES", "language": "python"},
            "papermill": {"start_time": "2024-01-01T00:00:00", "duration": 3.2, "parameters": {"org": "mlcsu"}},
        },
    )
    return nb


def test_prepare_drops_parameter_cells_and_hides_all_code():
    page = prepare_for_book(_executed_notebook())
    sources = "\n".join(c.source for c in page.cells)
    assert "org =" not in sources and "internal" not in sources
    assert not any(
        {"parameters", "injected-parameters", "remove-cell"} & set(c.metadata.get("tags", [])) for c in page.cells
    )
    code = [c for c in page.cells if c.cell_type == "code"]
    assert code and all("remove-input" in c.metadata["tags"] for c in code)
    assert not any("hide-input" in c.metadata["tags"] for c in code)
    # A code cell with nothing to show (the import) is dropped.
    assert "import pandas as pd" not in sources


def test_prepare_strips_stderr_errors_and_run_metadata():
    page = prepare_for_book(_executed_notebook())
    outputs = [o for c in page.cells if c.cell_type == "code" for o in c.outputs]
    assert not any(o.output_type == "error" for o in outputs)
    assert not any(o.output_type == "stream" and o.name == "stderr" for o in outputs)
    assert any("text/html" in o.get("data", {}) for o in outputs)
    for cell in page.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
        if cell.cell_type == "code":
            assert cell.execution_count is None
            assert all(o.get("execution_count") is None for o in cell.outputs)
    assert "papermill" not in page.metadata
    assert page.metadata["kernelspec"]["name"] == "wres"
    nbformat.validate(page)


def test_prepare_turns_markdown_outputs_into_markdown_cells_in_order():
    page = prepare_for_book(_executed_notebook())
    kinds = [
        (
            c.cell_type,
            c.source if c.cell_type == "markdown" else [k for o in c.outputs for k in o.get("data", {"stream": 1})],
        )
        for c in page.cells
    ]
    assert kinds == [
        ("markdown", "# Title\n\nIntro."),
        ("code", ["text/html", "text/plain"]),
        ("markdown", "## Headcount"),
        ("markdown", "### Before"),
        ("code", ["image/png", "text/plain"]),
        ("markdown", "After the chart."),
    ]
    assert len({c.id for c in page.cells}) == len(page.cells)


def test_prepare_adds_the_section_title_only_when_the_page_has_none():
    nb = new_notebook(cells=[new_code_cell("x", outputs=[_markdown_output("Some text")])])
    assert prepare_for_book(nb, title="Board representation").cells[0].source == "# Board representation"
    titled = prepare_for_book(_executed_notebook(), title="Other")
    assert titled.cells[0].source.startswith("# Title")


def test_prepare_leaves_its_input_unchanged():
    nb = _executed_notebook()
    before = nbformat.writes(nb)
    prepare_for_book(nb)
    assert nbformat.writes(nb) == before


# -- generated book settings (snapshots) ------------------------------------------------------------------
SETTINGS = OrgSettings("fixture-org", "Fixture NHS Trust", "trust", "BME", "Trust Board")

EXPECTED_CONFIG = """\
title: 'Fixture NHS Trust: Workforce Race Equality Standard report 2021'
author: Fixture NHS Trust
copyright: ''
logo: ''
only_build_toc_files: true
exclude_patterns:
- _build
- data
- pages
execute:
  execute_notebooks: 'off'
parse:
  myst_enable_extensions:
  - colon_fence
html:
  favicon: _static/favicon.svg
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  use_multitoc_numbering: false
  home_page_in_navbar: true
  extra_footer: Produced by wres_helpers 9.9.9 from the 2021 data of Fixture NHS Trust.
  comments:
    hypothesis: false
    utterances: false
launch_buttons:
  notebook_interface: classic
  binderhub_url: ''
  jupyterhub_url: ''
  thebe: false
  colab_url: ''
  deepnote_url: ''
sphinx:
  config:
    extensions:
    - sphinx_togglebutton
    - sphinx_copybutton
    - myst_nb
    - jupyter_book
    - sphinx_external_toc
    - sphinx.ext.intersphinx
    - sphinx_design
    - sphinx_comments
    - sphinx_book_theme
    - wres_helpers.book_sphinx
    html_theme_options:
      search_bar_text: Search this report...
      home_page_in_toc: true
      use_download_button: false
      use_fullscreen_button: true
      use_repository_button: false
      use_edit_page_button: false
      use_issues_button: false
      use_source_button: false
      launch_buttons: {}
      extra_footer: Produced by wres_helpers 9.9.9 from the 2021 data of Fixture NHS Trust.
      analytics: {}
    html_context:
      default_mode: auto
    templates_path:
    - _templates
    html_show_copyright: false
    html_show_sphinx: false
    html_copy_source: false
    html_show_sourcelink: false
    mathjax_path: mathjax-is-not-shipped.js
    nb_ipywidgets_js: {}
    intersphinx_mapping: {}
"""

EXPECTED_TOC = """\
format: jb-book
root: index
chapters:
- file: workforce
  title: Workforce profile (indicator 1)
- file: recruitment
  title: Recruitment, discipline and training (indicators 2 to 4)
- file: experience
  title: Staff experience (indicators 5 to 8)
- file: board
  title: Board representation (indicator 9)
- file: next_steps
  title: Next steps and recommendation
- file: action_plan
  title: Action plan
- file: methodology
  title: Methodology and data quality
"""


def test_book_config_snapshot():
    assert dump_yaml(book_config(SETTINGS, 2021, version="9.9.9")) == EXPECTED_CONFIG


def test_toc_snapshot():
    assert dump_yaml(book_toc(SECTIONS)) == EXPECTED_TOC


def test_config_quotes_awkward_organisation_names():
    odd = OrgSettings("odd", 'St. Mary\'s: "North" # Trust', "trust", "BME", "Board")
    import yaml

    assert yaml.safe_load(dump_yaml(book_config(odd, 2022, version="1")))["title"] == (
        'St. Mary\'s: "North" # Trust: Workforce Race Equality Standard report 2022'
    )


# -- published table -----------------------------------------------------------------------------------
def test_published_table_blanks_figures_unless_status_is_ok():
    table = pd.DataFrame(
        {
            "indicator": [1, 2, 3, 9],
            "measure": ["share_pct", "rate_pct", "rate_pct", "share_pct"],
            "breakdown": ["all"] * 4,
            "group": ["bme"] * 4,
            "value": pd.array([12.5, 40.0, 0.5, None], dtype="Float64"),
            "numerator": pd.array([5, 2, 1, None], dtype="Int64"),
            "denominator": pd.array([40, 5, 200, 0], dtype="Int64"),
            "status": ["ok", "withheld", "not_computable", "no_data"],
            "reason": ["", "small numbers", "no staff", "no file"],
        }
    )
    out = publish(table, Rules(threshold=1))  # withhold no small count: only rule 6 applies
    assert out.loc[0, ["value", "numerator", "denominator"]].tolist() == [12.5, 5, 40]
    for row in (1, 2, 3):
        assert out.loc[row, ["value", "numerator", "denominator"]].isna().all()
    assert out["status"].tolist() == table["status"].tolist() and out["reason"].tolist() == table["reason"].tolist()
    assert table.loc[1, "value"] == 40.0  # the input is not changed
    assert list(out.columns) == list(table.columns) + ["suppression", "shown_as"]


def test_external_references_finds_internet_loads(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text("""<!DOCTYPE html><html><head>
<link rel="preconnect" href="https://fonts.googleapis.com">
<link rel="stylesheet" href="_static/local.css">
<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
<script src="_static/local.js"></script>
<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"</script>
<style>body { background: url('//example.org/bg.png'); }</style>
</head><body>
<a href="https://www.england.nhs.uk/about/equality/">an outside page: a link, not a load</a>
<svg xmlns="http://www.w3.org/2000/svg"><path d=""/></svg>
<img src="_images/chart.png"><iframe src="http://example.com/embed"></iframe>
</body></html>""")
    (tmp_path / "sub" / "style.css").write_text(
        "@import 'https://fonts.example/font.css';\n.x{background:url(../img/a.png)} .y{src:url(\"https://x.org/f.woff2\")}"
    )
    (tmp_path / "sub" / "app.js").write_text(
        'const ns = "http://www.w3.org/2000/svg"; s.src = "https://unpkg.com/lib.js"; // see https://docs.example\n'
    )
    found = external_references(tmp_path)
    expected = [
        "https://fonts.googleapis.com",
        "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js",
        "https://unpkg.com/thebe@0.8.2/lib/index.js",
        "//example.org/bg.png",
        "http://example.com/embed",
        "https://fonts.example/font.css",
        "https://x.org/f.woff2",
        "https://unpkg.com/lib.js",
    ]
    for url in expected:
        assert any(line.endswith(url) for line in found), (url, found)
    assert len(found) == len(expected), found
    assert not any("england.nhs.uk" in line or "w3.org" in line or "docs.example" in line for line in found)
    assert any(line.startswith("index.html: <script src>") for line in found)
    assert any(line.startswith("sub/style.css: ") for line in found)


def test_external_references_is_empty_for_a_local_page(tmp_path):
    (tmp_path / "index.html").write_text(
        '<html><head><script src="_static/a.js"></script></head>'
        '<body><a href="https://example.org">link</a><img src="data/x.png"></body></html>'
    )
    assert external_references(tmp_path) == []


# -- end to end on fixture notebooks ----------------------------------------------------------------------
def _make_workspace(root: Path) -> Path:
    org = root / "params" / ORG
    (org / "2021").mkdir(parents=True)
    (org / "org.yaml").write_text("name: Fixture NHS Trust\ntype: trust\nterm_for_bme: BME\nboard_name: Trust Board\n")
    (org / "2021" / "staff.csv").write_text(
        "staff_id,ethnic_category,pay_band,clinical\nS1,A,Band 5,Y\nS2,H,Band 5,N\nS3,A,Band 6,Y\nS4,,Band 7,N\n"
    )
    (org / "2021" / "board.csv").write_text("member_id,ethnic_category,voting,executive\nB1,A,Y,Y\nB2,M,Y,N\n")
    return root


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = _make_workspace(tmp_path_factory.mktemp("workspace"))
    lines: list[str] = []
    site = build_report(ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lines.append)
    return root, site, lines


def test_build_publishes_a_site_with_pages_and_data(built):
    root, site, lines = built
    assert site == root / "build" / ORG / "2021" / "html"
    assert (site / "index.html").is_file() and (site / "detail.html").is_file()
    assert list(site.glob("_images/*.png")), "the chart is an image file inside the site"
    # The analyst's workbook replaces the raw table; the raw table stays with the command line.
    assert sorted(p.name for p in (site / "data").iterdir()) == [f"{ORG}-wres-2021.xlsx"]
    assert sorted(p.name for p in (site.parent / "executed").glob("*.ipynb")) == ["detail.ipynb", "summary.ipynb"]
    assert not list(site.parent.glob(".staging-*")) and not list(site.parent.glob(".old-html-*"))
    assert any(line.startswith("executed 2 notebooks in ") for line in lines), lines
    assert any(line.startswith("executing 2 notebooks, 2 at a time: summary.ipynb, detail.ipynb") for line in lines)
    assert lines[-1].startswith("published ") and len([x for x in lines if not x.startswith("note: ")]) == 8, lines
    assert any(x.startswith("note: no recruitment file") for x in lines), lines


def test_built_site_loads_nothing_from_the_internet(built):
    _, site, _ = built
    assert external_references(site) == []


def test_pages_show_outputs_only(built):
    root, site, _ = built
    pages = {p.name: p.read_text(encoding="utf-8") for p in site.glob("*.html")}
    for name, text in pages.items():
        assert "injected-parameters" not in text and "Parameters" not in text, name
        assert str(root) not in text, f"{name} shows the workspace parameter"
        assert "org = " not in text and "indicator_table(" not in text, f"{name} shows code"
        assert "cell_input" not in text, f"{name} has a code input block"
        assert "FIXTURE-STDERR-TEXT" not in text, f"{name} shows stderr"
    index = pages["index.html"]
    assert "<h1>Fixture NHS Trust: summary for 2021" in index  # a heading written by code ...
    assert 'href="#heading-from-code"' in index  # ... reaches the page's contents
    assert "FIXTURE-STDOUT-TEXT" in index and "<table" in index
    # A Markdown link to the workbook in a notebook becomes a working download link.
    links = re.findall(r'href="([^"]*wres-2021\.xlsx)"', index)
    assert links and all((site / link).is_file() for link in links), links


def test_failing_notebook_publishes_nothing(built):
    root, site, _ = built
    before = _hashes(site)
    with pytest.raises(BuildError) as caught:
        build_report(
            ORG,
            2021,
            root,
            notebooks_dir=FIXTURE_NOTEBOOKS,
            log=lambda line: None,
            sections=[("summary", "summary.ipynb", "Summary"), ("broken", "broken.ipynb", "Broken")],
        )
    message = str(caught.value)
    assert "broken.ipynb failed in cell 4 of 4" in message, message
    assert 'raise ValueError(f"fixture failure for {org}")' in message
    assert "ValueError: fixture failure for fixture-org" in message
    assert "Nothing was published" in message and "Traceback" not in message
    assert _hashes(site) == before
    assert not list(site.parent.glob(".staging-*")) and not list(site.parent.glob(".old-html-*"))


# -- failures before any kernel starts --------------------------------------------------------------------
def test_input_error_stops_the_build_before_any_notebook_runs(tmp_path):
    root = _make_workspace(tmp_path)
    (root / "params" / ORG / "2021" / "staff.csv").write_text(
        "staff_id,ethnic_category,pay_band,clinical\nS1,A,Band 5,maybe\n"
    )
    with pytest.raises(InputError, match="expected Y or N"):
        build_report(ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lambda line: None)
    assert not (root / "build").exists()


def test_a_leaky_published_table_stops_the_build(tmp_path, monkeypatch):
    # The build attacks its own published tables with the interval audit. Here publishing is broken on
    # purpose: the whole workforce's BME count is withheld on its own, so White + BME + Unknown = total gives
    # it back exactly; the build must refuse and publish nothing.
    import wres_helpers.report_data as report_data

    honest = report_data.publish

    def leaky(table, rules, earlier=None, cache=None):
        out = honest(table, Rules(threshold=1, width=0, all_one_group_below=0), earlier)  # withholds nothing ...
        row = (out.indicator == 1) & (out.measure == "headcount") & (out.breakdown == "all") & (out.group == "bme")
        out.loc[row, ["status", "suppression", "shown_as"]] = ["withheld", "withheld", "withheld"]
        out.loc[row, ["value", "numerator", "denominator"]] = pd.NA  # ... but this one count, recoverable
        return out

    monkeypatch.setattr(report_data, "publish", leaky)
    root = _make_workspace(tmp_path)
    with pytest.raises(BuildError, match="Disclosure check failed") as caught:
        build_report(ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lambda line: None)
    assert "1/all/bme: 1 to 1" in str(caught.value)  # pinned to the one BME member of staff
    assert not (root / "build").exists()


def test_missing_notebook_is_reported_before_any_notebook_runs(tmp_path):
    root = _make_workspace(tmp_path)
    with pytest.raises(BuildError, match="nope.ipynb"):
        build_report(
            ORG,
            2021,
            root,
            notebooks_dir=FIXTURE_NOTEBOOKS,
            log=lambda line: None,
            sections=FIXTURE_SECTIONS + [("nope", "nope.ipynb", "Nope")],
        )
    assert not (root / "build").exists()


def test_book_warnings_fail_the_build_and_math_is_refused(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(dump_yaml(book_config(SETTINGS, 2021, version="1")))
    (book / "_toc.yml").write_text(dump_yaml(book_toc([("a", "a.ipynb", "A"), ("b", "b.ipynb", "B")])))
    (book / "index.md").write_text("# Home\n\nThe ratio is {math}`\\frac{a}{b}`.\n")
    (book / "b.md").write_text("# B\n\nSee [nowhere](missing.md).\n")
    with pytest.raises(BuildError) as caught:
        build_book(book)
    message = str(caught.value)
    assert "contains math" in message, message
    assert "missing.md" in message, message


# -- narrative edits do not re-run notebooks ----------------------------------------------------------------
def test_narrative_only_edit_rebuilds_without_running_notebooks(tmp_path):
    root = _make_workspace(tmp_path)
    org_yaml = root / "params" / ORG / "org.yaml"  # 1 BME of 4 staff: quote it, so withhold nothing here
    org_yaml.write_text(org_yaml.read_text() + "small_number_threshold: 1\n")
    narrative_dir = root / "params" / ORG / "2021" / "narrative"
    narrative_dir.mkdir()
    (narrative_dir / "summary.md").write_text("First words: {{ workforce_bme_pct }} of staff.\n")

    def build():
        lines: list[str] = []
        site = build_report(
            ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lines.append
        )
        return site, lines, (site / "index.html").read_text(encoding="utf-8")

    site, lines, index = build()
    assert any(line.startswith("executed 2 notebooks") for line in lines), lines
    # S2 (code H) is the one BME member of 4 staff: 25.0%; the executed placeholder text is replaced.
    assert "First words: 25.0% of staff." in index and "NARRATIVE-AS-EXECUTED" not in index
    executed = {p.name: p.stat().st_mtime_ns for p in (site.parent / "executed").glob("*.ipynb")}

    (narrative_dir / "summary.md").write_text("Second words: {{ workforce_bme_pct }}.\n")
    site, lines, index = build()
    assert any(line.startswith("reused 2 executed notebooks") for line in lines), lines
    assert not any(line.startswith("executed ") for line in lines), lines
    assert {p.name: p.stat().st_mtime_ns for p in (site.parent / "executed").glob("*.ipynb")} == executed
    assert "Second words: 25.0%." in index and "First words" not in index

    # A data change is not narrative: the notebooks run again.
    staff = root / "params" / ORG / "2021" / "staff.csv"
    staff.write_text(staff.read_text() + "S5,N,Band 6,N\n")
    site, lines, index = build()
    assert any(line.startswith("executed 2 notebooks") for line in lines), lines
    assert "Second words: 40.0%." in index  # 2 BME of 5 staff


def _fixture_build(root):
    lines: list[str] = []
    site = build_report(ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lines.append)
    return site, lines


def test_a_rebuild_with_nothing_changed_does_nothing_and_says_so(tmp_path):
    root = _make_workspace(tmp_path)
    site, _ = _fixture_build(root)
    before = _hashes(site.parent)
    site, lines = _fixture_build(root)
    assert len(lines) == 1 and lines[0].startswith("nothing to do: no input, setting, narrative"), lines
    assert _hashes(site.parent) == before  # not a byte of the site, the executed copies or the stamps moved

    # Any change to a file the site is made from is noticed: the organisation's settings, say.
    org_yaml = root / "params" / ORG / "org.yaml"
    org_yaml.write_text(org_yaml.read_text().replace("Fixture NHS Trust", "Fixture NHS Foundation Trust"))
    site, lines = _fixture_build(root)
    assert not any(line.startswith("nothing to do") for line in lines), lines
    assert "Fixture NHS Foundation Trust" in (site / "index.html").read_text(encoding="utf-8")


@contextmanager
def _no_disclosure_programmes():
    """Any integer or linear programme solved inside fails the build (SciPy's solvers are looked up per call)."""
    import scipy.optimize

    def refuse(*args, **kwargs):
        raise AssertionError("a disclosure programme was solved again")

    saved = scipy.optimize.milp, scipy.optimize.linprog
    scipy.optimize.milp = scipy.optimize.linprog = refuse
    try:
        yield
    finally:
        scipy.optimize.milp, scipy.optimize.linprog = saved


def test_a_change_to_a_column_no_indicator_reads_runs_no_notebook(tmp_path):
    root = _make_workspace(tmp_path)
    staff = root / "params" / ORG / "2021" / "staff.csv"
    staff.write_text(
        "staff_id,ethnic_category,pay_band,clinical,department\n"
        "S1,A,Band 5,Y,Ward 1\nS2,H,Band 5,N,Finance\nS3,A,Band 6,Y,Ward 2\nS4,,Band 7,N,Estates\n"
    )
    site, lines = _fixture_build(root)
    assert any(line.startswith("executed 2 notebooks") for line in lines), lines
    executed = _hashes(site.parent / "executed")

    staff.write_text(staff.read_text().replace("Finance", "Finance and Contracting"))  # a free-text cell
    with _no_disclosure_programmes():  # the same tables: the withheld cells and the audit's pass are kept
        site, lines = _fixture_build(root)
    assert any(line.startswith("reused 2 executed notebooks") for line in lines), lines
    assert not any(line.startswith("executed ") for line in lines), lines
    assert _hashes(site.parent / "executed") == executed
    # ... but the site is rebuilt: the manifest states the new file's fingerprint.
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    digests = {entry["file"]: entry["sha256"] for entry in manifest["inputs"]}
    assert digests[f"params/{ORG}/2021/staff.csv"] == hashlib.sha256(staff.read_bytes()).hexdigest()


def test_the_methodology_page_states_the_input_fingerprints_of_this_build_without_running_a_notebook(tmp_path):
    """The provenance cell of 06_methodology is filled in by the build: after a narrative-only edit (no notebook
    runs) it lists the new narrative file's SHA-256, not the one of the run that executed the notebooks."""
    root = _make_workspace(tmp_path)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(FIXTURE_NOTEBOOKS / "summary.ipynb", notebooks)
    shutil.copy(FIXTURE_NOTEBOOKS.parent.parent.parent / "notebooks" / "06_methodology.ipynb", notebooks)
    sections = [("summary", "summary.ipynb", "Summary"), ("methodology", "06_methodology.ipynb", "Methodology")]
    narrative = root / "params" / ORG / "2021" / "narrative"
    narrative.mkdir()
    (narrative / "summary.md").write_text("First version.\n")

    def build():
        lines: list[str] = []
        site = build_report(ORG, 2021, root, notebooks_dir=notebooks, sections=sections, log=lines.append)
        return site, lines

    build()
    (narrative / "summary.md").write_text("Second version.\n")
    site, lines = build()
    assert any(line.startswith("reused 2 executed notebooks") for line in lines), lines
    page = (site / "methodology.html").read_text(encoding="utf-8")
    new_digest = hashlib.sha256(b"Second version.\n").hexdigest()
    old_digest = hashlib.sha256(b"First version.\n").hexdigest()
    assert new_digest in page and old_digest not in page


def test_narrative_error_stops_the_build_before_any_notebook_runs(tmp_path):
    root = _make_workspace(tmp_path)
    narrative_dir = root / "params" / ORG / "2021" / "narrative"
    narrative_dir.mkdir()
    (narrative_dir / "board.md").write_text("Line one.\nThe share is {{ board_share }}.\n")
    with pytest.raises(InputError) as caught:
        build_report(ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lambda _: None)
    assert "params/fixture-org/2021/narrative/board.md, line 2, key 'board_share'" in str(caught.value)
    assert not (root / "build" / ORG / "2021" / "executed").exists()


def test_a_markdown_problem_in_the_narrative_names_the_narrative_file_and_line(built):
    root, site, _ = built
    before = _hashes(site)
    folder = root / "params" / ORG / "2021" / "narrative"
    folder.mkdir()
    try:
        (folder / "summary.md").write_text("Line one.\n\nSee [a page](no_such_page).\n\n#### A deep heading\n")
        (folder / "next_steps.md").write_text("First.\n\nThen [another](nowhere_page).\n")
        with pytest.raises(BuildError) as caught:
            build_report(
                ORG,
                2021,
                root,
                notebooks_dir=FIXTURE_NOTEBOOKS,
                log=lambda line: None,
                sections=FIXTURE_SECTIONS + [("next_steps", None, "Next steps")],
            )
    finally:
        shutil.rmtree(folder)
    message = str(caught.value)
    shown = f"params/{ORG}/2021/narrative"
    assert f"{shown}/summary.md, line 3: WARNING: 'myst' cross-reference target not found: 'no_such_page'" in message
    assert f"{shown}/summary.md, line 5: WARNING: Non-consecutive header level increase" in message
    assert f"{shown}/next_steps.md, line 3: WARNING: 'myst' cross-reference target not found" in message
    assert ".ipynb:" not in message, message  # no line of a generated notebook (index.ipynb:30004)
    assert _hashes(site) == before


# -- interruption ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_interrupted_build_leaves_the_previous_site_unchanged(built, signal_name):
    import os
    import signal
    import subprocess
    import sys

    root, site, _ = built
    before = _hashes(site)
    script = (
        "import sys; from wres_helpers.build import build_report; "
        f"build_report({ORG!r}, 2021, {str(root)!r}, notebooks_dir={str(FIXTURE_NOTEBOOKS)!r}, "
        f"sections={FIXTURE_SECTIONS!r}, log=lambda line: print(line, flush=True))"
    )
    for stamp in (".site-fingerprint", "executed/.fingerprint"):  # so that the notebooks run again
        (site.parent / stamp).unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen = []
    for line in process.stdout:  # the build's own progress line: workers started
        seen.append(line)
        if line.startswith("executing "):
            break
    assert seen and seen[-1].startswith("executing "), "".join(seen) + process.stderr.read()
    os.kill(process.pid, getattr(signal, signal_name))
    process.wait(timeout=60)
    assert process.returncode != 0
    assert _hashes(site) == before
    assert not list(site.parent.glob(".staging-*")) and not list(site.parent.glob(".old-html-*"))
