"""kill -9 at any point of a build (the main process, as the out-of-memory killer does, or its whole process
group): the previous site stays intact, no helper process lives on, and the next build succeeds without anyone
cleaning up. Each kill waits for the build's own progress line, so it lands where it says on any machine."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_build_pipeline import FIXTURE_NOTEBOOKS, FIXTURE_SECTIONS, ORG, _hashes, _make_workspace
from wres_helpers.build import BuildError, _build_lock, build_report

# Kill the build at the first step of publishing: before or after moving the old site aside (the worst moment
# to die: the new site is not in place yet). No progress line can time these: the build may publish before a
# kill sent on reading one arrives.
_DIE_AT_PUBLISH = """
_rename = os.rename
def rename(src, dst):
    if ".old-html-" in str(dst) and {before}:
        os.kill(os.getpid(), signal.SIGKILL)
    _rename(src, dst)
    if ".old-html-" in str(dst):
        os.kill(os.getpid(), signal.SIGKILL)
os.rename = rename
"""
DIE_BEFORE_PUBLISHING = _DIE_AT_PUBLISH.format(before=True)
DIE_WHILE_PUBLISHING = _DIE_AT_PUBLISH.format(before=False)


def _start(root: Path, patch: str = "", notebooks: Path = FIXTURE_NOTEBOOKS) -> subprocess.Popen:
    script = (
        f"import os, signal\n{patch}\nfrom wres_helpers.build import build_report\n"
        f"build_report({ORG!r}, 2021, {str(root)!r}, notebooks_dir={str(notebooks)!r}, "
        f"sections={FIXTURE_SECTIONS!r}, log=lambda line: print(line, flush=True))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(process: subprocess.Popen, prefix: str) -> list[str]:
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith(prefix):
            return lines
    raise AssertionError(f"no {prefix!r} line: {''.join(lines)}{process.stderr.read()}")


def _kill(process: subprocess.Popen, whole_group: bool) -> None:
    if whole_group:
        os.killpg(process.pid, signal.SIGKILL)
    else:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()


def _group_ends(pgid: int, seconds: float = 60) -> None:
    """Every process the build started in its group (the notebook workers, jupyter-book) has ended. The bound is
    for a hang, not a speed: with two test workers on two cores a kernel can take well over 15 s to be told."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    listing = subprocess.run(["ps", "-eo", "pid=,pgid=,args="], capture_output=True, text=True).stdout.splitlines()
    alive = [line.strip() for line in listing if line.split()[1:2] == [str(pgid)]]
    raise AssertionError(f"processes of the killed build are still running after {seconds} s: {alive}")


def add_cell(notebook: Path, source: str) -> None:
    """Append a code cell (pathlib and time imported) to a copy of a fixture notebook: a cell that says it is
    running and then sleeps, so that a kill lands while a notebook runs."""
    content = json.loads(notebook.read_text())
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    content["cells"].append({**cell, "source": f"import pathlib, time\n{source}"})
    notebook.write_text(json.dumps(content))


def _unchanged(site: Path, before: dict) -> None:
    assert _hashes(site) == before


def test_kill_9_at_each_step_leaves_the_site_and_the_next_build_works(tmp_path):
    root = _make_workspace(tmp_path)
    site = build_report(
        ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lambda line: None
    )
    before = _hashes(site)
    for stamp in (".site-fingerprint", "executed/.fingerprint"):  # so that the notebooks run again
        (site.parent / stamp).unlink(missing_ok=True)

    # 1. the main process only, while the notebooks run: its workers must end by themselves.
    process = _start(root)
    _wait_for(process, "executing ")
    _kill(process, whole_group=False)
    _group_ends(process.pid)
    _unchanged(site, before)

    # 2. the whole group, while jupyter-book builds; this build starts after a killed one without help.
    process = _start(root)
    lines = _wait_for(process, "building the book")
    assert any(line.startswith("cleared a stale lock: the build by process ") for line in lines), lines
    _kill(process, whole_group=True)
    _unchanged(site, before)

    # 3. just before publishing.
    process = _start(root, DIE_BEFORE_PUBLISHING)
    _wait_for(process, "checked the site for internet loads")
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    _group_ends(process.pid)
    _unchanged(site, before)

    # 4. while publishing: the old site has been moved aside and the new one is not in place yet.
    process = _start(root, DIE_WHILE_PUBLISHING)
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert not site.exists() and list(site.parent.glob(".old-html-*"))

    # The next build puts the old site back before anything else, so even a build that then fails leaves it.
    lines: list[str] = []
    with pytest.raises(BuildError, match="Nothing was published"):
        build_report(
            ORG,
            2021,
            root,
            notebooks_dir=FIXTURE_NOTEBOOKS,
            log=lines.append,
            sections=[("summary", "summary.ipynb", "Summary"), ("broken", "broken.ipynb", "Broken")],
        )
    assert any(line.startswith("restored the previous site") for line in lines), lines
    _unchanged(site, before)

    # And a good build publishes, leaving nothing behind: no staging folder, no lock record.
    build_report(ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lambda line: None)
    assert (site / "index.html").is_file()
    assert not list(site.parent.glob(".staging-*")) and not list(site.parent.glob(".old-html-*"))
    assert (site.parent / ".lock").read_text() == ""


def test_a_running_build_is_named_by_its_process_id(tmp_path):
    root = _make_workspace(tmp_path)
    folder = root / "build" / ORG / "2021"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom wres_helpers.build import _build_lock\n"
            f"with _build_lock(Path({str(folder)!r})):\n    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BuildError) as caught:
            build_report(
                ORG, 2021, root, notebooks_dir=FIXTURE_NOTEBOOKS, sections=FIXTURE_SECTIONS, log=lambda line: None
            )
        message = str(caught.value)
        assert f"Another build of this report is running: process {holder.pid} on " in message, message
        assert "no longer running" not in message
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_stale_lock_is_cleared_with_a_message(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / ".lock").write_text(
        json.dumps({"pid": dead.pid, "host": os.uname().nodename, "started": "2024-01-01 09:00:00"})
    )
    lines: list[str] = []
    with _build_lock(tmp_path, lines.append):
        record = json.loads((tmp_path / ".lock").read_text())
        assert record["pid"] == os.getpid()
    assert lines == [
        f"cleared a stale lock: the build by process {dead.pid} on {os.uname().nodename}, started "
        "2024-01-01 09:00:00 stopped without finishing (killed?); its unfinished files are removed"
    ]
    assert (tmp_path / ".lock").read_text() == ""


# Linux sends a worker its death signal as each thread of the killed build ends, so one can arrive after the
# worker has begun to stop, or at any point of its work. Here the signals are held back until all have been
# sent (the worker's parent is then init) and let in at a chosen point: on any machine, and nothing after them.
_HOLD_SIGNALS = """
import pathlib, time
from wres_helpers import warm_kernel
_build = os.getpid()
def _signals_arrive_here():
    pathlib.Path(RUNNING).touch()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    while os.getppid() == _build:
        time.sleep(0.01)
    time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGTERM)  # at least one, however the build's threads ended
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
"""
# ... while the worker stops its kernel (after the build was killed in the middle of a notebook cell)
_WHILE_STOPPING = """
_shutdown = warm_kernel.shutdown
def shutdown():
    if os.getpid() != _build:
        _signals_arrive_here()
    _shutdown()
warm_kernel.shutdown = shutdown
"""
# ... before the notebook starts, outside the part of the job that handles them (the moment of CI's failures)
_BEFORE_THE_NOTEBOOK = """
_set_env = warm_kernel.set_env
def set_env(env):
    if os.getpid() != _build:
        _signals_arrive_here()
    _set_env(env)
warm_kernel.set_env = set_env
"""


@pytest.mark.parametrize(
    "where", [_WHILE_STOPPING, _BEFORE_THE_NOTEBOOK], ids=["while-stopping", "before-the-notebook"]
)
def test_notebook_workers_of_a_killed_build_end_wherever_its_signals_find_them(tmp_path, where):
    """A worker that met SIGTERM at such a point raised SystemExit into the process pool, which caught it and
    waited for work from the dead build for ever (two CI runs found this)."""
    root = _make_workspace(tmp_path)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURE_NOTEBOOKS, notebooks)
    held = tmp_path / "signals-held"
    running = tmp_path / "cell-running" if where is _WHILE_STOPPING else held  # when to kill the build
    if where is _WHILE_STOPPING:  # the build is killed while a cell runs
        add_cell(notebooks / "detail.ipynb", f"pathlib.Path({str(running)!r}).touch()\ntime.sleep(300)")
    patch = _HOLD_SIGNALS.replace("RUNNING", repr(str(held))) + where

    process = _start(root, patch, notebooks=notebooks)
    deadline = time.monotonic() + 180
    while not running.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    _kill(process, whole_group=False)
    _group_ends(process.pid)
