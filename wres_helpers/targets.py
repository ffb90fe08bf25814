"""Representation goals (org.yaml `representation_target: {year: 2028}`): how many BME appointments a year would
bring band 8a and above, VSM and the board level with the whole workforce's BME share by the target year.

The Model Employer strategy asks every NHS organisation to set such goals. The calculation uses the
organisation's own figures only:

- the group's headcount N and BME headcount b now, and the workforce's BME share, all read from the
  *published* indicator table (a group whose BME count is withheld gets no goal: the goal would give it away);
- turnover r: the people in the group in last year's file and not in this year's (leavers, by staff_id or
  member_id), over last year's headcount; and the people in it now who were not in it last year (joiners).
  A year supplied as counts (counts.py) names nobody, so with it on either side turnover is unknown.

The model, stated on the page: the group keeps its size N; every year a share r of its members leave,
whatever their ethnicity, and are replaced one for one (r x N appointments a year); x of those appointments
go to BME staff. Then b(t+1) = (1 - r) b(t) + x, and reaching the goal G = ceil(N x workforce share) in n
years needs x = (G - (1 - r)^n b) r / (1 - (1 - r)^n), rounded up to whole people. With no turnover figure
(no file for last year) the page says "at least" (G - b) / n a year: turnover only raises the number.

Small numbers: headcounts come from the published table; leavers and joiners are printed as totals (not by
ethnicity); last year's BME joiners are printed only when neither they, the other joiners, the BME leavers
(true, and as a reader would work them out: last year's BME + BME joiners - this year's BME) nor the other
leavers is a small count. tests/test_targets.py attacks that from the published figures alone.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd

from .errors import InputError, Problem
from .inputs import YearInputs, fold

# (label, indicator, breakdown in the published table)
GOAL_GROUPS = (
    ("Band 8a and above", 1, "Band 8a and above"),
    ("Very senior managers (VSM)", 1, "VSM"),
    ("Board", 9, "all_members"),
)
MAX_YEARS_AHEAD = 20
COLUMNS = [
    "group",
    "indicator",
    "breakdown",
    "status",
    "reason",
    "headcount",
    "bme",
    "bme_pct",
    "workforce_bme_pct",
    "target_year",
    "years",
    "goal_bme",
    "gap",
    "previous_headcount",
    "leavers",
    "joiners",
    "turnover_pct",
    "appointments_per_year",
    "bme_per_year",
    "bme_over_period",
    "needed_share_pct",
    "bme_joiners",
    "reachable",
]


def target_year(org) -> int | None:
    """The target year from org.yaml, checked: a whole number after the report year is checked by the caller."""
    spec = org.extra.get("representation_target")
    if spec is None:
        return None
    shown = f"params/{org.slug}/org.yaml"
    year = spec.get("year") if isinstance(spec, dict) else None
    extra = sorted(set(spec) - {"year"}) if isinstance(spec, dict) else []
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100 or extra:
        raise InputError(
            [
                Problem(
                    shown,
                    None,
                    "representation_target",
                    str(spec),
                    "expected representation_target: {year: 2028} (the year by which senior staff and the board "
                    "should be level with the workforce's BME share)",
                )
            ],
            f"the settings of {org.slug}",
        )
    return year


@dataclass(frozen=True)
class Flow:
    """Who left and joined a group between last year's snapshot and this year's."""

    previous_headcount: int
    previous_bme: int
    leavers: int
    bme_leavers: int
    joiners: int
    bme_joiners: int


def flow(now: pd.DataFrame, before: pd.DataFrame) -> Flow:
    """`now`, `before`: one row per member of the group, columns `id` (compared case-blind) and `bme` (bool)."""
    now_ids = dict(zip(fold(now["id"]), now["bme"]))
    before_ids = dict(zip(fold(before["id"]), before["bme"]))
    leavers = [bme for key, bme in before_ids.items() if key not in now_ids]
    joiners = [bme for key, bme in now_ids.items() if key not in before_ids]
    return Flow(len(before_ids), sum(before_ids.values()), len(leavers), sum(leavers), len(joiners), sum(joiners))


@dataclass(frozen=True)
class Plan:
    goal_bme: int
    gap: int
    bme_per_year: int | None  # whole people, rounded up
    bme_over_period: int
    appointments_per_year: float | None
    needed_share_pct: float | None
    reachable: bool


def plan(headcount: int, bme: int, workforce_bme: int, workforce: int, years: int, turnover: float | None) -> Plan:
    """The appointments that bring a group of `headcount` with `bme` BME members level with the workforce's
    share (workforce_bme of workforce) in `years` years, at yearly `turnover` (a fraction; None: unknown)."""
    goal = -(-headcount * workforce_bme // workforce)  # ceil, in whole numbers: no rounding error at the edge
    gap = max(0, goal - bme)
    if turnover is None or turnover == 0:
        # Nobody leaves (or we do not know who does): the gap itself, spread over the years; "at least".
        per_year = math.ceil(gap / years) if gap else 0
        return Plan(goal, gap, per_year, gap, 0.0 if turnover == 0 else None, None, turnover is None or gap == 0)
    keep = (1 - turnover) ** years
    appointments = turnover * headcount
    if turnover >= 1:
        x = float(goal)
    else:
        x = max(0.0, (goal - keep * bme) * turnover / (1 - keep))
    per_year = math.ceil(x - 1e-9)
    share = 100 * x / appointments
    return Plan(goal, gap, per_year, math.ceil(x * years - 1e-9), appointments, share, share <= 100)


def _group_members(inputs: YearInputs | None, indicator: int, breakdown: str, bands: tuple[str, ...]):
    """One row per member of the group in one year's records (id, bme), or None when that file is missing."""
    if inputs is None:
        return None
    if indicator == 9:
        board = inputs["board"]
        if board is None:
            return None
        return pd.DataFrame({"id": board["member_id"], "bme": board["group"] == "bme"})
    staff = inputs["staff"]
    if staff is None:
        return None
    staff = staff[staff["pay_band"].isin(bands)]
    return pd.DataFrame({"id": staff["staff_id"], "bme": staff["group"] == "bme"})


def _published_row(table: pd.DataFrame, indicator: int, breakdown: str, group: str):
    hit = table[
        (table.indicator == indicator)
        & (table.measure == "headcount")
        & (table.breakdown == breakdown)
        & (table.group == group)
    ]
    return hit.iloc[0] if len(hit) else None


def _partitions(breakdown: str) -> list[list[str]]:
    """Other published breakdowns that add up to this pay band group exactly: 8a and above by staff group,
    NHS England's clusters (a report that shows clusters: 8a and above is clusters 3 and 4), or the single
    bands."""
    from . import vocab

    groups = dict(vocab.band_groupings())
    bands = set(groups.get(breakdown, ()))
    if not bands:
        return []
    clusters = [name for name, members in groups.items() if name.startswith("Cluster") and set(members) <= bands]
    out = []
    if breakdown == "Band 8a and above":  # indicator 1 by staff group at 8a and above (always computed)
        out.append(["8a and above: clinical", "8a and above: non-clinical"])
    if clusters and set().union(*(set(groups[c]) for c in clusters)) == bands:
        out.append(clusters)
    out.append([b for b in vocab.pay_bands() if b in bands])
    return out


def _published_count(table: pd.DataFrame, indicator: int, breakdown: str, group: str):
    """(count, status, reason) from the published table: the row itself, or the sum of published rows that add
    up to it (a sum of printed figures tells a reader nothing new)."""
    row = _published_row(table, indicator, breakdown, group)
    if row is None:
        for parts in _partitions(breakdown):
            rows = [_published_row(table, indicator, part, group) for part in parts]
            present = [r for r in rows if r is not None]
            if present and all(r["status"] == "ok" and not pd.isna(r["value"]) for r in present):
                return sum(int(r["value"]) for r in present), "ok", ""
        return None, "not_published", f"{breakdown} is not among the figures this report publishes"
    if row["status"] != "ok" or pd.isna(row["value"]):
        reason = (
            "withheld: a goal would give away a count this report withholds (small numbers)"
            if row["status"] == "withheld"
            else str(row["reason"])
        )
        return None, str(row["status"]), reason
    return int(row["value"]), "ok", ""


def _small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def joiners_printable(moved: Flow, bme_now: int, threshold: int) -> bool:
    """May last year's BME joiners be printed beside the published headcounts and the total flows?"""
    # A reader who sees them works out BME leavers as last year's BME + BME joiners - this year's BME (exact
    # unless stayers' recorded ethnicity changed): that figure is checked as well as the true one.
    worked_out = moved.previous_bme + moved.bme_joiners - bme_now
    counts = (
        moved.bme_joiners,
        moved.joiners - moved.bme_joiners,
        moved.bme_leavers,
        moved.leavers - moved.bme_leavers,
        worked_out,
        moved.leavers - worked_out,
    )
    return not any(n < 0 or _small(n, threshold) for n in counts)


def representation_targets(
    current: YearInputs, previous: YearInputs | None, published: pd.DataFrame, threshold: int
) -> pd.DataFrame | None:
    """The goals table of this report year, from its published table and the records; None when the
    organisation sets no representation_target."""
    from . import vocab

    year = current.settings.year
    goal_year = target_year(current.org)
    if goal_year is None:
        return None
    wrong = (
        f"expected a target year after the report year {year}"
        if goal_year <= year
        else f"expected a target year at most {MAX_YEARS_AHEAD} years after {year}"
        if goal_year > year + MAX_YEARS_AHEAD
        else None
    )
    if wrong:
        problem = Problem(f"params/{current.org.slug}/org.yaml", None, "representation_target", str(goal_year), wrong)
        raise InputError([problem], f"the settings of {current.org.slug}")
    groups = dict(vocab.band_groupings())
    years = goal_year - year
    workforce_bme, status_w, _ = _published_count(published, 1, "all", "bme")
    workforce, _, _ = _published_count(published, 1, "all", "total")
    rows = []
    for label, indicator, breakdown in GOAL_GROUPS:
        row = dict.fromkeys(COLUMNS)
        row.update(group=label, indicator=indicator, breakdown=breakdown, target_year=goal_year, years=years)
        total, status, reason = _published_count(published, indicator, breakdown, "total")
        bme, status_b, reason_b = _published_count(published, indicator, breakdown, "bme")
        if total is None or bme is None or workforce_bme is None or not workforce:
            row["status"] = status if total is None else status_b if bme is None else status_w
            row["reason"] = (
                reason
                if total is None
                else reason_b
                if bme is None
                else "the workforce's BME headcount is not published, so there is no share to be level with"
            )
            rows.append(row)
            continue
        if total == 0:
            row.update(status="not_computable", reason=f"there are no {label} to set a goal for")
            rows.append(row)
            continue
        bands = tuple(groups.get(breakdown, (breakdown,)))
        now = _group_members(current, indicator, breakdown, bands)
        # Counts (counts.py) name nobody: with a counts year on either side there is nobody to follow, so the
        # year counts as having no file for last year (its made-up ids must never be matched).
        counted = [y for y, inputs in ((year, current), (year - 1, previous)) if inputs and inputs.source == "counts"]
        before = None if counted else _group_members(previous, indicator, breakdown, bands)
        turnover = None
        if before is not None and len(before):
            moved = flow(now, before)
            turnover = moved.leavers / moved.previous_headcount
            row.update(
                previous_headcount=moved.previous_headcount,
                leavers=moved.leavers,
                joiners=moved.joiners,
                turnover_pct=100 * turnover,
            )
            if joiners_printable(moved, bme, threshold):
                row["bme_joiners"] = moved.bme_joiners
        made = plan(total, bme, workforce_bme, workforce, years, turnover)
        row.update(
            status="ok",
            reason=""
            if turnover is not None
            else f"counts-only input for {' and '.join(str(y) for y in sorted(counted))}: counts name nobody, so "
            "nobody can be followed from one year to the next; turnover is unknown, so the figure assumes nobody "
            "leaves and is a least number"
            if counted
            else f"no {'board' if indicator == 9 else 'staff'} file for {year - 1}: turnover is unknown, so the "
            "figure assumes nobody leaves and is a least number",
            headcount=total,
            bme=bme,
            bme_pct=100 * bme / total,
            workforce_bme_pct=100 * workforce_bme / workforce,
            **{k: v for k, v in asdict(made).items()},
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
