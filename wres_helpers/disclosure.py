"""Disclosure control: the one place where the indicator table becomes the table that may be published.

Rules (shown on every report's methodology page by `describe`):
1. Small counts. A count from 1 to threshold-1 (default 1 to 4) is withheld and shown as "fewer than 5" (the
   wording is a setting). Zero is shown. Board counts are public by law and are shown unless the
   organisation says otherwise.
2. Hidden counts count too. The people shortlisted but not appointed, staff who did not enter a disciplinary
   investigation and staff who did not access training are never printed, but can be worked out by
   subtraction; when one of them is small, it is withheld like a printed count (so a figure beside it goes).
3. Secondary suppression. Wherever figures add up (White + BME + Unknown = total; clinical + non-clinical =
   all; the bands of a staff group add up to its total; a pay band group is the sum of its bands;
   appointed + not appointed = shortlisted), no sum may have exactly one withheld figure, or it could be
   recovered by any combination of additions and subtractions (checked with linear algebra, not one
   sum at a time: "Band 8a and above" minus "Band 8b and above" is band 8a). A second figure is withheld until none
   can be: the most detailed one first (a band within a staff group before a band, a band before a staff
   group, the whole workforce last); within a breakdown of indicator 1, Unknown, then White, then the
   total, keeping the BME share; for indicators 2 to 4 the total first, keeping the White and BME rates
   that the relative likelihoods need; then the smallest non-zero one.
4. Anything built on a withheld count is withheld: the percentages that use it as numerator or denominator,
   and the relative likelihoods and differences that use those percentages; unless the organisation sets
   allow_rates_from_small_counts (then the rates stay and only the counts are withheld).
5. Staff survey: the NHS Staff Survey's own rule alone; a group with fewer than 11 respondents is not
   shown (rules 1 to 4 do not apply to survey percentages).
6. A figure that is withheld, not collected, not required, not computable or missing is published with no
   value, numerator or denominator; its status and reason say why.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import vocab
from .errors import InputError, Problem
from .workspace import OrgSettings

GROUPS = vocab.GROUPS
SURVEY_MIN_RESPONDENTS = 11
COUNT_COLUMNS = ("value", "numerator", "denominator")


@dataclass(frozen=True)
class Rules:
    threshold: int = 5                       # counts from 1 to threshold - 1 are withheld
    wording: str = "fewer than 5"
    rates_from_small_counts: bool = False
    board_counts_public: bool = True
    survey_min_respondents: int = SURVEY_MIN_RESPONDENTS


def rules_for(org: OrgSettings) -> Rules:
    """The organisation's rules from org.yaml (small_number_threshold, small_number_wording,
    allow_rates_from_small_counts, publish_board_counts), with the defaults above."""
    extra, problems = org.extra, []
    shown = f"params/{org.slug}/org.yaml"
    threshold = extra.get("small_number_threshold", 5)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 1 <= threshold <= 100:
        problems.append(Problem(shown, None, "small_number_threshold", str(threshold),
                                "expected a whole number from 1 (withhold nothing) to 100"))
        threshold = 5
    flags = {}
    for key, default in (("allow_rates_from_small_counts", False), ("publish_board_counts", True)):
        value = extra.get(key, default)
        if not isinstance(value, bool):
            problems.append(Problem(shown, None, key, str(value), "expected true or false"))
            value = default
        flags[key] = value
    if problems:
        raise InputError(problems, f"the settings of {org.slug}")
    wording = str(extra.get("small_number_wording") or f"fewer than {threshold}")
    return Rules(threshold, wording, flags["allow_rates_from_small_counts"], flags["publish_board_counts"])


# -- cells: the counts behind the table, and the sums that tie them together ---------------------------------
Cell = tuple


def _row_cells(row) -> tuple[Cell | None, Cell | None]:
    """(numerator cell, denominator cell) of a share, rate or headcount row; None where there is none."""
    i, m, b, g = int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"]
    if i == 1 and m in ("headcount", "share_pct"):
        return ("1", b, g), ("1", b, "total")
    if i == 2 and m == "rate_pct":
        return ("2", "appointed", g), ("2", "shortlisted", g)
    if i == 2 and m == "share_of_shortlisted_pct":
        return ("2", "shortlisted", g), ("2", "shortlisted", "total")
    if i == 2 and m == "share_of_appointed_pct":
        return ("2", "appointed", g), ("2", "appointed", "total")
    if i == 3 and m == "rate_pct":        # the pooled key rows ('all') and the report year alone
        part = "" if b == "all" else f" {b}"
        return ("3", "cases" + part, g), ("3", "people" + part, g)
    if i == 4 and m == "rate_pct":
        return ("4", "trained", g), ("1", "all", g)
    if i == 9 and m in ("headcount", "share_pct"):
        return ("9", b, g), ("9", b, "total")
    return None, None


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
    for b in breakdowns:
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
    for kind in ("shortlisted", "appointed"):
        add(("2", kind, "total"), [("2", kind, g) for g in GROUPS])
    for g in GROUPS:
        add(("2", "shortlisted", g), [("2", "appointed", g), ("2", "not appointed", g)])
        add(("3", "people", g), [("3", "cases", g), ("3", "did not enter", g)])
        add(("3", "people report_year", g), [("3", "cases report_year", g), ("3", "did not enter report_year", g)])
        for kind in ("cases", "people"):     # pooled = report year + the year before
            add(("3", kind, g), [("3", f"{kind} report_year", g), ("3", f"{kind} previous year", g)])
        add(("1", "all", g), [("4", "trained", g), ("4", "not trained", g)])
    for subset in {c[1] for c in values if c[0] == "9"}:
        add(("9", subset, "total"), [("9", subset, g) for g in GROUPS])
    return sums


HIDDEN = {("2", "not appointed"): (("2", "shortlisted"), ("2", "appointed")),
          ("3", "did not enter"): (("3", "people"), ("3", "cases")),
          ("3", "did not enter report_year"): (("3", "people report_year"), ("3", "cases report_year")),
          ("3", "cases previous year"): (("3", "cases"), ("3", "cases report_year")),
          ("3", "people previous year"): (("3", "people"), ("3", "people report_year")),
          ("4", "not trained"): (("1", "all"), ("4", "trained"))}


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


# The order in which secondary suppression takes figures (lowest first). Indicator 1: Unknown, then White, then
# the total, keeping the BME share of each band; elsewhere the total first, keeping the White and BME rates
# that the relative likelihoods need.
_RANK_1 = {"unknown": 0.0, "white": 0.1, "total": 0.2, "bme": 0.3}
_RANK_OTHER = {"total": 0.0, "unknown": 0.1, "white": 0.2, "bme": 0.2}


def _level(cell: Cell) -> float:
    """Finest figures first: a band within a staff group, then a band or pay band group, then a staff
    group, the whole workforce last."""
    indicator, breakdown, group = cell
    if indicator != "1":
        return _RANK_OTHER.get(group, 0.0)
    rank = _RANK_1.get(group, 0.0)
    if "/" in breakdown:
        return rank
    if breakdown in ("clinical", "non-clinical"):
        return 2 + rank
    if breakdown == "all":
        return 3 + rank
    return 1 + rank


def _determined(sums, cells: list[Cell], unknown: set[Cell]) -> set[Cell]:
    """The unknown cells a reader can work out from the printed ones by any combination of the sums
    (adding and subtracting whole rows and columns, not just one sum at a time).

    With the printed values moved to the right-hand side, the sums are a linear system in the unknowns;
    an unknown is determined exactly when every solution of the homogeneous system is zero there, i.e.
    when the null space of the system's matrix vanishes in its coordinate.
    """
    columns = [c for c in cells if c in unknown]
    if not columns:
        return set()
    where = {c: i for i, c in enumerate(columns)}
    rows = []
    for total, parts in sums:
        row = np.zeros(len(columns))
        for cell, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if cell in where:
                row[where[cell]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    matrix = np.array(rows)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]                       # rows span the null space
    if null.size == 0:
        return set(columns)
    free = np.abs(null).max(axis=0) > 1e-9
    return {c for c, i in where.items() if not free[i]}


def _margin_rank(cell: Cell) -> int:
    """The report's headline rows: 2 for the whole workforce, 1 for the clinical and non-clinical rows,
    0 for everything else. Secondary suppression takes them only as a last resort."""
    if cell[0] != "1":
        return 0
    return {"all": 2, "clinical": 1, "non-clinical": 1}.get(cell[1], 0)


def _derivable(sums, unknown: set[Cell]) -> dict[Cell, int]:
    """Unknown cells a reader works out one sum at a time (a chain of subtractions), with the sum that
    gives each away."""
    unknown, derived = set(unknown), {}
    changed = True
    while changed:
        changed = False
        for index, (total, parts) in enumerate(sums):
            missing = [c for c in (total, *parts) if c in unknown]
            if len(missing) == 1:
                unknown.discard(missing[0])
                derived[missing[0]] = index
                changed = True
    return derived


def _choose(sums, derived: dict[Cell, int], cell: Cell, unknown: set[Cell], values) -> Cell:
    """A printed figure to withhold so that the sum that gives `cell` away no longer does. Preferred: one
    whose other sums already hold a withheld figure (so it cannot be worked out in turn), then the finest
    and smallest; the headline rows last. When that sum has nothing printed left, the sums that gave its
    other figures away are tried in turn."""
    membership: dict[Cell, list[int]] = defaultdict(list)
    for index, (total, parts) in enumerate(sums):
        for c in (total, *parts):
            membership[c].append(index)

    def exposed_sums(candidate: Cell, skip: int) -> int:
        return sum(1 for i in membership[candidate] if i != skip
                   and not any(c in unknown for c in (sums[i][0], *sums[i][1]) if c != candidate))

    # Every printed figure on the chain of subtractions that gives `cell` away is a candidate; the headline
    # rows only when nothing else is on the chain, the whole workforce last of all.
    candidates: dict[Cell, int] = {}
    seen, queue = set(), [cell]
    while queue:
        current = queue.pop(0)
        if current in seen or current not in derived:
            continue
        seen.add(current)
        index = derived[current]
        members = [c for c in (sums[index][0], *sums[index][1]) if c != current]
        for c in members:
            if c not in unknown and c not in derived:
                candidates.setdefault(c, index)
        queue += [c for c in members if c in derived]
    if candidates:
        return min(candidates, key=lambda c: (_margin_rank(c), values[c] == 0, exposed_sums(c, candidates[c]),
                                              _level(c), values[c], c))
    raise AssertionError(f"no printed figure to withhold beside {cell}")


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
            a, b = sorted((find(total), find(parts[0])))
            if a != b:
                parent[b] = a
    return {c: find(c) for c in parent} | {find(c): find(c) for c in parent}


def _groupings() -> set[str]:
    return {name for name, _ in vocab.band_groupings()} | {"Medical and dental"}


def suppressed_cells(table: pd.DataFrame, rules: Rules) -> dict[Cell, str]:
    """Which printed counts are withheld: {cell: 'primary' | 'secondary'} (hidden counts are not printed).

    1. The sums of the table's structure (rows, staff groups, bands, hidden counts) are protected one chain
       of subtractions at a time, withholding a second figure where a small one could be worked out.
    2. The result is checked against every combination of every sum, pay band groups included ('Band 8a
       and above' minus 'Band 8b and above' is band 8a), by linear algebra; anything still exposed is
       protected by withholding pay band group figures (they only repeat sums of bands), until nothing is.
    """
    values = _cells(table)
    hidden = _add_hidden(values)
    exempt = {c for c in values if c[0] == "9"} if rules.board_counts_public else set()
    groupings = _groupings()
    all_sums = [(t, p) for t, p in _sums(values) if t not in exempt]
    same = _same_figures(all_sums)
    rep = lambda c: same.get(c, c)                     # noqa: E731
    sums = []
    for total, parts in all_sums:
        merged = [rep(p) for p in parts]
        if not (len(merged) == 1 and merged[0] == rep(total)):
            sums.append((rep(total), merged))
    primary = {rep(c) for c, v in values.items() if 0 < v < rules.threshold and c not in exempt}
    hidden = {rep(c) for c in hidden}
    out: dict[Cell, str] = {c: "primary" for c in primary if c not in hidden}
    is_group = lambda c: c[0] == "1" and c[1] in groupings                      # noqa: E731
    structural = [(t, p) for t, p in sums if not is_group(t) or primary & {t, *p}]

    while True:                                             # 1
        derived = _derivable(structural, set(out) | hidden)
        exposed = sorted(c for c in primary if c in derived)
        if not exposed:
            break
        out[_choose(structural, derived, exposed[0], set(out) | hidden, values)] = "secondary"
    cells = sorted({rep(c) for c in values})
    while True:                                             # 2
        unknown = set(out) | hidden
        exposed = sorted(primary & _determined(sums, cells, unknown))
        if not exposed:
            break
        # A pay band group's figure only adds a sum of bands: withholding one is the cheapest cure. Take the
        # first (in priority order) that protects the exposed figure; failing that, withhold every group
        # figure that has a withheld band (then the groups add nothing a reader could use) and look again.
        groups = sorted((c for c in cells if is_group(c) and c not in unknown),
                        key=lambda c: (_level(c), values[c], c))
        fix = next((c for c in groups if exposed[0] not in _determined(sums, cells, unknown | {c})), None)
        if fix is None:
            fix_all = [t for t, p in sums if is_group(t) and t not in unknown and any(x in unknown for x in p)]
            if not fix_all:
                raise AssertionError(f"cannot protect {exposed[0]}")
            for cell in fix_all:
                out[cell] = "secondary"
            continue
        out[fix] = "secondary"
    return {c: out[rep(c)] for c in values if rep(c) in out and c not in hidden}


# -- the published table --------------------------------------------------------------------------------------
def publish(table: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The table as it may be published (see the module's rules). Adds a `suppression` column:
    'small' (rule 1 or 2), 'secondary' (rule 3), 'derived' (rule 4), 'survey' (rule 5) or '', and
    `shown_as`, the wording a withheld small count is shown with ("fewer than 5")."""
    out = table.copy()
    out["suppression"] = ""
    out["shown_as"] = ""          # how a withheld small count reads on the page ("fewer than 5")
    withheld = suppressed_cells(table, rules)
    small = f"{rules.wording}: withheld so that no one can be identified"
    second = "withheld so that a small figure elsewhere in the table cannot be worked out by subtraction"

    def mark(index, kind: str, reason: str) -> None:
        out.loc[index, "status"] = "withheld"
        out.loc[index, "suppression"] = kind
        out.loc[index, "reason"] = reason
        out.loc[index, "shown_as"] = rules.wording if kind == "small" else ""

    rate_withheld: set[tuple] = set()
    blank_denominator = []
    for index, row in table.iterrows():
        if row["status"] != "ok":
            continue
        num, den = _row_cells(row)
        if num is None:
            continue
        key = (int(row["indicator"]), row["measure"], str(row["breakdown"]), row["group"])
        if row["measure"] == "headcount":          # a count: withheld when it is, its total may go alone
            if num in withheld:
                primary = withheld[num] == "primary"
                mark(index, "small" if primary else "secondary", small if primary else second)
            elif den in withheld:
                blank_denominator.append(index)
            continue
        if not (num in withheld or den in withheld) or rules.rates_from_small_counts:
            continue
        if withheld.get(num) == "primary":
            mark(index, "small", small)
        elif num in withheld:
            mark(index, "secondary", second)
        else:
            mark(index, "derived", "withheld because the count it is a share of is withheld")
        rate_withheld.add(key)

    for index, row in table.iterrows():
        if row["status"] != "ok":
            continue
        i, m, b = int(row["indicator"]), row["measure"], str(row["breakdown"])
        if i in (5, 6, 7, 8) and m == "pct" and row["denominator"] < rules.survey_min_respondents:
            mark(index, "survey", f"fewer than {rules.survey_min_respondents} respondents: the NHS Staff Survey "
                                  "does not publish results for groups this small")
            rate_withheld.add((i, m, b, row["group"]))
    for index, row in table.iterrows():
        if row["status"] != "ok":
            continue
        i, m, b = int(row["indicator"]), row["measure"], str(row["breakdown"])
        if m == "relative_likelihood" and any((i, "rate_pct", b, g) in rate_withheld for g in ("white", "bme")):
            mark(index, "derived", "withheld because a rate it is built on is withheld")
        elif i in (5, 6, 7, 8) and m == "difference_pp" and any((i, "pct", b, g) in rate_withheld for g in ("white", "bme")):
            mark(index, "derived", "withheld because a survey result it is built on is withheld")
        elif i == 9 and m == "difference_pp" and ((9, "share_pct", b, "bme") in rate_withheld
                                                   or (1, "share_pct", "all", "bme") in rate_withheld):
            mark(index, "derived", "withheld because a share it is built on is withheld")
        elif i == 1 and m == "declared_pct" and (("1", "all", "unknown") in withheld or ("1", "all", "total") in withheld):
            mark(index, "derived", "withheld because it would reveal the withheld number of staff of unknown ethnicity")
    hidden = out["status"] != "ok"
    for column in COUNT_COLUMNS:
        out[column] = out[column].mask(hidden)
    out.loc[blank_denominator, "denominator"] = pd.NA
    return out
