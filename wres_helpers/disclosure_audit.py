"""The interval audit: how far can an attacker narrow each withheld figure from what is published?

Written apart from `disclosure.py` on purpose, as the independent check that tries to break it (the model is
τ-ARGUS's audit of cell suppression). It reads only published tables (what `--published` prints and the site's
downloads hold: this year's and every earlier year's) and the documented rules, and for every withheld count
solves two integer programmes (HiGHS, lp_ranges.py): the smallest and the largest value it can take while

- every count is a whole number of at least 0, and every printed count is what it says;
- the labels hold: one label for every withheld count says only "at least 0"; where the labels tell small
  counts apart ('small' rows), those are 1 to threshold - 1 and the others 0 or at least the threshold;
- every sum of the table holds (White + BME + Unknown = total, clinical + non-clinical = all staff, the bands
  add up to their staff group and to every pay band group, appointed + not appointed = shortlisted,
  shortlisted + not shortlisted = applications, internal + external recruitment = all of indicator 2, ...);
- every published percentage and relative likelihood holds with its denominator (100 x numerator = rate x
  denominator; a relative likelihood times one published rate gives the other rate), as does every
  difference between two shares and the share of staff with a recorded ethnicity;
- indicator 3's two-year figures are this year's and last year's counts added together, and last year's
  report is published too.

A withheld figure is protected when that range spans at least the protection width (threshold - 1, so 4).
Counts never printed (shortlisted but not appointed, in all and in internal and external recruitment;
applications not shortlisted; staff who did not enter a disciplinary investigation or did not train) are
checked too: one that may be small must not be narrowed below the width either.
Not modelled: a relative likelihood whose two rates are both withheld (it is not linear); published rules
never show one.

Intervals and p-values (`interval_leaks`): an interval's width can reveal the counts behind it, so every
published 95% interval or p-value must sit on a printed figure whose counts are all printed too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import vocab

GROUPS = ("white", "bme", "unknown")
# Indicator 1 beneath the headline, by the names README's indicator table documents (written here again, not
# imported from the engine or from disclosure.py: the audit reads the table on its own terms).
CATEGORIES = "ethnic category"  # one row per census category code, groups A ... S, Z, 99, 0 and total
FREE_TEXT = ("occupation: ", "department: ")  # then the value as the analyst spelt it
SENIOR_BY_KIND = {"clinical": "8a and above: clinical", "non-clinical": "8a and above: non-clinical"}
SENIOR_BANDS = ("Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM")
TOLERANCE = 1e-6  # the downloads print rates to 15 significant figures
BIG = 1e6  # no count is larger: keeps every programme bounded


@dataclass(frozen=True)
class Finding:
    year: int
    cell: tuple  # ('1', breakdown, group), ('2', 'appointed', group), ('hidden', ...) ...
    low: int
    high: int

    @property
    def width(self) -> int:
        return self.high - self.low


class _Attack:
    """The attacker's integer programme, built up from published rows."""

    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []  # (coefficients, low, high)
        # Kept between calls of `bounds` while the programme is unchanged (`_block_solver`).
        self._solvers_for: tuple | None = None
        self._solvers: dict = {}
        self._rows_of: dict[int, list[int]] | None = None

    def var(self, key, low: float = 0, high: float = None, integer: bool = True) -> int:
        high = BIG if high is None else high
        if key not in self.index:
            self.index[key] = len(self.lower)
            self.lower.append(low)
            self.upper.append(high)
            self.integer.append(1 if integer else 0)
        return self.index[key]

    def fix(self, key, value: float) -> None:
        j = self.var(key)
        self.lower[j] = max(self.lower[j], value)
        self.upper[j] = min(self.upper[j], value)

    def equal(self, terms: dict, low: float = 0.0, high: float = 0.0) -> None:
        coef: dict[int, float] = {}
        for key, c in terms.items():
            j = self.var(key)
            coef[j] = coef.get(j, 0.0) + c
        self.rows.append((coef, low, high))

    def bounds(self, terms: dict) -> tuple[float, float]:
        """The lowest and highest value of sum(coefficient x variable) over every whole-number solution.

        Solved over the variables the terms are tied to (through constraints with other free variables), with
        every fixed variable moved to the constraint bounds: the rest of the table cannot change the answer,
        since the programme is feasible (the true counts satisfy it) and it splits into independent blocks.
        One HiGHS model per block, kept while the programme is unchanged (lp_ranges.WholeNumberRange)."""
        lower = np.array(self.lower)
        keep_vars, solver = self._block_solver([self.index[key] for key in terms])
        position = {j: k for k, j in enumerate(keep_vars)}
        c = np.zeros(len(keep_vars))
        offset = 0.0
        for key, v in terms.items():
            j = self.index[key]
            if j in position:
                c[position[j]] += v
            else:
                offset += v * lower[j]
        if not len(keep_vars):
            return offset, offset
        try:
            return solver.minimum(c) + offset, -solver.minimum(-c) + offset
        except AssertionError as exc:
            raise AssertionError(f"{exc}: the audit's model of the published table is wrong") from None

    def _state(self) -> tuple:
        return len(self.lower), len(self.rows), tuple(self.lower), tuple(self.upper)

    def _block_solver(self, start: list[int]):
        """The free variables tied to `start` and the model of their block (made once per block)."""
        from .lp_ranges import WholeNumberRange

        state = self._state()
        if self._solvers_for != state:  # the programme changed since: every block is made again
            self._solvers_for, self._solvers, self._rows_of = state, {}, None
        lower, upper = np.array(self.lower), np.array(self.upper)
        free = lower < upper
        keep_vars, keep_rows = self._block(start, free)
        block = tuple(keep_vars)
        if block in self._solvers or not keep_vars:
            return keep_vars, self._solvers.get(block)
        position = {j: k for k, j in enumerate(keep_vars)}
        a = np.zeros((len(keep_rows), len(keep_vars)))
        lo, hi = np.zeros(len(keep_rows)), np.zeros(len(keep_rows))
        for r, row in enumerate(keep_rows):
            coef, low, high = self.rows[row]
            constant = 0.0
            for j, c in coef.items():
                if j in position:
                    a[r, position[j]] += c
                else:
                    constant += c * lower[j]  # a fixed variable
            lo[r], hi[r] = low - constant, high - constant
        solver = WholeNumberRange(a, lo, hi, lower[keep_vars], upper[keep_vars], np.array(self.integer)[keep_vars])
        self._solvers[block] = solver
        return keep_vars, solver

    def _block(self, start: list[int], free: np.ndarray) -> tuple[list[int], list[int]]:
        """The free variables reachable from `start` through constraints, and the constraints that hold them."""
        rows_of = self._rows_of
        if rows_of is None:  # which constraints hold each free variable (kept with the block models)
            rows_of = {}
            for r, (coef, _, _) in enumerate(self.rows):
                for j in coef:
                    if free[j]:
                        rows_of.setdefault(j, []).append(r)
            self._rows_of = rows_of
        seen = {j for j in start if free[j]}
        todo, rows = list(seen), set()
        while todo:
            j = todo.pop()
            for r in rows_of.get(j, ()):
                if r in rows:
                    continue
                rows.add(r)
                for k in self.rows[r][0]:
                    if free[k] and k not in seen:
                        seen.add(k)
                        todo.append(k)
        return sorted(seen), sorted(rows)


def _count(year: int, key: tuple) -> tuple:
    return (year, *key)


def _row_meaning(row) -> tuple[tuple | None, tuple | None]:
    """(numerator count, denominator count) of a published row, by the table's own keys. This mirrors
    disclosure._row_cells on purpose: the audit reads the published table on its own terms, so a mistake in
    the suppression code's model of the table cannot hide itself from the check."""
    i, m, b, g = int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"]
    if i == 1 and m in ("headcount", "share_pct"):
        return ("1", b, g), ("1", b, "total")
    if i == 9 and m in ("headcount", "share_pct"):
        return ("9", b, g), ("9", b, "total")
    if i == 2 and m == "rate_pct":
        return _recruitment_stage(b, g)
    if i == 2 and m == "share_of_applied_pct":
        return ("2", "applications", g), ("2", "applications", "total")
    if i == 2 and m == "share_of_shortlisted_pct":
        return ("2", "shortlisted", g), ("2", "shortlisted", "total")
    if i == 2 and m == "share_of_appointed_pct":
        return ("2", "appointed", g), ("2", "appointed", "total")
    if i == 3 and m == "rate_pct":  # two years pooled ('all'), or the report year alone
        part = "" if b == "all" else f" {b}"
        return ("3", "cases" + part, g), ("3", "people" + part, g)
    if i == 4 and m == "rate_pct":
        return ("4", "trained", g), ("1", "all", g)
    return None, None


def _recruitment_stage(breakdown: str, group: str) -> tuple[tuple | None, tuple | None]:
    """Indicator 2's rates read from their breakdown's own words: 'all' is appointed of shortlisted;
    '<event>_from_<base>' is that stage of the funnel ('applied' is the applications); 'internal' and
    'external' are appointed of shortlisted within that kind of recruitment campaign."""
    if breakdown == "all":
        return ("2", "appointed", group), ("2", "shortlisted", group)
    if breakdown in ("internal", "external"):
        return ("2", f"appointed|{breakdown}", group), ("2", f"shortlisted|{breakdown}", group)
    event, sep, base = breakdown.partition("_from_")
    stages = {"applied": "applications", "shortlisted": "shortlisted", "appointed": "appointed"}
    if sep and event in stages and base in stages:
        return ("2", stages[event], group), ("2", stages[base], group)
    return None, None


def _label_bounds(table: pd.DataFrame, threshold: int) -> dict[int, str]:
    """What each withheld row's label tells: 'any' (one label for all), 'small' or 'not small'."""
    counts = table[(table.status == "withheld") & ~table.suppression.isin(["derived", "survey", ""])]
    labels = {(str(r.shown_as), str(r.suppression)) for r in counts.itertuples()}
    if len(labels) <= 1:
        return {i: "any" for i in counts.index}
    return {i: "small" if r.suppression == "small" else "not small" for i, r in counts.iterrows()}


def _add_year(att: _Attack, year: int, table: pd.DataFrame, threshold: int, tables: dict) -> list[tuple]:
    """The published rows of one year as constraints; returns the year's withheld counts."""
    withheld: list[tuple] = []
    counts_withheld: set[tuple] = set()
    labels = _label_bounds(table, threshold)
    present: set[tuple] = set()
    rates: dict[tuple, float] = {}
    for index, row in table.iterrows():
        num, den = _row_meaning(row)
        if num is None:
            continue
        present |= {num, den}
        ok = row["status"] == "ok"
        if ok:
            if not pd.isna(row["numerator"]):
                att.fix(_count(year, num), float(row["numerator"]))
            if not pd.isna(row["denominator"]):
                att.fix(_count(year, den), float(row["denominator"]))
            if not pd.isna(row["value"]) and row["measure"] != "headcount":
                v = float(row["value"])
                rates[(int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"])] = v
                att.equal({_count(year, num): 100.0, _count(year, den): -v}, -TOLERANCE, TOLERANCE)
        elif row["status"] == "withheld" and index in labels:
            key = _count(year, num)
            att.var(key)
            for count in (key, _count(year, den)):  # a share withheld for its denominator: that is withheld
                if count not in withheld:
                    withheld.append(count)
            if row["measure"] == "headcount":
                counts_withheld.add(key)  # a count withheld as such: printed elsewhere, it leaks
            if labels[index] == "small":
                att.lower[att.index[key]] = max(att.lower[att.index[key]], 1)
                att.upper[att.index[key]] = min(att.upper[att.index[key]], threshold - 1)
            elif labels[index] == "not small":  # 0 or at least the threshold: a switch s
                switch = (year, "switch", *key)
                att.var(switch, 0, 1)
                att.equal({key: 1.0, switch: -threshold}, 0, np.inf)  # x >= threshold * s
                att.equal({key: 1.0, switch: -BIG}, -np.inf, 0)  # x <= BIG * s
    for c in list(present):
        att.var(_count(year, c))
    # A share's denominator printed in another row is no secret; a withheld count printed elsewhere is kept,
    # so the audit reports it (its range is a single value).
    published = {k for k in withheld if att.lower[att.index[k]] == att.upper[att.index[k]] and k not in counts_withheld}
    withheld = [k for k in withheld if k not in published]
    unpublished = _add_sums(att, year, present)
    _add_ratios(att, year, table, rates)
    _add_pooling(att, year, table, tables)
    return withheld + unpublished


def _add_sums(att: _Attack, year: int, present: set[tuple]) -> list[tuple]:
    """Every sum of the table. A table that publishes a level of detail (single bands, bands within a staff
    group) lists every band with staff at that level, so a band missing there has none; a level not published
    at all (pay band clusters in place of single bands) still exists: its counts are unknowns of at least 0,
    returned so that the audit checks them too."""
    unpublished: list[tuple] = []
    breakdowns = {c[1] for c in present if c[0] == "1"}
    kinds = [k for k in ("clinical", "non-clinical") if k in breakdowns]
    singles = [b for b in vocab.pay_bands() if b in breakdowns]
    by_kind = any("/" in b and not b.startswith(FREE_TEXT) for b in breakdowns)
    bands = singles if singles else list(vocab.pay_bands()) if "all" in breakdowns else []

    def known(c: tuple) -> bool:
        if c in present:
            return True
        if c[0] != "1" or c[1] not in {*bands, *(f"{b}/{k}" for b in bands for k in kinds)}:
            return False
        level_published = by_kind if "/" in c[1] else bool(singles)
        if level_published:
            return False  # published level, not listed: nobody there
        att.var(_count(year, c))
        if _count(year, c) not in unpublished:
            unpublished.append(_count(year, c))
        return True

    def total(t: tuple, parts: list[tuple]) -> None:
        parts = [p for p in parts if known(p)]
        if known(t) and parts:
            att.equal({_count(year, t): 1.0, **{_count(year, p): -1.0 for p in parts}})

    medical = [b for b in bands if vocab.pay_bands()[b].family == "medical"]
    for b in breakdowns:
        total(("1", b, "total"), [("1", b, g) for g in GROUPS])
    for g in (*GROUPS, "total"):
        total(("1", "all", g), [("1", k, g) for k in ("clinical", "non-clinical")])
        total(("1", "all", g), [("1", b, g) for b in bands])
        total(("1", "Medical and dental", g), [("1", b, g) for b in medical])
        for k in kinds:
            total(("1", k, g), [("1", f"{b}/{k}", g) for b in bands])
        for b in bands:
            total(("1", b, g), [("1", f"{b}/{k}", g) for k in kinds])
        for name, members in vocab.band_groupings():
            total(("1", name, g), [("1", b, g) for b in members])
    for c in unpublished:  # the groups of an unpublished band add up too
        if c[-1] == "total":
            att.equal({c: 1.0, **{(*c[:-1], g): -1.0 for g in GROUPS if (*c[:-1], g) in att.index}})
    _beneath_the_headline(att, year, present, breakdowns, bands, kinds, known, total)
    for kind in ("applications", "shortlisted", "appointed"):
        total(("2", kind, "total"), [("2", kind, g) for g in GROUPS])
    for g in GROUPS:  # internal and external campaigns together are all of indicator 2
        for kind in ("shortlisted", "appointed"):
            total(("2", kind, g), [("2", f"{kind}|{c}", g) for c in ("internal", "external")])
    for s in {c[1] for c in present if c[0] == "9"}:
        total(("9", s, "total"), [("9", s, g) for g in GROUPS])
    # The counts nobody prints: at least 0 each.
    for g in GROUPS:
        for name, (t, part) in HIDDEN.items():
            if t(g) in present and part(g) in present:
                att.equal({_count(year, t(g)): 1.0, _count(year, part(g)): -1.0, (year, "hidden", name, g): -1.0})
    return unpublished


def _beneath_the_headline(att: _Attack, year: int, present, breakdowns, bands, kinds, known, total) -> None:
    """Indicator 1 by census category (each category is part of its group's count of all staff: A, B, C and 0
    of White; D to S of BME; Z and 99 of Unknown), by occupation and by department (every value of a column
    together is all staff, group by group), and band 8a and above by staff group (each is its staff group's
    bands 8a to VSM; the two together are bands 8a to VSM of all staff)."""
    codes = [c[2] for c in present if c[0] == "1" and c[1] == CATEGORIES and c[2] != "total"]
    for g in GROUPS:
        total(("1", "all", g), [("1", CATEGORIES, c) for c in codes if vocab.ethnic_categories()[c].group == g])
    total(("1", CATEGORIES, "total"), [("1", CATEGORIES, c) for c in codes])
    total(("1", CATEGORIES, "total"), [("1", "all", "total")])
    for prefix in FREE_TEXT:
        values = [b for b in breakdowns if b.startswith(prefix)]
        for g in (*GROUPS, "total"):
            total(("1", "all", g), [("1", b, g) for b in values])
    senior = [b for b in bands if b in SENIOR_BANDS]
    for g in (*GROUPS, "total"):
        split = [("1", name, g) for name in SENIOR_BY_KIND.values() if ("1", name, g) in present]
        for kind, name in SENIOR_BY_KIND.items():
            if kind in kinds:
                total(("1", name, g), [("1", f"{b}/{kind}", g) for b in senior])
        parts = [("1", b, g) for b in senior if known(("1", b, g))]
        if split and parts:  # clinical + non-clinical at 8a and above = bands 8a to VSM
            att.equal({**{_count(year, c): 1.0 for c in split}, **{_count(year, c): -1.0 for c in parts}})


HIDDEN = {
    "not appointed": (lambda g: ("2", "shortlisted", g), lambda g: ("2", "appointed", g)),
    "not shortlisted": (lambda g: ("2", "applications", g), lambda g: ("2", "shortlisted", g)),
    "not appointed|internal": (lambda g: ("2", "shortlisted|internal", g), lambda g: ("2", "appointed|internal", g)),
    "not appointed|external": (lambda g: ("2", "shortlisted|external", g), lambda g: ("2", "appointed|external", g)),
    "did not enter": (lambda g: ("3", "people", g), lambda g: ("3", "cases", g)),
    "not trained": (lambda g: ("1", "all", g), lambda g: ("4", "trained", g)),
}


def _add_ratios(att: _Attack, year: int, table: pd.DataFrame, rates: dict) -> None:
    """Relative likelihoods, differences and the declared share, where one side is published (linear)."""
    for _, row in table[table.status == "ok"].iterrows():
        i, m, b, g = int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"]
        v = float(row["value"]) if not pd.isna(row["value"]) else None
        if v is None:
            continue
        if m == "relative_likelihood" and i in (2, 3, 4):
            top, bottom = g.split("_vs_")
            cells = {
                grp: _row_meaning({"indicator": i, "measure": "rate_pct", "breakdown": b, "group": grp})
                for grp in (top, bottom)
            }
            if cells[top][0] is None or cells[bottom][0] is None:
                continue
            rt, rb = rates.get((i, "rate_pct", b, top)), rates.get((i, "rate_pct", b, bottom))
            if rb is not None:  # rate_top = RL x rate_bottom
                n, d = cells[top]
                att.equal({_count(year, n): 100.0, _count(year, d): -v * rb}, -TOLERANCE, TOLERANCE)
            if rt is not None and v:  # rate_bottom = rate_top / RL
                n, d = cells[bottom]
                att.equal({_count(year, n): 100.0 * v, _count(year, d): -rt}, -TOLERANCE, TOLERANCE)
        elif i == 9 and m == "difference_pp":
            board = rates.get((9, "share_pct", b, "bme"))
            workforce = rates.get((1, "share_pct", "all", "bme"))
            if board is not None:
                att.equal(
                    {(year, "1", "all", "bme"): 100.0, (year, "1", "all", "total"): -(board - v)}, -TOLERANCE, TOLERANCE
                )
            if workforce is not None:
                att.equal(
                    {(year, "9", b, "bme"): 100.0, (year, "9", b, "total"): -(workforce + v)}, -TOLERANCE, TOLERANCE
                )
        elif i == 1 and m == "declared_pct":
            att.equal(
                {(year, "1", "all", "total"): 100.0 - v, (year, "1", "all", "unknown"): -100.0}, -TOLERANCE, TOLERANCE
            )


def _add_pooling(att: _Attack, year: int, table: pd.DataFrame, tables: dict) -> None:
    """Indicator 3: pooled cases and people are this year's plus last year's."""
    pooled = table[(table.indicator == 3) & (table.measure == "years_pooled") & (table.status == "ok")]
    two = len(pooled) and float(pooled.iloc[0]["value"]) == 2
    for g in GROUPS:
        cases, people = (year, "3", "cases", g), (year, "3", "people", g)
        if cases not in att.index:
            continue
        single = {(year, "single cases", g): -1.0}
        if (year, "3", "cases report_year", g) in att.index:  # the report year alone is published too
            att.equal({(year, "single cases", g): 1.0, (year, "3", "cases report_year", g): -1.0})
            att.equal({(year, "3", "people report_year", g): 1.0, (year, "1", "all", g): -1.0})
        if two:
            single[(year - 1, "single cases", g)] = -1.0
            att.equal({people: 1.0, (year, "1", "all", g): -1.0, (year - 1, "1", "all", g): -1.0})
        att.equal({cases: 1.0, **single})


def _printed(table: pd.DataFrame, key: tuple) -> bool:
    """Whether indicator 1's breakdown of `key` (year, '1', breakdown, group) has rows in the table."""
    return bool(((table.indicator == 1) & (table.breakdown == key[2])).any())


def audit(tables: dict[int, pd.DataFrame], year: int, threshold: int = 5) -> list[Finding]:
    """The range of every withheld count of `year` (and every count never printed), from `tables`: the
    published table of `year` and of any earlier years (last year's report is public too)."""
    att = _Attack()
    targets: list[tuple] = []
    unpublished: set[tuple] = set()
    for y in sorted(tables):
        found = _add_year(att, y, tables[y], threshold, tables)
        if y == year:
            targets = found + [k for k in att.index if k[0] == y and k[1] == "hidden"]
            unpublished = {k for k in found if k[1] == "1" and not _printed(tables[y], k)}
    findings = []
    for key in targets:
        low, high = att.bounds({key: 1.0})
        cell = ("unpublished", *key[1:]) if key in unpublished else key[1:]
        findings.append(Finding(year, cell, int(np.ceil(low - 1e-6)), int(np.floor(high + 1e-6))))
    return findings


@dataclass(frozen=True, order=True)
class OrgYear:
    """One organisation's year, where the audit attacks several organisations' reports together (an aggregate
    and its members): it stands in for the year in every count's name, and last year is `OrgYear - 1`."""

    org: str
    year: int

    def __sub__(self, years: int) -> OrgYear:
        return OrgYear(self.org, self.year - years)

    def __str__(self) -> str:
        return f"{self.org} {self.year}"


# Band groups and clusters by their bands, as README lists them (vocab reads the same published grouping).
def _group_bands() -> dict[str, tuple[str, ...]]:
    return {name: tuple(bands) for name, bands in vocab.band_groupings()}


def audit_together(
    aggregate: dict[int, pd.DataFrame],
    members: dict[str, dict[int, pd.DataFrame]],
    year: int,
    threshold: int = 5,
    name: str = "aggregate",
) -> list[Finding]:
    """`audit` of an aggregate organisation's report and its members' reports read together: each of the
    aggregate's counts is the sum of its members' (White staff in band 5 of the aggregate = White staff in band
    5 of each member, added up; a band group a member does not publish is its bands added up; a member without
    a row has nobody there), indicator 3's cases year by year. Board counts are not tied: an aggregate's board
    is its own. Returns the findings of `year` for the aggregate and for every member."""
    att = _Attack()
    targets: list[tuple] = []
    unpublished: set[tuple] = set()
    everyone = {name: aggregate, **members}
    for org, tables in everyone.items():
        for y in sorted(tables):
            where = OrgYear(org, y)
            found = _add_year(att, where, tables[y], threshold, tables)
            if y == year:
                targets += found + [k for k in att.index if k[0] == where and k[1] == "hidden"]
                unpublished |= {k for k in found if k[1] == "1" and not _printed(tables[y], k)}
    groups = _group_bands()
    for y in sorted(aggregate):
        if not all(y in tables for tables in members.values()):
            continue
        ours = OrgYear(name, y)
        for key in [k for k in att.index if k[0] == ours]:
            if not (key[1] in ("1", "2", "4") or key[1] == "single cases"):
                continue
            parts: dict = {}
            for member in members:
                theirs = (OrgYear(member, y), *key[1:])
                if theirs in att.index:
                    parts[theirs] = -1.0
                elif key[1] == "1" and key[2] in groups:  # a band group this member does not publish
                    bands = [(OrgYear(member, y), "1", b, key[3]) for b in groups[key[2]]]
                    parts.update({b: -1.0 for b in bands if b in att.index})
            att.equal({key: 1.0, **parts})
    findings = []
    for key in targets:
        low, high = att.bounds({key: 1.0})
        cell = ("unpublished", *key[1:]) if key in unpublished else key[1:]
        findings.append(Finding(key[0], cell, int(np.ceil(low - 1e-6)), int(np.floor(high + 1e-6))))
    return findings


def unprotected(findings: list[Finding], width: int, threshold: int = 5) -> list[Finding]:
    """Withheld counts narrowed below the width (unless certainly 0: zeros are published); counts never printed
    that may be small (1 to threshold - 1) and are narrowed below it too."""
    out = []
    for f in findings:
        if f.width >= width:
            continue
        if f.high < 1 or (f.cell[0] in ("hidden", "unpublished") and f.low >= threshold):
            continue  # certainly 0 (zeros are published), or a count never printed certainly not small
        out.append(f)
    return out


# -- intervals and p-values ---------------------------------------------------------------------------------------
UNCERTAINTY_COLUMNS = ("ci_low", "ci_high", "p_value")


@dataclass(frozen=True)
class IntervalLeak:
    year: int
    row: tuple  # (indicator, measure, breakdown, group)
    why: str


def _interval_counts(row) -> list[tuple]:
    """The counts a row's interval or p-value is computed from, in the audit's own reading of the table (a
    relative likelihood: both rates' counts; the share with a recorded ethnicity: Unknown and the total)."""
    i, m, b = int(row["indicator"]), row["measure"], str(row["breakdown"])
    if m == "relative_likelihood":
        return [
            c
            for g in ("white", "bme")
            for c in _row_meaning({"indicator": i, "measure": "rate_pct", "breakdown": b, "group": g})
        ]
    if i == 1 and m == "declared_pct":
        return [("1", b, "unknown"), ("1", b, "total")]
    return [c for c in _row_meaning(row) if c is not None]


def interval_leaks(table: pd.DataFrame, year: int) -> list[IntervalLeak]:
    """Every published 95% interval or p-value that could tell more than the printed figures: one on a figure
    that is not printed, or one computed from a count that is not printed (its width would reveal that count).
    Staff survey rows need their respondents and, for a gap, both groups' results printed."""
    printed: set[tuple] = set()
    for _, row in table[table.status == "ok"].iterrows():
        num, den = _row_meaning(row)
        for cell, column in ((num, "numerator"), (den, "denominator")):
            if cell is not None and not pd.isna(row[column]):
                printed.add(cell)
    shown = {
        (int(r.indicator), r.measure, str(r.breakdown), r.group)
        for r in table.itertuples()
        if r.status == "ok" and not pd.isna(r.value) and (r.measure != "pct" or not pd.isna(r.denominator))
    }
    leaks = []
    columns = [c for c in UNCERTAINTY_COLUMNS if c in table.columns]
    for _, row in table.iterrows():
        if not any(not pd.isna(row[c]) for c in columns):
            continue
        key = (int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"])
        if key not in shown:
            leaks.append(IntervalLeak(year, key, f"an interval or p-value on a figure that is {row['status']}"))
        elif key[0] in (5, 6, 7, 8):
            if key[1] == "difference_pp" and not all((key[0], "pct", key[2], g) in shown for g in ("white", "bme")):
                leaks.append(IntervalLeak(year, key, "a p-value on a survey gap whose results are not both printed"))
        else:
            missing = [c for c in _interval_counts(row) if c not in printed]
            if missing or not _interval_counts(row):
                leaks.append(
                    IntervalLeak(
                        year,
                        key,
                        "computed from counts that are not printed: " + ", ".join("/".join(c) for c in missing),
                    )
                )
    return leaks
