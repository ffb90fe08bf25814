"""The concern rule: which indicators show a gap the organisation should act on, and why.

One rule, used by the key findings, the summary, the next steps and the action plan page. An indicator is a
concern when, on the figures as printed:

- 2, 3, 4: the relative likelihood is outside the non-adverse range 0.80 to 1.25, or further from 1.00
  than last year;
- 5 to 8: the BME group fares worse than the White group by more than SURVEY_MARGIN_PP percentage points,
  or the BME figure worsened since the year before, or the gap between the groups widened;
- 9: the BME share of the board's voting members is below the workforce's, the board has executive members
  and none of them is BME, or the gap from the workforce widened since last year;
- 1: the BME share at band 8a and above fell since last year.

An indicator whose figures are withheld, not collected, not computable or missing is "not assessed", never
"no concern".
"""

from __future__ import annotations

from dataclasses import dataclass

from . import judgements as j
from . import present
from .indicators import NON_ADVERSE_RANGE
from .report_data import ReportData

# A gap in the staff survey smaller than this (in percentage points, BME worse than White) is within the
# noise of a survey of a few dozen or hundred respondents; above it the indicator is a concern.
SURVEY_MARGIN_PP = 3.0
INDICATORS = tuple(range(1, 10))


@dataclass(frozen=True)
class Assessment:
    indicator: int
    assessed: bool
    reasons: tuple[str, ...] = ()  # why it is a concern; empty when it is not
    note: str = ""  # why it was not assessed

    @property
    def concern(self) -> bool:
        return bool(self.reasons)


def _not_assessed(indicator: int, row) -> Assessment:
    return Assessment(indicator, False, note=present.state_line(row))


def _workforce(r: ReportData) -> Assessment:
    share = r.row(1, "share_pct", "all", "bme")
    if not present.ok(share):
        return _not_assessed(1, share)
    reasons = []
    py = r.previous_year()
    now = r.row(1, "share_pct", "Band 8a and above", "bme")
    before = r.row(1, "share_pct", "Band 8a and above", "bme", py) if py else None
    if present.ok(now) and present.ok(before) and j.printed_change(now["value"], before["value"]) < 0:
        reasons.append(f"the {r.term} share at band 8a and above fell from {present.fv(before)} to {present.fv(now)}")
    return Assessment(1, True, tuple(reasons))


def _likelihood(r: ReportData, indicator: int) -> Assessment:
    key = present.RL_WORDS[indicator][0]
    now = r.row(indicator, "relative_likelihood", "all", key)
    if not present.ok(now):
        return _not_assessed(indicator, now)
    low, high = NON_ADVERSE_RANGE
    reasons = []
    if not j.inside_range(now["value"]):
        reasons.append(f"relative likelihood {present.fv(now)} is outside {low:.2f}–{high:.2f}")
    py = r.previous_year()
    before = r.row(indicator, "relative_likelihood", "all", key, py) if py else None
    if present.ok(before) and j.rl_trend(now["value"], before["value"]) == "worsened":
        reasons.append(f"relative likelihood moved further from 1.00 ({present.fv(before)} to {present.fv(now)})")
    return Assessment(indicator, True, tuple(reasons))


def _survey(r: ReportData, indicator: int) -> Assessment:
    sy = r.settings.survey_year
    bme, white = r.row(indicator, "pct", str(sy), "bme"), r.row(indicator, "pct", str(sy), "white")
    if not (present.ok(bme) and present.ok(white)):
        return _not_assessed(indicator, bme if not present.ok(bme) else white)
    reasons = []
    gap = j.worse_by(indicator, bme["value"], white["value"])
    if gap > SURVEY_MARGIN_PP:
        reasons.append(
            f"{r.term} staff fared worse than White staff ({present.fv(bme)} against "
            f"{present.fv(white)}), by more than {SURVEY_MARGIN_PP:.1f} percentage points"
        )
    bme_before = r.row(indicator, "pct", str(sy - 1), "bme")
    white_before = r.row(indicator, "pct", str(sy - 1), "white")
    if present.ok(bme_before) and j.survey_trend(indicator, bme["value"], bme_before["value"]) == "worsened":
        reasons.append(f"the {r.term} figure worsened since {sy - 1} ({present.fv(bme_before)} to {present.fv(bme)})")
    if present.ok(bme_before) and present.ok(white_before):
        gap_before = j.worse_by(indicator, bme_before["value"], white_before["value"])
        if gap > 0 and gap_before > 0 and gap > gap_before:
            reasons.append(
                f"the gap between {r.term} and White staff widened since {sy - 1} "
                f"({gap_before:.1f} to {gap:.1f} percentage points)"
            )
        elif gap > 0 and gap_before <= 0:
            reasons.append(f"{r.term} staff fared worse than White staff, where in {sy - 1} they did not")
    return Assessment(indicator, True, tuple(reasons))


def _board(r: ReportData) -> Assessment:
    subset = "voting" if present.ok(r.row(9, "share_pct", "voting", "bme")) else "all_members"
    words = {"voting": "voting members", "all_members": "members"}[subset]
    share = r.row(9, "share_pct", subset, "bme")
    gap = present.printed_gap(r, 9, subset)
    if gap is None:
        return _not_assessed(9, share if not present.ok(share) else r.row(1, "share_pct", "all", "bme"))
    reasons = []
    if gap < 0:
        reasons.append(
            f"the {r.org.board_name}'s {words} are {present.fv(share)} {r.term}, "
            f"{abs(gap):.1f} percentage points below the workforce"
        )
    executive = r.row(9, "share_pct", "executive", "bme")
    if present.ok(executive) and executive["numerator"] == 0 and executive["denominator"] > 0:
        reasons.append(f"no executive member is {r.term}")
    py = r.previous_year()
    before = present.printed_gap(r, 9, subset, py) if py else None
    if before is not None and gap < 0 and gap < before:
        reasons.append(f"the gap from the workforce widened since {py} ({before:+.1f} to {gap:+.1f} percentage points)")
    return Assessment(9, True, tuple(reasons))


def assess(r: ReportData) -> list[Assessment]:
    """Every indicator, 1 to 9, assessed by the rule in this module's docstring."""
    return (
        [_workforce(r)] + [_likelihood(r, i) for i in (2, 3, 4)] + [_survey(r, i) for i in (5, 6, 7, 8)] + [_board(r)]
    )


def concerns(r: ReportData) -> list[tuple[int, str]]:
    """(indicator, reason) for every reason an indicator is a concern, in indicator order."""
    return [(a.indicator, reason) for a in assess(r) for reason in a.reasons]


def of_concern(r: ReportData) -> list[int]:
    return [a.indicator for a in assess(r) if a.concern]


def not_assessed(r: ReportData) -> list[int]:
    return [a.indicator for a in assess(r) if not a.assessed]


def verdict(a: Assessment) -> str:
    """One short phrase for a key finding: a concern (and why), not a concern, or not assessed (and why)."""
    if not a.assessed:
        label, _, why = a.note.partition(". ")  # "Not computable. Nobody entered ..." (state_line)
        return f"Not assessed ({label}): {why}" if why else f"Not assessed: {a.note}"
    if a.concern:
        return "A concern: " + "; ".join(a.reasons) + "."
    return "Not a concern by this report's rule."
