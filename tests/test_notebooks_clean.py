"""The report notebooks are committed clean: no outputs, no execution counts, one parameters cell.

The parameters cell holds the development defaults org="leeds", year=2021 (papermill replaces them in a
build). The checker itself is tested on in-memory notebooks, so this file tests something even while
notebooks/ is still empty.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "notebooks").glob("*.ipynb"))
DEFAULTS = {"org": "leeds", "year": 2021}


def parameter_defaults(source: str) -> dict:
    """Names assigned a literal at the top level of a parameters cell."""
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    values[target.id] = ast.unparse(value)
    return values


def notebook_problems(nb) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has outputs (clear them before committing)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has an execution count (clear outputs before committing)")
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if any("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        problems.append("it has papermill's injected-parameters cell: it was saved from a build")
    if len(tagged) != 1:
        problems.append(f"expected exactly one cell tagged 'parameters', found {len(tagged)}")
        return problems
    cell = tagged[0]
    if cell.cell_type != "code":
        problems.append("the cell tagged 'parameters' is not a code cell")
        return problems
    try:
        defaults = parameter_defaults(cell.source)
    except SyntaxError as exc:
        return problems + [f"the parameters cell is not valid Python: {exc}"]
    for name, expected in DEFAULTS.items():
        if name not in defaults:
            problems.append(f"the parameters cell does not set {name}")
        elif defaults[name] != expected or type(defaults[name]) is not type(expected):
            problems.append(f"the parameters cell sets {name} = {defaults[name]!r}, expected {expected!r}")
    return problems


# -- the checker ------------------------------------------------------------------------------------------
def _params(source='org = "leeds"\nyear = 2021\nworkspace = None'):
    return new_code_cell(source, metadata={"tags": ["parameters"]})


def test_checker_accepts_a_clean_notebook():
    nb = new_notebook(
        cells=[_params('# defaults\norg: str = "leeds"\nyear = 2021'), new_markdown_cell("# T"), new_code_cell("x = 1")]
    )
    assert notebook_problems(nb) == []


@pytest.mark.parametrize(
    "cells, expected",
    [
        ([_params(), new_code_cell("1", execution_count=3)], "execution count"),
        ([_params(), new_code_cell("1", outputs=[new_output("stream", name="stdout", text="1")])], "has outputs"),
        ([new_code_cell("x = 1")], "found 0"),
        ([_params(), _params()], "found 2"),
        ([_params('org = "mlcsu"\nyear = 2021')], "org = 'mlcsu'"),
        ([_params('org = "leeds"\nyear = "2021"')], "year = '2021'"),
        ([_params('org = "leeds"')], "does not set year"),
        ([_params(), new_code_cell("", metadata={"tags": ["injected-parameters"]})], "injected-parameters"),
    ],
)
def test_checker_finds_problems(cells, expected):
    problems = notebook_problems(new_notebook(cells=cells))
    assert any(expected in p for p in problems), problems


# -- the notebooks ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS + FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert notebook_problems(nb) == [], f"{path.relative_to(ROOT)}"
