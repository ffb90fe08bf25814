"""jupyter-book imported once, each book built in a fork of it: a build pays its imports (about 1.2 s of a 2.5 s
book) while it validates and runs the notebooks, and a batch worker pays them once for all its organisations.

    python -m wres_helpers.book_server     reads one request per line on standard input, answers on standard output

A request is JSON: {"args": jupyter-book's arguments, "cwd", "env", "stdout": file, "stderr": file}; the
answer is {"returncode": n}. Each request runs in a fresh fork of the process as it stands after the imports,
so no book sees another's state (jupyter-book also registers Sphinx's directives in a namespace of its own per
build). The forks and the server end with the build (lifeline.py): the server when the build's process ends or
its standard input closes, a fork when the server ends.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys

# What `jupyter-book build` loads before it reads a page: its command line, Sphinx, and the extensions and theme
# of book/_config.yml. A module missing here is imported by the fork itself: slower, never wrong.
PRELOAD = (
    "jupyter_book.cli.main",
    "jupyter_book.sphinx",
    "sphinx.application",
    "sphinx.builders.html",
    "myst_nb",
    "myst_nb.sphinx_ext",
    "myst_parser.sphinx_ext.main",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_comments",
    "sphinx_external_toc",
    "sphinx_jupyterbook_latex",
    "sphinx_multitoc_numbering",
)

_child = 0  # the fork building a book, if any


def _stop(signum, frame):
    if _child:
        os.kill(_child, signal.SIGKILL)
    os._exit(128 + signum)


def _build(request: dict, server: int) -> None:
    """In the fork: run jupyter-book's command line; never returns."""
    code = 1
    try:
        from .lifeline import die_with_parent

        die_with_parent(server, watchdog=False)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for name, fd in (("stdout", 1), ("stderr", 2)):
            target = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        stdin = os.open(os.devnull, os.O_RDONLY)  # not the server's requests
        os.dup2(stdin, 0)
        os.close(stdin)
        os.environ.clear()
        os.environ.update(request["env"])  # the build's environment as it is now, not as it was at the start
        os.chdir(request["cwd"])
        from jupyter_book.cli.main import main

        main(list(request["args"]), prog_name="jupyter-book")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def preload() -> None:
    """What the server imports before its first request, without the imports a build never uses (lean_imports)."""
    from .lean_imports import skip_unused

    skip_unused()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # another version without it: the fork imports what it needs
            pass


def serve() -> None:
    global _child
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the build's to handle
    preload()
    answers = sys.stdout
    server = os.getpid()
    for line in sys.stdin:
        request = json.loads(line)
        _child = os.fork()
        if _child == 0:
            _build(request, server)
        _, status = os.waitpid(_child, 0)
        _child = 0
        answers.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
