"""The warm-kernel engine: one kernel per worker, yet each notebook runs as if in a fresh kernel.

The checks are made from inside the notebooks (what the kernel sees) and from outside (which processes
are left), not by asking the engine what it did."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from wres_helpers.execute import execute_notebooks

# Each notebook records its kernel's process id, what it finds left over, and the counter of its first cell.
PROBE = """\
import json, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
report = {
    "pid": os.getpid(),
    "cwd": os.getcwd(),
    "leftover": "left_by_a_previous_notebook" in dir(),
    "open_figures": len(plt.get_fignums()),
    "charts_imported": "wres_helpers.charts" in sys.modules,  # which no probe imports
}
"""
LITTER = """\
left_by_a_previous_notebook = 1
plt.figure(); plt.figure()
os.chdir("/")
os.write(2, b"message from NAME\\n"); import time; time.sleep(0.3)  # fd level, as a C library writes
"""
SAVE = """\
report["execution_count"] = get_ipython().execution_count
open(os.path.join(OUT, NAME + ".json"), "w").write(json.dumps(report))
"""


def _notebook(path: Path, name: str, out: Path, extra: str = "") -> Path:
    params = new_code_cell(f"OUT = {str(out)!r}\nNAME = {name!r}")
    params.metadata["tags"] = ["parameters"]
    cells = [params, new_code_cell(PROBE), new_code_cell(SAVE)]
    if extra:
        cells.append(new_code_cell(extra.replace("NAME", name)))
    cells.append(new_code_cell(LITTER.replace("NAME", name)))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "wres", "display_name": "WRES", "language": "python"}
    nbformat.write(nb, path)
    return path


def _counts(executed: Path) -> list:
    return [c.execution_count for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]


def _kernels_alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
            alive.add(pid)
        except ProcessLookupError:
            pass
    return alive


def _run(tmp_path: Path, names: list[str], extras: dict[str, str] | None = None, jobs: int = 1):
    out = tmp_path / "reports"
    out.mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    jobs_list = []
    for name in names:
        src = _notebook(tmp_path / f"{name}.ipynb", name, out, (extras or {}).get(name, ""))
        jobs_list.append((src, tmp_path / "executed" / f"{name}.ipynb"))
    (tmp_path / "executed").mkdir()
    execute_notebooks(jobs_list, {}, work, jobs=jobs, shown=str)
    return {n: json.loads((out / f"{n}.json").read_text()) for n in names}, work


def test_notebooks_share_a_kernel_yet_each_starts_clean(tmp_path):
    reports, work = _run(tmp_path, ["a", "b", "c"])
    pids = {r["pid"] for r in reports.values()}
    assert len(pids) == 1, "one worker should have used one kernel for its three notebooks"
    for name, r in reports.items():
        assert r["leftover"] is False, f"{name} saw a variable an earlier notebook defined"
        assert r["open_figures"] == 0, f"{name} inherited open figures"
        assert r["cwd"] == str(work), f"{name} ran in {r['cwd']}, not the build's folder"
        # As a fresh kernel numbers them: the notebook's four code cells 1 to 4, and the same counter inside.
        assert _counts(tmp_path / "executed" / f"{name}.ipynb") == [1, 2, 3, 4], name
        # Restarting the counter must not collide with IPython's history ("Session/line number was not unique").
        texts = [
            o.get("text", "")
            for c in nbformat.read(tmp_path / "executed" / f"{name}.ipynb", 4).cells
            for o in c.get("outputs", [])
        ]
        assert not any("ERROR" in t for t in texts), texts
        assert r["execution_count"] == reports["a"]["execution_count"], name
    # Each notebook's kernel messages went to its own log, not the first notebook's.
    for name in "abc":
        log = (tmp_path / "executed" / f"{name}.log").read_text()
        assert f"message from {name}" in log
        assert all(f"message from {o}" not in log for o in "abc" if o != name), log
    # The pool is gone and its kernel with it.
    deadline = time.monotonic() + 10
    while _kernels_alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _kernels_alive(pids), "the worker's kernel outlived the build"


def test_a_kernel_killed_by_a_notebook_is_replaced_for_the_next(tmp_path):
    """In one process: the first notebook kills its kernel outright; the next gets a new, working kernel."""
    import papermill

    from wres_helpers import warm_kernel
    from wres_helpers.execute import _ipc_kernel_manager

    out = tmp_path / "reports"
    out.mkdir()
    die = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    run = dict(
        kernel_name="wres",
        engine_name=warm_kernel.ENGINE,
        progress_bar=False,
        cwd=str(tmp_path),
        kernel_manager_class=_ipc_kernel_manager(),
        start_timeout=60,
        execution_timeout=60,
    )
    try:
        papermill.execute_notebook(
            str(_notebook(tmp_path / "first.ipynb", "first", out)), str(tmp_path / "o1.ipynb"), **run
        )
        first_pid = json.loads((out / "first.json").read_text())["pid"]
        with pytest.raises(Exception):
            papermill.execute_notebook(
                str(_notebook(tmp_path / "dies.ipynb", "dies", out, die)), str(tmp_path / "o2.ipynb"), **run
            )
        assert not _kernels_alive({first_pid}) or first_pid != json.loads((out / "dies.json").read_text())["pid"]
        papermill.execute_notebook(
            str(_notebook(tmp_path / "after.ipynb", "after", out)), str(tmp_path / "o3.ipynb"), **run
        )
        after = json.loads((out / "after.json").read_text())
        dies_pid = json.loads((out / "dies.json").read_text())["pid"]
        assert dies_pid == first_pid, "the second notebook should have reused the first one's kernel"
        assert after["pid"] != dies_pid, "a dead kernel was reused"
        assert after["leftover"] is False and _counts(tmp_path / "o3.ipynb") == [1, 2, 3, 4]
    finally:
        warm_kernel.shutdown()


def _kernels_of_this_process() -> set[int]:
    """The ipykernel processes descended from this one (read from /proc, not from the engine)."""
    parents, kernels = {}, set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        if b"ipykernel" in cmdline and fields[0] != "Z":
            kernels.add(pid)

    def mine(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return {pid for pid in kernels if mine(pid)}


def _wait(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def test_kernels_started_early_run_the_notebooks_and_end_when_no_notebook_runs(tmp_path):
    """A first build starts its kernels before it validates (execute.start_kernels): the notebook then runs in
    a kernel that has imported the report's modules already; and kernels no notebook will use end."""
    from wres_helpers import execute

    assert _run(tmp_path / "cold", ["a"])[0]["a"]["charts_imported"] is False  # a kernel started for the notebook
    execute.start_kernels(1, tmp_path)
    reports, _ = _run(tmp_path / "early", ["a"])
    assert reports["a"]["charts_imported"] is True, "the notebook did not run in the kernel started early"
    assert reports["a"]["leftover"] is False and _counts(tmp_path / "early" / "executed" / "a.ipynb") == [1, 2, 3, 4]
    assert _wait(lambda: not _kernels_of_this_process(), 20), "the build's kernel outlived it"

    execute.start_kernels(2, tmp_path)
    assert _wait(lambda: len(_kernels_of_this_process()) == 2), "two kernels should be starting"
    execute.drop_early_kernels()  # the build stopped before its notebooks (an input error)
    assert _wait(lambda: not _kernels_of_this_process(), 20), _kernels_of_this_process()


# A batch's worker process, as `reports` runs one: two builds one after the other, each with its own report file.
BATCH_WORKER = """\
import os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_warm_kernel import _notebook
from wres_helpers import execute
execute.keep_workers()
tmp = Path(sys.argv[1])
ENV = "open(os.path.join(OUT, 'env'), 'w').write(os.environ.get('WRES_REPORT_CACHE', 'unset'))"
for build in ("first", "second"):
    os.environ["WRES_REPORT_CACHE"] = f"/the/report/of/the/{build}/build"
    (tmp / build).mkdir()
    source = _notebook(tmp / f"{build}.ipynb", build, tmp / build, ENV)
    execute.execute_notebooks([(source, tmp / build / "executed.ipynb")], {}, tmp, jobs=1, shown=str)
"""


def test_a_batch_worker_keeps_its_kernel_from_one_build_to_the_next(tmp_path):
    """keep_workers (what `reports` sets in its workers): the second build's notebook runs in the first's
    kernel, clean, and reads the second build's report file, not the one the kernel was started with; the
    kernel ends when the worker process does."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", BATCH_WORKER, str(tmp_path), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reports = {b: json.loads((tmp_path / b / f"{b}.json").read_text()) for b in ("first", "second")}
    assert reports["first"]["pid"] == reports["second"]["pid"], "the second build started a kernel of its own"
    assert reports["second"]["leftover"] is False and _counts(tmp_path / "second" / "executed.ipynb") == [1, 2, 3, 4, 5]
    for build in ("first", "second"):
        assert (tmp_path / build / "env").read_text() == f"/the/report/of/the/{build}/build"
    deadline = time.monotonic() + 10
    while _kernels_alive({reports["first"]["pid"]}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _kernels_alive({reports["first"]["pid"]}), "the kept kernel outlived its worker process"
