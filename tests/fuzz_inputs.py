"""A seeded mutation fuzzer: broken copies of a sample organisation's inputs, settings, action plan and
narrative, each run through the engine, validation, narrative and action plan (in-process), or through the
command line. Every run must succeed or stop with a clean user error (a WresError with a message, or exit
code 2 and "error: ..." on stderr); a traceback or a hang is a bug.

    python tests/fuzz_inputs.py [--cases 2000] [--seed 14] [--cli 20]      (make fuzz FUZZ_CASES=2000)

prints the number of runs per outcome (ok, clean error by kind, traceback, hang) and the time taken.
Case n of a seed is always the same mutation, so a failure is replayed with --only n.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "params" / "smallccg" / "2021"
ORG = "fz"
HANG_SECONDS = 30

ORG_YAML = """name: Fuzz NHS Trust
type: trust
term_for_bme: BME
board_name: Trust Board
small_number_threshold: 1
band_groups:
- Band 8a and above
"""
SETTINGS = """staff_survey_year: 2020
report_date: 2021-09-30
indicators:
  7: {status: not_collected, reason: The question was not asked this year}
"""
PLAN_2020 = """actions:
  - id: A1
    action: Reverse mentoring for the board
    indicators: [9]
    owner: Director of People
    deadline: 2021-03-31
    status: in progress
"""
PLAN_2021 = """actions:
  - id: A1
    action: Reverse mentoring for the board, second cohort
    indicators: [9, Model Employer]
    owner: Director of People
    deadline: 31 March 2022
    status: in progress
    update: Six pairs met **monthly**; see [the plan](action_plan).
    carried_from: A1
  - id: A2
    action: Diverse interview panels
    indicators: 2; 3
    owner: Head of Resourcing
    deadline: Ongoing throughout 2021-22
    status: not started
"""
NARRATIVE = {
    "summary.md": "<!-- note -->\nIn {{ year }}, {{ workforce_bme_pct }} of our {{ headcount }} staff were {{ term }}, "
    "{{ workforce_bme_pct_change_words }}.\n\n- White applicants were {{ rl_appointment }} times as "
    "likely to be appointed.\n",
    "board.md": "The {{ board_name | lower }} of {{ org_name | upper }}.\n\n```{note}\nA note.\n```\n",
}

TOKENS = [
    '"',
    ",",
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\u200b",
    "\ufeff",
    "\t",
    ";",
    "'",
    "{{",
    "}}",
    "{%",
    "{#",
    "%}",
    "{{ headcount * 3 }}",
    "{{ nope }}",
    "{{ term | upper }}",
    "{{ term | attr('x') }}",
    "{{ 'a' * 99999999 }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    "*a",
    "&a",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "? ",
    "!!python/object/apply:os.system ['id']",
    "!!binary x",
    "2021-02-30",
    "2020-06-01",
    "31/03/2021",
    "99999999999999999999",
    "9" * 5000,
    "-1",
    "NaN",
    "inf",
    "1e309",
    "0",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "```{include} /etc/passwd\n```",
    "[x](../../secret.csv)",
    "---",
    "x" * 12000,
    "Y",
    "N",
    "y",
    "Band 5",
    "Band 8a",
    "A",
    "N",
    "White",
    "bme",
    "white",
    "5",
    "8",
    "2019",
    "2020",
    "2021",
    "B08",
    "b08",
    "S00001",
    "s00001",
    "S00001\u200b",
    "actions:",
    "id: A1",
    "status: done",
    "indicators: 12",
    "[[[[[[[[[[",
    "{a: [b, {c: d}]}",
    "~",
    "null",
    "true",
    "\\",
    "é",
    "\udcff",
    "\U0001f600",
    " " * 50,
]

CSV_FILES = ("staff.csv", "recruitment.csv", "disciplinary.csv", "training.csv", "board.csv", "staff_survey.csv")
# A counts-only year (counts.py): the first mutation of counts.csv starts from the countsccg sample's counts and
# removes the record-level files it replaces, so that the counts are what is read.
COUNTS_SAMPLE = REPO / "params" / "countsccg" / "2022" / "counts.csv"
RECORD_FILES = CSV_FILES[:5]
YAML_FILES = ("settings.yaml", "actions.yaml", "../org.yaml", "../2020/actions.yaml")
MARKDOWN_FILES = tuple(f"narrative/{name}" for name in NARRATIVE)


def base_workspace(root: Path) -> Path:
    """<root>/params/fz: the smallccg sample's 2021 inputs for 2020 and 2021, settings, plans and narrative."""
    org = root / "params" / ORG
    for year in (2020, 2021):
        (org / str(year)).mkdir(parents=True)
        for name in CSV_FILES:
            if (SAMPLE / name).is_file():
                shutil.copyfile(SAMPLE / name, org / str(year) / name)
    (org / "2020" / "disciplinary.csv").write_text("case_id,ethnic_category,date_entered\nD1,A,2019-06-01\n")
    (org / "2020" / "staff_survey.csv").unlink()
    (org / "org.yaml").write_text(ORG_YAML)
    (org / "2021" / "settings.yaml").write_text(SETTINGS)
    (org / "2020" / "actions.yaml").write_text(PLAN_2020)
    (org / "2021" / "actions.yaml").write_text(PLAN_2021)
    (org / "2021" / "narrative").mkdir()
    for name, text in NARRATIVE.items():
        (org / "2021" / "narrative" / name).write_text(text)
    return root


# -- mutations --------------------------------------------------------------------------------------------
def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _insert_token(rng, data):
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(TOKENS).encode("utf-8", "surrogatepass") + data[at:]


def _replace_cell(rng, data):
    lines = _lines(data)
    i = rng.randrange(len(lines))
    cells = lines[i].rstrip(b"\r\n").split(b",")
    cells[rng.randrange(len(cells))] = rng.choice(TOKENS).encode("utf-8", "surrogatepass")
    lines[i] = b",".join(cells) + b"\n"
    return b"".join(lines)


def _delete_line(rng, data):
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def _duplicate_line(rng, data):
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"".join(lines)


def _swap_lines(rng, data):
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def _truncate(rng, data):
    return data[: rng.randrange(len(data) + 1)]


def _flip_byte(rng, data):
    if not data:
        return bytes([rng.randrange(256)])
    at = rng.randrange(len(data))
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]


def _header_only(rng, data):
    return _lines(data)[0]


def _empty(rng, data):
    return b""


def _reencode(rng, data):
    text = data.decode("utf-8", "replace")
    return text.encode(rng.choice(["utf-16", "cp1252", "utf-8-sig", "latin-1"]), "replace")


def _line_endings(rng, data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]))


def _indent(rng, data):
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines[i] = b" " * rng.choice([1, 2, 3, 4, 8]) + lines[i]
    return b"".join(lines)


def _deep(rng, data):
    depth = rng.choice([30, 1000, 5000])
    return data + b"deep: " + b"[" * depth + b"]" * depth + b"\n"


def _wide_row(rng, data):
    return data + b",".join([b"x"] * rng.choice([5, 50, 1001, 3000])) + b"\n"


def _many_rows(rng, data):
    lines = _lines(data)
    return b"".join(lines + lines[1:] * rng.choice([3, 50]))


TEXT_MUTATIONS = [
    _insert_token,
    _insert_token,
    _insert_token,
    _replace_cell,
    _delete_line,
    _duplicate_line,
    _swap_lines,
    _truncate,
    _flip_byte,
    _header_only,
    _empty,
    _reencode,
    _line_endings,
    _indent,
    _deep,
    _wide_row,
    _many_rows,
]


def _mutate_path(rng, path: Path, root: Path) -> str:
    """Replace the file by something that is not a regular file; returns what was done."""
    how = rng.choice(["missing", "directory", "dangling link", "link outside", "link inside"])
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    if how == "directory":
        path.mkdir()
    elif how == "dangling link":
        path.symlink_to(root / "nowhere" / path.name)
    elif how == "link outside":
        outside = root.parent / f"{root.name}-outside.txt"
        outside.write_text("root:x:0:0:SECRET-FIRST-LINE\n")
        path.symlink_to(outside)
    elif how == "link inside":
        target = root / "shared" / path.name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(b"")
        path.symlink_to(target)
    return how


def mutate(rng: random.Random, root: Path) -> list[str]:
    """Apply one to three mutations to the workspace; returns a description of each."""
    year = root / "params" / ORG / "2021"
    done = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        name = rng.choice(
            CSV_FILES * 2 + YAML_FILES * 2 + MARKDOWN_FILES * 2 + ("narrative/workforce.md", "counts.csv")
        )
        path = (year / name).resolve() if ".." in name else year / name
        if name == "counts.csv" and not os.path.lexists(path):
            for record in RECORD_FILES:
                if (year / record).is_file():
                    (year / record).unlink()
            shutil.copyfile(COUNTS_SAMPLE, path)
        if rng.random() < 0.06:
            done.append(f"{name}: {_mutate_path(rng, path, root)}")
            continue
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        op = rng.choice(TEXT_MUTATIONS)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_symlink():
            path.unlink()
        path.write_bytes(op(rng, data))
        done.append(f"{name}: {op.__name__.strip('_')}")
    return done


# -- running a case ---------------------------------------------------------------------------------------
class _Hang(BaseException):
    pass


@dataclass
class Outcome:
    kind: str  # "ok", "error:<Class>:<file>", "traceback:<Class>", "hang"
    detail: str = ""

    @property
    def bad(self) -> bool:
        return self.kind.startswith(("traceback", "hang"))


def _alarm(signum, frame):
    raise _Hang()


def _error_kind(exc) -> str:
    problems = getattr(exc, "problems", None)
    where = Path(problems[0].file).name if problems else "-"
    return f"error:{type(exc).__name__}:{where}"


def run_in_process(root: Path) -> Outcome:
    from wres_helpers import WresError, narrative
    from wres_helpers.action_page import render as render_plan
    from wres_helpers.actions import load_plans
    from wres_helpers.report_data import load_report
    from wres_helpers.values import report_values

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        report = load_report(ORG, 2021, root)
        values = report_values(report)
        narrative.load_narrative(report, values)
        plans = load_plans(report.ws, ORG, 2021)
        render_plan(report, *plans)
        return Outcome("ok")
    except _Hang:
        return Outcome("hang", f"no answer in {HANG_SECONDS} s")
    except WresError as exc:
        message = str(exc)
        if not message.strip() or "Traceback" in message:
            return Outcome("traceback:EmptyOrTracebackMessage", message[:500])
        if "SECRET-FIRST-LINE" in message:
            return Outcome("traceback:QuotesOutsideFile", message[:500])
        return Outcome(_error_kind(exc), message.splitlines()[-1][:300])
    except Exception as exc:  # noqa: BLE001 - every other exception is what the fuzzer looks for
        return Outcome(f"traceback:{type(exc).__name__}", "".join(traceback.format_exception(exc))[-1500:])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


CLI_COMMANDS = (["indicators"], ["indicators", "--published"], ["values"])


def run_cli(root: Path, command: list[str]) -> Outcome:
    try:
        run = subprocess.run(
            [sys.executable, "-m", "wres_helpers", command[0], ORG, "2021", "--workspace", str(root), *command[1:]],
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS * 2,
        )
    except subprocess.TimeoutExpired:
        return Outcome("hang", f"{command} did not finish")
    if run.returncode == 0:
        return Outcome("ok")
    if run.returncode == 2 and run.stderr.startswith("error: ") and "Traceback" not in run.stderr:
        return Outcome(f"error:exit 2:{command[0]}", run.stderr.strip().splitlines()[-1][:300])
    return Outcome(f"traceback:exit {run.returncode}", run.stderr[-1500:])


def case(seed: int, n: int, workdir: Path, cli: bool = False) -> tuple[Outcome, list[str]]:
    """Case n of `seed`: a fresh copy of the base workspace, mutated, then run."""
    rng = random.Random(f"{seed}:{n}")
    root = workdir / f"case-{n}"
    shutil.copytree(workdir / "base", root, symlinks=True)
    try:
        done = mutate(rng, root)
        outcome = run_cli(root, rng.choice(CLI_COMMANDS)) if cli else run_in_process(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        outside = root.parent / f"{root.name}-outside.txt"
        outside.unlink(missing_ok=True)
    return outcome, done


def fuzz(cases: int, seed: int, cli_cases: int = 0, only: int | None = None, out=print) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wres-fuzz-") as tmp:
        workdir = Path(tmp)
        base_workspace(workdir / "base")
        numbers = [only] if only is not None else range(cases + cli_cases)
        for n in numbers:
            outcome, done = case(seed, n, workdir, cli=n >= cases)
            counts[outcome.kind] += 1
            if outcome.bad:
                out(f"case {n} ({'; '.join(done)}): {outcome.kind}\n{outcome.detail}\n")
    counts["_seconds"] = round(time.perf_counter() - started, 1)
    return counts


def summary(counts: collections.Counter) -> str:
    seconds = counts.get("_seconds", 0)
    runs = {k: v for k, v in counts.items() if k != "_seconds"}
    total = sum(runs.values())
    groups = collections.Counter()
    for kind, count in runs.items():
        groups[kind.split(":", 1)[0]] += count
    lines = [
        f"{total} runs in {seconds} s: ok {groups['ok']}, clean error {groups['error']}, "
        f"traceback {groups['traceback']}, hang {groups['hang']}"
    ]
    lines += [f"  {count:6d}  {kind}" for kind, count in sorted(runs.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=2000, help="in-process cases (default 2000)")
    p.add_argument("--cli", type=int, default=20, help="further cases run through the command line (default 20)")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--only", type=int, help="replay one case number")
    args = p.parse_args(argv)
    counts = fuzz(args.cases, args.seed, args.cli, args.only)
    print(summary(counts))
    bad = sum(v for k, v in counts.items() if k.startswith(("traceback", "hang")))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
