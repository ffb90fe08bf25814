"""Step 2 of a build: the section notebooks executed by papermill, each in its own worker process, and the
fingerprint that decides whether they must run again."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from . import build_lock
from .build_lock import _NO_SIGNALS, Log, _Signals
from .build_pages import _tags
from .errors import BuildError
from .safe_text import inert_frame

KERNEL = "wres"
KERNEL_START_TIMEOUT = 60  # seconds for a kernel to start
CELL_TIMEOUT = 600  # seconds one cell may run before the build gives up


# -- 2. execution -----------------------------------------------------------------------------------------
def _worker_signals(parent_pid: int) -> None:
    """In a worker: Ctrl+C is the parent's to handle; SIGTERM (from the parent, or when the parent dies)
    exits, shutting the kernel down. The copy of the build lock's descriptor that fork gave it is closed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_exit)
    if build_lock._lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(build_lock._lock_fd)
        build_lock._lock_fd = None
    from .lifeline import die_with_parent

    die_with_parent(parent_pid)


_worker_stopping = False


def _worker_exit(signum, frame):
    """SIGTERM ends the worker here and now, its kernel shut down. Not by raising SystemExit: the process pool
    catches BaseException around a job and around sending its result, and would then wait for work from a dead
    parent for ever. Later SIGTERMs are ignored: a killed build sends several (Linux sends the death signal as
    each of its threads ends), and one may land while the first is being handled."""
    global _worker_stopping
    if _worker_stopping:
        return
    _worker_stopping = True
    warm_kernel = sys.modules.get(f"{__package__}.warm_kernel")  # not imported yet: no kernel to stop
    try:
        if warm_kernel is not None:
            warm_kernel.shutdown()  # in the middle of a notebook it ends the kernel process directly
    finally:
        os._exit(128 + signum)


def _execute_one(source: str, output: str, parameters: dict, cwd: str, kernel: str, env: dict) -> dict:
    """Run one notebook (in a worker process). Returns a plain dict: papermill's errors do not pickle.

    The kernel and papermill write warnings to standard error: they go to <notebook>.log beside the
    executed copy rather than to the terminal (the kernel inherits this worker's file descriptor 2).
    `env`: variables the notebook reads (the build's report file), set here and in the kept kernel, since a
    worker kept between builds (`keep_workers`) was started with another build's.
    """
    from . import warm_kernel

    for name, value in env.items():
        os.environ[name] = value
    warm_kernel.set_env(env)
    saved_stderr = os.dup(2)
    with open(Path(output).with_suffix(".log"), "w", encoding="utf-8") as log_file:
        os.dup2(log_file.fileno(), 2)
        try:
            return _papermill(source, output, parameters, cwd, kernel)
        finally:
            sys.stderr.flush()
            os.dup2(saved_stderr, 2)
            # nbclient handles SIGTERM itself while a notebook runs and leaves it at the default: restore ours.
            signal.signal(signal.SIGTERM, _worker_exit)
            os.close(saved_stderr)


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

    from . import warm_kernel

    warm_kernel.set_log(str(Path(output).with_suffix(".log")))
    try:
        papermill.execute_notebook(
            source,
            output,
            parameters=parameters,
            engine_name=warm_kernel.ENGINE,
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
    import nbformat

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
    failures: list[str] = []
    pool = _kept_pool(workers) if _keeping else (_early.pop(workers, None) or _new_pool(workers))
    drop_early_kernels()  # started for another number of workers
    env = {name: os.environ.get(name, "") for name in KERNEL_ENV}  # "" clears an earlier build's
    try:
        with signals.critical():  # workers are forked here: let none be orphaned half-way
            futures = {
                pool.submit(_execute_one, str(src), str(out), parameters, str(cwd), KERNEL, env): (src, out)
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
        _kept.pop(workers, None)
        raise
    if not _keeping:
        pool.shutdown(wait=True)
    if failures:
        raise BuildError("\n".join(failures))


# -- kernels started before they are needed -------------------------------------------------------------
_early: dict[int, cf.ProcessPoolExecutor] = {}  # workers -> a pool whose kernels are starting (start_kernels)
_warmed: set[int] = set()  # ids of kept pools whose kernels were started (a batch's worker)

_WARM_UP = (
    "from IPython.display import HTML, Markdown, display\n"
    "from wres_helpers import charts, narrative, present\n"
    "from wres_helpers.report_data import load_report"
)  # what the report notebooks' first cell imports


def start_kernels(workers: int, cwd: Path) -> None:
    """Start `workers` notebook workers and their kernels now, in the background: a kernel costs about 1.5 s to
    start and import what the notebooks use, and the build validates its inputs meanwhile. Each worker runs a
    one-cell notebook of those imports; the kept kernel then runs the report's notebooks (warm_kernel.py).
    execute_notebooks takes the pool; drop_early_kernels stops it when the build ends before."""
    if _keeping:
        pool = _kept_pool(workers)
        if id(pool) in _warmed:
            return
        _warmed.add(id(pool))
    elif workers in _early:
        return
    else:
        pool = _early[workers] = _new_pool(workers)
    for _ in range(workers):  # each a second or more, so each worker takes one
        pool.submit(_warm_up, str(cwd))


def drop_early_kernels() -> None:
    """Stop kernels started early that no notebook will use (the build stopped, or ran none)."""
    while _early:
        _, pool = _early.popitem()
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.terminate()  # each shuts its kernel down (_worker_exit)
        pool.shutdown(wait=True, cancel_futures=True)


def _warm_up(cwd: str) -> dict:
    import nbformat

    folder = tempfile.mkdtemp(prefix="wres-warm-up-")
    source, output = Path(folder) / "warm-up.ipynb", Path(folder) / "warm-up.out.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_WARM_UP)]), source)
    try:
        return _execute_one(str(source), str(output), {}, cwd, KERNEL, {})
    finally:
        for path in (source, output, output.with_suffix(".log")):
            path.unlink(missing_ok=True)
        os.rmdir(folder)


# The variables a notebook reads from the build (report_data.CACHE_ENV, named here to keep imports light).
KERNEL_ENV = ("WRES_REPORT_CACHE",)

_keeping = False  # set in a batch's worker processes (keep_workers)
_kept: dict[int, cf.ProcessPoolExecutor] = {}  # number of workers -> the pool kept between builds


def keep_workers() -> None:
    """In a process that builds report after report (a batch's worker): keep the notebook workers, and with
    them their kernels (warm_kernel.py), from one build to the next, so that each organisation after the first
    pays no kernel start-up and no imports. They are stopped when this process exits."""
    global _keeping
    _keeping = True
    from multiprocessing.util import Finalize

    Finalize(None, _stop_kept, exitpriority=20)


def _stop_kept() -> None:
    while _kept:
        _, pool = _kept.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


def _kept_pool(workers: int) -> cf.ProcessPoolExecutor:
    pool = _kept.get(workers)
    if pool is None or getattr(pool, "_broken", False):  # a worker died (killed, out of memory): start afresh
        pool = _kept[workers] = _new_pool(workers)
    return pool


def _new_pool(workers: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_signals,
        initargs=(os.getpid(),),
    )


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
        if r.targets is not None:  # the goals read staff ids across years, which no published table shows
            add(f"{label}:targets", r.targets.to_csv(index=False, lineterminator="\n").encode())

    add_report("report", report)
    for slug, other in sorted((report.comparators or {}).items()):
        if other is None:
            add(f"comparator:{slug}", b"none")
        else:
            add_report(f"comparator:{slug}", other)
    digest.update(json.dumps(parameters, sort_keys=True).encode() + sys.version.encode())
    return digest.hexdigest()
