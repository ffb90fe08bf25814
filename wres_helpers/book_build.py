"""Step 4 of a build: `jupyter-book build` of the prepared pages, warnings counted as errors, run by a process
that has imported jupyter-book already (book_server.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable

from .build_lock import _NO_SIGNALS, _Signals
from .errors import BuildError

# -- 4. the book ------------------------------------------------------------------------------------------
_WARNING_LINE = re.compile(r"\b(WARNING|ERROR|CRITICAL|SEVERE)\b|Traceback|Error: ")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _BookServer:
    """The build's jupyter-book (book_server.py): one process, imported once, that builds each book in a fork."""

    def __init__(self) -> None:
        command = [sys.executable, "-P", "-m", "wres_helpers.book_server"]
        # Tied to this process: a build killed outright must not leave jupyter-book writing on its own.
        command = [sys.executable, "-m", "wres_helpers.lifeline", str(os.getpid()), *command]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=dict(os.environ, PYTHONWARNINGS="ignore::DeprecationWarning"),
            cwd=Path(__file__).resolve().parent.parent,
        )
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return self.process.poll() is None

    def build(self, args: list[str], cwd: Path, stdout: Path, stderr: Path) -> int:
        with self.lock:  # one request at a time, should builds share a process (threads of a Dask worker)
            return self._build(args, cwd, stdout, stderr)

    def _build(self, args: list[str], cwd: Path, stdout: Path, stderr: Path) -> int:
        request = {"args": args, "cwd": str(cwd), "env": dict(os.environ), "stdout": str(stdout), "stderr": str(stderr)}
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            answer = ""
        if not answer:
            self.process.wait()
            raise BuildError(
                f"jupyter-book stopped before it finished the book (exit status {self.process.returncode})."
            )
        return int(json.loads(answer)["returncode"])

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


_server: _BookServer | None = None


def start_book_server() -> None:
    """Start jupyter-book's imports now, so that they overlap the build's first steps (idempotent)."""
    global _server
    if _server is None or not _server.alive():
        _server = _BookServer()


def build_book(source: Path, *, signals: _Signals = _NO_SIGNALS, where: Callable[[str], str] = str) -> Path:
    """jupyter-book build -W --keep-going (warnings fail the build); returns the html folder.

    `where` rewrites each warning line (to name the narrative file and line a page's text came from)."""
    global _server
    args = ["build", str(source), "-W", "--keep-going", "--builder", "html"]
    with signals.critical():  # an interrupt must not orphan a half-started jupyter-book
        start_book_server()
    server = _server
    with tempfile.TemporaryDirectory(prefix="wres-book-") as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        try:
            returncode = server.build(args, source, out, err)
        except BaseException:
            server.stop()  # its fork ends with it
            _server = None
            raise
        stdout, stderr = (p.read_text(encoding="utf-8", errors="replace") if p.exists() else "" for p in (out, err))
    html_dir = source / "_build" / "html"
    if returncode != 0 or not (html_dir / "index.html").is_file():
        text = _ANSI.sub("", stdout + "\n" + stderr).replace(str(source) + os.sep, "")
        lines = [where(line.rstrip()) for line in text.splitlines() if _WARNING_LINE.search(line)]
        lines = list(dict.fromkeys(lines))[:40] or text.strip().splitlines()[-20:]
        raise BuildError(
            "jupyter-book could not build the report (warnings count as errors):\n"
            + "\n".join(f"    {line}" for line in lines)
        )
    return html_dir
