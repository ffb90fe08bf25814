"""Step 3 of a build: executed notebooks made into the book's pages (the one place that applies the publishing
rules), the analyst's narrative and the provenance section filled in, and the Markdown pages written from the
analyst's files."""

from __future__ import annotations

import copy
import re
from typing import Callable

import nbformat

from .safe_text import inert_frame

# -- 3. the publishing rules, in one place ----------------------------------------------------------------
DROP_TAGS = {"parameters", "injected-parameters", "remove-cell"}
# Tags that would show the code behind a toggle: every code cell gets remove-input instead.
CODE_REVEALING_TAGS = {"hide-input", "hide-cell", "show-input"}
MARKDOWN_ONLY_MIMES = {"text/markdown", "text/plain"}
VOLATILE_CELL_METADATA = ("execution", "papermill", "ExecuteTime", "collapsed", "scrolled")
VOLATILE_NB_METADATA = ("papermill", "widgets")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


def _is_markdown_output(output) -> bool:
    return (
        output.get("output_type") in ("display_data", "execute_result")
        and "text/markdown" in output.get("data", {})
        and set(output["data"]) <= MARKDOWN_ONLY_MIMES
    )


def _markdown_text(output) -> str:
    text = output["data"]["text/markdown"]
    return "".join(text) if isinstance(text, list) else str(text)


def _starts_with_title(cells) -> bool:
    for cell in cells:
        if cell.cell_type != "markdown":
            return False
        for line in cell.source.splitlines():
            if line.strip():
                return bool(re.match(r"#\s", line.strip()))
    return False


def prepare_for_book(nb: nbformat.NotebookNode, title: str | None = None) -> nbformat.NotebookNode:
    """An executed notebook made ready to publish (returns a new notebook; `nb` is not changed).

    - drops the `parameters` cell, papermill's `injected-parameters` cell and cells tagged `remove-cell`;
    - strips stderr streams and error outputs;
    - turns outputs that are only Markdown into Markdown cells (so their headings reach the table of
      contents), keeping the order of any other outputs of the same cell;
    - tags every remaining code cell `remove-input` (and drops code cells left with nothing to show);
    - clears execution counts and the metadata that changes from run to run (papermill timings);
    - with `title`, starts the page with `# title` when it does not start with a level-1 heading.
    """
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if DROP_TAGS & set(_tags(cell)):
            continue
        metadata = cell.setdefault("metadata", {})
        for key in VOLATILE_CELL_METADATA:
            metadata.pop(key, None)
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        outputs = [
            o
            for o in cell.get("outputs", [])
            if o.get("output_type") != "error" and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
        ]
        # Split the outputs into runs: a Markdown-only output becomes a Markdown cell, the others stay in
        # a code cell whose input is hidden.
        pending: list = []

        def flush_code():
            if pending:
                code = nbformat.v4.new_code_cell(cell.source, metadata=copy.deepcopy(metadata))
                code.outputs = list(pending)
                cells.append(code)
                pending.clear()

        for output in outputs:
            if _is_markdown_output(output):
                flush_code()
                cells.append(nbformat.v4.new_markdown_cell(_markdown_text(output)))
            else:
                if "execution_count" in output:
                    output["execution_count"] = None
                pending.append(output)
        flush_code()
    for cell in cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            tags = [t for t in _tags(cell) if t not in CODE_REVEALING_TAGS]
            cell.metadata["tags"] = tags + (["remove-input"] if "remove-input" not in tags else [])
        cell.pop("id", None)  # ids are renumbered below: split cells must not share one
    if title and not _starts_with_title(cells):
        cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}"))
    for number, cell in enumerate(cells, 1):
        cell["id"] = f"cell-{number}"
    nb.cells = cells
    for key in VOLATILE_NB_METADATA:
        nb.metadata.pop(key, None)
    nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 5)), 5)
    return nb


# -- 4. downloads -----------------------------------------------------------------------------------------
def published_table_sha256(published) -> str:
    """The SHA-256 of the published table as CSV (what `indicators --published --out` writes), for the manifest."""
    import hashlib

    text = inert_frame(published).to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def download_links(org: str, year: int, with_pdf: bool) -> str:
    """The links at the foot of every page (raw HTML in the theme's footer): the workbook, and the PDF when
    this machine can print one."""
    from .pdf import pdf_name
    from .workbook import workbook_name

    links = [f'<a href="data/{workbook_name(org, year)}">the figures as an Excel workbook</a>']
    if with_pdf:
        links.insert(0, f'<a href="data/{pdf_name(org, year)}">the whole report as a PDF (board paper)</a>')
    return " Download " + " or ".join(links) + "."


# -- warnings about a page, told against the narrative file it came from ---------------------------------
_PAGE_LOCATION = re.compile(r"^(?P<indent>\s*)(?P<page>[\w.-]+\.(?:ipynb|md)):(?P<line>\d+): (?P<rest>.*)$")


class _NarrativeOrigins:
    """Where the analyst's narrative sits in the generated pages, so that a warning from jupyter-book about a
    page ("index.ipynb:30004: WARNING: ...") names the narrative file and its line instead."""

    def __init__(self, texts: dict[str, str], shown: Callable[[str], str]):
        self._texts = {section: text for section, text in texts.items() if text.strip()}
        self._shown = shown
        self._cells: dict[tuple[str, int], str] = {}  # (page, cell index) -> narrative file
        self._spans: dict[str, list[tuple[int, int, str]]] = {}  # page -> (first line, last line, narrative file)

    def notebook_page(self, page: str, nb: nbformat.NotebookNode) -> None:
        by_text = {text: section for section, text in self._texts.items()}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown" and cell.source in by_text:
                self._cells[(page, index)] = self._shown(by_text[cell.source])

    def markdown_page(self, page: str, text: str) -> None:
        for section, part in self._texts.items():
            at = text.find(part)
            if at >= 0:
                first = text.count("\n", 0, at) + 1
                self._spans.setdefault(page, []).append((first, first + part.count("\n"), self._shown(section)))

    def locate(self, line: str) -> str:
        m = _PAGE_LOCATION.match(line)
        if not m:
            return line
        page, number = m.group("page"), int(m.group("line"))
        found = None
        if page.endswith(".ipynb"):
            # myst-nb numbers the lines of cell i (from 0) from (i + 1) * 10000, the first line as 1.
            cell, within = divmod(number, 10000)
            if (page, cell - 1) in self._cells:
                found = (self._cells[(page, cell - 1)], within - 1)
        else:
            found = next(
                (
                    (shown, number - first + 1)
                    for first, last, shown in self._spans.get(page, [])
                    if first <= number <= last
                ),
                None,
            )
        if found is None:
            return line
        return f"{m.group('indent')}{found[0]}, line {found[1]}: {m.group('rest')} (page {page})"


# -- narrative, action plan and the execution cache ------------------------------------------------------
def fill_narrative(
    nb: nbformat.NotebookNode, texts: dict[str, str], fills: dict[str, str] | None = None
) -> nbformat.NotebookNode:
    """Replace the output of each cell tagged `narrative` with that section's text as rendered now, and of each
    cell whose metadata names a `fill` (wres.fill: provenance) with `fills[name]`.

    The notebooks show both when run in JupyterLab; the build renders them afresh, so an edit to the narrative,
    or to an input that changes no published figure (a free-text column), changes the page (its text, the
    input fingerprints and run date of the provenance section) without executing any notebook.
    """
    nb = copy.deepcopy(nb)
    fills = fills or {}
    for cell in nb.cells:
        marks = cell.get("metadata", {}).get("wres", {})
        if cell.cell_type != "code":
            continue
        if marks.get("narrative"):
            text = texts.get(marks["narrative"], "")
        elif marks.get("fill") in fills:
            text = fills[marks["fill"]]
        else:
            continue
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text})]
    return nb


def _next_steps_page(report, texts: dict[str, str], plans) -> dict[str, str]:
    return {
        "next_steps": texts["next_steps"],
        "board_name": report.org.board_name,
        "recommendation": texts["recommendation"],
    }


def _action_plan_page(report, texts: dict[str, str], plans) -> dict[str, str]:
    from .action_page import render

    return {"action_plan": render(report, *plans)}


# The values each page template in book/pages/<slug>.md is filled with (besides its $title).
MARKDOWN_PAGES = {"next_steps": _next_steps_page, "action_plan": _action_plan_page}
