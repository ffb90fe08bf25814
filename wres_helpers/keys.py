"""Names of figures, shared by the narrative values and the generated sentences.

A figure's key is i<indicator>_<measure>_<breakdown>_<group> (e.g. i1_share_pct_all_bme), then an optional
year part (_2020, or _prev for last year; staff survey years go by role: _survey_, _prev_survey_), then an
optional part: _n (count), _of (out of), _abs (size of a difference), _change and _change_words, and the
judgement words _direction, _trend, _likelihood_words, _assessment, _side and _fared, and the
uncertainty parts _ci, _p_value, _significance and _significantly (see values.py).
"""

from __future__ import annotations

import re

# Headline figures under names an analyst can remember.
ALIASES = {
    "workforce_bme_pct": "i1_share_pct_all_bme",
    "workforce_white_pct": "i1_share_pct_all_white",
    "workforce_unknown_pct": "i1_share_pct_all_unknown",
    "headcount": "i1_headcount_all_total",
    "declared_pct": "i1_declared_pct_all_all",
    "vsm_bme_pct": "i1_share_pct_vsm_bme",
    "rl_appointment": "i2_relative_likelihood_all_white_vs_bme",
    "rl_disciplinary": "i3_relative_likelihood_all_bme_vs_white",
    "rl_training": "i4_relative_likelihood_all_white_vs_bme",
    "board_voting_bme_pct": "i9_share_pct_voting_bme",
    "board_voting_gap_pp": "i9_difference_pp_voting_bme",
    "board_executive_bme_pct": "i9_share_pct_executive_bme",
    "board_executive_gap_pp": "i9_difference_pp_executive_bme",
    "board_all_bme_pct": "i9_share_pct_all_members_bme",
    "board_all_gap_pp": "i9_difference_pp_all_members_bme",
}
SUFFIXES = (
    "",
    "_prev",
    "_n",
    "_of",
    "_abs",
    "_change",
    "_change_words",
    "_prev_n",
    "_prev_of",
    "_direction",
    "_trend",
    "_likelihood_words",
    "_assessment",
    "_side",
    "_fared",
    "_ci",
    "_p_value",
    "_significance",
    "_significantly",
)
SURVEY_INDICATORS = (5, 6, 7, 8)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def row_key(row, survey_year: int | None = None) -> str:
    """The key of a table row; survey rows of the report's survey year and the one before go by role."""
    breakdown = slug(row["breakdown"])
    if survey_year is not None and int(row["indicator"]) in SURVEY_INDICATORS:
        breakdown = {str(survey_year): "survey", str(survey_year - 1): "prev_survey"}.get(
            str(row["breakdown"]), breakdown
        )
    return f"i{int(row['indicator'])}_{row['measure']}_{breakdown}_{slug(row['group'])}"


def friendly(key: str) -> str:
    """The alias of a key when it has one (i2_relative_likelihood_all_white_vs_bme_prev -> rl_appointment_prev)."""
    for alias, full in ALIASES.items():
        if key.startswith(full) and key[len(full) :] in SUFFIXES:
            return alias + key[len(full) :]
    return key
