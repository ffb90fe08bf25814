"""Many organisations in one run (batch.py), locally and on a Dask cluster, and the landing page (landing.py).

The builds use the two small fixture notebooks, so that a batch of several organisations takes seconds."""

from __future__ import annotations

import contextlib
import html
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster

from test_fault_injection import _group_ends, add_cell
from wres_helpers.batch import Outcome, build_many, summary
from wres_helpers.cli import main
from wres_helpers.workspace import Workspace

FIXTURE_NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "notebooks"
SECTIONS = [("summary", "chart.ipynb", "Summary"), ("detail", "detail.ipynb", "Detail")]
STAFF = "staff_id,ethnic_category,pay_band,clinical\nS1,A,Band 5,Y\nS2,H,Band 5,N\nS3,A,Band 6,Y\nS4,,Band 7,N\n"


def _org(root: Path, slug: str, name: str, staff: str = STAFF, extra: str = "") -> None:
    folder = root / "params" / slug / "2021"
    folder.mkdir(parents=True)
    (folder.parent / "org.yaml").write_text(
        f"name: {name}\ntype: trust\nterm_for_bme: BME\nboard_name: Trust Board\n{extra}"
    )
    (folder / "staff.csv").write_text(staff)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("WRES_CHROMIUM", "")  # no board paper: it is tested elsewhere, and costs 4 s a report
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("chart.ipynb", "detail.ipynb"):  # the fixture's chart page, twice: it fits any organisation
        shutil.copy(FIXTURE_NOTEBOOKS / "detail.ipynb", notebooks / name)
    OPTIONS.update(notebooks_dir=str(notebooks), sections=SECTIONS)
    # alpha quotes its one BME member of 4 staff (threshold 1): 25.0%; beta withholds it (the default rule).
    _org(tmp_path, "alpha", "Alpha NHS Trust", extra="small_number_threshold: 1\n")
    _org(tmp_path, "beta", "Beta NHS Trust")
    _org(tmp_path, "broken", "Broken NHS Trust", staff=STAFF.replace("Band 7", "Band 77"))
    return Workspace(tmp_path)


OPTIONS: dict = {}


def _by_org(outcomes):
    return {o.org: o for o in outcomes}


def test_a_batch_builds_every_organisation_and_one_failure_stops_no_other(workspace):
    outcomes = _by_org(build_many(2021, ["alpha", "broken", "beta"], workspace, jobs=2, options=OPTIONS))
    assert {org: o.status for org, o in outcomes.items()} == {"alpha": "built", "broken": "failed", "beta": "built"}
    assert "Band 77" in outcomes["broken"].error and "staff" in outcomes["broken"].error
    for org in ("alpha", "beta"):
        assert (workspace.root / "build" / org / "2021" / "html" / "index.html").is_file()
    assert not (workspace.root / "build" / "broken" / "2021" / "html").exists()
    # The failed organisation's whole log, error included, is kept beside where its site would be.
    log = (workspace.root / "build" / "broken" / "2021" / "build.log").read_text()
    assert "error:" in log and "Band 77" in log

    # Again with nothing changed: every built report says it had nothing to do.
    again = _by_org(build_many(2021, ["alpha", "beta"], workspace, jobs=2, options=OPTIONS))
    assert {o.status for o in again.values()} == {"unchanged"}


def test_the_summary_table_names_each_organisation_its_status_time_and_first_error_line():
    text = summary(
        [
            Outcome("alpha", 2021, "built", 12.34),
            Outcome("broken", 2021, "failed", 0.5, "1 problem in staff.csv:\n  - row 5 ..."),
            Outcome("beta", 2021, "unchanged", 0.04),
        ]
    )
    lines = text.splitlines()
    assert lines[0].split() == ["organisation", "status", "time", "error"]
    assert lines[2].split() == ["alpha", "built", "12.3", "s"]
    assert lines[3].split()[:4] == ["broken", "failed", "0.5", "s"] and lines[3].endswith("1 problem in staff.csv:")
    assert lines[4].split() == ["beta", "unchanged", "0.0", "s"]
    assert lines[-1] == "3 organisations: 1 built, 1 unchanged, 1 failed"
    assert (
        summary([Outcome("alpha", 2021, "built", 1.0)]).splitlines()[-1]
        == "1 organisation: 1 built, 0 unchanged, 0 failed"
    )


def test_the_landing_page_lists_every_report_with_its_published_headline_figures(workspace):
    build_many(2021, ["alpha", "beta"], workspace, jobs=2, options=OPTIONS)
    from wres_helpers.landing import write_landing

    page = write_landing(workspace).read_text(encoding="utf-8")
    assert '<a href="alpha/2021/html/index.html">Alpha NHS Trust</a>' in page
    assert '<a href="beta/2021/html/index.html">Beta NHS Trust</a>' in page
    rows = {name: row for name, row in (part.split("</th>", 1) for part in page.split('<th scope="row">')[1:])}
    alpha = next(row for name, row in rows.items() if "Alpha" in name)
    beta = next(row for name, row in rows.items() if "Beta" in name)
    # 4 staff, 1 of them BME (code H): alpha (threshold 1) publishes both; beta withholds both small counts.
    assert '<td class="num">4</td>' in alpha and '<td class="num">25.0%</td>' in alpha
    assert ">4<" not in beta and "25.0%" not in beta and beta.count("withheld (small numbers)") == 2
    assert html.escape("Broken") not in page  # never built: not listed


def test_an_aggregate_is_built_after_its_members_and_the_landing_page_names_them(workspace):
    from wres_helpers.batch import _members_first
    from wres_helpers.landing import write_landing

    # Nothing withheld anywhere (threshold 1, as alpha's): this test is about the order and the page. The joint
    # audit of four-person members that withhold everything takes about 45 s, most of it in its integer programmes.
    _org(workspace.root, "system", "Example ICB", extra="members: [alpha, beta]\nsmall_number_threshold: 1\n")
    (workspace.root / "params" / "system" / "2021" / "staff.csv").unlink()  # an aggregate's records are its members'
    (workspace.root / "params" / "beta" / "org.yaml").write_text(
        "name: Beta NHS Trust\ntype: trust\nterm_for_bme: BME\nboard_name: Trust Board\nsmall_number_threshold: 1\n"
    )
    assert _members_first(workspace, ["system", "alpha", "beta"]) == ["alpha", "beta", "system"]
    outcomes = _by_org(build_many(2021, ["system", "alpha", "beta"], workspace, jobs=2, options=OPTIONS))
    assert {org: o.status for org, o in outcomes.items()} == dict.fromkeys(("system", "alpha", "beta"), "built")
    page = write_landing(workspace).read_text(encoding="utf-8")
    row = page.split('<a href="system/2021/html/index.html">Example ICB</a>', 1)[1].split("</th>", 1)[0]
    assert "the members together: Alpha NHS Trust, Beta NHS Trust" in row


def test_make_reports_exits_non_zero_with_a_summary_when_an_organisation_fails(workspace, capsys):
    code = main(["reports", "2021", "--workspace", str(workspace.root), "--orgs", "broken", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "1/1" in err  # the progress bar reached the end
    assert "broken" in err and "FAILED" in err and "1 organisation: 0 built, 0 unchanged, 1 failed" in err
    assert (workspace.root / "build" / "index.html").is_file()


def test_an_unknown_organisation_is_refused_before_anything_is_built(workspace, capsys):
    assert main(["reports", "2021", "--workspace", str(workspace.root), "--orgs", "gamma"]) == 2
    assert "no organisation 'gamma'" in capsys.readouterr().err


def test_a_batch_on_a_dask_local_cluster(workspace):
    # The workers start the notebooks' processes, which Dask's default daemonic workers may not (README).
    with dask.config.set({"distributed.worker.daemon": False}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            outcomes = _by_org(
                build_many(
                    2021,
                    ["alpha", "beta", "broken"],
                    workspace,
                    jobs=2,
                    scheduler=cluster.scheduler_address,
                    options=OPTIONS,
                )
            )
    assert {org: o.status for org, o in outcomes.items()} == {"alpha": "built", "beta": "built", "broken": "failed"}
    assert (workspace.root / "build" / "alpha" / "2021" / "html" / "index.html").is_file()


def test_a_daemonic_dask_worker_gets_a_clear_error_not_a_traceback(workspace):
    with dask.config.set({"distributed.worker.daemon": True}):
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            [outcome] = build_many(
                2021, ["alpha"], workspace, jobs=1, scheduler=cluster.scheduler_address, options=OPTIONS
            )
    assert outcome.status == "failed" and "DASK_DISTRIBUTED__WORKER__DAEMON=False" in outcome.error


def test_a_batch_killed_outright_leaves_no_process_and_the_next_batch_builds_every_organisation(workspace):
    """kill -9 of `reports` (the out-of-memory killer's way) while its workers are in the middle of notebooks:
    the workers stop their builds, publish nothing half-built and end, with their notebook workers and
    kernels, instead of waiting for the next organisation for ever; a new batch then builds every one."""
    root = workspace.root
    hold, running = root / "hold", root / "cell-running"
    shutil.copy(FIXTURE_NOTEBOOKS / "detail.ipynb", Path(OPTIONS["notebooks_dir"]) / "detail.ipynb")
    add_cell(
        Path(OPTIONS["notebooks_dir"]) / "detail.ipynb",
        f"if pathlib.Path({str(hold)!r}).exists():\n    pathlib.Path({str(running)!r}).touch()\n    time.sleep(300)",
    )
    hold.touch()
    script = (
        "from wres_helpers.batch import build_many\nfrom wres_helpers.workspace import Workspace\n"
        f"build_many(2021, ['alpha', 'beta'], Workspace({str(root)!r}), jobs=2, options={OPTIONS!r})\n"
    )
    batch = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 180
    while not running.exists():
        assert batch.poll() is None and time.monotonic() < deadline, "the batch ended or never reached the cell"
        time.sleep(0.05)
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait(timeout=30)
    try:
        _group_ends(batch.pid)
    finally:  # a failure leaves nothing running into the other tests
        with contextlib.suppress(ProcessLookupError):
            os.killpg(batch.pid, signal.SIGKILL)
    for org in ("alpha", "beta"):  # a site is whole or absent, never half-built
        site = root / "build" / org / "2021" / "html"
        assert not site.exists() or (site / "index.html").is_file()

    hold.unlink()
    outcomes = _by_org(build_many(2021, ["alpha", "beta"], workspace, jobs=2, options=OPTIONS))
    assert {org: o.status for org, o in outcomes.items()} == {"alpha": "built", "beta": "built"}, outcomes
