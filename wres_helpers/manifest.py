"""Provenance: which code, packages, settings and input files made a report, written as manifest.json beside
the site and shown on the methodology page."""

from __future__ import annotations

import platform
import subprocess
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from .inputs import sha256
from .report_data import ReportData
from .workspace import INPUT_NAMES

PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "openpyxl",
    "PyYAML",
    "Jinja2",
    "papermill",
    "nbformat",
    "nbclient",
    "ipykernel",
    "jupyter-book",
    "Sphinx",
    "myst-nb",
    "sphinx-book-theme",
)


def code_version() -> dict:
    """The git commit of this code and whether the work tree had uncommitted changes."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", ""
    return {"commit": commit or "unknown (not a git checkout)", "dirty": bool(dirty)}


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


MEMBER_INPUTS = (*INPUT_NAMES, "counts", "settings")  # what an aggregate reads of each member's year folder


def input_files(r: ReportData) -> list[tuple[str, str]]:
    """(path, SHA-256) of the organisation's settings and every file of this report year and the years
    before it (the report compares with them), narrative and action plans included. An aggregate's report is
    made from its members' records too: their settings and input files of those years follow (never their
    narrative or action plans, which it does not read)."""
    org_dir = r.ws.org_dir(r.org.slug)
    files = [org_dir / "org.yaml"]
    for year in [y for y in r.ws.years(r.org.slug) if y <= r.year]:
        files += sorted(p for p in (org_dir / str(year)).rglob("*") if p.is_file())
    for member in r.org.members:
        member_dir = r.ws.org_dir(member)
        files.append(member_dir / "org.yaml")
        for year in [y for y in r.ws.years(member) if y <= r.year]:
            files += sorted(p for p in (member_dir / str(year)).iterdir() if p.is_file() and p.stem in MEMBER_INPUTS)
    return [(r.ws.display(p), sha256(p)) for p in files]


def settings(r: ReportData) -> dict:
    s = r.settings
    return {
        "organisation": {
            "slug": r.org.slug,
            "name": r.org.name,
            "type": r.org.type,
            "term_for_bme": r.org.term_for_bme,
            "board_name": r.org.board_name,
            "band_groups": list(r.org.band_groups),
            "members": list(r.org.members),
        },
        "year": {
            "report_year": s.year,
            "snapshot": s.snapshot.isoformat(),
            "period": [s.period_start.isoformat(), s.period_end.isoformat()],
            "staff_survey_year": s.survey_year,
            "report_date": s.report_date.isoformat() if s.report_date else None,
            "declared": {str(i): {"status": d.status, "reason": d.reason} for i, d in sorted(s.declared.items())},
        },
        "disclosure": asdict(r.rules),
    }


def manifest(r: ReportData, table_sha256: str | None = None) -> dict:
    return {
        "report": f"{r.org.slug} {r.year}",
        "run_time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "code_version": code_version(),
        "packages": package_versions(),
        "settings": settings(r),
        "inputs": [{"file": f, "sha256": h} for f, h in input_files(r)],
        "published_table_sha256": table_sha256,
    }
