"""What a public page may not show: a workspace path or an input file's name.

`leaks(site, root)` is the check; the tests that build sites (test_missing_inputs.py, test_sample_reports.py)
run it on every page, the search index and the downloads of each site they build. The tests here prove that
it finds what it looks for.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook, load_workbook

# The site's own downloads (the workbook, the PDF) may be named; nothing else with a data or settings file's suffix.
_DOWNLOAD = re.compile(r"^[a-z0-9][a-z0-9_-]*-wres-\d{4}\.(?:xlsx|pdf)$")
_FILE_NAME = re.compile(r"[\w.\-/]*\.(?:csv|xlsx|xls|yaml|yml|md|ipynb)\b", re.I)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


def _xlsx_text(path: Path) -> str:
    book = load_workbook(path, read_only=True)
    try:
        return "\n".join(
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    finally:
        book.close()


def _pdf_text(path: Path) -> str:
    """The text of every page of a PDF and the address of every link in it."""
    from pypdf import PdfReader

    parts = []
    for page in PdfReader(path).pages:
        parts.append(page.extract_text() or "")
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            parts.append(str(action.get("/URI", "")))
    return "\n".join(parts)


def leaks(site: Path, root: Path | str | None = None) -> list[str]:
    """Every place in the site's pages, search index or downloads that shows a workspace path or a file name.

    manifest.json is left out on purpose: it is the provenance record that names every input file.
    """
    found = []
    # The search index names the book's own page sources (index.ipynb, action_plan.md): not the workspace's.
    book_sources = {f"{p.stem}{ext}" for p in site.glob("*.html") for ext in (".ipynb", ".md")}
    targets = sorted(site.rglob("*.html")) + sorted(site.glob("searchindex.js")) + sorted(site.glob("data/*"))
    for path in targets:
        text = (
            _xlsx_text(path)
            if path.suffix == ".xlsx"
            else _pdf_text(path)
            if path.suffix == ".pdf"
            else path.read_text(encoding="utf-8", errors="replace")
        )
        text = _DATA_URI.sub("data:", text)
        rel = path.relative_to(site).as_posix()
        if "params/" in text:
            at = text.index("params/")
            found.append(f"{rel}: 'params/' in ...{text[max(0, at - 60) : at + 60]}...")
        if root is not None and str(root) in text:
            found.append(f"{rel}: the workspace folder {root}")
        for match in _FILE_NAME.finditer(text):
            name = match.group(0)
            base = name.rsplit("/", 1)[-1]
            if not _DOWNLOAD.match(base) and base not in (book_sources if rel == "searchindex.js" else set()):
                found.append(f"{rel}: file name {name!r}")
    return found


def test_leaks_finds_paths_and_file_names_in_pages_and_downloads(tmp_path):
    site = tmp_path / "html"
    (site / "data").mkdir(parents=True)
    (site / "index.html").write_text(
        '<p>Download <a href="data/tinyorg-wres-2024.pdf">PDF</a> or '
        '<a href="data/tinyorg-wres-2024.xlsx">Excel</a>.</p>'
        '<img alt="x" src="data:image/png;base64,cGFyYW1zLw==">'
    )
    assert leaks(site, tmp_path) == []

    (site / "board.html").write_text("<p>No data (expected params/tinyorg/2024/board.csv or .xlsx)</p>")
    (site / "method.html").write_text(f'<img alt="from staff.xlsx" src="x.png"><p>{tmp_path}/secret</p>')
    book = Workbook()
    book.active.append(["reason", "see narrative/summary.md"])
    book.save(site / "data" / "tinyorg-wres-2024.xlsx")
    found = leaks(site, tmp_path)
    assert any(f.startswith("board.html: 'params/'") for f in found), found
    assert "board.html: file name 'params/tinyorg/2024/board.csv'" in found, found
    assert "method.html: file name 'staff.xlsx'" in found, found
    assert f"method.html: the workspace folder {tmp_path}" in found, found
    assert "data/tinyorg-wres-2024.xlsx: file name 'narrative/summary.md'" in found, found
