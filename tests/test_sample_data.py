"""The sample-data generator is deterministic, and the files under params/ are exactly what it writes."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from wres_helpers import sample_data, vocab

REPO = Path(__file__).resolve().parent.parent


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_generator(workspace: Path, hash_seed: str) -> None:
    """Run the command line in a fresh interpreter (a different PYTHONHASHSEED must not change the output)."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-m", "wres_helpers.sample_data", "--workspace", str(workspace)],
        check=True,
        cwd=REPO,
        env=env,
        capture_output=True,
    )


def test_generator_is_deterministic_and_matches_committed_files(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    run_generator(first, "1")
    run_generator(second, "2")
    written = tree(first / "params")
    assert written, "the generator wrote nothing"
    assert tree(second / "params") == written
    # The committed sample: every generated file is present and byte-identical ...
    committed = REPO / "params"
    for rel, content in written.items():
        assert (committed / rel).is_file(), f"params/{rel} is missing: run python -m wres_helpers.sample_data"
        assert (committed / rel).read_bytes() == content, (
            f"params/{rel} differs from the generator's output: regenerate with python -m wres_helpers.sample_data"
        )
    # ... and the sample organisations hold no stale file the generator no longer writes. The analyst's own
    # files (action plans and narrative) are written by hand and are not the generator's.
    for org in sample_data.ORGS:
        for rel in tree(committed / org.slug):
            if "/narrative/" in f"/{rel}" or rel.rsplit("/", 1)[-1].startswith("actions."):
                continue
            assert f"{org.slug}/{rel}" in written, f"params/{org.slug}/{rel} is not written by the generator"


def test_render_is_repeatable_in_process():
    assert sample_data.render_all() == sample_data.render_all()


def test_rewrite_removes_a_stale_generated_file(tmp_path):
    sample_data.write(tmp_path)
    stale = tmp_path / "params" / "leeds" / "2021" / "settings.yaml"
    stale.write_text("staff_survey_year: 2019\n", encoding="utf-8")
    sample_data.write(tmp_path)
    assert not stale.exists()
    assert tree(tmp_path / "params") == {rel: text.encode("utf-8") for rel, text in sample_data.render_all().items()}


@pytest.mark.parametrize("style", ["esr", "national", "text", "numeric"])
def test_every_ethnicity_value_falls_in_its_intended_group(style):
    """Each code, written in each style, is read by the engine as the group the generator meant."""
    for group, codes in sample_data.CODE_WEIGHTS.items():
        for code in codes:
            if style == "esr":
                values = sample_data.ESR_VALUES[code]
            elif style == "national":
                values = [code]
            elif style == "text":
                values = [sample_data.TEXT_VALUES[code]]
            else:
                values = [sample_data.NUMERIC_VALUES[code]]
            for text in values:
                assert vocab.ethnic_group(text) == group, (style, code, text)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_records_are_synthetic_and_plausible():
    params = REPO / "params"
    for org in sample_data.ORGS:
        for year in org.years:
            folder = params / org.slug / str(year)
            if org.counts_only:  # countsccg: counts.csv in place of every record-level file
                assert (folder / "counts.csv").is_file()
                assert not [
                    n
                    for n in ("staff", "recruitment", "disciplinary", "training", "board")
                    if (folder / f"{n}.csv").exists()
                ]
                continue
            if org.members:  # exampleicb: its own board alone; every record is its members'
                assert sorted(p.name for p in folder.iterdir()) == ["board.csv"]
                assert {r["voting"] for r in read(folder / "board.csv")} == {"Y", "N"}
                continue
            staff = read(folder / "staff.csv")
            assert all(r["staff_id"].startswith("S") and r["staff_id"][1:].isdigit() for r in staff)
            if org.job_columns:
                assert all(r["occupation"] and r["department"] for r in staff)
            else:  # hwccg: a staff file without the optional columns, as many are
                assert "occupation" not in staff[0] and "department" not in staff[0]
            if org.type == "CSU":
                assert {r["clinical"] for r in staff} == {"N"}, "ML CSU records all staff as non-clinical"
            else:
                assert 0 < sum(r["clinical"] == "Y" for r in staff) < len(staff) / 10
            board = read(folder / "board.csv")
            assert {r["voting"] for r in board} == {"Y", "N"} and {r["executive"] for r in board} == {"Y", "N"}
            if (folder / "training.csv").is_file():
                ids = {r["staff_id"] for r in staff}
                assert {r["staff_id"] for r in read(folder / "training.csv")} <= ids
            if (folder / "disciplinary.csv").is_file():
                for r in read(folder / "disciplinary.csv"):
                    d, m, y = (int(x) for x in r["date_entered"].split("/"))
                    assert date(year - 1, 4, 1) <= date(y, m, d) <= date(year, 3, 31)
        if org.slug == "mlcsu":
            assert not list((params / "mlcsu").rglob("disciplinary.csv"))
            assert not list((params / "mlcsu").rglob("training.csv"))
