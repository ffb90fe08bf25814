"""Many reports in one run: every organisation of a workspace that has the year, built side by side.

    python -m wres_helpers reports YEAR [--orgs a b] [--jobs n] [--workspace DIR] [--scheduler tcp://host:8786]

Each organisation is one `build_report` call, sent through the standard `concurrent.futures` interface: a
local process pool (one process per core; a worker builds organisation after organisation with its imports
and its notebook kernel warm), or, with `--scheduler` or DASK_SCHEDULER_ADDRESS, a Dask distributed cluster
whose workers see the workspace at the same path. One organisation's failure never stops the others. The run
ends with a summary table (organisation, status, time, error), writes the workspace's landing page
(landing.py) and exits non-zero when any organisation failed.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Iterator, Sequence

from .errors import WresError
from .workspace import Workspace

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


@dataclass(frozen=True)
class Outcome:
    """What became of one organisation's report."""

    org: str
    year: int
    status: str  # "built", "unchanged" (nothing it depends on changed) or "failed"
    seconds: float
    error: str = ""  # the build's message when it failed
    log: str = ""  # the path of the build's log, relative to the workspace


def build_one(org: str, year: int, workspace: str, options: dict | None = None) -> Outcome:
    """Build one organisation's report and never raise: the outcome says what happened (runs in a worker).

    Its log goes to build/<org>/<year>/build.log instead of the terminal, where it would interleave with
    the other organisations' logs. `options`: more arguments of build_report (jobs, notebooks_dir, sections);
    by default its notebooks run one at a time, the batch running one organisation per core."""
    from .lean_imports import skip_unused

    skip_unused()  # a Dask worker did not start through our command line
    ws = Workspace(workspace)
    folder = ws.root / "build" / org / str(year)
    try:
        return _build_one(org, year, ws, folder, options)
    finally:
        _leave_if_orphaned()


def _build_one(org: str, year: int, ws: Workspace, folder, options: dict | None) -> Outcome:
    from .build import build_report

    started = time.perf_counter()
    lines: list[str] = []
    status, error = "built", ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if multiprocessing.current_process().daemon:
            raise WresError(
                "this worker is a daemonic process, which may not start the processes that run the notebooks: "
                "start the Dask workers with DASK_DISTRIBUTED__WORKER__DAEMON=False (see the README)"
            )
        build_report(org, year, ws, **{"jobs": 1, **(options or {})}, log=lines.append)
        if any(line.startswith("nothing to do") for line in lines):
            status = "unchanged"
    except WresError as exc:
        status, error = "failed", str(exc)
    except Exception as exc:  # a bug in one organisation's build must not end the batch
        status, error = "failed", f"internal error ({type(exc).__name__}: {exc})\n{traceback.format_exc()}"
    with contextlib.suppress(OSError):
        (folder / "build.log").write_text("\n".join(lines + ([f"error: {error}"] if error else [])) + "\n")
    return Outcome(org, int(year), status, time.perf_counter() - started, error, ws.display(folder / "build.log"))


def organisations(ws: Workspace, year: int, wanted: Sequence[str] | None = None) -> list[str]:
    """The organisations to build: `wanted` (each must exist and have the year), else every organisation
    in the workspace with a folder for the year."""
    if wanted:
        for org in wanted:
            ws.year_dir(org, year)  # names the organisation or year that is missing
        return list(dict.fromkeys(wanted))
    found = [org for org in ws.orgs() if (ws.root / "params" / org / str(year)).is_dir()]
    if not found:
        raise WresError(f"No organisation in {ws.root / 'params'} has a {year} folder: nothing to build.")
    return found


@contextlib.contextmanager
def executor(jobs: int, scheduler: str | None) -> Iterator[tuple[cf.Executor, str]]:
    """A concurrent.futures executor and a description of it: Dask's when a scheduler address is given,
    otherwise a local pool of `jobs` processes."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - distributed is a declared dependency
            raise WresError(f"--scheduler needs the 'distributed' package ({exc}).") from None
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise WresError(f"Could not reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            with client.get_executor(pure=False) as pool:
                yield pool, f"Dask scheduler {scheduler} ({workers} workers)"
        finally:
            client.close()
        return
    # fork: each worker starts with this process's imports; "forkserver" would pay them again per worker
    pool = cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_local_worker,
        initargs=(os.getpid(),),
    )
    try:
        yield pool, _plural(jobs, "local worker process", "es")
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                process.terminate()  # each build stops as on Ctrl+C: nothing half-built is published
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


_batch_pid: int | None = None  # in a local worker: the batch process it builds for


def _local_worker(batch_pid: int) -> None:
    """In each local worker: its notebook kernels (execute.py), jupyter-book (book_build.py) and Chromium
    (pdf.py) kept warm from one organisation to the next, and its life tied to the batch's. If the batch is
    killed outright, SIGTERM stops the build under way as it stops any build (nothing half-built is published),
    and the worker then leaves (`_leave_if_orphaned`)."""
    global _batch_pid
    from .execute import keep_workers
    from .lifeline import die_with_parent, watch_parent
    from .pdf import keep_browser

    _batch_pid = batch_pid
    keep_workers()
    keep_browser()
    die_with_parent(batch_pid, watchdog=False)  # the watchdog is always started, just below
    watch_parent(batch_pid)  # also when that signal came while the parent was still ending: it may be the last


def _leave_if_orphaned() -> None:
    """A local worker whose batch has died would wait for its next organisation for ever: end it now (its
    notebook workers, and so their kernels, end with it)."""
    if _batch_pid is not None and os.getppid() != _batch_pid:
        os._exit(143)


def _warm_imports() -> None:
    """Import what every build needs once, before the workers are forked, so that none pays for it again."""
    from . import build, narrative, pdf, report_data, values, workbook  # noqa: F401


def _members_first(ws: Workspace, orgs: Sequence[str]) -> list[str]:
    """Aggregates last: their members' published tables, which they read, are then in the workspace's cache.
    An org.yaml that cannot be read goes first, so that its build reports the problem."""

    def aggregate(org: str) -> bool:
        try:
            return bool(ws.org_settings(org).members)
        except WresError:
            return False

    return sorted(orgs, key=aggregate)


def build_many(
    year: int,
    orgs: Sequence[str],
    ws: Workspace,
    *,
    jobs: int,
    scheduler: str | None = None,
    progress=None,
    options: dict | None = None,
) -> list[Outcome]:
    """Build every organisation's report for `year`; returns one Outcome each, in the order of `orgs`.

    `progress` (a tqdm bar or None) is advanced as each organisation finishes."""
    _warm_imports()
    done: dict[str, Outcome] = {}
    with executor(jobs, scheduler) as (pool, _):
        futures = {pool.submit(build_one, org, year, str(ws.root), options): org for org in _members_first(ws, orgs)}
        for future in cf.as_completed(futures):
            org = futures[future]
            try:
                outcome = future.result()
            except BaseException as exc:  # the worker itself died (killed, out of memory, a lost Dask worker)
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome = Outcome(org, year, "failed", 0.0, f"the worker building it stopped: {exc!r}")
            done[org] = outcome
            if progress is not None:
                failed = sum(o.status == "failed" for o in done.values())
                running = min(len(orgs) - len(done), jobs)
                progress.set_postfix_str(f"running {running}, failed {failed}", refresh=False)
                progress.update(1)
                progress.write(_line(outcome), file=sys.stderr)
    return [done[org] for org in orgs]


def _line(o: Outcome) -> str:
    what = {"built": "built", "unchanged": "unchanged (nothing to do)", "failed": "FAILED"}[o.status]
    return f"{o.org} {o.year}: {what} in {o.seconds:.1f} s" + (f"; see {o.log}" if o.status == "failed" else "")


def summary(outcomes: Sequence[Outcome]) -> str:
    """The table printed at the end of a batch: organisation, status, time, the first line of any error."""
    rows = [("organisation", "status", "time", "error")]
    for o in outcomes:
        first = next((line.strip() for line in o.error.splitlines() if line.strip()), "")
        rows.append((o.org, o.status, f"{o.seconds:.1f} s", first[:100] + ("..." if len(first) > 100 else "")))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 5)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "unchanged", "failed")}
    lines.append(f"{_plural(len(outcomes), 'organisation')}: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(line.rstrip() for line in lines)


def _plural(n: int, word: str, ending: str = "s") -> str:
    return f"{n} {word}{'' if n == 1 else ending}"


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_reports(args) -> int:
    """`make reports`: exit 0 when every organisation's report was built (or needed nothing), 1 otherwise."""
    from tqdm import tqdm

    from .landing import write_landing

    ws = Workspace(args.workspace)
    year = int(args.year) if str(args.year).isdigit() else args.year
    orgs = organisations(ws, year, args.orgs)
    scheduler = args.scheduler or os.environ.get(SCHEDULER_ENV) or None
    jobs = args.jobs or default_jobs()
    if jobs < 1:
        raise WresError("--jobs must be 1 or more.")
    jobs = min(jobs, len(orgs)) if not scheduler else jobs
    where = f"the Dask scheduler at {scheduler}" if scheduler else _plural(jobs, "worker process", "es")
    print(f"building {_plural(len(orgs), 'report')} for {year} on {where}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with tqdm(total=len(orgs), unit="org", desc=f"{year}", file=sys.stderr, dynamic_ncols=True) as bar:
        bar.set_postfix_str(f"running {min(jobs, len(orgs))}, failed 0")
        outcomes = build_many(year, orgs, ws, jobs=jobs, scheduler=scheduler, progress=bar)
    print(summary(outcomes), file=sys.stderr)
    page = write_landing(ws)
    print(f"finished in {time.perf_counter() - started:.1f} s; the landing page is {ws.display(page)}", file=sys.stderr)
    print(page)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def add_arguments(parser) -> None:
    parser.add_argument("year", help="report year, e.g. 2024: every organisation with that year is built")
    parser.add_argument("--orgs", nargs="+", help="only these organisations (folder names under params/)")
    parser.add_argument("--jobs", type=int, default=0, help="organisations built at once (default: one per core)")
    parser.add_argument("--workspace", help="folder holding params/ (default: $WRES_WORKSPACE or this repository)")
    parser.add_argument(
        "--scheduler",
        help=f"a Dask scheduler address (tcp://host:8786; default ${SCHEDULER_ENV}): each organisation is built "
        "on the cluster's workers, which must see the workspace at the same path",
    )
    parser.set_defaults(run=run_reports)
