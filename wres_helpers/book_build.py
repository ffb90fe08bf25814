"""Step 4 of a build: `jupyter-book build` of the prepared pages, warnings counted as errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

from .build_lock import _NO_SIGNALS, _Signals
from .errors import BuildError


# -- 4. the book ------------------------------------------------------------------------------------------
def _jupyter_book_command() -> list[str]:
    return [sys.executable, "-m", "wres_helpers.book_cli"]


_WARNING_LINE = re.compile(r"\b(WARNING|ERROR|CRITICAL|SEVERE)\b|Traceback|Error: ")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def build_book(source: Path, *, signals: _Signals = _NO_SIGNALS, where: Callable[[str], str] = str) -> Path:
    """jupyter-book build -W --keep-going (warnings fail the build); returns the html folder.

    `where` rewrites each warning line (to name the narrative file and line a page's text came from)."""
    command = _jupyter_book_command() + ["build", str(source), "-W", "--keep-going", "--builder", "html"]
    # Tied to this process: a build killed outright must not leave jupyter-book writing on its own.
    command = [sys.executable, "-m", "wres_helpers.lifeline", str(os.getpid()), *command]
    env = dict(os.environ, PYTHONWARNINGS="ignore::DeprecationWarning")
    with signals.critical():  # an interrupt must not orphan a half-started jupyter-book
        process = subprocess.Popen(
            command, cwd=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        process.kill()
        process.wait()
        raise
    html_dir = source / "_build" / "html"
    if process.returncode != 0 or not (html_dir / "index.html").is_file():
        text = _ANSI.sub("", stdout + "\n" + stderr).replace(str(source) + os.sep, "")
        lines = [where(line.rstrip()) for line in text.splitlines() if _WARNING_LINE.search(line)]
        lines = list(dict.fromkeys(lines))[:40] or text.strip().splitlines()[-20:]
        raise BuildError(
            "jupyter-book could not build the report (warnings count as errors):\n"
            + "\n".join(f"    {line}" for line in lines)
        )
    return html_dir
