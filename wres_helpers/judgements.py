"""Judgement words, made from the figures as the page prints them.

A change is the difference of the two printed figures (4.0% to 5.6% is "up 1.6 percentage points", even when
the unrounded figures differ by 1.55), and every word that judges a figure (rose, fell, improved, more likely,
outside the range) is decided on the printed figure, so words and tables can never disagree.

The words go into the narrative as `{{ key }}` placeholders (values.py), never typed.
"""

from __future__ import annotations

import math

from .indicators import NON_ADVERSE_RANGE

PCT_MEASURES = (
    "share_pct",
    "rate_pct",
    "pct",
    "declared_pct",
    "share_of_shortlisted_pct",
    "share_of_appointed_pct",
    "share_of_applied_pct",
)
DIGITS = {"pct": 1, "ratio": 2, "count": 0}

# A printed relative likelihood in this band reads "about as likely" (documented on the methodology page and in
# the README): 0.98 is too close to 1.00 to call either group more likely.
ABOUT_AS_LIKELY = (0.95, 1.05)

# Survey indicators where a higher percentage is better for staff (7: equal opportunities); for 5, 6 and 8
# (harassment, bullying, abuse, discrimination) a higher percentage is worse.
HIGHER_IS_BETTER = {7}


def unit_of(row) -> str:
    if row["measure"] in PCT_MEASURES or row["measure"] == "difference_pp":
        return "pct"
    return "ratio" if row["measure"] == "relative_likelihood" else "count"


def printed(value: float, unit: str = "pct") -> float:
    """The figure as the page prints it: 15.119 -> 15.1, 0.7849 -> 0.78."""
    return float(f"{value:.{DIGITS[unit]}f}")


def printed_change(now: float, before: float, unit: str = "pct") -> float:
    """The difference of two figures as printed (rounded again to drop float noise: 5.6 - 4.0 = 1.6)."""
    return round(printed(now, unit) - printed(before, unit), DIGITS[unit])


def direction(now: float, before: float, unit: str = "pct") -> str:
    diff = printed_change(now, before, unit)
    return "was unchanged" if diff == 0 else ("rose" if diff > 0 else "fell")


def trend_words(better: bool | None) -> str:
    return {True: "improved", False: "worsened", None: "did not change"}[better]


def _better(now: float, before: float, higher_is_better: bool, unit: str = "pct") -> bool | None:
    diff = printed_change(now, before, unit)
    if diff == 0:
        return None
    return (diff > 0) == higher_is_better


def survey_trend(indicator: int, now: float, before: float) -> str:
    """improved / worsened / did not change, for one group's survey figure against the year before."""
    return trend_words(_better(now, before, indicator in HIGHER_IS_BETTER))


def gap_trend(now: float, before: float) -> str:
    """A board's difference from the workforce: a higher (less negative) difference is better."""
    return trend_words(_better(now, before, True))


def rl_distance(value: float) -> float:
    """How far a printed relative likelihood is from 1.00, on the log scale (0.80 and 1.25 are equally far)."""
    shown = printed(value, "ratio")
    return abs(math.log(shown)) if shown > 0 else math.inf


def rl_trend(now: float, before: float) -> str:
    """improved (closer to 1.00) / worsened (further from 1.00) / did not change."""
    a, b = rl_distance(now), rl_distance(before)
    return trend_words(None if math.isclose(a, b) else a < b)


def inside_range(value: float) -> bool:
    low, high = NON_ADVERSE_RANGE
    return low <= printed(value, "ratio") <= high


def assessment(value: float) -> str:
    return "within the non-adverse range" if inside_range(value) else "outside the non-adverse range"


def about_as_likely(value: float) -> bool:
    low, high = ABOUT_AS_LIKELY
    return low <= printed(value, "ratio") <= high


def likelihood_words(value: float) -> str:
    """The first-named group against the second: 'more likely than', 'less likely than', 'about as likely as'."""
    if about_as_likely(value):
        return "about as likely as"
    return "more likely than" if printed(value, "ratio") > 1 else "less likely than"


def fared_words(indicator: int, bme: float, white: float) -> str:
    """How the BME group fared against the White group on a survey indicator, on the printed figures."""
    diff = printed_change(bme, white)
    if diff == 0:
        return "the same as"
    worse = diff < 0 if indicator in HIGHER_IS_BETTER else diff > 0
    return "worse than" if worse else "better than"


def worse_by(indicator: int, bme: float, white: float) -> float:
    """Percentage points by which the BME group fared worse than the White group (negative: better)."""
    diff = printed_change(bme, white)
    return -diff if indicator in HIGHER_IS_BETTER else diff


def side_words(difference: float) -> str:
    """A difference from the workforce in percentage points: below / above / level with."""
    shown = printed(difference)
    return "level with" if shown == 0 else ("below" if shown < 0 else "above")


def join_numbers(numbers: list[int], noun: str = "indicator") -> str:
    """[2, 6, 7] -> 'indicators 2, 6 and 7'; [] -> 'none'."""
    if not numbers:
        return "none"
    if len(numbers) == 1:
        return f"{noun} {numbers[0]}"
    return f"{noun}s " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


# -- could it be chance? (uncertainty.py computes the interval and the test; these words read them as printed) --
def printed_p(p: float) -> float:
    """A p-value as the page prints it: three decimal places ('less than 0.001' below that)."""
    return round(p, 3)


def p_words(p: float) -> str:
    """'p = 0.480', 'p < 0.001'."""
    return "p < 0.001" if printed_p(p) < 0.001 else f"p = {printed_p(p):.3f}"


def could_be_chance(p: float, ci_low: float | None = None, ci_high: float | None = None) -> bool:
    """True unless Fisher's exact test is significant (printed p below 0.05) and a relative likelihood's
    printed 95% interval, when there is one, leaves out 1.00: the words never contradict the printed interval."""
    from .uncertainty import SIGNIFICANCE

    if printed_p(p) >= SIGNIFICANCE:
        return True
    if ci_low is None or ci_high is None or math.isnan(ci_low) or math.isnan(ci_high):
        return False
    return printed(ci_low, "ratio") <= 1.0 <= printed(ci_high, "ratio")


def significance_words(chance: bool) -> str:
    return "could be chance" if chance else "is significant"
