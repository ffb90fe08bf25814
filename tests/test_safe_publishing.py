"""Safe publishing end to end: no record-level data in anything the build writes (canaries), the same inputs give
the same table and pages, and every build records its provenance in manifest.json."""

import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import copy_sample
from wres_helpers.build import build_report

REPO = Path(__file__).resolve().parent.parent
CASE_DAY = "11-17"  # every disciplinary case is given 17 November: it must never be printed


def plant_canaries(folder: Path) -> set[str]:
    """Rewrite every CSV input under `folder` so that ids and free-text cells carry unique canary strings."""
    canaries = set()
    for path in sorted(folder.rglob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = rows[0]
        for n, row in enumerate(rows[1:], 1):
            for i, name in enumerate(header):
                if name.endswith("_id"):
                    row[i] = f"CNRY{row[i]}"
                    canaries.add(row[i])
                elif name in ("occupation", "department"):
                    row[i] = f"CANARY-{path.stem}-{name}-{n}"
                    canaries.add(row[i])
                elif name == "date_entered":
                    row[i] = f"{int(path.parent.name) - 1}-{CASE_DAY}"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return canaries


@pytest.fixture(
    scope="module",
    params=[("smallccg", 2021), ("leeds", 2021), ("mlcsu", 2024), ("hwccg", 2020)],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def canary_site(request, tmp_path_factory):
    org, year = request.param
    root = tmp_path_factory.mktemp(f"canary-{org}")
    copy_sample(REPO / "params", root, org)
    canaries = plant_canaries(root / "params")  # the comparators' records too
    site = build_report(org, year, root, log=lambda _: None)
    return root, site, canaries


def test_no_record_level_data_in_anything_the_build_wrote(canary_site):
    root, site, canaries = canary_site
    assert len(canaries) > 50  # staff, applications, cases, training, board members
    written = [p for p in (root / "build").rglob("*") if p.is_file()]  # the site, executed notebooks, logs
    assert any(p.name == "searchindex.js" for p in written) and any(p.suffix == ".xlsx" for p in written)
    for path in written:
        data = path.read_bytes()
        if path.suffix == ".xlsx":  # a zip: look inside its XML
            import zipfile

            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        text = data.decode("utf-8", errors="ignore")
        found = [c for c in canaries if c in text]
        assert not found, f"{path.relative_to(root)} contains record-level values: {found[:5]}"
        assert f"-{CASE_DAY}" not in text and "17 November" not in text, f"{path} shows a case date"
        assert "CANARY-" not in text and "CNRY" not in text, f"{path} shows a planted value"


def test_manifest_is_written_beside_the_site_and_shown(canary_site):
    root, site, _ = canary_site
    org, year = site.parent.parent.name, site.parent.name
    record = json.loads((site / "manifest.json").read_text())
    assert json.loads((site.parent / "manifest.json").read_text()) == record
    assert set(record) >= {"code_version", "packages", "settings", "inputs", "run_time"}
    assert set(record["code_version"]) == {"commit", "dirty"}
    assert record["packages"]["pandas"] and record["packages"]["jupyter-book"].startswith("1.")
    assert record["settings"]["disclosure"]["threshold"] == 5
    listed = {entry["file"]: entry["sha256"] for entry in record["inputs"]}
    staff = root / "params" / org / year / "staff.csv"
    assert listed[f"params/{org}/{year}/staff.csv"] == hashlib.sha256(staff.read_bytes()).hexdigest()
    assert f"params/{org}/org.yaml" in listed
    methodology = (site / "methodology.html").read_text(encoding="utf-8")
    assert listed[f"params/{org}/{year}/staff.csv"] in methodology
    assert record["code_version"]["commit"][:12] in methodology and "manifest.json" in methodology


def _page_texts(site: Path) -> dict[str, str]:
    texts = {}
    for page in sorted(site.glob("*.html")):
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        texts[page.name] = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "<run time>", text)
    return texts


def _workbook_values(path: Path) -> list:
    """Every cell of every sheet of a workbook."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]


def test_same_inputs_give_the_same_table_and_pages(tmp_path):
    shutil.copytree(REPO / "params" / "smallccg", tmp_path / "params" / "smallccg")
    site = build_report("smallccg", 2021, tmp_path, log=lambda _: None)
    first_table = _workbook_values(site / "data" / "smallccg-wres-2021.xlsx")
    first_pages = _page_texts(site)
    for stamp in (".site-fingerprint", "executed/.fingerprint"):  # so that the notebooks run again
        (site.parent / stamp).unlink(missing_ok=True)
    lines = []
    site = build_report("smallccg", 2021, tmp_path, log=lines.append)
    assert any(line.startswith("executed ") for line in lines)
    assert _workbook_values(site / "data" / "smallccg-wres-2021.xlsx") == first_table
    assert _page_texts(site) == first_pages
