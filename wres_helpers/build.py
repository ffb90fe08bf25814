"""The report pipeline: validated inputs -> executed notebooks -> a static, offline Jupyter Book site.

    python -m wres_helpers report ORG YEAR [--workspace DIR] [--jobs 2]

Steps, one log line each:
1. validate: compute the indicator table, so that an input error stops the run before any kernel starts;
2. execute every section notebook with papermill (typed parameters, kernel "wres", two at a time) into
   <workspace>/build/<org>/<year>/executed/ (the copies of the latest attempt, failed ones included);
3. prepare the pages (`prepare_for_book`: the one place that applies the publishing rules);
4. copy the book template (book/) with the organisation's logo and colours, write the analyst's workbook
   (workbook.py) and build the book with `jupyter-book build -W`; write manifest.json;
5. check that no page loads anything from the internet (`external_references`);
6. print the board paper, one PDF of the whole site (pdf.py), when Chromium is installed;
7. publish: the new site replaces <workspace>/build/<org>/<year>/html/ by renaming, only when every step
   succeeded. On any failure or interruption the previous html/ is left exactly as it was.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import copy
import fcntl
import html.parser
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

import nbformat
import pandas as pd

from . import narrative, pdf, present
from .actions import load_plans
from .comparators import load_comparators
from .engine import missing_input_notes
from .errors import WresError
from .landing import headline_figures
from .manifest import manifest
from .report_data import CACHE_ENV, load_report, save_for_kernels
from .safe_text import inert_frame
from .workspace import Workspace

# The report's sections in order: (page slug, notebook in notebooks/, title in the navigation).
# The first section is the site's home page. A section without a notebook is a Markdown page written at
# build time from the analyst's files (MARKDOWN_PAGES), so editing them never re-runs a notebook.
SECTIONS = [
    ("summary", "01_summary.ipynb", "Summary and key findings"),
    ("workforce", "02_workforce_profile.ipynb", "Workforce profile (indicator 1)"),
    (
        "recruitment",
        "03_recruitment_discipline_training.ipynb",
        "Recruitment, discipline and training (indicators 2 to 4)",
    ),
    ("experience", "04_staff_experience.ipynb", "Staff experience (indicators 5 to 8)"),
    ("board", "05_board.ipynb", "Board representation (indicator 9)"),
    ("next_steps", None, "Next steps and recommendation"),
    ("action_plan", None, "Action plan"),
    ("methodology", "06_methodology.ipynb", "Methodology and data quality"),
]

KERNEL = "wres"
KERNEL_START_TIMEOUT = 60  # seconds for a kernel to start
CELL_TIMEOUT = 600  # seconds one cell may run before the build gives up
PUBLISHED_COLUMNS = ("value", "numerator", "denominator")

Log = Callable[[str], None]


class BuildError(WresError):
    """The report could not be built; the message says what failed. Nothing was published."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived during a build (raised like Ctrl+C raises KeyboardInterrupt)."""


def repository_root() -> Path:
    return Path(__file__).resolve().parent.parent


def default_notebooks_dir() -> Path:
    return repository_root() / "notebooks"


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
def published_table_sha256(published: pd.DataFrame) -> str:
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


# -- 7. offline check -------------------------------------------------------------------------------------
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*((?:https?:)?//[^'")\s]+)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])((?:https?:)?//[^'"]+)\1""", re.I)
_JS_LOAD = re.compile(r"""\b(?:src|href)\s*[=:]\s*(['"`])((?:https?:)?//[^'"`\s]+)\1""", re.I)
_JS_IMPORT = re.compile(r"""\bimport\s*(?:\(\s*|[^'"`;]*?\bfrom\s*|)(['"`])((?:https?:)?//[^'"`\s]+)\1""", re.I)
_QUOTED_URL = re.compile(r"""(['"`])((?:https?:)?//[^'"`\s]+)\1""", re.I)
# XML namespace names look like URLs but are never fetched.
_NAMESPACE = re.compile(r"^https?://www\.w3\.org/", re.I)
_LINK_ONLY_RELS = {"canonical", "alternate", "author", "license", "help", "external", "next", "prev", "search", "index"}


def _css_loads(text: str) -> list[str]:
    return [m.group(2) for m in _CSS_URL.finditer(text)] + [m.group(2) for m in _CSS_IMPORT.finditer(text)]


def _js_loads(text: str) -> list[str]:
    return [m.group(2) for m in _JS_LOAD.finditer(text)] + [m.group(2) for m in _JS_IMPORT.finditer(text)]


class _PageScanner(html.parser.HTMLParser):
    """Collects what an HTML page would load from elsewhere (links a reader follows do not count)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in = None  # "script" or "style" while inside one

    def handle_starttag(self, tag, attrs):
        attrs = [(k.lower(), v or "") for k, v in attrs]
        values = dict(attrs)
        for key, value in attrs:
            if key in ("src", "data", "poster", "background", "xlink:href", "formaction"):
                self._check(f"<{tag} {key}>", value)
            elif key == "srcset" or key == "imagesrcset":
                for part in value.split(","):
                    self._check(f"<{tag} {key}>", part.strip().split(" ")[0])
            elif key == "href" and tag not in ("a", "area", "base"):
                rels = set(values.get("rel", "").lower().split())
                if tag == "link" and rels and rels <= _LINK_ONLY_RELS:
                    continue
                self._check(f"<{tag} href>", value)
            elif key == "style":
                self.found += [f"<{tag} style> {u}" for u in _css_loads(value)]
            elif key == "content" and values.get("http-equiv", "").lower() == "refresh":
                url = value.split("url=", 1)[-1] if "url=" in value.lower() else ""
                self._check(f"<{tag} refresh>", url)
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.found += [f"<style> {u}" for u in _css_loads(data)]
        elif self._in == "script":
            # An inline script that names an address may load it (sphinx-thebe's THEBE_JS_URL does).
            self.found += [
                f"<script> {m.group(2)}" for m in _QUOTED_URL.finditer(data) if not _NAMESPACE.match(m.group(2))
            ]

    def _check(self, where: str, value: str):
        if _REMOTE.match(value) and not _NAMESPACE.match(value.strip()):
            self.found.append(f"{where} {value.strip()}")


def external_references(html_dir: str | Path) -> list[str]:
    """Everything a page of the site would load from the internet, as "file: where address" lines.

    Scans every .html, .css and .js file under `html_dir` for resource loads (src=, href= of anything but
    a link <a>, srcset, url(...) and @import in styles, addresses in inline scripts, script imports) that
    point to http://, https:// or // addresses. Links a reader can follow (<a href>) are allowed. An empty
    list means the site works from a USB stick.
    """
    root = Path(html_dir)
    found: list[str] = []
    for path in sorted(root.rglob("*")):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".html", ".htm", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if suffix in (".html", ".htm"):
            scanner = _PageScanner()
            scanner.feed(text)
            scanner.close()
            hits = scanner.found
        elif suffix == ".css":
            hits = [f"url() {u}" for u in _css_loads(text)]
        else:
            hits = [f"script {u}" for u in _js_loads(text)]
        rel = path.relative_to(root).as_posix()
        found += [f"{rel}: {hit}" for hit in dict.fromkeys(hits)]
    return found


# -- signals: SIGTERM behaves like Ctrl+C; neither lands while a child process starts or the site moves ---
class _Signals:
    """Installed for the length of a build (in the main thread only; elsewhere it does nothing)."""

    def __init__(self):
        self._old: dict[int, object] = {}
        self._critical = False
        self._pending: int | None = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        pending, self._pending = self._pending, None
        if pending is not None:  # it arrived while the site was being published: deliver it now
            os.kill(os.getpid(), pending)
        return False

    def _handle(self, signum, frame):
        if self._critical:
            self._pending = signum
            return
        self._raise(signum)

    @staticmethod
    def _raise(signum):
        if signum == signal.SIGTERM:
            raise Terminated("terminated")
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def critical(self, *, deliver_after: bool = True):
        """Hold signals back during the block; then raise them (or, deliver_after=False, at the build's end)."""
        self._critical = True
        try:
            yield
        finally:
            self._critical = False
            if deliver_after and self._pending is not None:
                pending, self._pending = self._pending, None
                self._raise(pending)


_NO_SIGNALS = _Signals()  # never entered, so it installs no handler and critical() holds nothing back


# -- the build lock: one build of a report at a time, and never a lock that outlives its build ----------
# A POSIX record lock (fcntl.lockf) on build/<org>/<year>/.lock. The operating system releases it when the
# process that took it ends, however it ends (kill -9 included), and a forked child does not inherit it, so
# a notebook worker left running cannot keep it either. The file names the holder: the process id, the host
# and when it started. The holder empties it on the way out, so a record found in a free lock is a build
# that was killed: the new build says so and clears up after it.
_lock_fd: int | None = None  # open while this process holds a build lock (workers close their copy)


def _process_start(pid: int) -> str | None:
    """The start time of a process in clock ticks since boot (Linux), to tell a reused process id apart."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _holder_record() -> dict:
    import socket

    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "process_start": _process_start(os.getpid()),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join(sys.argv)[:200],
    }


def _read_holder(fd: int) -> dict | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe(holder: dict | None) -> str:
    if not holder:
        return "a process that left no details"
    return f"process {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}" + (
        f" ({holder['command']})" if holder.get("command") else ""
    )


def _holder_alive(holder: dict | None) -> bool | None:
    """Is the process named in the record still running? None when it cannot be told (another host)."""
    import socket

    if not holder or holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return None
    pid = holder["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    start = _process_start(pid)
    return start is None or holder.get("process_start") in (None, start)


@contextlib.contextmanager
def _build_lock(folder: Path, log: Log = print):
    global _lock_fd
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            why = (
                ""
                if _holder_alive(holder) is not False
                else " That process is no longer running, but one it started still holds the lock: end it, or "
                "wait for it to finish."
            )
            raise BuildError(
                f"Another build of this report is running: {_describe(holder)}. It holds {path}; "
                f"wait for it to finish.{why}"
            ) from None
        stale = _read_holder(fd)
        if stale:
            log(
                f"cleared a stale lock: the build by {_describe(stale)} stopped without finishing (killed?); "
                "its unfinished files are removed"
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(_holder_record()) + "\n").encode("utf-8"), 0)
        _lock_fd = fd
        try:
            yield
        finally:
            _lock_fd = None
            os.ftruncate(fd, 0)  # an empty lock file: the last build ended in an orderly way
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _recover(out_root: Path, log: Log) -> None:
    """Clear what a killed build left behind (under the lock). A build killed between moving the old site
    aside and moving the new one in leaves no html/ and the old site in .old-html-*: put it back."""
    final = out_root / "html"
    asides = sorted(out_root.glob(".old-html-*"), key=lambda p: p.stat().st_mtime)
    if not final.exists() and asides and (asides[-1] / "index.html").is_file():
        os.rename(asides[-1], final)
        log(f"restored the previous site from {asides[-1].name}: a build was stopped while publishing")
    for stale in list(out_root.glob(".staging-*")) + list(out_root.glob(".old-html-*")):
        shutil.rmtree(stale, ignore_errors=True)


# -- 2. execution -----------------------------------------------------------------------------------------
def _worker_signals(parent_pid: int) -> None:
    """In a worker: Ctrl+C is the parent's to handle; SIGTERM (from the parent, or when the parent dies)
    exits, shutting the kernel down. The copy of the build lock's descriptor that fork gave it is closed."""
    global _lock_fd
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_exit)
    if _lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(_lock_fd)
        _lock_fd = None
    from .lifeline import die_with_parent

    die_with_parent(parent_pid)


_worker_stopping = False


def _worker_exit(signum, frame):
    global _worker_stopping
    _worker_stopping = True  # leave standard error on the notebook's log: asyncio complains there
    raise SystemExit(128 + signum)


def _execute_one(source: str, output: str, parameters: dict, cwd: str, kernel: str) -> dict:
    """Run one notebook (in a worker process). Returns a plain dict: papermill's errors do not pickle.

    The kernel and papermill write warnings to standard error: they go to <notebook>.log beside the
    executed copy rather than to the terminal (the kernel inherits this worker's file descriptor 2).
    """
    saved_stderr = os.dup(2)
    with open(Path(output).with_suffix(".log"), "w", encoding="utf-8") as log_file:
        os.dup2(log_file.fileno(), 2)
        try:
            return _papermill(source, output, parameters, cwd, kernel)
        finally:
            sys.stderr.flush()
            if not _worker_stopping:
                os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
            if _worker_stopping:
                # The kernel is shut down (papermill's clean-up ran as SystemExit unwound it). Leave now: the
                # process pool would catch SystemExit and wait for more work from a parent that may be dead.
                os._exit(143)


def _ipc_kernel_manager():
    """A kernel manager whose kernels talk over Unix sockets in the temp folder instead of TCP ports.

    With TCP, each worker process picks "free" ports for its kernel and releases them before the kernel
    binds them, so two kernels starting at once (ours, or anyone's on the machine) can pick the same port:
    "ZMQError: Address already in use", "Kernel died before replying to kernel_info". Socket files have
    unique names instead. (It also silences ipykernel's warning about unencrypted TCP.)
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IpcKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _ip_default(self):
            return os.path.join(tempfile.gettempdir(), f"wres-kernel-{uuid.uuid4().hex[:16]}")

    return IpcKernelManager


def _papermill(source: str, output: str, parameters: dict, cwd: str, kernel: str) -> dict:
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel

    try:
        papermill.execute_notebook(
            source,
            output,
            parameters=parameters,
            kernel_name=kernel,
            cwd=cwd,
            progress_bar=False,
            log_output=False,
            start_timeout=KERNEL_START_TIMEOUT,
            execution_timeout=CELL_TIMEOUT,
            kernel_manager_class=_ipc_kernel_manager(),
        )
    except papermill.PapermillExecutionError as exc:
        return {
            "ok": False,
            "cell_index": exc.cell_index,
            "cell_source": exc.source or "",
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
    except NoSuchKernel:
        return {
            "ok": False,
            "problem": f"the Jupyter kernel {kernel!r} is not installed in this environment (run: make setup)",
        }
    except Exception as exc:  # a dead kernel, an unreadable notebook, a start-up timeout ...
        text = str(exc).strip().splitlines()
        return {"ok": False, "problem": f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")}
    return {"ok": True}


def _source_cell_number(executed: Path, cell_index: int) -> tuple[int, int]:
    """(1-based number, count) of a cell in the notebook as saved, not counting papermill's injected cell."""
    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:
        return cell_index + 1, 0
    # papermill's cell_index counts the cells as executed: without the error-marker cells it adds to the
    # saved copy afterwards, with the injected-parameters cell that the notebook as saved does not have.
    cells = [c for c in cells if "papermill-error-cell-tag" not in _tags(c)]
    saved = [i for i, c in enumerate(cells) if "injected-parameters" not in _tags(c)]
    number = sum(1 for i in saved if i <= cell_index)
    return max(number, 1), len(saved)


def _failure_text(name: str, result: dict, executed: Path, shown_executed: str) -> str:
    if "problem" in result:
        log = str(Path(shown_executed).with_suffix(".log"))
        return f"{name} could not be run: {result['problem']}\n    The kernel's messages are in {log}"
    number, count = _source_cell_number(executed, int(result["cell_index"]))
    first = next((line.strip() for line in str(result["cell_source"]).splitlines() if line.strip()), "")
    if len(first) > 100:
        first = first[:97] + "..."
    of = f" of {count}" if count else ""
    evalue = str(result["evalue"]).strip()
    return (
        f"{name} failed in cell {number}{of} (counting from 1), which starts: {first}\n"
        f"    {result['ename']}: {evalue}" + ("" if evalue else "(no message)") + "\n"
        f"    The executed copy, with the full traceback, is {shown_executed}"
    )


def execute_notebooks(
    jobs_list: Sequence[tuple[Path, Path]],
    parameters: dict,
    cwd: Path,
    *,
    jobs: int,
    shown: Callable[[Path], str],
    signals: _Signals = _NO_SIGNALS,
    log: Log | None = None,
) -> None:
    """Run (source, output) notebooks, `jobs` at a time, each in its own worker process.

    Processes, not threads: papermill's `cwd` changes the working directory of the whole process.
    Raises BuildError naming every failed notebook and cell.
    """
    workers = max(1, min(int(jobs), len(jobs_list)))
    context = multiprocessing.get_context("fork")
    failures: list[str] = []
    pool = cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_worker_signals, initargs=(os.getpid(),)
    )
    try:
        with signals.critical():  # workers are forked here: let none be orphaned half-way
            futures = {
                pool.submit(_execute_one, str(src), str(out), parameters, str(cwd), KERNEL): (src, out)
                for src, out in jobs_list
            }
        if log:
            log(
                f"executing {len(jobs_list)} notebooks, {workers} at a time: "
                + ", ".join(Path(src).name for src, _ in jobs_list)
            )
        for future in cf.as_completed(futures):
            if future.cancelled():
                continue
            src, out = futures[future]
            result = future.result()
            if not result["ok"]:
                failures.append(_failure_text(src.name, result, out, shown(out)))
                for other in futures:  # stop starting new notebooks; running ones finish
                    other.cancel()
    except BaseException:
        # Interrupted: stop the workers (each shuts its kernel down on SIGTERM) and leave.
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if failures:
        raise BuildError("\n".join(failures))


# -- 4. the book ------------------------------------------------------------------------------------------
def _jupyter_book_command() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-book")
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


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


def execution_fingerprint(report, notebooks: Sequence[Path], parameters: dict) -> str:
    """A digest of everything the notebooks' outputs depend on: the notebooks, this package's code and lookup
    tables, the parameters, the Python version, and the report as the kernels see it: the organisation's and
    the year's settings, which inputs were supplied, the disclosure rules and every published table (this
    year's, the earlier years' and the comparators'). It is taken over validated content, not file bytes: a
    change to a column no indicator reads, to the narrative or to the action plan runs no notebook (the
    cells that show them, and the input fingerprints, are filled in by the build: fill_narrative)."""
    import hashlib

    from .freshness import PACKAGE

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(data).digest())

    for path in notebooks:
        add(f"notebook:{path.name}", path.read_bytes())
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".csv")):
        add(f"code:{path.relative_to(PACKAGE).as_posix()}", path.read_bytes())

    def add_report(label: str, r) -> None:
        add(f"{label}:settings", repr((r.org, r.year, r.settings, r.rules)).encode())
        add(f"{label}:files", repr(sorted((name, r.ws.display(p)) for name, p in r.files.items() if p)).encode())
        for year, table in sorted({**r.history, r.year: r.table}.items()):
            add(f"{label}:table:{year}", inert_frame(table).to_csv(index=False, lineterminator="\n").encode())

    add_report("report", report)
    for slug, other in sorted((report.comparators or {}).items()):
        if other is None:
            add(f"comparator:{slug}", b"none")
        else:
            add_report(f"comparator:{slug}", other)
    digest.update(json.dumps(parameters, sort_keys=True).encode() + sys.version.encode())
    return digest.hexdigest()


# -- the whole pipeline -----------------------------------------------------------------------------------
def _seconds(start: float) -> str:
    return f"{time.perf_counter() - start:.1f} s"


def _audit_disclosure(report) -> None:
    """The independent interval audit (disclosure_audit.py) attacks the tables this build would publish:
    a withheld figure it can narrow below the protection width stops the build, and nothing is published."""
    from .disclosure_audit import audit, interval_leaks, unprotected

    tables = {**report.history, report.year: report.table}
    found = [
        f
        for year in sorted(tables)  # the pages show every year's table (trends.py)
        for f in unprotected(audit(tables, year, report.rules.threshold), report.rules.width, report.rules.threshold)
    ]
    if found:
        shown = "\n".join(f"    {f.year}/{'/'.join(map(str, f.cell))}: {f.low} to {f.high}" for f in found[:20])
        raise BuildError(
            f"Disclosure check failed: {len(found)} withheld figures could be narrowed to fewer than "
            f"{report.rules.width + 1} possible values from the published tables, so nothing was "
            f"published. Please report this as a bug of wres_helpers:\n{shown}"
        )
    leaks = [leak for y, t in tables.items() for leak in interval_leaks(t, y)]
    if leaks:
        shown = "\n".join(f"    {leak.year} {'/'.join(map(str, leak.row))}: {leak.why}" for leak in leaks[:20])
        raise BuildError(
            f"Disclosure check failed: {len(leaks)} published intervals or p-values could reveal a "
            f"withheld count, so nothing was published. Please report this as a bug of wres_helpers:\n{shown}"
        )


def build_report(
    org: str,
    year: int | str,
    workspace: str | Path | Workspace | None = None,
    *,
    jobs: int = 2,
    notebooks_dir: str | Path | None = None,
    sections: Sequence[tuple[str, str, str]] | None = None,
    book_template: str | Path | None = None,
    log: Log = print,
) -> Path:
    """Build the report site of one organisation and year; returns <workspace>/build/<org>/<year>/html.

    Raises WresError (input problems, a failing notebook cell, a book warning, a failed PDF): nothing is
    published then, and the previous html/ is left untouched. `book_template`: another folder than book/.
    """
    from datetime import date

    from . import __version__
    from .book_config import TEMPLATE_DIR, assemble, org_look, page_name, page_text, report_title
    from .freshness import clear_stamp, site_fingerprint, stamp_matches, write_stamp

    started = time.perf_counter()
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    sections = list(SECTIONS if sections is None else sections)
    notebooks = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    browser = pdf.chromium()

    # 0. nothing to do when no file the site is made from has changed since it was published
    ws.year_dir(org, year)
    out_root = ws.root / "build" / org / str(year)
    site_print = site_fingerprint(
        ws.root,
        org,
        int(year),
        notebooks=[notebooks / name for _, name, _ in sections if name and (notebooks / name).is_file()],
        template=Path(book_template) if book_template else TEMPLATE_DIR,
        related=ws.org_settings(org).comparators,
        settings={"sections": sections, "pdf": browser is not None},
    )
    if stamp_matches(out_root, site_print):
        log(
            f"nothing to do: no input, setting, narrative, action plan, notebook, template or code change since "
            f"{ws.display(out_root / 'html')} was published ({_seconds(started)})"
        )
        return out_root / "html"

    # 1. validate before any kernel starts: inputs, narrative and action plan
    step = time.perf_counter()
    report = load_report(org, year, ws)
    table, settings, year = report.table, report.org, report.year
    _audit_disclosure(report)
    load_comparators(report)  # before the kernels: a comparator's input problem stops the build here
    texts, warnings = narrative.load_narrative(report)
    plans = load_plans(ws, org, year)
    look = org_look(ws, org)
    missing = [name for _, name, _ in sections if name and not (notebooks / name).is_file()]
    if missing:
        raise BuildError(f"Missing report notebooks in {notebooks}: {', '.join(missing)}.")
    log(
        f"validated {ws.display(ws.year_dir(org, year))}: {len(table)} indicator rows, "
        f"{len(texts)} narrative files, {len(plans[0].actions)} actions in {_seconds(step)}"
    )
    for warning in warnings:
        log(f"warning: {warning}")
    for note in missing_input_notes(org, year, ws):
        log(f"note: {note}")
    if browser is None:
        log("note: " + pdf.HOW_TO_GET_IT.format(org=org, year=year))
    notebook_sections = [(slug, name, title) for slug, name, title in sections if name]

    with _build_lock(out_root, log), _Signals() as signals:
        _recover(out_root, log)  # after a run that was killed outright
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_root))
        try:
            # 2. execute, unless nothing the notebooks read has changed since the last successful run
            step = time.perf_counter()
            executed = out_root / "executed"
            executed.mkdir(parents=True, exist_ok=True)
            parameters = {"org": org, "year": year, "workspace": str(ws.root)}
            names = [name for _, name, _ in notebook_sections]
            fingerprint = execution_fingerprint(report, [notebooks / n for n in names], parameters)
            stamp = executed / ".fingerprint"
            if stamp.is_file() and stamp.read_text() == fingerprint and all((executed / n).is_file() for n in names):
                log(
                    f"reused {len(names)} executed notebooks: no published figure, setting, notebook or code "
                    "change since the last build (narrative, action plan and input fingerprints are re-rendered)"
                )
            else:
                stamp.unlink(missing_ok=True)
                for old in [*executed.glob("*.ipynb"), *executed.glob("*.log")]:
                    old.unlink()
                save_for_kernels(report, staging / "report.pickle")
                os.environ[CACHE_ENV] = str(staging / "report.pickle")
                try:
                    execute_notebooks(
                        [(notebooks / n, executed / n) for n in names],
                        parameters,
                        notebooks,
                        jobs=jobs,
                        shown=ws.display,
                        signals=signals,
                        log=log,
                    )
                finally:
                    os.environ.pop(CACHE_ENV, None)
                stamp.write_text(fingerprint)
                log(f"executed {len(names)} notebooks in {_seconds(step)} ({min(jobs, len(names))} at a time)")

            # 3. pages
            step = time.perf_counter()
            book = staging / "book"
            note = f"Generated by wres_helpers.build for {org} {year} from book/: do not edit."
            template = Path(book_template) if book_template else None
            assemble(
                book,
                settings,
                year,
                sections,
                version=__version__,
                look=look,
                note=note,
                template=template,
                downloads=download_links(org, year, with_pdf=browser is not None),
            )
            section_texts = {s: texts.get(s) or narrative.generated(report, s) for s in narrative.NARRATIVE_SECTIONS}
            fills = {"provenance": present.provenance(report)}
            origins = _NarrativeOrigins(texts, lambda s: ws.display(narrative.narrative_dir(report) / f"{s}.md"))
            for index, (slug, name, title) in enumerate(sections):
                if name is None:
                    text = page_text(slug, template, title=title, **MARKDOWN_PAGES[slug](report, section_texts, plans))
                    (book / f"{page_name(index, slug)}.md").write_text(text, encoding="utf-8")
                    origins.markdown_page(f"{page_name(index, slug)}.md", text)
                    continue
                executed_nb = fill_narrative(nbformat.read(executed / name, as_version=4), section_texts, fills)
                page = prepare_for_book(executed_nb, title=title)
                nbformat.write(page, book / f"{page_name(index, slug)}.ipynb")
                origins.notebook_page(f"{page_name(index, slug)}.ipynb", page)
            from .workbook import write_workbook

            write_workbook(report, book / "data")
            log(f"prepared {len(sections)} pages and the workbook in {_seconds(step)}")

            # 4. book
            step = time.perf_counter()
            log("building the book with jupyter-book")
            html_dir = build_book(book, signals=signals, where=origins.locate)
            shutil.copytree(book / "data", html_dir / "data")
            record = manifest(report, published_table_sha256(table))
            record["headlines"] = headline_figures(report)  # for the workspace's landing page (landing.py)
            (html_dir / "manifest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            log(f"built the book in {_seconds(step)}")

            # 5. offline check
            step = time.perf_counter()
            remote = external_references(html_dir)
            if remote:
                shown = "\n".join(f"    {line}" for line in remote[:30])
                raise BuildError(
                    f"The site would load {len(remote)} resources from the internet, so it would "
                    f"not work offline:\n{shown}"
                )
            log(f"checked the site for internet loads in {_seconds(step)}: none")

            # 6. the board paper, printed from the site as it will be published
            if browser is not None:
                step = time.perf_counter()
                pages = [(page_name(i, slug), title) for i, (slug, _, title) in enumerate(sections)]
                cover = pdf.Cover(settings.name, report_title(settings, year), year, f"{date.today():%-d %B %Y}")
                printed = pdf.make_pdf(
                    html_dir,
                    pages,
                    cover,
                    html_dir / "data" / pdf.pdf_name(org, year),
                    browser=browser,
                    template=template,
                )
                log(f"printed the report to a PDF of {printed['pages']} pages in {_seconds(step)}")

            # 7. publish
            final = out_root / "html"
            aside = out_root / f".old-html-{staging.name.removeprefix('.staging-')}"
            with signals.critical(deliver_after=False):
                clear_stamp(out_root)  # a build killed from here on leaves no stamp that could vouch for the site
                moved_aside = False
                if final.exists():
                    os.rename(final, aside)
                    moved_aside = True
                try:
                    os.rename(html_dir, final)
                except BaseException:
                    if moved_aside:
                        os.rename(aside, final)
                    raise
            if moved_aside:
                shutil.rmtree(aside, ignore_errors=True)
            shutil.copyfile(final / "manifest.json", out_root / "manifest.json")  # beside the site, too
            write_stamp(out_root, site_print)
            log(f"published {ws.display(final)} in {_seconds(started)} in total")
            return final
        except WresError as exc:
            state = (
                f"{ws.display(out_root / 'html')} is unchanged"
                if (out_root / "html").exists()
                else "there is no earlier site"
            )
            raise BuildError(f"{exc}\nNothing was published ({state}).") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


# -- command line -----------------------------------------------------------------------------------------
def add_report_arguments(parser) -> None:
    """The arguments of `python -m wres_helpers report`; sets `run` to run_report."""
    parser.add_argument("org", help="organisation folder name under params/, e.g. leeds")
    parser.add_argument("year", help="report year (snapshot 31 March of that year), e.g. 2021")
    parser.add_argument(
        "--workspace",
        help="folder holding params/ (default: $WRES_WORKSPACE or this repository); "
        "the site is written to <workspace>/build/<org>/<year>/html",
    )
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at the same time (default: 2)")
    parser.set_defaults(run=run_report)


def run_pdf(args) -> int:
    """`make pdf`: the report built as `make report` builds it (the notebooks run only when something they read
    changed), which needs Chromium here; prints the PDF's path."""
    if pdf.chromium() is None:
        raise WresError(
            "Chromium is not installed, so the board paper cannot be printed: install it (sudo apt-get "
            "install chromium) or set WRES_CHROMIUM to a Chromium or Chrome program."
        )
    return run_report(args, show=lambda site: site / "data" / pdf.pdf_name(args.org, args.year))


def run_report(args, show: Callable[[Path], Path] = lambda site: site / "index.html") -> int:
    """Build the report site; a WresError propagates (the CLI prints it and exits 2)."""

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.jobs < 1:
        raise WresError("--jobs must be 1 or more.")
    try:
        site = build_report(args.org, args.year, args.workspace, jobs=args.jobs, log=log)
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        log(f"{what}: the build stopped; build/{args.org}/{args.year}/html, if any, holds the last complete site")
        return 143 if isinstance(exc, Terminated) else 130
    print(show(site))
    return 0
