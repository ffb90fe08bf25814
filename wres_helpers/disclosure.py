"""Disclosure control: the one place where the indicator table becomes the table that may be published.

Rules (shown on every report's methodology page by `present.suppression_rule`):
1. Small counts. A count from 1 to threshold-1 (default 1 to 4) is withheld. Board counts are public by law and
   are shown unless the organisation says otherwise.
2. Hidden counts count too. The people shortlisted but not appointed (in all, and in internal and in external
   recruitment), applications not shortlisted, staff who did not enter a disciplinary investigation and staff
   who did not access training are never printed, but can be worked out by subtraction; a small one is
   protected like a printed count.
3. All in one group. In a row of indicator 1 with fewer than `all_one_group_below` staff (default 10), all in
   one group, that group's count is protected like a small count (attribute disclosure).
4. Protection. Every withheld count, and every small hidden count, must keep a range of at least `width`
   (threshold - 1) whole numbers against an attacker who knows every sum of the table, that counts are whole
   numbers of at least 0, and last year's headcounts (indicator 3 pools two years). The figures to withhold
   are chosen by optimisation (`suppressed_cells`): the least loss to the reader, never a figure that could be
   worked out. A count goes with its share; a rate's numerator with its denominator.
5. One label. Every withheld count, share and rate reads `wording` ("withheld") with one reason, so that a
   small count cannot be told apart from the figures withheld to protect it.
6. Anything built on a withheld count is withheld: rates, relative likelihoods and differences; unless the
   organisation sets allow_rates_from_small_counts (then the rates stay and only the counts are withheld).
7. Staff survey: the NHS Staff Survey's own rule alone; a group with fewer than 11 respondents is not shown.
8. A figure that is withheld, not collected, not required, not computable or missing is published with no
   value, numerator or denominator; its status and reason say why.
9. Intervals and p-values (uncertainty.py): an interval's width can reveal the counts behind it, so a figure's
   95% interval and p-value are published only where the figure and every count they are computed from are
   published (then they reveal nothing new); otherwise they are withheld, and the reason says so.
The independent check of rule 4 is `disclosure_audit.py`, which reads only the published tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import vocab
from .errors import InputError, Problem
from .indicators import CATEGORY_BREAKDOWN, FREE_TEXT_COLUMNS, FREE_TEXT_PREFIX, SENIOR, SENIOR_SPLIT
from .result_cache import ResultCache, table_bytes
from .workspace import OrgSettings

GROUPS = vocab.GROUPS
_GROUP_BANDS = dict(vocab.band_groupings())  # pay band group -> its bands
_CLUSTERS = tuple(name for name in _GROUP_BANDS if name.startswith("Cluster"))  # NHS England's four
SURVEY_MIN_RESPONDENTS = 11
COUNT_COLUMNS = ("value", "numerator", "denominator")
UNCERTAINTY_COLUMNS = ("ci_low", "ci_high", "p_value")
INTERVAL_WITHHELD = "its 95% interval and p-value are withheld because a count they are computed from is withheld"


@dataclass(frozen=True)
class Rules:
    threshold: int = 5  # counts from 1 to threshold - 1 are withheld
    wording: str = "withheld"  # the one label of every withheld count, rate and share
    rates_from_small_counts: bool = False
    board_counts_public: bool = True
    survey_min_respondents: int = SURVEY_MIN_RESPONDENTS
    all_one_group_below: int = 10  # a row this small, all in one group, is protected (0: never)
    width: int = 4  # protection width: threshold - 1
    band_groups: tuple = ()  # the pay band groups the organisation reports (org.yaml)
    band_view: str = "auto"  # one of BAND_VIEWS, or auto: the most detailed that shows enough


def rules_for(org: OrgSettings) -> Rules:
    """The organisation's rules from org.yaml (small_number_threshold, withheld_wording,
    allow_rates_from_small_counts, publish_board_counts, protect_all_one_group_below), with the defaults above."""
    extra, problems = org.extra, []
    shown = f"params/{org.slug}/org.yaml"

    def whole(key: str, default: int, low: int, high: int, meaning: str) -> int:
        value = extra.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems.append(
                Problem(shown, None, key, str(value), f"expected a whole number from {low} {meaning} to {high}")
            )
            return default
        return value

    threshold = whole("small_number_threshold", 5, 1, 100, "(withhold nothing)")
    one_group = whole("protect_all_one_group_below", 10, 0, 1000, "(never)")
    flags = {}
    for key, default in (("allow_rates_from_small_counts", False), ("publish_board_counts", True)):
        value = extra.get(key, default)
        if not isinstance(value, bool):
            problems.append(Problem(shown, None, key, str(value), "expected true or false"))
            value = default
        flags[key] = value
    if "small_number_wording" in extra:
        problems.append(
            Problem(
                shown,
                None,
                "small_number_wording",
                str(extra["small_number_wording"]),
                "this setting is no longer used: every withheld figure now carries one label "
                "(set it with withheld_wording), so that a small count cannot be told apart from "
                "the figures withheld to protect it",
            )
        )
    band_view = extra.get("pay_band_view", "auto")
    if band_view not in ("auto", *BAND_VIEWS):
        problems.append(
            Problem(shown, None, "pay_band_view", str(band_view), "expected one of: auto, " + ", ".join(BAND_VIEWS))
        )
        band_view = "auto"
    if problems:
        raise InputError(problems, f"the settings of {org.slug}")
    wording = str(extra.get("withheld_wording") or "withheld")
    return Rules(
        threshold,
        wording,
        flags["allow_rates_from_small_counts"],
        flags["publish_board_counts"],
        all_one_group_below=one_group,
        width=threshold - 1,
        band_groups=tuple(org.band_groups),
        band_view=band_view,
    )


# -- cells: the counts behind the table, and the sums that tie them together ---------------------------------
Cell = tuple


@dataclass(frozen=True)
class Member:
    """A member of an aggregate organisation (aggregate.py) as its own report publishes it. The aggregate's
    figures are sums of its members' (aggregate cell = the members' cells added up), so disclosure control of
    the aggregate works on one problem holding both: every count a member withheld or never printed keeps its
    protection against a reader of the aggregate's report and of every member's report together."""

    slug: str
    table: pd.DataFrame  # the member's indicator table before disclosure control (every pay band view)
    published: pd.DataFrame  # what the member's report publishes
    earlier: pd.DataFrame | None = None  # the member's published table of last year (indicator 3)


# Indicator 1 beneath the headline (indicators._drilldowns): by ethnic category, by occupation and department,
# and band 8a and above by staff group. A free-text value may hold '/', so these are told apart by name first.
_DRILL_PREFIXES = (*FREE_TEXT_PREFIX.values(), *(f"{name.split(':')[0]}:" for name in SENIOR_SPLIT.values()))


def drilldown(breakdown: str) -> bool:
    """Whether an indicator 1 breakdown is one of the figures beneath the headline."""
    return breakdown == CATEGORY_BREAKDOWN or breakdown in FREE_TEXT_COLUMNS or breakdown.startswith(_DRILL_PREFIXES)


def _by_kind(breakdown: str) -> bool:
    """A band within a staff group ('Band 5/clinical')."""
    return "/" in breakdown and not drilldown(breakdown)


def _row_cells(row) -> tuple[Cell | None, Cell | None]:
    """(numerator cell, denominator cell) of a share, rate or headcount row; None where there is none."""
    i, m, b, g = int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"]
    if i == 1 and m in ("headcount", "share_pct"):
        return ("1", b, g), ("1", b, "total")
    if i == 2 and m == "rate_pct":  # the headline ('all') and the stages and campaigns beneath it
        events, people = _IND2_RATE_CELLS.get(b, (None, None))
        return (("2", events, g), ("2", people, g)) if events else (None, None)
    if i == 2 and m == "share_of_applied_pct":
        return ("2", "applied", g), ("2", "applied", "total")
    if i == 2 and m == "share_of_shortlisted_pct":
        return ("2", "shortlisted", g), ("2", "shortlisted", "total")
    if i == 2 and m == "share_of_appointed_pct":
        return ("2", "appointed", g), ("2", "appointed", "total")
    if i == 3 and m == "rate_pct":  # the pooled key rows ('all') and the report year alone
        part = "" if b == "all" else f" {b}"
        return ("3", "cases" + part, g), ("3", "people" + part, g)
    if i == 4 and m == "rate_pct":
        return ("4", "trained", g), ("1", "all", g)
    if i == 9 and m in ("headcount", "share_pct"):
        return ("9", b, g), ("9", b, "total")
    return None, None


# Indicator 2's rates by breakdown: (events, people) cell names. 'all' is the headline, appointed from
# shortlisting; the funnel needs the recruitment file's shortlisted column, the campaigns its internal column.
_IND2_RATE_CELLS = {
    "all": ("appointed", "shortlisted"),
    "shortlisted_from_applied": ("shortlisted", "applied"),
    "appointed_from_applied": ("appointed", "applied"),
    "internal": ("appointed internal", "shortlisted internal"),
    "external": ("appointed external", "shortlisted external"),
}


def _interval_cells(row) -> list[Cell]:
    """The counts a row's 95% interval and p-value are computed from (rule 9). Staff survey results have none
    here: their respondents are printed with them, under the survey's own rule."""
    i, m, b = int(row["indicator"]), row["measure"], str(row["breakdown"])
    if m == "relative_likelihood":
        rates = [{"indicator": i, "measure": "rate_pct", "breakdown": b, "group": g} for g in ("white", "bme")]
        return [c for rate in rates for c in _row_cells(rate) if c is not None]
    if i == 1 and m == "declared_pct":
        return [("1", b, "unknown"), ("1", b, "total")]
    return [c for c in _row_cells(row) if c is not None]


def _cells(table: pd.DataFrame) -> dict[Cell, int]:
    values: dict[Cell, int] = {}
    for _, row in table[table["status"] == "ok"].iterrows():
        num, den = _row_cells(row)
        for cell, column in ((num, "numerator"), (den, "denominator")):
            if cell is not None and not pd.isna(row[column]):
                values[cell] = int(row[column])
    return values


def _sums(values: dict[Cell, int]) -> list[tuple[Cell, list[Cell]]]:
    """Every (total, parts) relation among the cells that exist."""
    sums: list[tuple[Cell, list[Cell]]] = []

    def add(total: Cell, parts: list[Cell]) -> None:
        parts = [p for p in parts if p in values]
        if total in values and parts:
            sums.append((total, parts))

    breakdowns = {c[1] for c in values if c[0] == "1"}
    for b in sorted(breakdowns):  # sorted: the same table gives the same programme in every process
        add(("1", b, "total"), [("1", b, g) for g in GROUPS])
    bands = [b for b in vocab.pay_bands() if b in breakdowns]
    kinds = ("clinical", "non-clinical")
    for g in (*GROUPS, "total"):
        add(("1", "all", g), [("1", k, g) for k in kinds])
        add(("1", "all", g), [("1", b, g) for b in bands])
        for k in kinds:
            add(("1", k, g), [("1", f"{b}/{k}", g) for b in bands])
        for b in bands:
            add(("1", b, g), [("1", f"{b}/{k}", g) for k in kinds])
        for name, members in vocab.band_groupings():
            add(("1", name, g), [("1", b, g) for b in members])
        add(("1", "Medical and dental", g), [("1", b, g) for b in bands if vocab.pay_bands()[b].family == "medical"])
        if not bands:  # pay band clusters in place of single bands (BAND_VIEWS): they add up too
            clusters = [c for c in _CLUSTERS if c in breakdowns]
            add(("1", "all", g), [("1", c, g) for c in (*clusters, "Medical and dental")])
            for name, members in vocab.band_groupings():
                covered = [c for c in clusters if set(_GROUP_BANDS[c]) <= set(members)]
                if name not in _CLUSTERS and covered:
                    add(("1", name, g), [("1", c, g) for c in covered])
    _drilldown_sums(values, breakdowns, bands, add)
    for kind in ("shortlisted", "appointed", "applied"):
        add(("2", kind, "total"), [("2", kind, g) for g in GROUPS])
    for g in GROUPS:
        add(("2", "shortlisted", g), [("2", "appointed", g), ("2", "not appointed", g)])
        add(("2", "applied", g), [("2", "shortlisted", g), ("2", "not shortlisted", g)])
        for kind in ("shortlisted", "appointed", "not appointed"):  # internal + external = all
            add(("2", kind, g), [("2", f"{kind} internal", g), ("2", f"{kind} external", g)])
        for campaign in ("internal", "external"):
            add(
                ("2", f"shortlisted {campaign}", g),
                [("2", f"appointed {campaign}", g), ("2", f"not appointed {campaign}", g)],
            )
        add(("3", "people", g), [("3", "cases", g), ("3", "did not enter", g)])
        add(("3", "people report_year", g), [("3", "cases report_year", g), ("3", "did not enter report_year", g)])
        for kind in ("cases", "people"):  # pooled = report year + the year before
            add(("3", kind, g), [("3", f"{kind} report_year", g), ("3", f"{kind} previous year", g)])
        add(("1", "all", g), [("4", "trained", g), ("4", "not trained", g)])
    for subset in sorted({c[1] for c in values if c[0] == "9"}):
        add(("9", subset, "total"), [("9", subset, g) for g in GROUPS])
    return sums


def _drilldown_sums(values: dict[Cell, int], breakdowns: set, bands: list[str], add) -> None:
    """The sums beneath the headline: the categories of each group add up to the group's count of all staff
    (and all categories to all staff), the values of occupation and of department add up to all staff in each
    group, and band 8a and above of each staff group to that staff group's bands 8a to VSM."""
    categories = [c for c in vocab.CATEGORY_ORDER if ("1", CATEGORY_BREAKDOWN, c) in values]
    for g in GROUPS:
        add(("1", "all", g), [("1", CATEGORY_BREAKDOWN, c) for c in categories if vocab.category_group(c) == g])
    add(("1", CATEGORY_BREAKDOWN, "total"), [("1", "all", "total")])  # the same figure
    add(("1", CATEGORY_BREAKDOWN, "total"), [("1", CATEGORY_BREAKDOWN, c) for c in categories])
    for prefix in FREE_TEXT_PREFIX.values():
        rows = sorted(b for b in breakdowns if b.startswith(prefix))
        for g in (*GROUPS, "total"):
            add(("1", "all", g), [("1", b, g) for b in rows])
    senior = set(_GROUP_BANDS[SENIOR])
    for g in (*GROUPS, "total"):
        for kind, name in SENIOR_SPLIT.items():
            add(("1", name, g), [("1", f"{b}/{kind}", g) for b in bands if b in senior])
        add(("1", SENIOR, g), [("1", name, g) for name in SENIOR_SPLIT.values()])


def _balances(values: dict[Cell, int]) -> list[tuple[list[Cell], list[Cell]]]:
    """Sums with parts on both sides: band 8a and above, clinical plus non-clinical, is the sum of the single
    bands 8a to VSM, or of the clusters that make it up when clusters are published in place of bands (when
    'Band 8a and above' itself is published, `_sums` has it)."""
    out = []
    breakdowns = {c[1] for c in values if c[0] == "1"}
    senior = set(_GROUP_BANDS[SENIOR])
    bands = [b for b in vocab.pay_bands() if b in breakdowns and b in senior]
    clusters = [c for c in _CLUSTERS if c in breakdowns and set(_GROUP_BANDS[c]) <= senior]
    covered = set().union(*(set(_GROUP_BANDS[c]) for c in clusters)) if clusters else set()
    for g in (*GROUPS, "total"):
        left = [("1", name, g) for name in SENIOR_SPLIT.values() if ("1", name, g) in values]
        if not left or ("1", SENIOR, g) in values:
            continue
        if bands:
            right = [("1", b, g) for b in bands]
        elif covered == senior:
            right = [("1", c, g) for c in clusters]
        else:
            continue
        right = [c for c in right if c in values]
        out.append((left, right))
    return out


HIDDEN = {
    ("2", "not appointed"): (("2", "shortlisted"), ("2", "appointed")),
    ("2", "not shortlisted"): (("2", "applied"), ("2", "shortlisted")),
    ("2", "not appointed internal"): (("2", "shortlisted internal"), ("2", "appointed internal")),
    ("2", "not appointed external"): (("2", "shortlisted external"), ("2", "appointed external")),
    ("3", "did not enter"): (("3", "people"), ("3", "cases")),
    ("3", "did not enter report_year"): (("3", "people report_year"), ("3", "cases report_year")),
    ("3", "cases previous year"): (("3", "cases"), ("3", "cases report_year")),
    ("3", "people previous year"): (("3", "people"), ("3", "people report_year")),
    ("4", "not trained"): (("1", "all"), ("4", "trained")),
}


def _add_hidden(values: dict[Cell, int]) -> set[Cell]:
    """Counts never printed but found by subtraction (e.g. shortlisted minus appointed)."""
    hidden = set()
    for (i, name), ((ti, tname), (pi, pname)) in HIDDEN.items():
        for g in GROUPS:
            total, part = values.get((ti, tname, g)), values.get((pi, pname, g))
            if total is not None and part is not None:
                values[(i, name, g)] = total - part
                hidden.add((i, name, g))
    return hidden


def _same_figures(sums) -> dict[Cell, Cell]:
    """Cells that are the same figure under two names (a sum with one part: 'all' is 'non-clinical' when
    every member of staff is non-clinical), mapped to one representative so they are withheld together."""
    parent: dict[Cell, Cell] = {}

    def find(c: Cell) -> Cell:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for total, parts in sums:
        if len(parts) == 1:
            a, b = sorted((find(total), find(parts[0])), key=str)
            if a != b:
                parent[b] = a
    return {c: find(c) for c in parent} | {find(c): find(c) for c in parent}


# -- what the reader loses when a figure is withheld ----------------------------------------------------------
# Indicator 1 exists for the BME share of each band: the BME count costs most, then the band's total (not
# special-category data, and every share's denominator), White, Unknown. The headline rows cost most of all.
_GROUP_COST_1 = {"bme": 10.0, "total": 8.0, "white": 3.0, "unknown": 1.0}
# Indicators 2 to 4: the White and BME counts carry the relative likelihood.
_GROUP_COST_RATES = {"white": 10.0, "bme": 10.0, "unknown": 2.0, "total": 3.0}


def _cost(cell: Cell) -> float:
    indicator, breakdown, group = cell
    if indicator == "1" and drilldown(breakdown):
        # Beneath the headline: the cheapest figures to withhold, so that protecting them never costs a
        # headline figure that another choice would keep. Band 8a and above by staff group a little dearer.
        return _GROUP_COST_1.get(group, 1.0) * (0.5 if breakdown in SENIOR_SPLIT.values() else 0.2)
    if indicator == "1":
        level = (
            50.0
            if breakdown == "all"
            else 10.0
            if breakdown in ("clinical", "non-clinical")
            else 10.0
            if breakdown in _GROUP_BANDS
            else 2.0
            if _by_kind(breakdown)
            else 1.0
        )
        return _GROUP_COST_1.get(group, 1.0) * level
    if indicator == "2" and breakdown not in ("shortlisted", "appointed"):
        # Beneath the headline (applications, internal and external): cheap to withhold, so that the figures
        # of the headline relative likelihood are kept before them.
        return _GROUP_COST_RATES.get(group, 1.0)
    return _GROUP_COST_RATES.get(group, 1.0) * 10.0


def _pooled_people(table: pd.DataFrame, earlier: pd.DataFrame | None) -> dict[str, float | None]:
    """Indicator 3 pools two years of headcount, so last year's published headcount is part of every pooled
    figure: {group: last year's published headcount, or None when that was withheld}. Empty when not pooled."""
    pooled = table[(table.indicator == 3) & (table.measure == "years_pooled") & (table.status == "ok")]
    if not len(pooled) or float(pooled.iloc[0]["value"]) != 2:
        return {}
    out: dict[str, float | None] = {g: None for g in GROUPS}
    if earlier is not None:
        rows = earlier[
            (earlier.indicator == 1)
            & (earlier.measure == "headcount")
            & (earlier.breakdown == "all")
            & (earlier.status == "ok")
        ]
        for _, row in rows.iterrows():
            if row["group"] in out:
                out[row["group"]] = float(row["value"])
    return out


@dataclass
class _Problem:
    """The table as linear algebra: one variable per distinct count, `sums` as equations (total - parts = 0)."""

    cells: list[Cell]  # representatives, one per distinct count
    value: np.ndarray  # true values (0 for an unknown figure of last year)
    matrix: np.ndarray  # one row per sum
    choosable: np.ndarray  # may be withheld (a printed count that is not public)
    always_unknown: np.ndarray  # never printed: hidden counts, and last year's withheld headcounts
    sensitive: np.ndarray  # must be protected: small counts, small hidden counts, all-one-group cells
    cost: np.ndarray
    headline: np.ndarray  # not only a figure beneath the headline (`drilldown`)


def _problem(table: pd.DataFrame, rules: Rules, earlier: pd.DataFrame | None, members: tuple = ()):
    values = _cells(table)
    hidden = _add_hidden(values)
    exempt = {c for c in values if c[0] == "9"} if rules.board_counts_public else set()
    sums = [(t, p) for t, p in _sums(values) if t not in exempt]
    balances = _balances(values)
    last_year: dict[Cell, float | None] = {}
    for g, v in _pooled_people(table, earlier).items():
        if ("3", "people", g) in values and ("1", "all", g) in values:
            last_year[("last year", "all", g)] = v
            sums.append((("3", "people", g), [("1", "all", g), ("last year", "all", g)]))
    own = dict(values)
    known, unknown, protect, links = _members(values, hidden, sums, balances, last_year, members, rules)
    same = _same_figures(sums)
    rep = lambda c: same.get(c, c)  # noqa: E731
    cells = sorted({rep(c) for c in values} | {rep(c) for c in last_year}, key=str)
    where = {c: i for i, c in enumerate(cells)}
    rows = []
    for total, parts in sums:
        row = np.zeros(len(cells))
        row[where[rep(total)]] += 1
        for p in parts:
            row[where[rep(p)]] -= 1
        if row.any() and not any((row == r).all() for r in rows[-4:]):
            rows.append(row)
    for left, right in [*balances, *links]:  # links: kept out of _same_figures, which would print them
        row = np.zeros(len(cells))
        for c in left:
            row[where[rep(c)]] += 1
        for c in right:
            row[where[rep(c)]] -= 1
        if row.any():
            rows.append(row)
    value = np.array([values.get(c, last_year.get(c) or 0) for c in cells], dtype=float)
    members: dict[Cell, list[Cell]] = defaultdict(list)
    for c in [*values, *last_year]:
        members[rep(c)].append(c)
    member_known = np.array([any(m in known for m in members[c]) for c in cells], dtype=bool)
    always_unknown = np.array(
        [
            any(m in hidden for m in members[c])
            or any(m in last_year and last_year[m] is None for m in members[c])
            or (any(m in unknown for m in members[c]) and not member_known[k])  # a member's withheld count
            for k, c in enumerate(cells)
        ],
        dtype=bool,
    )
    printed_public = member_known | np.array(
        [any(m in exempt or m in last_year for m in members[c]) for c in cells], dtype=bool
    )
    choosable = ~always_unknown & ~printed_public
    small = (value > 0) & (value < rules.threshold) & ~printed_public
    sensitive = (
        small
        | np.array([c in _all_one_group(own, rules, rep) for c in cells], dtype=bool)
        | np.array([any(m in protect for m in members[c]) for c in cells], dtype=bool)
    )
    cost = np.array([sum(_cost(m) for m in members[c] if len(m) == 3 and m[0] != "last year") for c in cells])
    return _Problem(
        cells,
        value,
        np.array(rows).reshape(len(rows), len(cells)),
        choosable,
        always_unknown,
        sensitive & (choosable | always_unknown),
        cost,
        np.array([any(not (m[0] == "1" and drilldown(m[1])) for m in members[c]) for c in cells], dtype=bool),
    ), rep


def _members(values, hidden, sums, balances, last_year, members: tuple, rules: Rules):
    """Adds each member's counts to the aggregate's problem, as cells named (indicator, breakdown, group,
    member): its sums, its hidden counts and last year's headcounts, as in its own problem. Returns the member
    cells its report prints (`known`, with the aggregate's counts whose every part is printed there), those it
    does not (`unknown`), those to protect (`protect`: withheld
    in its report, or small and never printed) and the rows that tie the aggregate's counts to the members'
    (`links`: aggregate cell = the members' cells added up; a member without that cell has none there).
    Board counts are left out: an aggregate's board is its own."""
    known, unknown, protect, links = set(), set(), set(), []
    if not members:
        return known, unknown, protect, links
    aggregate = {c for c in values if c[0] in ("1", "2", "3", "4") and c not in hidden}
    mine: dict[str, dict[Cell, int]] = {}
    for member in members:
        cells = {c: v for c, v in _cells(member.table).items() if c[0] != "9"}
        member_hidden = _add_hidden(cells)
        printed = {c for c in _cells(member.published) if c[0] != "9"}
        withheld = set()
        for _, row in member.published[member.published.status == "withheld"].iterrows():
            withheld |= {c for c in _row_cells(row) if c is not None}

        def name(c: Cell, slug: str = member.slug) -> Cell:
            return (*c, slug)

        for c, v in cells.items():
            values[name(c)] = v
            if c in printed:
                known.add(name(c))
            else:
                unknown.add(name(c))
                if c in withheld or 0 < v < rules.threshold:
                    protect.add(name(c))
        hidden |= {name(c) for c in member_hidden}
        sums += [(name(t), [name(p) for p in parts]) for t, parts in _sums(cells)]
        balances += [([name(c) for c in left], [name(c) for c in right]) for left, right in _balances(cells)]
        for g, v in _pooled_people(member.table, member.earlier).items():
            if ("3", "people", g) in cells and ("1", "all", g) in cells:
                last_year[("last year", "all", g, member.slug)] = v
                sums.append((name(("3", "people", g)), [name(("1", "all", g)), ("last year", "all", g, member.slug)]))
        mine[member.slug] = cells
    # Indicator 3: an aggregate that could not pool two years (not every member has last year) has this
    # year's figures; a member that pooled has those as its 'report_year' cells.
    pooled = any(c[:2] == ("3", "cases report_year") for c in aggregate)
    for c in sorted(aggregate, key=str):
        parts = []
        for slug, cells in mine.items():
            own = c
            if c[0] == "3" and not pooled and any(k[:2] == ("3", "cases report_year") for k in cells):
                own = ("3", f"{c[1]} report_year", c[2])
            if own in cells:
                parts.append((*own, slug))
            elif c[0] == "1" and c[1] in _GROUP_BANDS:  # a pay band group this member does not report
                parts += [(*k, slug) for k in cells if k[0] == "1" and k[2] == c[2] and k[1] in _GROUP_BANDS[c[1]]]
        links.append(([c], parts))
        if all(p in known for p in parts):
            known.add(c)  # the members' reports print every part of it: it is public already
    return known, unknown, protect, links


def _all_one_group(values: dict[Cell, int], rules: Rules, rep) -> set[Cell]:
    """Attribute disclosure: in a row of indicator 1 with fewer than `all_one_group_below` staff who are all in
    one group (5 staff, 5 White), that group's count tells the ethnicity of everyone in the row."""
    out = set()
    for (i, b, g), total in values.items():
        if i == "1" and g == "total" and 0 < total < rules.all_one_group_below:
            for group in GROUPS:
                if values.get(("1", b, group)) == total:
                    out.add(rep(("1", b, group)))
    return out


def _components(matrix: np.ndarray, unknown: np.ndarray) -> list[np.ndarray]:
    """Groups of unknown variables tied together by sums (each bounded independently of the others)."""
    n = matrix.shape[1]
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for row in matrix:
        idx = [j for j in np.nonzero(row)[0] if unknown[j]]
        for j in idx[1:]:
            parent[find(j)] = find(idx[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for j in np.nonzero(unknown)[0]:
        groups[find(j)].append(j)
    return [np.array(g) for g in groups.values()]


BIG = 1e7  # an upper bound no count reaches: keeps every attacker's problem bounded


def _ranges(prob: _Problem, withheld: np.ndarray, targets: list[int], memo: dict, width: int):
    """For each target variable: (lowest, highest, printed variables whose values limit the range; None when
    the range is at least `width` wide, since then nothing more need be withheld for it). The
    attacker's linear programme: every sum holds, every count is at least 0, printed counts are fixed.
    `memo` keeps the answers of earlier rounds: a component whose unknowns did not change has the same ranges,
    and a range at least `width` wide stays so while every figure unknown then is still unknown (an attacker
    who knows less can narrow nothing further), so it is not solved again."""
    from .lp_ranges import Bounds

    unknown = withheld | prob.always_unknown
    out = {}
    component_of = {}
    for comp in _components(prob.matrix, unknown):
        for j in comp:
            component_of[j] = comp
    fixed_index = np.nonzero(~unknown)[0]
    models: dict[tuple, tuple] = {}  # one attacker's model per component, for all of its targets
    for t in targets:
        comp = component_of[t]
        key = (tuple(comp), t)
        if key in memo:
            out[t] = memo[key]
            continue
        wide = next((r for mask, r in memo.get(("wide", t), ()) if not (mask & ~unknown).any()), None)
        if wide is not None:
            out[t] = wide
            continue
        if key[0] not in models:
            rows = np.nonzero(np.abs(prob.matrix[:, comp]).sum(axis=1))[0]
            fixed = prob.matrix[rows][:, ~unknown]
            b = -fixed @ prob.value[~unknown]
            model = Bounds(prob.matrix[np.ix_(rows, comp)], b, BIG) if len(rows) else None
            models[key[0]] = (model, fixed)
        model, fixed = models[key[0]]
        if model is None:
            out[t] = (0.0, BIG, set())
            continue
        position = int(np.nonzero(comp == t)[0][0])
        ends = [model.extreme(position, sign, warm=True)[0] for sign in (1.0, -1.0)]
        if _width(*ends) >= width:  # wide enough: nothing more need be withheld for it, so no duals are needed
            out[t] = memo[key] = (ends[0], ends[1], None)
            memo.setdefault(("wide", t), []).append((unknown, out[t]))
            continue
        ends, limiting = [], set()
        for sign in (1.0, -1.0):  # cold, for the duals a cold solver finds (lp_ranges.Bounds.extreme)
            end, duals = model.extreme(position, sign)
            ends.append(end)
            # A printed count limits the range when the optimum moves with it (a non-zero shadow price).
            sensitivity = fixed.T @ duals
            limiting |= {int(fixed_index[k]) for k in np.nonzero(np.abs(sensitivity) > 1e-9)[0]}
        out[t] = memo[key] = (ends[0], ends[1], limiting)
    return out


def _denominators(cell: Cell) -> list[Cell]:
    """The counts a published share or rate divides `cell` by: withheld, they take `cell` with them."""
    i, b, g = cell
    if g == "total" or i not in ("1", "2", "3", "4"):
        return []
    if i == "1":
        return [("1", b, "total")]
    if i == "2":  # the share of appointments may go alone: the rates and relative likelihood matter more
        if b == "applied":  # printed beside shortlisting and appointment too: it may stay without its share
            return []
        kind, _, campaign = b.partition(" ")
        if campaign:  # internal or external: printed in one row only, so its two counts go together
            return [("2", f"{'shortlisted' if kind == 'appointed' else 'appointed'} {campaign}", g)]
        return [("2", "shortlisted", g)] if b == "appointed" else [("2", "shortlisted", "total")]
    return [("3", "people", g)] if i == "3" else [("1", "all", g)]


def _width(low: float, high: float) -> int:
    """Whole numbers only: the range [low, high] holds the counts ceil(low) .. floor(high)."""
    return int(np.floor(high + 1e-6) - np.ceil(low - 1e-6))


def suppressed_cells(
    table: pd.DataFrame,
    rules: Rules,
    earlier: pd.DataFrame | None = None,
    cache: ResultCache | None = None,
    members: tuple[Member, ...] = (),
) -> dict[Cell, str]:
    """`_suppressed_cells`, kept in `cache` (see result_cache.py) by the tables and rules it is chosen from."""
    of_members = [(m.slug, table_bytes(m.table), table_bytes(m.published), table_bytes(m.earlier)) for m in members]
    key = (
        cache.key(
            "suppression", table_bytes(table), repr(rules), table_bytes(earlier), *[b for m in of_members for b in m]
        )
        if cache
        else None
    )
    hit = cache.get(key) if cache else None
    if isinstance(hit, list) and all(
        isinstance(e, list) and len(e) == 2 and isinstance(e[0], list) and e[1] in ("primary", "secondary") for e in hit
    ):
        return {tuple(cell): kind for cell, kind in hit}
    out = _suppressed_cells(table, rules, earlier, members)
    if cache:
        cache.put(key, [[list(cell), kind] for cell, kind in out.items()])
    return out


def _suppressed_cells(
    table: pd.DataFrame, rules: Rules, earlier: pd.DataFrame | None = None, members: tuple[Member, ...] = ()
) -> dict[Cell, str]:
    """Which printed counts are withheld: {cell: 'primary' | 'secondary'} (hidden counts are not printed).

    Optimal cell suppression by cut generation, as statistical offices do it: a small integer programme
    chooses the cheapest set of figures to withhold (see `_cost`) subject to the cuts found so far; for that
    choice, a linear programme per withheld figure finds the range an attacker can narrow it to from every
    printed figure; where a range is narrower than the protection width, a cut says "withhold at least one
    more of the printed figures that limit it". Repeat until every range is wide enough.
    `earlier`: last year's published table (its headcounts are part of indicator 3's two-year figures).

    In two steps: first the table without the figures beneath the headline (`drilldown`), then those figures
    with every other choice kept. So the drill-downs never change which headline figure is withheld; they are
    protected by withholding more of themselves (the sums they are part of hold each headline figure once and
    drill-down figures only, so that is always possible).
    """
    drill = table.breakdown.astype(str).map(drilldown) & (table.indicator == 1)
    # The members whole in both steps: a member's figure beneath its headline (band 8a and above by staff
    # group, when it publishes bands for all staff) can be the sum of the aggregate's headline figures less
    # the other members'.
    first = _solve(table[~drill].reset_index(drop=True), rules, earlier, None, members)
    if not drill.any():
        return first
    if ("1", "all", "total") in first:
        # The count of all staff is itself withheld (a very small organisation): which categories, jobs and
        # departments have anyone in them would be all a drill-down could add, and with zeros printed the
        # audit pinned the withheld total. Nothing beneath the headline is shown.
        cells = {("1", str(b), g) for b, g in zip(table.loc[drill, "breakdown"], table.loc[drill, "group"])}
        return {**first, **{c: "secondary" for c in sorted(cells) if c not in first}}
    return _solve(table, rules, earlier, first, members)


def _solve(
    table: pd.DataFrame,
    rules: Rules,
    earlier: pd.DataFrame | None,
    fixed: dict[Cell, str] | None = None,
    members: tuple[Member, ...] = (),
) -> dict[Cell, str]:
    """`_suppressed_cells` for one table; with `fixed`, only figures beneath the headline may be chosen, and
    every other figure is withheld exactly when `fixed` withholds it."""
    from scipy.optimize import LinearConstraint, milp

    prob, rep = _problem(table, rules, earlier, members)
    n = len(prob.cells)
    forced = np.zeros(n, dtype=bool)
    index = {c: i for i, c in enumerate(prob.cells)}
    if fixed is not None:
        for cell in fixed:
            j = index.get(rep(cell))
            if j is not None:
                forced[j] = True
        prob.choosable = prob.choosable & ~prob.headline
        prob.sensitive = prob.sensitive & (prob.choosable | prob.always_unknown)
        forced &= ~prob.always_unknown
    if (not prob.sensitive.any() and not forced.any()) or rules.width <= 0:
        return dict(fixed or {})
    cuts: list[tuple[np.ndarray, float]] = []  # (coefficients, lower bound) of  coef . x >= lb
    owners: list[int | None] = []  # the figure never printed that a cut protects, if any

    def at_least_one_more(of: set[int], target: int) -> None:
        row = np.zeros(n)
        for j in of:
            row[j] = 1.0
        if prob.choosable[target]:
            row[target] -= 1.0  # required only when the target itself is withheld
            cuts.append((row, 0.0))
            owners.append(None)
        else:
            cuts.append((row, 1.0))
            owners.append(target)

    # Starting cuts: no sum may hold exactly one unknown figure; a share goes with its count (a band's
    # total withheld takes its counts with it; a rate's denominator takes its numerator).
    for row in prob.matrix:
        members = list(np.nonzero(row)[0])
        if any(prob.always_unknown[j] for j in members):
            continue
        for t in members:
            if any(forced[j] for j in members if j != t):
                continue  # a figure of the first step is withheld in this sum already
            others = {j for j in members if j != t and prob.choosable[j]}
            if prob.choosable[t] or prob.sensitive[t]:
                if others or not prob.sensitive[t]:
                    at_least_one_more(others, t)
    for j, cell in enumerate(prob.cells):
        for den in _denominators(cell) if len(cell) == 3 else ():
            d = index.get(rep(den))
            if d is not None and d != j and prob.choosable[j] and prob.choosable[d]:
                row = np.zeros(n)
                row[j], row[d] = 1.0, -1.0
                cuts.append((row, 0.0))
                owners.append(None)
    lower = np.where(prob.sensitive & prob.choosable, 1.0, 0.0)
    upper = np.where(prob.choosable, 1.0, 0.0)
    given_up: set[int] = set()
    memo: dict = {}
    for _ in range(200):
        constraints = (
            [LinearConstraint(np.array([c for c, _ in cuts]), np.array([lb for _, lb in cuts]), np.inf)] if cuts else []
        )
        res = milp(prob.cost * prob.choosable, integrality=np.ones(n), bounds=(lower, upper), constraints=constraints)
        if res.x is None and any(o is not None and len(prob.cells[o]) == 4 for o in owners):
            # An aggregate: a member's figure asks for one of ours to be withheld that cannot be (the members'
            # own reports print what it is made of). Withholding ours cannot protect that figure; it is left to
            # the independent audit of all the reports together, which refuses to publish if it can in fact be
            # worked out.
            drop = _unsatisfiable(cuts, owners)
            if drop:
                given_up |= {owners[k] for k in drop}
                cuts = [c for k, c in enumerate(cuts) if k not in drop]
                owners = [o for k, o in enumerate(owners) if k not in drop]
                continue
        if res.x is None:
            raise _NoSolution(f"cell suppression found no solution ({res.message})")
        withheld = ((res.x > 0.5) & prob.choosable) | forced
        targets = [j for j in range(n) if (withheld[j] or prob.sensitive[j]) and j not in given_up]
        added = 0
        for t, (low, high, limiting) in _ranges(prob, withheld, targets, memo, rules.width).items():
            if _width(low, high) >= rules.width:
                continue
            more = {j for j in limiting if prob.choosable[j] and not withheld[j]}
            certainly_zero = high < 1 - 1e-6  # zeros are published: a withheld 0 that is known to be 0 tells nothing
            if not more and (not prob.choosable[t] or prob.sensitive[t] or certainly_zero):
                given_up.add(t)  # nothing printed is left to withhold: as wide as it can be
                continue
            at_least_one_more(more, t)
            added += 1
        if not added:
            break
    else:
        raise AssertionError("cell suppression did not converge")
    out = dict(fixed or {})
    for c in _cells(table):
        j = index.get(rep(c))
        if j is not None and withheld[j] and c not in out:
            out[c] = "primary" if prob.sensitive[j] else "secondary"
    return out


class _NoSolution(AssertionError):
    """No choice of figures to withhold protects every figure (only an aggregate's problem can be so)."""


def _unsatisfiable(cuts: list[tuple[np.ndarray, float]], owners: list) -> set[int]:
    """The cuts protecting a member's figure (an aggregate's problem) that no choice can meet: every figure
    they offer is one that may not be withheld (a cut 'x <= 0'), or one that takes such a figure with it
    (a share's denominator takes its count: 'x_count >= x_total')."""
    never = {int(np.nonzero(row)[0][0]) for row, lb in cuts if lb == 0 and (row != 0).sum() == 1 and row.sum() < 0}
    takes = [
        (int(np.nonzero(row > 0)[0][0]), int(np.nonzero(row < 0)[0][0]))
        for row, lb in cuts
        if lb == 0 and (row != 0).sum() == 2 and row.sum() == 0
    ]
    grown = True
    while grown:
        grown = False
        for count, total in takes:
            if count in never and total not in never:
                never.add(total)
                grown = True
    return {
        k
        for k, (row, lb) in enumerate(cuts)
        if owners[k] is not None and lb >= 1 and set(np.nonzero(row)[0].tolist()) <= never
    }


# -- the published table --------------------------------------------------------------------------------------
def publish(
    table: pd.DataFrame,
    rules: Rules,
    earlier: pd.DataFrame | None = None,
    cache: ResultCache | None = None,
    members: tuple[Member, ...] = (),
) -> pd.DataFrame:
    """The table as it may be published, in the most detailed pay band view that still shows the BME share of
    at least half of its bands (see `BAND_VIEWS`); the rows of the finer views are not published at all.
    `cache`: where the choice of figures to withhold is kept between builds (result_cache.py)."""
    views = BAND_VIEWS if rules.band_view == "auto" else (rules.band_view,)
    found = None
    for view in views:
        shown = table[_in_view(table, view, rules.band_groups)].reset_index(drop=True)
        try:
            out = _publish(shown, rules, earlier, cache, members)
        except _NoSolution:
            # An aggregate: a coarser view than its members' own (clusters where they publish bands) can be
            # all but worked out from their reports, so it cannot protect its own small counts. The more
            # detailed view that could be protected is published.
            if not members or (view == views[-1] and found is None):
                raise
            continue
        found = out if found is None else found
        if view == views[-1] or _enough_shown(out, view):
            return out
    return found


# -- the pay band view ----------------------------------------------------------------------------------------
# Publishing bands within each staff group and bands for all staff lets a reader subtract one from the other,
# so small staff groups force many figures to be withheld. The table is published in the first of these views
# in which the BME share of at least half of the view's bands can be shown; the last one always is.
BAND_VIEWS = ("bands by staff group", "bands", "clusters")


def _view_rows(breakdown: str, view: str, band_groups: tuple) -> bool:
    """Whether an indicator 1 breakdown is published in `view`."""
    if drilldown(breakdown):  # beneath the headline: in every view
        return True
    if "/" in breakdown:  # a band within a staff group
        return view == BAND_VIEWS[0]
    if breakdown in vocab.pay_bands():
        return view != "clusters"
    members = _GROUP_BANDS.get(breakdown)
    if members is None:  # all staff, a staff group, medical and dental
        return True
    if breakdown in _CLUSTERS:
        return view == "clusters" or breakdown in band_groups
    if view != "clusters":
        return breakdown in band_groups
    # With clusters in place of bands, a group is published only when it is a union of whole clusters
    # (band 7 and above, less clusters 3 and 4, would be band 7).
    covered = [set(_GROUP_BANDS[c]) for c in _CLUSTERS if set(_GROUP_BANDS[c]) <= set(members)]
    return breakdown in band_groups and set().union(*covered) == set(members)


def _in_view(table: pd.DataFrame, view: str, band_groups: tuple) -> pd.Series:
    keep = {b: _view_rows(b, view, band_groups) for b in table.loc[table.indicator == 1, "breakdown"].unique()}
    return (table.indicator != 1) | table.breakdown.map(keep).fillna(True).astype(bool)


def _view_breakdowns(table: pd.DataFrame, view: str) -> list[str]:
    rows = table[(table.indicator == 1) & (table.measure == "headcount") & (table.group == "total")]
    if view == BAND_VIEWS[0]:
        return [b for b in rows.breakdown if _by_kind(b)]
    if view == "bands":
        return [b for b in rows.breakdown if b in vocab.pay_bands()]
    return [b for b in rows.breakdown if b in _CLUSTERS]


def _enough_shown(published: pd.DataFrame, view: str) -> bool:
    bands = _view_breakdowns(published, view)
    shares = published[
        (published.indicator == 1)
        & (published.measure == "share_pct")
        & (published.group == "bme")
        & published.breakdown.isin(bands)
    ]
    return 2 * int((shares.status == "ok").sum()) >= len(bands)


def _publish(
    table: pd.DataFrame,
    rules: Rules,
    earlier: pd.DataFrame | None = None,
    cache: ResultCache | None = None,
    members: tuple[Member, ...] = (),
) -> pd.DataFrame:
    """The table as it may be published (see the module's rules). Adds a `suppression` column: 'withheld'
    (rules 1 to 3: one label, whichever rule withheld it), 'derived' (rule 4), 'survey' (rule 5) or '', and
    `shown_as`, the one wording of every withheld count, share and rate ("withheld").
    `earlier`: last year's published table, for indicator 3's two-year figures."""
    out = table.copy()
    out["suppression"] = ""
    out["shown_as"] = ""
    withheld = suppressed_cells(table, rules, earlier, cache, members)
    why = (
        "withheld so that no one can be identified: a small number, or a figure that would let a small "
        "number be worked out"
    )

    marks: dict = {}  # row index -> (kind, reason), written into `out` at once (a cell at a time took seconds)

    def mark(index, kind: str, reason: str) -> None:
        marks[index] = (kind, reason)  # a later rule's mark replaces an earlier one's

    rate_withheld: set[tuple] = set()
    small_in_members = _survey_in_members(members, rules)
    rows = list(zip(table.index, table.to_dict("records")))  # plain dicts: iterrows made a Series per row
    for index, row in rows:
        if row["status"] != "ok":
            continue
        num, den = _row_cells(row)
        if num is None:
            continue
        key = (int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"])
        if row["measure"] == "headcount":
            if num in withheld:
                mark(index, "withheld", why)
            continue
        if (num in withheld or den in withheld) and not rules.rates_from_small_counts:
            mark(index, "withheld", why)
            rate_withheld.add(key)
        elif rules.rates_from_small_counts:  # the rate stays; its withheld counts do not
            for cell, column in ((num, "numerator"), (den, "denominator")):
                if cell in withheld:
                    out.loc[index, column] = pd.NA

    for index, row in rows:
        if row["status"] != "ok":
            continue
        i, m, b = int(row["indicator"]), row["measure"], str(row["breakdown"])
        if i in (5, 6, 7, 8) and m == "pct" and row["denominator"] < rules.survey_min_respondents:
            mark(
                index,
                "survey",
                f"fewer than {rules.survey_min_respondents} respondents: the NHS Staff Survey "
                "does not publish results for groups this small",
            )
            rate_withheld.add((i, m, b, row["group"]))
        elif i in (5, 6, 7, 8) and m == "pct" and (i, b, row["group"]) in small_in_members:
            mark(
                index,
                "survey",
                "withheld because a member organisation's result for this group has fewer than "
                f"{rules.survey_min_respondents} respondents, and this figure less the other members' would show it",
            )
            rate_withheld.add((i, m, b, row["group"]))
    for index, row in rows:
        if row["status"] != "ok":
            continue
        i, m, b = int(row["indicator"]), row["measure"], str(row["breakdown"])
        if m == "relative_likelihood" and any((i, "rate_pct", b, g) in rate_withheld for g in ("white", "bme")):
            mark(index, "derived", "withheld because a rate it is built on is withheld")
        elif (
            i in (5, 6, 7, 8)
            and m == "difference_pp"
            and any((i, "pct", b, g) in rate_withheld for g in ("white", "bme"))
        ):
            mark(index, "derived", "withheld because a survey result it is built on is withheld")
        elif (
            i == 9
            and m == "difference_pp"
            and ((9, "share_pct", b, "bme") in rate_withheld or (1, "share_pct", "all", "bme") in rate_withheld)
        ):
            mark(index, "derived", "withheld because a share it is built on is withheld")
        elif (
            i == 1
            and m == "declared_pct"
            and (("1", "all", "unknown") in withheld or ("1", "all", "total") in withheld)
        ):
            mark(index, "derived", "withheld because it would reveal the withheld number of staff of unknown ethnicity")
    if marks:
        at = list(marks)
        out.loc[at, "status"] = "withheld"
        out.loc[at, "suppression"] = [kind for kind, _ in marks.values()]
        out.loc[at, "reason"] = [reason for _, reason in marks.values()]
        out.loc[at, "shown_as"] = rules.wording
    uncertainty = [c for c in UNCERTAINTY_COLUMNS if c in out.columns]
    for index, row in zip(out.index, out.to_dict("records")):  # rule 9
        if row["status"] == "ok" and any(c in withheld for c in _interval_cells(row)):
            if any(not pd.isna(row[c]) for c in uncertainty):
                out.loc[index, uncertainty] = pd.NA
                out.loc[index, "reason"] = "; ".join(x for x in (row["reason"], INTERVAL_WITHHELD) if x)
    hidden = out["status"] != "ok"
    for column in (*COUNT_COLUMNS, *uncertainty):
        out[column] = out[column].mask(hidden)
    # A shown count's row also names its total; when that total is withheld, so is the count (see the cuts).
    return out


def _survey_in_members(members: tuple[Member, ...], rules: Rules) -> set[tuple]:
    """The staff survey results (indicator, year, group) an aggregate must withhold: where the members that
    withhold a result (too few respondents) have between 1 and survey_min_respondents - 1 respondents
    together, the aggregate's result less the other members' published ones would be theirs."""
    hidden: dict[tuple, int] = defaultdict(int)
    for member in members:
        t = member.table
        rows = t[t.indicator.isin([5, 6, 7, 8]) & (t.measure == "pct") & (t.status == "ok")]
        for i, b, g, n in zip(rows.indicator, rows.breakdown, rows.group, rows.denominator):
            if int(n) < rules.survey_min_respondents:
                hidden[(int(i), str(b), g)] += int(n)
    return {key for key, n in hidden.items() if 0 < n < rules.survey_min_respondents}


# -- which pay band view a chart can show -----------------------------------------------------------------------
def published_view(table: pd.DataFrame) -> str:
    """Which of BAND_VIEWS a published table is in, from the rows it holds."""
    breakdowns = set(table.loc[table.indicator == 1, "breakdown"].astype(str))
    if any(_by_kind(b) for b in breakdowns):
        return BAND_VIEWS[0]
    return "bands" if breakdowns & set(vocab.pay_bands()) else "clusters"


VIEW_NOTES = {
    "bands": "The single bands of each staff group are too small to publish without withholding most of their "
    "figures, so this report shows each pay band for clinical and non-clinical staff together.",
    "clusters": "Single pay bands are too small to publish without withholding most of their figures, so this "
    "report shows NHS England's four pay band clusters instead, for all staff.",
}


# An aggregate's view can be mostly withheld whatever its detail: its members publish their own pay bands.
AGGREGATE_VIEW_NOTE = (
    "Most of these figures are withheld even so: the member organisations' own reports publish their pay bands, "
    "and this report's counts beside theirs would let a figure a member withholds be worked out."
)


def pay_band_view(
    table: pd.DataFrame, kinds: list[str], aggregate: bool = False
) -> tuple[list[tuple[str, list[tuple[str, str]]]], str]:
    """The panels of the pay band view, for its chart and tables: [(title, [(label, breakdown)])], and the
    sentence that says why it is not bands within each staff group ('' when it is), and, for an aggregate
    whose view still withholds most BME shares, why."""
    view = published_view(table)
    note = VIEW_NOTES.get(view, "")
    if aggregate and not _enough_shown(table, view):
        note = f"{note} {AGGREGATE_VIEW_NOTE}".strip()
    present = set(table[(table.indicator == 1) & (table.measure == "headcount")].breakdown)
    bands = [b for b in vocab.pay_bands() if b in present]
    if view == BAND_VIEWS[0]:
        panels = [
            (f"{kind.capitalize()} staff", [(b, f"{b}/{kind}") for b in bands if f"{b}/{kind}" in present])
            for kind in kinds
        ]
    elif view == "bands":
        panels = [("All staff", [(b, b) for b in bands])]
    else:
        panels = [("All staff, by pay band cluster", [(c, c) for c in _CLUSTERS if c in present])]
    return [(title, rows) for title, rows in panels if rows], note
