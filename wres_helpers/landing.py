"""The workspace's landing page, <workspace>/build/index.html: every published report, side by side.

A CSU, an ICB or a region sees all its organisations' headline figures in one table per year, each linking
to that organisation's site. The figures are the ones each report published (withheld ones stay withheld):
the build writes them into manifest.json (`headlines`), and this page only reads the manifests, so it
never sees a record and never recomputes a figure.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from .errors import WresError
from .workspace import Workspace

# (narrative key, column heading): the figures a board compares first. `{term}` is each organisation's term.
HEADLINES = (
    ("headcount", "Staff"),
    ("workforce_bme_pct", "Workforce from a BME background (indicator 1)"),
    ("rl_appointment", "Relative likelihood of appointment, White to BME (indicator 2)"),
    ("rl_disciplinary", "Relative likelihood of disciplinary, BME to White (indicator 3)"),
    ("rl_training", "Relative likelihood of training, White to BME (indicator 4)"),
    ("board_voting_gap_pp", "BME share of the voting board minus the workforce's (indicator 9)"),
)


def headline_figures(report) -> dict[str, dict[str, str]]:
    """The headline figures as the report prints them, for manifest.json: key -> {"text"} or {"status", "reason"}."""
    from .values import report_values

    values = report_values(report)
    out: dict[str, dict[str, str]] = {}
    for key, _ in HEADLINES:
        value = values.get(key)
        if value is None:
            out[key] = {"status": "not_available", "reason": "no data supplied"}
        elif value.usable:
            out[key] = {"text": value.text}
        else:
            out[key] = {"status": value.status, "reason": value.reason}
    return out


def published_reports(ws: Workspace) -> list[dict]:
    """Every site under build/<org>/<year>/html with its manifest, newest year first, then by name."""
    found = []
    build = ws.root / "build"
    for manifest in sorted(build.glob("*/*/manifest.json")) if build.is_dir() else []:
        folder = manifest.parent
        if not (folder / "html" / "index.html").is_file() or not folder.name.isdigit():
            continue
        try:
            record = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        org = record.get("settings", {}).get("organisation", {})
        found.append(
            {
                "slug": folder.parent.name,
                "year": int(folder.name),
                "name": org.get("name") or folder.parent.name,
                "type": org.get("type") or "",
                "term": org.get("term_for_bme") or "BME",
                "members": [str(m) for m in org.get("members") or []],
                "run_time": record.get("run_time", ""),
                "headlines": record.get("headlines") or {},
                "failed": _last_failed(folder),
            }
        )
    return sorted(found, key=lambda r: (-r["year"], r["name"].lower()))


def _last_failed(folder: Path) -> bool:
    """Did the latest batch build of this report fail (so the site shown is an earlier one)?"""
    log = folder / "build.log"
    if not log.is_file() or log.stat().st_mtime < (folder / "manifest.json").stat().st_mtime:
        return False  # no batch log, or the site was published after it
    return any(line.startswith("error: ") for line in log.read_text(encoding="utf-8", errors="replace").splitlines())


def _cell(figure: dict | None) -> str:
    if not figure:
        return '<td class="na">not in this report</td>'
    if "text" in figure:
        return f'<td class="num">{html.escape(figure["text"])}</td>'
    words = {"withheld": "withheld (small numbers)", "not_available": "no data"}.get(
        figure.get("status", ""), figure.get("status", "").replace("_", " ") or "not shown"
    )
    return f'<td class="na" title="{html.escape(figure.get("reason", ""))}">{html.escape(words)}</td>'


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:2rem auto;max-width:80rem;
padding:0 1rem;color:#212b32;line-height:1.5}
h1{color:#005eb8}table{border-collapse:collapse;width:100%;margin:1rem 0 2rem}
caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{border:1px solid #d8dde0;padding:.4rem .6rem;vertical-align:top}
thead th{background:#f0f4f5;text-align:left}th[scope=row]{text-align:left;font-weight:600}
td.when{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.na{color:#4c6272;font-style:italic}a{color:#005eb8}a:focus{outline:3px solid #ffeb3b;background:#ffeb3b}
.warn{color:#8a1538;font-weight:600}
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#e8e8e8}thead th{background:#2b2b2b}
h1,a{color:#7fb8ff}td.na{color:#c0c8cc}.warn{color:#ff9fb4}}
"""


def _name(ws: Workspace, org: str) -> str:
    """An organisation's name from its org.yaml (its slug when that cannot be read)."""
    try:
        return ws.org_settings(org).name
    except WresError:
        return org


def landing_html(ws: Workspace) -> str:
    reports = published_reports(ws)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>WRES reports in this workspace</title>",
        f"<style>{STYLE}</style></head><body><main>",
        "<h1>Workforce Race Equality Standard reports</h1>",
        "<p>Every report built in this workspace, with the headline figures each one publishes. Figures "
        "withheld to protect small numbers stay withheld here. Each organisation's own report explains its "
        "figures, their uncertainty and its action plan.</p>",
    ]
    if not reports:
        parts.append("<p>No report has been built yet: run <code>make reports YEAR=…</code>.</p>")
    names = {r["slug"]: r["name"] for r in reports}  # an aggregate's members, as their own reports name them
    for year in sorted({r["year"] for r in reports}, reverse=True):
        rows = [r for r in reports if r["year"] == year]
        parts.append(f"<table><caption>Reports for {year} (snapshot 31 March {year})</caption><thead><tr>")
        parts.append('<th scope="col">Organisation</th>')
        parts += [f'<th scope="col">{html.escape(heading)}</th>' for _, heading in HEADLINES]
        parts.append('<th scope="col">Built</th></tr></thead><tbody>')
        for r in rows:
            link = f"{html.escape(r['slug'])}/{year}/html/index.html"
            name = html.escape(r["name"])
            kind = f' <span class="na">({html.escape(r["type"])})</span>' if r["type"] else ""
            stale = '<br><span class="warn">its latest build failed: this is the last good report</span>'
            stale = stale if r["failed"] else ""
            members = ", ".join(html.escape(names.get(m) or _name(ws, m)) for m in r["members"])
            members = f'<br><span class="na">the members together: {members}</span>' if members else ""
            parts.append(f'<tr><th scope="row"><a href="{link}">{name}</a>{kind}{members}{stale}</th>')
            parts += [_cell(r["headlines"].get(key)) for key, _ in HEADLINES]
            when = html.escape(r["run_time"].replace("T", " ").replace("Z", " UTC"))
            parts.append(f'<td class="when">{when}</td></tr>')
        parts.append("</tbody></table>")
    parts.append(
        "<p>BME: Black and minority ethnic; each organisation's report uses its own term. A relative likelihood "
        "of 1.00 means the two groups fare alike; NHS England treats 0.80 to 1.25 as the non-adverse range.</p>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def write_landing(ws: Workspace) -> Path:
    """Write build/index.html (atomically: a reader never sees half a page); returns its path."""
    import os
    import tempfile

    folder = ws.root / "build"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "index.html"
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(landing_html(ws))
    os.chmod(tmp, 0o644)
    os.replace(tmp, page)
    return page
