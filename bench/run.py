"""`make bench`: how long builds take, printed and written to bench/results.csv. A script, not a timed test.

Each figure is the wall-clock time of the command a user runs (a fresh `python -m wres_helpers ...` process),
in a scratch copy of the sample workspace, with its floor beside it: what the same work costs without this
pipeline around it (the engine alone in one process, a bare papermill run of the same notebooks, a bare
`jupyter-book build` of the same pages). Targets are the ones of issue 9 (a quiet 2-core machine).

    .venv/bin/python bench/run.py [--orgs 20] [--skip-batch] [--skip-extract] [--out bench/results.csv]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
ROWS: list[dict] = []


def record(
    measure: str,
    seconds: float,
    *,
    floor: str = "",
    floor_seconds: float | None = None,
    target: str = "",
    peak_mb: float | None = None,
    note: str = "",
) -> None:
    row = {
        "measure": measure,
        "seconds": f"{seconds:.2f}",
        "peak_mb": "" if peak_mb is None else f"{peak_mb:.0f}",
        "floor": floor,
        "floor_seconds": "" if floor_seconds is None else f"{floor_seconds:.2f}",
        "target": target,
        "note": note,
    }
    ROWS.append(row)
    floor_text = f"   floor ({floor}): {floor_seconds:.1f} s" if floor_seconds is not None else ""
    memory = f", peak {peak_mb:.0f} MB" if peak_mb is not None else ""
    print(f"{measure:<44} {seconds:7.1f} s{memory}{floor_text}   target: {target or '-'}  {note}", flush=True)


def run(args: list[str], env: dict | None = None, check: bool = True) -> tuple[float, str]:
    """Wall-clock seconds and standard error of one command."""
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=REPO)
    seconds = time.perf_counter() - started
    if check and done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr[-3000:]}")
    return seconds, done.stderr


def report(ws: Path, org: str = "leeds", year: int = 2021, env: dict | None = None) -> tuple[float, str]:
    return run([PY, "-m", "wres_helpers", "report", org, str(year), "--workspace", str(ws)], env)


def step_seconds(log: str, prefix: str) -> float | None:
    m = re.search(rf"^{re.escape(prefix)}.* in ([0-9.]+) s", log, re.M)
    return float(m.group(1)) if m else None


def single_report(scratch: Path) -> None:
    ws = scratch / "single"
    shutil.copytree(REPO / "params", ws / "params")
    keep = scratch / "book"
    cold, log = report(ws, env={"WRES_KEEP_BOOK": str(keep)})
    print(log.strip().replace("\n", "\n    "), flush=True)

    # Floors: the engine alone (validation, indicators, disclosure control and its audit, the comparators, in one
    # process, on a copy of the workspace of its own, so that no result is cached: as cold as the build) ...
    fresh = scratch / "engine"
    shutil.copytree(REPO / "params", fresh / "params")
    engine = (
        "import time; t = time.perf_counter()\n"
        "from wres_helpers.report_data import load_report\nfrom wres_helpers.build import _audit_disclosure\n"
        "from wres_helpers.comparators import load_comparators\n"
        f"r = load_report('leeds', 2021, {str(fresh)!r}); _audit_disclosure(r); load_comparators(r)\n"
        "print(time.perf_counter() - t)"
    )
    engine_seconds = float(subprocess.run([PY, "-c", engine], capture_output=True, text=True, check=True).stdout)
    # ... a bare papermill run of the same six notebooks (two at a time, as the build runs them) ...
    papermill_seconds = bare_papermill(ws, scratch / "papermill")
    # ... and a bare jupyter-book build of the same pages.
    book_seconds, _ = run([PY, "-m", "jupyter_book.cli.main", "build", str(keep), "--builder", "html", "-q"])
    if not (keep / "_build" / "html" / "index.html").is_file():
        book_seconds, _ = run([str(Path(PY).with_name("jupyter-book")), "build", str(keep), "--builder", "html"])
    shutil.rmtree(keep / "_build", ignore_errors=True)
    floor = engine_seconds + papermill_seconds + book_seconds
    record(
        "cold build, leeds 2021",
        cold,
        floor="engine + bare papermill + bare jupyter-book",
        floor_seconds=floor,
        target="<= 8 s, <= 2 x bare book",
        note=f"validate {step_seconds(log, 'validated') or 0:.1f} s (engine alone {engine_seconds:.1f} s), "
        f"notebooks {step_seconds(log, 'executed') or 0:.1f} s (bare papermill {papermill_seconds:.1f} s), "
        f"book {step_seconds(log, 'built the book') or 0:.1f} s (bare {book_seconds:.1f} s), "
        f"PDF {step_seconds(log, 'printed') or 0:.1f} s",
    )

    seconds, log = report(ws)
    assert "nothing to do" in log, log
    record("no-change rebuild", seconds, floor="python start-up", floor_seconds=python_start(), target="<= 1 s")

    summary = ws / "params" / "leeds" / "2021" / "narrative" / "summary.md"
    summary.write_text(summary.read_text(encoding="utf-8") + "\nOne more sentence for the benchmark.\n")
    seconds, log = report(ws)
    assert "reused 6 executed notebooks" in log, log
    record(
        "narrative-only rebuild",
        seconds,
        floor="bare jupyter-book",
        floor_seconds=book_seconds,
        target="<= bare book build",
        note="no notebook ran",
    )

    # A column no indicator reads: a staff_id that no other file names (occupation and department are published
    # now, in the drill-downs, so a change to them is a change of figures).
    year_dir = ws / "params" / "leeds" / "2021"
    staff = year_dir / "staff.csv"
    lines = staff.read_text(encoding="utf-8").splitlines(keepends=True)
    trained = set((year_dir / "training.csv").read_text(encoding="utf-8").split())
    at = next(i for i, line in enumerate(lines[1:], 1) if line.split(",", 1)[0] not in trained)
    lines[at] = lines[at].replace(",", "X,", 1)
    staff.write_text("".join(lines), encoding="utf-8")
    seconds, log = report(ws)
    assert "reused 6 executed notebooks" in log, log
    record("a column no indicator reads (a staff_id)", seconds, note="no notebook ran")

    lines[1] = lines[1].replace("A White - British", "H Asian or Asian British - Indian")  # a figure changes
    assert lines[1] != staff.read_text(encoding="utf-8").splitlines(keepends=True)[1], lines[1]
    staff.write_text("".join(lines), encoding="utf-8")
    seconds, log = report(ws)
    assert "executed 6 notebooks" in log, log
    record("one-data-change rebuild", seconds, floor="cold build", floor_seconds=cold, note="every notebook ran")


def python_start() -> float:
    return min(run([PY, "-c", "pass"])[0] for _ in range(3))


def bare_papermill(ws: Path, out: Path) -> float:
    out.mkdir()
    script = (
        "import concurrent.futures as cf, sys, papermill\n"
        "def one(name):\n"
        f"    papermill.execute_notebook({str(REPO / 'notebooks')!r} + '/' + name, {str(out)!r} + '/' + name,\n"
        f"        parameters={{'org': 'leeds', 'year': 2021, 'workspace': {str(ws)!r}}}, kernel_name='wres',\n"
        f"        cwd={str(REPO / 'notebooks')!r}, progress_bar=False)\n"
        "names = sorted(n for n in __import__('os').listdir(sys.argv[1]) if n.endswith('.ipynb'))\n"
        "with cf.ProcessPoolExecutor(2) as pool: list(pool.map(one, names))\n"
    )
    seconds, _ = run([PY, "-c", script, str(REPO / "notebooks")])
    return seconds


def batch(scratch: Path, count: int) -> None:
    """`count` organisations: copies of the sample organisations under new names, built by `reports`."""
    ws = scratch / "batch"
    samples = [("leeds", 2021), ("smallccg", 2021)]
    for i in range(count):
        source, year = samples[i % len(samples)]
        target = ws / "params" / f"org{i + 1:02d}"
        target.mkdir(parents=True)
        text = (REPO / "params" / source / "org.yaml").read_text(encoding="utf-8")
        (target / "org.yaml").write_text(re.sub(r"(?m)^comparators:.*\n(?:[ ]*- .*\n)*", "", text), encoding="utf-8")
        # Every year up to the report year: indicator 3 pools last year, and an action plan carries actions on.
        for folder in (REPO / "params" / source).iterdir():
            if folder.is_dir() and folder.name.isdigit() and int(folder.name) <= year:
                shutil.copytree(folder, target / folder.name)
        _make_distinct(target / "2021" / "staff.csv", i // len(samples))
    cores = len(os.sched_getaffinity(0))
    for jobs in sorted({1, 2, cores}):
        shutil.rmtree(ws / "build", ignore_errors=True)
        seconds, log = run([PY, "-m", "wres_helpers", "reports", "2021", "--workspace", str(ws), "--jobs", str(jobs)])
        built = re.search(r"(\d+) built, (\d+) unchanged, (\d+) failed", log)
        record(
            f"batch of {count} organisations, {jobs} worker{'s' if jobs > 1 else ''}",
            seconds,
            target=f"220 orgs <= 15 min (= {count * 900 / 220:.0f} s for {count})",
            note=f"{seconds / count:.1f} s per organisation; {built.group(0) if built else log[-300:]}",
        )


def _make_distinct(staff: Path, k: int) -> None:
    """The k-th copy of an organisation gets figures of its own, as real organisations have, so that no copy
    reuses another's disclosure results: staff k swaps ethnic category with the next one in another pay band."""
    if k == 0:
        return
    with open(staff, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    eth, band = rows[0].index("ethnic_category"), rows[0].index("pay_band")
    first = rows[k]
    other = next(r for r in rows[k + 1 :] if r[eth] != first[eth] and r[band] != first[band])
    first[eth], other[eth] = other[eth], first[eth]
    with open(staff, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def extract(scratch: Path) -> None:
    maker = REPO / "bench" / "make_extract.py"
    if not maker.is_file():
        record("national extract", 0.0, note="skipped: bench/make_extract.py is not in this checkout")
        return
    folder = scratch / "extract"
    run([PY, str(maker), str(folder)])
    year = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name.isdigit())[-1]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds, _ = run(
        [PY, "-m", "wres_helpers", "indicators", "--extract", str(folder), year, "--out", str(scratch / "all.csv")]
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    note = "" if peak * 1024 > before else "peak may belong to an earlier command"
    floor = (
        "import time, pandas as pd; t = time.perf_counter()\n"
        f"pd.read_csv({str(folder / year / 'staff.csv')!r}, dtype=str, engine='pyarrow')\n"
        "print(time.perf_counter() - t)"
    )
    read = float(subprocess.run([PY, "-c", floor], capture_output=True, text=True, check=True).stdout)
    record(
        "national extract: every organisation's table",
        seconds,
        peak_mb=peak,
        floor="pandas+pyarrow reading the staff file",
        floor_seconds=read,
        target="<= 10 s, <= 2048 MB",
        note=note,
    )
    reader(scratch, folder, year)


READER = """\
import sys, time
from pathlib import Path
import pandas as pd
from wres_helpers.errors import ProblemList
from wres_helpers.inputs import SCHEMAS, Context, validate
from wres_helpers.tables import read_table
from wres_helpers.workspace import YearSettings
path = Path(sys.argv[1])
started = time.perf_counter()
floor = pd.read_csv(path, dtype=str)
floor_seconds = time.perf_counter() - started
rows = len(floor)
del floor
started = time.perf_counter()
raw = read_table(path, path.name, expected=SCHEMAS["staff"].required_names, vectorised=True)
settings = YearSettings(int(sys.argv[2]), int(sys.argv[2]) - 1, {})
problems = ProblemList()
table = validate(raw, SCHEMAS["staff"], Context((settings.period_start, settings.period_end)), problems)
assert not problems and len(table) == rows, (len(problems), len(table), rows)
print(len(table), time.perf_counter() - started, floor_seconds)
"""


def reader(scratch: Path, folder: Path, year: str) -> None:
    """The input reader on a staff file as a workspace holds it (the extract's, its org_code made part of each
    staff_id so that they stay unique): read and every validation rule checked, against pandas.read_csv of the
    same file, per million rows."""
    staff = scratch / "staff.csv"
    with open(folder / year / "staff.csv", encoding="utf-8") as source, open(staff, "w", encoding="utf-8") as out:
        out.write(next(source).split(",", 1)[1])
        out.writelines(line.replace(",", "-", 1) for line in source)
    done = subprocess.run([PY, "-c", READER, str(staff), year], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"the reader benchmark failed:\n{done.stderr[-3000:]}")
    rows, seconds, floor = done.stdout.split()
    million = int(rows) / 1e6
    record(
        "reader: staff file read and validated, per million rows",
        float(seconds) / million,
        floor="pandas.read_csv, per million rows",
        floor_seconds=float(floor) / million,
        target="<= 2 x pandas.read_csv",
        note=f"{int(rows):,} rows: {float(seconds) / float(floor):.2f} x pandas.read_csv",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=20, help="organisations in the batch (default 20)")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-extract", action="store_true")
    parser.add_argument("--out", default=str(REPO / "bench" / "results.csv"))
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {len(os.sched_getaffinity(0))} cores; load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="wres-bench-") as scratch:
        single_report(Path(scratch))
        if not args.skip_batch:
            batch(Path(scratch), args.orgs)
        if not args.skip_extract:
            extract(Path(scratch))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(ROWS[0]))
        writer.writeheader()
        writer.writerows(ROWS)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
