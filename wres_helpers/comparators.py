"""Comparator organisations (org.yaml `comparators: [a, b]`): their published figures of the same report year.

Each comparator's table comes from load_report, the same path its own report takes, so it carries that
organisation's own disclosure control: a figure its report withholds is withheld here too. A build loads them
once, when it validates, and hands them to the notebook kernels inside the report (ReportData.comparators).
"""

from __future__ import annotations

from .report_data import ReportData, load_report


def load_comparators(r: ReportData) -> dict[str, ReportData | None]:
    """Comparator slug -> its ReportData for r.year, or None when it has no report for that year."""
    if r.comparators is None:
        r.comparators = {
            slug: load_report(slug, r.year, r.ws) if r.year in r.ws.years(slug) else None for slug in r.org.comparators
        }
    return r.comparators
