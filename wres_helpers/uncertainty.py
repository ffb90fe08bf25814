"""How sure can a reader be of a figure? 95% intervals and Fisher's exact test, computed on the true counts.

- Shares, rates and staff survey percentages: the Wilson score interval of a proportion (SciPy's binomtest).
- Relative likelihoods: the Katz log method, ln(RL) ± z·√(1/a − 1/n₁ + 1/c − 1/n₂), where a of n₁ is the
  first-named group's count and c of n₂ the second's. It has no answer when a or c is 0 (the log of 0).
- Relative likelihoods and staff survey gaps: a two-sided Fisher's exact test of the 2×2 table (SciPy), the
  test behind "significantly" in this report. Significant means p below 0.05, as NHS England uses the word.

Staff survey results are published as a percentage of respondents, so the count behind one is rebuilt as
percent × respondents, rounded to a whole number. Indicator 3's two-year figures pool both years' cases and
headcounts, so a person in post in both years counts twice: its intervals are a little too narrow.
What of this is published follows the figure's own disclosure (disclosure.py).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from functools import lru_cache

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05  # p below this is "significant"
TEST_NAME = "Fisher's exact test"


# The normal quantile from scipy.special (which disclosure's scipy.optimize loads anyway), not scipy.stats: that
# import cost half a second in every build. norm.ppf is ndtri (tests/test_uncertainty.py).
@lru_cache(maxsize=8)
def z_value(confidence: float = CONFIDENCE) -> float:
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence / 2))


@lru_cache(maxsize=1)
def _z95() -> float:
    return z_value(CONFIDENCE)


@lru_cache(maxsize=65536)
def wilson(events: int, people: int) -> tuple[float, float]:
    """The 95% Wilson score interval of events / people, as percentages (people > 0).

    SciPy's binomtest(...).proportion_ci(method="wilson") written out (Newcombe 1998, the same operations in
    the same order, so the same floating-point result): building a binomtest object for each of the few
    thousand rates of a national extract took most of the time of its indicator tables."""
    k, n = int(events), int(people)
    z = _z95()
    p = k / n
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    low = 0.0 if k == 0 else center - delta
    high = 1.0 if k == n else center + delta
    return 100.0 * low, 100.0 * high


def survey_count(percent: float, respondents: int) -> int:
    """The number of respondents behind a published survey percentage."""
    return int(round(percent * respondents / 100.0))


def katz(a: int, n1: int, c: int, n2: int) -> tuple[float, float] | None:
    """The 95% interval of (a/n1) / (c/n2) by the Katz log method; None when a or c is 0 (no log of 0)."""
    if a <= 0 or c <= 0 or n1 <= 0 or n2 <= 0:
        return None
    log_rl = math.log((a / n1) / (c / n2))
    half = z_value() * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return math.exp(log_rl - half), math.exp(log_rl + half)


# SciPy's fisher_exact, two-sided, written out (tests/test_uncertainty.py checks it against SciPy): importing
# scipy.stats for it cost half a second in every build.
_TIE = 1 + 1e-7  # a table this close to the observed one's probability counts as no more likely (rounding)
_SAME = 1e-14  # the observed table as likely as the likeliest: p is 1


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


@lru_cache(maxsize=65536)
def fisher_p(a: int, n1: int, c: int, n2: int) -> float:
    """Two-sided Fisher's exact test of a of n1 against c of n2: the probability, with both groups' sizes and
    the number of events fixed, of every split of the events no more likely than the one observed.

    The number of events in the first group is hypergeometric and its probabilities rise to one peak (the
    mode) and fall: the splits no more likely than the observed one are the observed one's own tail and the
    far side's tail beyond the first split as unlikely, found by bisection. Each tail is summed outward with
    the ratio of successive probabilities until its terms no longer change the sum."""
    a, n1, c, n2 = int(a), int(n1), int(c), int(n2)
    events, total = a + c, n1 + n2
    low, high = max(0, events - n2), min(n1, events)
    if low == high:
        return 1.0
    log_all = _log_comb(total, events)

    def log_pmf(x: int) -> float:
        return _log_comb(n1, x) + _log_comb(n2, events - x) - log_all

    def tail(start: int, step: int) -> float:
        x, term = start, math.exp(log_pmf(start))
        found = 0.0
        while low <= x <= high and term > found * 1e-17:
            found += term
            if step > 0:  # P(x+1) / P(x)
                term *= (n1 - x) * (events - x) / ((x + 1) * (n2 - events + x + 1))
            else:  # P(x-1) / P(x)
                term *= x * (n2 - events + x) / ((n1 - x + 1) * (events - x + 1))
            x += step
        return found

    mode = (events + 1) * (n1 + 1) // (total + 2)
    observed = log_pmf(a)
    if abs(math.expm1(observed - log_pmf(mode))) <= _SAME:
        return 1.0
    limit = observed + math.log(_TIE)  # in logs: a table far less likely than the likeliest underflows
    if a < mode:  # the first split from the mode up that is as unlikely as the observed one
        far = mode + bisect_left(range(mode, high + 1), True, key=lambda x: log_pmf(x) <= limit)
        p = tail(a, -1) + (tail(far, +1) if far <= high else 0.0)
    else:  # the first split from the bottom that is likelier than the observed one
        near = low + bisect_left(range(low, mode + 1), True, key=lambda x: log_pmf(x) > limit)
        p = tail(a, +1) + (tail(near - 1, -1) if near > low else 0.0)
    return min(p, 1.0)


def katz_reason(first: str, second: str, a: int, event: str) -> str:
    """Why a relative likelihood has no interval (a is the first-named group's count)."""
    group = first if a == 0 else second
    return (
        f"no 95% interval: no {group} staff {event}, and the interval's formula (Katz's log method) "
        "needs at least one in each group"
    )
