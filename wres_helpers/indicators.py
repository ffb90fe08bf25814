"""The nine WRES indicators, computed from validated inputs into one tidy table.

Columns: indicator, measure, breakdown, group, value, numerator, denominator, status, reason, ci_low, ci_high,
p_value. Values are unrounded; rounding belongs to presentation. Every share, rate, survey percentage and
relative likelihood carries its 95% interval (ci_low, ci_high); relative likelihoods and survey gaps carry
Fisher's exact test p_value (uncertainty.py). A relative likelihood with no interval says why in `reason`.
A figure that cannot be computed has no value, status 'not_computable' and a reason a person can read:
never 0, inf or NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import uncertainty, vocab
from .counts import NO_CATEGORY, no_free_text
from .inputs import YearInputs
from .workspace import YearSettings

COLUMNS = [
    "indicator",
    "measure",
    "breakdown",
    "group",
    "value",
    "numerator",
    "denominator",
    "status",
    "reason",
    "ci_low",
    "ci_high",
    "p_value",
]
UNCERTAINTY_COLUMNS = ("ci_low", "ci_high", "p_value")
STATUSES = ("ok", "not_computable", "withheld", "not_collected", "not_required", "no_data")
GROUP_WORDS = {"white": "White", "bme": "BME", "unknown": "Unknown"}
NON_ADVERSE_RANGE = (0.80, 1.25)
# Each input file in the words a published reason uses ("no board membership data was supplied for 2024").
INPUT_WORDS = {
    "staff": "staff",
    "recruitment": "recruitment",
    "disciplinary": "disciplinary",
    "training": "training",
    "board": "board membership",
    "staff_survey": "NHS Staff Survey",
}  # the four-fifths rule used by NHS England's "A fair experience for all"

INDICATOR_TITLES = {
    1: "Representation by pay band",
    2: "Appointment from shortlisting",
    3: "Entry into a formal disciplinary investigation",
    4: "Non-mandatory training and CPD",
    5: "Harassment, bullying or abuse from patients, relatives or the public",
    6: "Harassment, bullying or abuse from staff",
    7: "Belief that the organisation provides equal opportunities for career progression or promotion",
    8: "Discrimination at work from a manager, team leader or other colleagues",
    9: "Board representation",
}


@dataclass
class Row:
    indicator: int
    measure: str
    breakdown: str
    group: str
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    status: str = "ok"
    reason: str = ""
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None


class Rows(list):
    def add(self, *args, **kwargs) -> Row:
        row = Row(*args, **kwargs)
        self.append(row)
        return row


def rate(
    rows: Rows, indicator: int, measure: str, breakdown: str, group: str, events: int, people: int, nobody: str
) -> Row:
    """events / people as a percentage; not computable when there are no people."""
    if people == 0:
        return rows.add(
            indicator,
            measure,
            breakdown,
            group,
            None,
            events,
            people,
            "not_computable",
            f"{nobody}, so there is no rate to compute",
        )
    low, high = uncertainty.wilson(events, people)
    return rows.add(
        indicator, measure, breakdown, group, 100.0 * events / people, events, people, ci_low=low, ci_high=high
    )


def relative_likelihood(rows: Rows, indicator: int, breakdown: str, key: str, top: Row, bottom: Row, event: str) -> Row:
    """Ratio of two rates (top ÷ bottom). Not computable when either rate is missing or the bottom rate is zero."""
    first, second = key.split("_vs_")
    if top.status != "ok" or bottom.status != "ok":
        missing = top if top.status != "ok" else bottom
        return rows.add(
            indicator, "relative_likelihood", breakdown, key, None, None, None, "not_computable", missing.reason
        )
    if bottom.value == 0:
        if top.value == 0:
            why = f"no White or BME staff {event}, so neither group has a rate to compare"
        else:
            why = f"no {GROUP_WORDS[second]} staff {event}, so the ratio would divide by zero"
        return rows.add(indicator, "relative_likelihood", breakdown, key, None, None, None, "not_computable", why)
    counts = (top.numerator, top.denominator, bottom.numerator, bottom.denominator)
    interval = uncertainty.katz(*counts)
    return rows.add(
        indicator,
        "relative_likelihood",
        breakdown,
        key,
        top.value / bottom.value,
        reason=""
        if interval
        else uncertainty.katz_reason(GROUP_WORDS[first], GROUP_WORDS[second], top.numerator, event),
        ci_low=interval[0] if interval else None,
        ci_high=interval[1] if interval else None,
        p_value=uncertainty.fisher_p(*counts),
    )


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    return _group_counts(frame["group"].to_numpy(dtype=object))


def _group_counts(groups: np.ndarray) -> dict[str, int]:
    """How many of each group there are among `groups` (a group column's values). Counted with numpy, as are
    the other counts of indicators 2 to 4: a national extract counts hundreds of organisations' tables, and
    slicing a frame to count its rows cost more than the counting."""
    return {g: int(np.count_nonzero(groups == g)) for g in vocab.GROUPS}


def _no_data(rows: Rows, indicator: int, keys: list[tuple[str, str, str]], reason: str) -> None:
    for measure, breakdown, group in keys:
        rows.add(indicator, measure, breakdown, group, status="no_data", reason=reason)


# -- indicator 1 -----------------------------------------------------------------------------------
IND1_KEYS = [("share_pct", "all", g) for g in vocab.GROUPS] + [
    ("headcount", "all", g) for g in (*vocab.GROUPS, "total")
]


def _representation(rows: Rows, indicator: int, breakdown: str, frame: pd.DataFrame) -> None:
    _representation_of(rows, indicator, breakdown, _counts(frame))


def _representation_of(rows: Rows, indicator: int, breakdown: str, counts: dict[str, int]) -> None:
    total = sum(counts.values())
    for group in vocab.GROUPS:
        rows.add(indicator, "headcount", breakdown, group, counts[group], counts[group], total)
    rows.add(indicator, "headcount", breakdown, "total", total, total, total)
    for group in vocab.GROUPS:
        rate(rows, indicator, "share_pct", breakdown, group, counts[group], total, f"there are no staff in {breakdown}")


def indicator_1(
    rows: Rows,
    staff: pd.DataFrame,
    band_groups: tuple[str, ...] = (),
    free_text_min: int = 5,
    counted: bool = False,
    aggregate: bool = False,
) -> None:
    """`counted`: the staff table was made from counts (counts.py), which give no ethnic category, occupation or
    department: those drill-downs are no_data."""
    # Staff are counted once, by pay band, staff group and ethnic group; every breakdown below is a sum of
    # those cells (slicing the staff table for each of ~60 breakdowns was most of the time of a national run).
    cells = _cells(staff)

    def count(keep) -> tuple[dict[str, int], int]:
        counts = dict.fromkeys(vocab.GROUPS, 0)
        people = 0
        for band, kind, family, group, n in cells:
            if keep(band, kind, family):
                people += n
                if group in counts:
                    counts[group] += n
        return counts, people

    _representation_of(rows, 1, "all", count(lambda *_: True)[0])
    declared = sum(n for *_, group, n in cells if group != "unknown")
    rate(rows, 1, "declared_pct", "all", "all", declared, len(staff), "there are no staff")
    for kind in ("clinical", "non-clinical"):
        counts, people = count(lambda b, k, f: k == kind)
        if people:
            _representation_of(rows, 1, kind, counts)
    for band in vocab.pay_bands():  # canonical order
        counts, people = count(lambda b, k, f: b == band)
        if not people:
            continue
        _representation_of(rows, 1, band, counts)
        for kind in ("clinical", "non-clinical"):
            counts, people = count(lambda b, k, f: b == band and k == kind)
            if people:
                _representation_of(rows, 1, f"{band}/{kind}", counts)
    for name, bands in vocab.band_groupings():
        # NHS England's pay band clusters are always computed: disclosure control publishes them in place of
        # single bands too small to show (disclosure.BAND_VIEWS).
        if name not in band_groups and not name.startswith("Cluster"):
            continue
        counts, people = count(lambda b, k, f: b in bands)
        if people:
            _representation_of(rows, 1, name, counts)
    counts, people = count(lambda b, k, f: f == "medical")
    if people:
        _representation_of(rows, 1, "Medical and dental", counts)
    _drilldowns(rows, staff, count, free_text_min, counted, aggregate)


def _cells(staff: pd.DataFrame) -> list[tuple]:
    """(pay band, clinical or non-clinical, family, group, staff) of every combination that has staff. Each
    column is factorised and the combinations counted on their codes (value_counts on a frame of the four
    columns was most of indicator 1's time in a national run); a missing value is a value of its own (NaN)."""
    factors = [pd.factorize(staff[c].to_numpy(dtype=object), use_na_sentinel=False) for c in ("pay_band", "family")]
    factors.insert(1, _kinds(staff["clinical"]))
    factors.append(pd.factorize(staff["group"].to_numpy(dtype=object), use_na_sentinel=False))
    shape = tuple(max(len(uniques), 1) for _, uniques in factors)
    combined, n = np.unique(np.ravel_multi_index([codes for codes, _ in factors], shape), return_counts=True)
    at = np.unravel_index(combined, shape)
    values = [np.asarray(uniques, dtype=object)[i].tolist() for (_, uniques), i in zip(factors, at)]
    return list(zip(*values, n.tolist()))


KINDS = {True: "clinical", False: "non-clinical"}


def _kinds(clinical: pd.Series) -> tuple[np.ndarray, list]:
    """The clinical column factorised as it is (Y/N) and its values named: (codes, 'clinical', 'non-clinical'
    or NaN for a value that is neither), as factorising clinical.map(KINDS) would give."""
    codes, values = pd.factorize(clinical.to_numpy(), use_na_sentinel=False)
    return codes, [KINDS.get(v, np.nan) if isinstance(v, (bool, np.bool_)) else np.nan for v in values]


# -- indicator 1 beneath the headline (README, "The indicator table") ------------------------------------------
# Breakdown names that no pay band, pay band group or staff group can take (they hold ':' or are spelt so).
CATEGORY_BREAKDOWN = "ethnic category"  # groups: the category codes of vocab.CATEGORY_ORDER, and 'total'
SENIOR = "Band 8a and above"
SENIOR_SPLIT = {kind: f"8a and above: {kind}" for kind in ("clinical", "non-clinical")}
FREE_TEXT_COLUMNS = ("occupation", "department")
FREE_TEXT_PREFIX = {column: f"{column}: " for column in FREE_TEXT_COLUMNS}
FREE_TEXT_MAX_ROWS = 50  # the largest values have rows of their own; the rest share one row
NOT_RECORDED = "Not recorded"


def free_text_key(value) -> str:
    """How free-text values are grouped: capitals, spaces and punctuation do not count ('Finance ', 'finance',
    'A&E', 'A & E'); a value of punctuation alone counts as blank."""
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def other_label(column: str, values: int) -> str:
    return f"{values:,} other {column}{'' if values == 1 else 's'}, not named"


# An aggregate's (aggregate.py): the members' job titles and departments are not put together, and a member that
# supplied counts gives no ethnic category.
NOT_COMBINED = (
    "not combined across the member organisations: each spells its own job titles and departments, so their "
    "{column}s do not line up"
)
NO_CATEGORY_IN_MEMBER = (
    "a member organisation supplied counts, not records (they give White, BME and Unknown only), so there is no "
    "breakdown by ethnic category"
)


def _drilldowns(
    rows: Rows, staff: pd.DataFrame, count, free_text_min: int, counted: bool = False, aggregate: bool = False
) -> None:
    """Indicator 1 by census ethnic category, band 8a and above by staff group, and by occupation and by
    department where the staff file has those columns (counts give band 8a and above by staff group only).
    `aggregate`: the staff table is an aggregate's members' together (no occupation or department)."""
    if counted or "ethnic_category" not in staff.columns:
        reason = NO_CATEGORY if counted else NO_CATEGORY_IN_MEMBER
        rows.add(1, "headcount", CATEGORY_BREAKDOWN, "total", status="no_data", reason=reason)
        senior = set(dict(vocab.band_groupings())[SENIOR])
        for kind, breakdown in SENIOR_SPLIT.items():
            found, people = count(lambda b, k, f: b in senior and k == kind)
            if people:
                _representation_of(rows, 1, breakdown, found)
        for column in FREE_TEXT_COLUMNS:
            reason = NOT_COMBINED.format(column=column) if aggregate else no_free_text(column)
            rows.add(1, "headcount", column, "total", status="no_data", reason=reason)
        return
    by_category = _category_counts(staff["ethnic_category"])
    total = len(staff)
    for code in vocab.CATEGORY_ORDER:
        n = int(by_category.get(code, 0))
        if n or code in vocab.ALWAYS_SHOWN_CATEGORIES:
            rows.add(1, "headcount", CATEGORY_BREAKDOWN, code, n, n, total)
    rows.add(1, "headcount", CATEGORY_BREAKDOWN, "total", total, total, total)
    for code in vocab.CATEGORY_ORDER:
        n = int(by_category.get(code, 0))
        if n or code in vocab.ALWAYS_SHOWN_CATEGORIES:
            rate(rows, 1, "share_pct", CATEGORY_BREAKDOWN, code, n, total, "there are no staff")
    senior = set(dict(vocab.band_groupings())[SENIOR])
    for kind, breakdown in SENIOR_SPLIT.items():
        counts, people = count(lambda b, k, f: b in senior and k == kind)
        if people:
            _representation_of(rows, 1, breakdown, counts)
    for column in FREE_TEXT_COLUMNS:
        if column in staff.columns:
            _free_text(rows, staff, column, free_text_min)
        else:
            rows.add(
                1,
                "headcount",
                column,
                "total",
                status="no_data",
                reason=NOT_COMBINED.format(column=column)
                if aggregate
                else f"the staff file has no {column} column, so there is no breakdown by {column}",
            )


def _category_counts(ethnicities: pd.Series) -> dict[str | None, int]:
    """Staff per census category (vocab.ethnic_category_code; blank is 99): each distinct ethnicity is read
    once and its staff counted with bincount."""
    codes, uniques = pd.factorize(ethnicities.astype(object).fillna(""), use_na_sentinel=False)
    counts: dict[str | None, int] = {}
    for value, n in zip(uniques, np.bincount(codes, minlength=len(uniques)).tolist()):
        code = vocab.ethnic_category_code(value)
        counts[code] = counts.get(code, 0) + n
    return counts


def _free_text(rows: Rows, staff: pd.DataFrame, column: str, free_text_min: int) -> None:
    """One row per value of a free-text column, grouped by `free_text_key` and shown in the spelling most staff
    have (the first of equals). A value held by fewer than `free_text_min` staff (the small-number threshold: a
    name that few people share is close to a record) and values beyond the largest FREE_TEXT_MAX_ROWS share one
    row, 'Other ...s'. Staff with no value are 'Not recorded'."""
    raw = staff[column].astype(object).where(staff[column].notna(), "")
    frame = pd.DataFrame({"raw": raw.map(lambda v: " ".join(str(v).split())), "group": staff["group"].to_numpy()})
    frame["key"] = frame["raw"].map(free_text_key)
    frame.loc[frame["key"] == "", "raw"] = NOT_RECORDED
    frame.loc[frame["key"] == "", "key"] = free_text_key(NOT_RECORDED)
    spelling = (
        frame.groupby(["key", "raw"], sort=False)
        .size()
        .reset_index(name="n")
        .sort_values("n", ascending=False, kind="stable")
    )
    shown_as = spelling.drop_duplicates("key").set_index("key")["raw"]
    sizes = frame["key"].value_counts(sort=False)
    order = sorted(sizes.index, key=lambda k: (-int(sizes[k]), shown_as[k].casefold(), shown_as[k]))
    kept = [k for k in order if sizes[k] >= max(free_text_min, 1)][:FREE_TEXT_MAX_ROWS]
    rest = [k for k in order if k not in set(kept)]
    label = {k: shown_as[k] for k in kept}
    if rest:
        other = other_label(column, len(rest))
        for k in rest:
            label[k] = other
    frame["label"] = frame["key"].map(label)
    counts = frame.groupby(["label", "group"]).size()
    names = [label[k] for k in kept] + ([label[rest[0]]] if rest else [])
    for name in names:
        _representation_of(
            rows, 1, FREE_TEXT_PREFIX[column] + name, {g: int(counts.get((name, g), 0)) for g in vocab.GROUPS}
        )


# -- indicators 2, 3 and 4 ----------------------------------------------------------------------------
# Indicator 2 beneath the headline. Breakdowns of `2 rate_pct <breakdown> <group>` and
# `2 relative_likelihood <breakdown> white_vs_bme` beside the headline ('all': appointed from shortlisting):
# the recruitment funnel (with the optional `shortlisted` column: the file then holds every application) and
# internal and external recruitment (with the optional `internal` column, on the shortlisted applications).
FUNNEL_BREAKDOWNS = ("shortlisted_from_applied", "appointed_from_applied")
CAMPAIGN_BREAKDOWNS = ("internal", "external")
NO_APPLICATION_STAGE = (
    "the application stage was not supplied: the recruitment data holds shortlisted applications only, so "
    "shortlisting from application cannot be shown"
)
NO_CAMPAIGN = (
    "internal and external recruitment were not told apart: the recruitment data does not say which "
    "applications came from internal recruitment campaigns"
)


def indicator_2(rows: Rows, recruitment: pd.DataFrame) -> None:
    applications = recruitment
    if "shortlisted" in recruitment.columns:  # every application: the headline is from the shortlisted ones
        recruitment = recruitment[recruitment["shortlisted"].astype(bool)]
    _indicator_2_headline(rows, recruitment)
    # Without a column its rows are left out (the page says the stage was not supplied: NO_APPLICATION_STAGE,
    # NO_CAMPAIGN), so that a table without them is the table it always was.
    if "shortlisted" in applications.columns:
        _indicator_2_funnel(rows, applications)
    if "internal" in recruitment.columns:
        _indicator_2_campaigns(rows, recruitment)


def _indicator_2_funnel(rows: Rows, applications: pd.DataFrame) -> None:
    """Applied -> shortlisted -> appointed per group: each group's share of the applications, the rate of
    shortlisting from application and of appointment from application, and the White-vs-BME relative
    likelihood of each (appointment from shortlisting is the headline)."""
    applied = _counts(applications)
    shortlisted = _counts(applications[applications["shortlisted"].astype(bool)])
    appointed = _counts(applications[applications["appointed"].astype(bool)])
    for group in vocab.GROUPS:
        rate(rows, 2, "share_of_applied_pct", "all", group, applied[group], len(applications), "nobody applied")
    for breakdown, events, verb in (
        ("shortlisted_from_applied", shortlisted, "were shortlisted"),
        ("appointed_from_applied", appointed, "were appointed"),
    ):
        rates = {
            group: rate(
                rows,
                2,
                "rate_pct",
                breakdown,
                group,
                events[group],
                applied[group],
                f"no {GROUP_WORDS[group]} applications were received",
            )
            for group in vocab.GROUPS
        }
        relative_likelihood(rows, 2, breakdown, "white_vs_bme", rates["white"], rates["bme"], verb)


def _indicator_2_campaigns(rows: Rows, shortlisted: pd.DataFrame) -> None:
    """Appointment from shortlisting for internal and for external recruitment, per group, and each one's
    White-vs-BME relative likelihood."""
    internal = shortlisted["internal"].astype(bool)
    for breakdown, part in (("internal", shortlisted[internal]), ("external", shortlisted[~internal])):
        rates = {}
        for group in vocab.GROUPS:
            subset = part[part["group"] == group]
            rates[group] = rate(
                rows,
                2,
                "rate_pct",
                breakdown,
                group,
                int(subset["appointed"].sum()),
                len(subset),
                f"no {GROUP_WORDS[group]} applicants were shortlisted in {breakdown} recruitment",
            )
        relative_likelihood(rows, 2, breakdown, "white_vs_bme", rates["white"], rates["bme"], "were appointed")


def _indicator_2_headline(rows: Rows, recruitment: pd.DataFrame) -> None:
    groups = recruitment["group"].to_numpy(dtype=object)
    was_appointed = recruitment["appointed"].to_numpy(dtype=bool)
    rates = {}
    for group in vocab.GROUPS:
        in_group = groups == group
        rates[group] = rate(
            rows,
            2,
            "rate_pct",
            "all",
            group,
            int(np.count_nonzero(was_appointed & in_group)),
            int(np.count_nonzero(in_group)),
            f"no {GROUP_WORDS[group]} applicants were shortlisted",
        )
    relative_likelihood(rows, 2, "all", "white_vs_bme", rates["white"], rates["bme"], "were appointed")
    shortlisted = _group_counts(groups)
    appointed = _group_counts(groups[was_appointed])
    for group in vocab.GROUPS:
        rate(
            rows,
            2,
            "share_of_shortlisted_pct",
            "all",
            group,
            shortlisted[group],
            len(recruitment),
            "nobody was shortlisted",
        )
        rate(
            rows,
            2,
            "share_of_appointed_pct",
            "all",
            group,
            appointed[group],
            int(np.count_nonzero(was_appointed)),
            "nobody was appointed",
        )


def _indicator_3_rates(rows: Rows, breakdown: str, years: list[tuple[int, pd.DataFrame, pd.DataFrame]]) -> None:
    case_counts, headcounts = _pooled_counts(d for _, d, _ in years), _pooled_counts(s for _, _, s in years)
    labels = " and ".join(str(y) for y, _, _ in sorted(years))
    rates = {
        g: rate(
            rows,
            3,
            "rate_pct",
            breakdown,
            g,
            case_counts[g],
            headcounts[g],
            f"there were no {GROUP_WORDS[g]} staff in {labels}",
        )
        for g in vocab.GROUPS
    }
    if sum(case_counts.values()) == 0:
        rows.add(
            3,
            "relative_likelihood",
            breakdown,
            "bme_vs_white",
            None,
            None,
            None,
            "not_computable",
            f"nobody entered a formal disciplinary investigation in {labels}, so there is nothing to compare",
        )
    else:
        relative_likelihood(
            rows,
            3,
            breakdown,
            "bme_vs_white",
            rates["bme"],
            rates["white"],
            f"entered a formal disciplinary investigation in {labels}",
        )


def _pooled_counts(frames) -> dict[str, int]:
    """Each group's rows in the frames together (both years of indicator 3)."""
    counts = [_counts(frame) for frame in frames]
    return {g: sum(c[g] for c in counts) for g in vocab.GROUPS}


def indicator_3(rows: Rows, years: list[tuple[int, pd.DataFrame, pd.DataFrame]], reason_single: str) -> None:
    """years: (year, disciplinary, staff) for the current year and, when available, the previous one.

    The key rows (breakdown 'all') pool both years, as NHS England asks. When they do, the report year alone
    is added under breakdown 'report_year', so that a reader can see this year's own figure too.
    """
    labels = " and ".join(str(y) for y, _, _ in sorted(years))
    _indicator_3_rates(rows, "all", years)
    rows.add(
        3,
        "years_pooled",
        "all",
        "all",
        float(len(years)),
        None,
        None,
        "ok",
        f"two-year rolling figure: cases and headcounts of {labels} added together"
        if len(years) == 2
        else reason_single,
    )
    if len(years) == 2:
        _indicator_3_rates(rows, "report_year", years[:1])


def indicator_4(rows: Rows, training: pd.DataFrame, staff: pd.DataFrame) -> None:
    trained = staff["staff_id"].isin(set(training["staff_id"])).to_numpy(dtype=bool)
    groups = staff["group"].to_numpy(dtype=object)
    rates = {}
    for group in vocab.GROUPS:
        in_group = groups == group
        rates[group] = rate(
            rows,
            4,
            "rate_pct",
            "all",
            group,
            int(np.count_nonzero(trained & in_group)),
            int(np.count_nonzero(in_group)),
            f"there are no {GROUP_WORDS[group]} staff",
        )
    relative_likelihood(
        rows, 4, "all", "white_vs_bme", rates["white"], rates["bme"], "accessed non-mandatory training or CPD"
    )


# -- indicators 5 to 8 -------------------------------------------------------------------------------
def staff_survey(rows: Rows, survey: pd.DataFrame | None, survey_year: int, why_missing: str) -> None:
    years = sorted(set(survey["survey_year"])) if survey is not None else []
    years = [y for y in years if y <= survey_year] or [survey_year]
    if survey_year not in years:
        years.append(survey_year)
    # The first row of each (year, indicator, group), looked up rather than filtered for (a national extract
    # has hundreds of organisations' surveys to read).
    first: dict[tuple, tuple] = {}
    if survey is not None:
        columns = ("survey_year", "indicator", "group", "percent", "respondents")
        for year, indicator, group, percent, respondents in zip(*(survey[c] for c in columns)):
            first.setdefault((year, indicator, group), (percent, respondents))
    for indicator in (5, 6, 7, 8):
        for year in years:
            found = {}
            for group in ("white", "bme"):
                if (year, indicator, group) in first:
                    percent, respondents = first[(year, indicator, group)]
                    percent, respondents = float(percent), int(respondents)
                    low, high = (
                        uncertainty.wilson(uncertainty.survey_count(percent, respondents), respondents)
                        if respondents > 0
                        else (None, None)
                    )
                    found[group] = rows.add(
                        indicator, "pct", str(year), group, percent, None, respondents, ci_low=low, ci_high=high
                    )
                else:
                    reason = (
                        why_missing
                        if survey is None
                        else (
                            f"the staff survey file has no {year} result for indicator {indicator}, "
                            f"{GROUP_WORDS[group]} staff"
                        )
                    )
                    found[group] = rows.add(indicator, "pct", str(year), group, status="no_data", reason=reason)
            if found["white"].status == "ok" and found["bme"].status == "ok":
                bme, white = found["bme"], found["white"]
                rows.add(
                    indicator,
                    "difference_pp",
                    str(year),
                    "bme_minus_white",
                    bme.value - white.value,
                    p_value=_survey_fisher(bme, white),
                )


def _survey_fisher(bme: Row, white: Row) -> float | None:
    """Fisher's exact test of the BME against the White survey result, on the respondents behind them."""
    if not bme.denominator or not white.denominator:
        return None
    return uncertainty.fisher_p(
        uncertainty.survey_count(bme.value, bme.denominator),
        bme.denominator,
        uncertainty.survey_count(white.value, white.denominator),
        white.denominator,
    )


# -- indicator 9 --------------------------------------------------------------------------------------
BOARD_SUBSETS = ("voting", "executive", "all_members")


def indicator_9(rows: Rows, board: pd.DataFrame, workforce_bme: Row | None, board_name: str) -> None:
    for subset_name in BOARD_SUBSETS:
        subset = board if subset_name == "all_members" else board[board[subset_name]]
        counts = _counts(subset)
        total = len(subset)
        for group in vocab.GROUPS:
            rows.add(9, "headcount", subset_name, group, counts[group], counts[group], total)
        rows.add(9, "headcount", subset_name, "total", total, total, total)
        words = subset_name.replace("all_members", "") or ""
        share = rate(
            rows,
            9,
            "share_pct",
            subset_name,
            "bme",
            counts["bme"],
            total,
            f"the {board_name} has no {words + ' ' if words else ''}members".replace("  ", " "),
        )
        if share.status != "ok":
            rows.add(9, "difference_pp", subset_name, "bme", None, None, None, "not_computable", share.reason)
        elif workforce_bme is None or workforce_bme.status != "ok":
            rows.add(
                9,
                "difference_pp",
                subset_name,
                "bme",
                None,
                None,
                None,
                workforce_bme.status if workforce_bme else "no_data",
                workforce_bme.reason if workforce_bme else "there is no staff file to give the workforce share",
            )
        else:
            rows.add(9, "difference_pp", subset_name, "bme", share.value - workforce_bme.value)


# -- all of them ---------------------------------------------------------------------------------------
def compute(inputs: YearInputs, previous: YearInputs | None) -> pd.DataFrame:
    """All nine indicators for one report year. `previous` is last year's inputs (for indicator 3)."""
    return table_of(compute_rows(inputs, previous), inputs.settings)


def compute_rows(inputs: YearInputs, previous: YearInputs | None) -> Rows:
    """The rows of `compute`'s table, before the declarations of the year's settings are applied."""
    year, org = inputs.settings.year, inputs.org
    rows = Rows()

    def missing(name: str) -> str:
        # Plain words: this reason is published. The file it would come from is in the build log
        # (engine.missing_input_notes).
        return inputs.why_missing.get(name) or f"no {INPUT_WORDS[name]} data was supplied for {year}"

    staff = inputs["staff"]
    if staff is not None:
        indicator_1(
            rows, staff, org.band_groups, _threshold(org), inputs.source == "counts", inputs.source == "aggregate"
        )
    else:
        _no_data(rows, 1, IND1_KEYS, missing("staff"))

    if inputs["recruitment"] is not None:
        indicator_2(rows, inputs["recruitment"])
    else:
        _no_data(
            rows,
            2,
            [("rate_pct", "all", g) for g in vocab.GROUPS] + [("relative_likelihood", "all", "white_vs_bme")],
            missing("recruitment"),
        )

    ind3_keys = [("rate_pct", "all", g) for g in vocab.GROUPS] + [("relative_likelihood", "all", "bme_vs_white")]
    if inputs["disciplinary"] is not None and staff is not None:
        years = [(year, inputs["disciplinary"], staff)]
        if previous is not None and previous["disciplinary"] is not None and previous["staff"] is not None:
            years.append((year - 1, previous["disciplinary"], previous["staff"]))
            single = ""
        else:
            absent = (
                ["disciplinary", "staff"]
                if previous is None
                else [n for n in ("disciplinary", "staff") if previous[n] is None]
            )
            lacking = " and ".join(INPUT_WORDS[n] for n in absent)
            single = (
                f"one year only: not every member organisation has {year - 1} records, "
                "so the two-year rolling figure could not be formed"
                if inputs.source == "aggregate" and previous is None
                else f"one year only: no {lacking} data was supplied for {year - 1}, "
                "so the two-year rolling figure could not be formed"
            )
        indicator_3(rows, years, single)
    else:
        _no_data(rows, 3, ind3_keys, missing("disciplinary" if staff is not None else "staff"))

    ind4_keys = [("rate_pct", "all", g) for g in vocab.GROUPS] + [("relative_likelihood", "all", "white_vs_bme")]
    if inputs["training"] is not None and staff is not None:
        indicator_4(rows, inputs["training"], staff)
    else:
        _no_data(rows, 4, ind4_keys, missing("training" if staff is not None else "staff"))

    staff_survey(rows, inputs["staff_survey"], inputs.settings.survey_year, missing("staff_survey"))

    if inputs["board"] is not None:
        workforce = next(
            (r for r in rows if (r.indicator, r.measure, r.breakdown, r.group) == (1, "share_pct", "all", "bme")), None
        )
        indicator_9(rows, inputs["board"], workforce, org.board_name)
    else:
        _no_data(
            rows, 9, [(m, s, "bme") for s in BOARD_SUBSETS for m in ("share_pct", "difference_pp")], missing("board")
        )

    return rows


def table_of(rows: list[Row], settings: YearSettings) -> pd.DataFrame:
    """The indicator table of `rows` (of one organisation, or of many that share `settings`: a national
    extract's table is made once, not once per organisation and stacked)."""
    table = pd.DataFrame([r.__dict__ for r in rows], columns=COLUMNS)
    table = _apply_declarations(table, settings)
    for col in ("value", *UNCERTAINTY_COLUMNS):
        table[col] = table[col].astype("Float64")
    for col in ("numerator", "denominator"):
        table[col] = table[col].astype("Int64")
    return table


def _threshold(org) -> int:
    """The small-number threshold of org.yaml (disclosure.rules_for checks it): a free-text value held by fewer
    staff has no row of its own."""
    value = getattr(org, "extra", {}).get("small_number_threshold", 5)
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100 else 5


def _apply_declarations(table: pd.DataFrame, settings: YearSettings) -> pd.DataFrame:
    """An indicator the organisation declares withheld, not collected or not required takes that status.

    Withheld figures keep their values in this (unsuppressed) table for the analyst; not collected and
    not required have none.
    """
    table = table.copy()
    for indicator, declared in settings.declared.items():
        mask = table["indicator"] == indicator
        table.loc[mask, "status"] = declared.status
        table.loc[mask, "reason"] = declared.reason
        if declared.status != "withheld":
            table.loc[mask, ["value", "numerator", "denominator", *UNCERTAINTY_COLUMNS]] = None
    return table
