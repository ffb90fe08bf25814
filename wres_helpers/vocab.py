"""Ethnic categories and pay bands: lookup tables in data/*.csv, not if-chains, so they can be read and tested."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

GROUPS = ("white", "bme", "unknown")

ETHNICITY_EXPECTED = (
    "an NHS ethnic category code (A-H, J-N, P, R, S; Z or 99 for not stated/not known), an ESR value "
    "such as 'C3 White - Any other White background', an old numeric code 0-9, or blank for unknown"
)


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("wres_helpers").joinpath("data", name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _words(value: str) -> str:
    """Lower-case words separated by single spaces: 'White - British' -> 'white british'."""
    return " ".join(re.findall(r"[a-z0-9]+", value.lower().replace("&", " and ")))


@dataclass(frozen=True)
class EthnicCategory:
    code: str
    group: str
    label: str
    scheme: str
    category: str = ""  # the 2001 census category it is counted under by ethnic category (ethnic_category)


@cache
def ethnic_categories() -> dict[str, EthnicCategory]:
    return {
        r["code"]: EthnicCategory(r["code"], r["group"], r["label"], r["scheme"], r["category"])
        for r in _read_csv("ethnic_categories.csv")
    }


@cache
def _ethnicity_text() -> dict[str, str]:
    table = {_words(r["text"]): r["group"] for r in _read_csv("ethnicity_text.csv")}
    for cat in ethnic_categories().values():
        table.setdefault(_words(cat.label), cat.group)
    return table


_CODE_TOKEN = re.compile(r"^([A-Za-z][A-Za-z0-9]?|[0-9]{1,2})(?:$|[\s\-:]+)")


def ethnic_group(value: str | None) -> str | None:
    """'white', 'bme' or 'unknown' for a recorded ethnicity; None if the value is not recognised.

    Accepts a national code ('A'), an ESR code with local sub-code and text ('C3 White - Any other White
    background', 'LK Asian - Sri Lankan'), an old numeric code ('4'), a category's words without a code
    ('White - British', 'Arab'), and blank for unknown. The national code is the first character.
    """
    text = "" if value is None else str(value).strip()
    if text == "":
        return "unknown"
    cats = ethnic_categories()
    words = _words(text)
    if words in _ethnicity_text():
        return _ethnicity_text()[words]
    match = _CODE_TOKEN.match(text)
    if match:
        token = match.group(1).upper()
        if token.isdigit():
            # '99' is a code of its own; other numbers are the old single-digit codes ('04' is not one).
            return cats[token].group if token in cats else None
        national = token[0]
        if national in cats:
            return cats[national].group
    return None


@cache
def _category_text() -> dict[str, str]:
    table = {_words(r["text"]): r["category"] for r in _read_csv("ethnicity_text.csv")}
    for cat in ethnic_categories().values():
        table.setdefault(_words(cat.label), cat.category)
    return table


# The categories indicator 1 is broken down by (breakdown 'ethnic category'): the 16 categories of the 2001
# census, not stated (Z), and two that appear only when a record needs them: 'White' with no category (the
# old numeric code 0, or the word alone) and not known (99, X, the old code 9, blank).
CATEGORY_ORDER = ("A", "B", "C", "0", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99")
ALWAYS_SHOWN_CATEGORIES = tuple(c for c in CATEGORY_ORDER if c not in ("0", "99"))
_CATEGORY_LABELS = {"0": "White - category not recorded", "99": "Not known or blank"}


def category_label(code: str) -> str:
    return _CATEGORY_LABELS.get(code) or ethnic_categories()[code].label


def category_group(code: str) -> str:
    return ethnic_categories()[code].group


def ethnic_category_code(value: str | None) -> str | None:
    """The census category (one of CATEGORY_ORDER) a recorded ethnicity is counted under; None if the value
    is not recognised. Read as `ethnic_group` reads it: 'C3 White - Any other White background' is C,
    'LK Asian - Sri Lankan' is L, the old code 4 is H (Indian), 'Arab' is S, blank is 99 (not known)."""
    text = "" if value is None else str(value).strip()
    if text == "":
        return "99"
    cats = ethnic_categories()
    words = _words(text)
    if words in _category_text():
        return _category_text()[words]
    match = _CODE_TOKEN.match(text)
    if match:
        token = match.group(1).upper()
        if token.isdigit():
            return cats[token].category if token in cats else None
        if token[0] in cats:
            return cats[token[0]].category
    return None


@dataclass(frozen=True)
class PayBand:
    band: str
    family: str  # afc, vsm or medical
    rank: int  # order for tables and charts


def _band_key(value: str) -> str:
    """'Band 8 - Range A', 'AfC Band 8a' and '8A' all give '8a'."""
    drop = {"band", "afc", "range", "agenda", "for", "change", "pay"}
    key = "".join(t for t in re.findall(r"[a-z0-9&]+", value.lower()) if t not in drop)
    # 'Band 8a (Range A)' names the range twice: 8aa -> 8a
    return re.sub(r"^8([a-d])\1$", r"8\1", key)


@cache
def pay_bands() -> dict[str, PayBand]:
    return {r["band"]: PayBand(r["band"], r["family"], i) for i, r in enumerate(_read_csv("pay_bands.csv"))}


@cache
def _band_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for row in _read_csv("pay_bands.csv"):
        for alias in [row["band"], *row["aliases"].split("|")]:
            table[_band_key(alias)] = row["band"]
    return table


def pay_band(value: str | None) -> str | None:
    """The canonical band ('Band 8a', 'VSM', 'Consultant', ...) or None if not recognised."""
    if value is None or str(value).strip() == "":
        return None
    return _band_aliases().get(_band_key(str(value)))


PAY_BAND_EXPECTED = (
    "an Agenda for Change band (Under Band 1, Band 1 to Band 9 with 8a-8d, e.g. 'Band 5', 'AfC Band 5', "
    "'Band 8 - Range A', '8A'), VSM, or a medical and dental grade (Consultant, Non-consultant career grade, "
    "Trainee grade, Other medical and dental)"
)


@cache
def band_groupings() -> list[tuple[str, tuple[str, ...]]]:
    """Named groups of bands reported beside the single bands (clusters, 'Band 8a and above', ...)."""
    return [(r["breakdown"], tuple(r["bands"].split("|"))) for r in _read_csv("afc_groupings.csv")]


def parse_group(value: str, term_for_bme: str = "BME") -> str | None:
    """A staff-survey group label: white, bme (or the organisation's own term, BAME, ...)."""
    words = _words(value)
    if words == "white":
        return "white"
    if words in {
        "bme",
        "bame",
        "ethnically diverse",
        "black and minority ethnic",
        "black asian and minority ethnic",
        "ethnic minority",
        _words(term_for_bme),
    }:
        return "bme"
    return None
