"""Imports a build never uses stay out of its processes (lean_imports.py): `rfc3987_syntax`, which jsonschema
loads for about 1 s in every process that imports nbformat, is not loaded by the build or by jupyter-book's
process (book_server.py)."""

from __future__ import annotations

import subprocess
import sys

from wres_helpers.book_build import build_book

PROBE = (
    "import sys, nbformat; nbformat.validate(nbformat.v4.new_notebook()); "
    "print(type(sys.modules.get('rfc3987_syntax')).__name__)"
)


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_nbformat_loads_it_unless_blocked_and_still_validates_when_it_is():
    assert _python(PROBE) == "module"  # what every build process paid before
    blocked = "from wres_helpers.lean_imports import skip_unused; skip_unused(); " + PROBE
    assert _python(blocked) == "NoneType"


def test_the_command_line_blocks_it_before_any_command_runs():
    code = (
        "import sys\nfrom wres_helpers.cli import main\ntry:\n    main(['values', '--help'])\nexcept SystemExit:\n"
        "    pass\nimport nbformat\nprint(type(sys.modules.get('rfc3987_syntax')).__name__, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr.strip().splitlines()[-1] == "NoneType"


def test_the_book_server_preloads_jupyter_book_without_it_and_builds_a_book(tmp_path):
    """The process that builds every book (book_server.py): its imports leave it out, and a book builds."""
    code = (
        "import sys\nfrom wres_helpers.book_server import preload\npreload()\n"
        "print('jupyter_book.cli.main' in sys.modules, 'nbformat' in sys.modules, "
        "type(sys.modules.get('rfc3987_syntax')).__name__)"
    )
    assert _python(code) == "True True NoneType"  # it got as far as nbformat, and did not load it
    (tmp_path / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: 'off'\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (tmp_path / "index.md").write_text("# Home\n\nWords.\n")
    assert build_book(tmp_path) == tmp_path / "_build" / "html"
    assert "Words." in (tmp_path / "_build" / "html" / "index.html").read_text()
