"""Figures for issue 14's limits (a benchmark, not a test): prints the time to validate a 10,000-action plan
and the peak memory of reading a 95 MB CSV of short cells in rows 999 columns wide.

    .venv/bin/python tests/bench_hardening.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READ_WIDE = """
import resource, sys
from pathlib import Path
from wres_helpers import InputError, tables
try:
    tables.read_table(Path(sys.argv[1]), "wide.csv")
    outcome = "read"
except InputError as exc:
    outcome = str(exc).splitlines()[-1].strip()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, outcome)
"""


def plan_of(n: int) -> str:
    lines = ["actions:"]
    for i in range(n):
        lines += [
            f"  - id: A{i}",
            f"    action: Action {i} with **emphasis** and [a link](https://example.org)",
            "    indicators: [1, 2, Model Employer]",
            "    owner: Head of People",
            "    deadline: 2025-03-31",
            "    status: in progress",
            "    update: Under way",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    from wres_helpers.actions import load_plans
    from wres_helpers.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        year = root / "params" / "b" / "2021"
        year.mkdir(parents=True)
        (root / "params" / "b" / "org.yaml").write_text("name: B\ntype: trust\nterm_for_bme: BME\nboard_name: Board\n")
        (year / "actions.yaml").write_text(plan_of(10_000))
        started = time.perf_counter()
        plan, _ = load_plans(Workspace(root), "b", 2021)
        print(f"validate a 10,000-action plan: {time.perf_counter() - started:.1f} s ({len(plan.actions)} actions)")

        wide = root / "wide.csv"
        row = ",".join(["ab"] * 999) + "\n"
        with open(wide, "w") as f:
            f.write(",".join(f"c{i}" for i in range(999)) + "\n")
            f.write(row * (95 * 1024 * 1024 // len(row)))
        run = subprocess.run([sys.executable, "-c", READ_WIDE, str(wide)], capture_output=True, text=True)
        peak, outcome = run.stdout.split(" ", 1)
        print(f"read a {wide.stat().st_size / 2**20:.0f} MB CSV of 999-column rows: peak {peak} MB; {outcome.strip()}")
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")


if __name__ == "__main__":
    main()
