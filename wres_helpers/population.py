"""The local working-age population beside the workforce (org.yaml `local_population`), as the 2015 CCG
guidance's North Somerset example shows it:

    local_population:
      bme_pct: 18.4
      source: "Census 2021, Leeds, ages 16-64"

The share is the organisation's to supply with its source (the Census gives it by local authority and age); the
page prints both as given, beside the workforce's published BME share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputError, Problem

_SOURCE = re.compile(r"[A-Za-z0-9 ,.\-()/:;'&%]{3,200}")  # plain words: nothing Markdown or HTML reads


@dataclass(frozen=True)
class LocalPopulation:
    bme_pct: float
    source: str


def local_population(org) -> LocalPopulation | None:
    spec = org.extra.get("local_population")
    if spec is None:
        return None
    shown = f"params/{org.slug}/org.yaml"
    expected = 'local_population: {bme_pct: 18.4, source: "Census 2021, Leeds, ages 16-64"}'
    problems = []
    if not isinstance(spec, dict) or set(spec) != {"bme_pct", "source"}:
        problems.append(Problem(shown, None, "local_population", str(spec), f"expected {expected}"))
    else:
        pct, source = spec["bme_pct"], spec["source"]
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 100:
            problems.append(
                Problem(shown, None, "local_population.bme_pct", str(pct), "expected a percentage from 0 to 100")
            )
        if not isinstance(source, str) or not _SOURCE.fullmatch(source.strip()):
            problems.append(
                Problem(
                    shown,
                    None,
                    "local_population.source",
                    str(source),
                    "expected where the figure comes from in plain words, 3 to 200 letters, digits, spaces "
                    "and , . - ( ) / : ; ' & % (e.g. Census 2021, Leeds, ages 16-64)",
                )
            )
    if problems:
        raise InputError(problems, f"the settings of {org.slug}")
    return LocalPopulation(float(spec["bme_pct"]), spec["source"].strip())


def population_sentence(r) -> str:
    """The local share beside the workforce's published share, or '' when none is supplied."""
    from .present import fof, fv, ok, points

    local = local_population(r.org)
    if local is None:
        return ""
    workforce = r.row(1, "share_pct", "all", "bme")
    text = f"The local working-age population is {local.bme_pct:.1f}% {r.term} (source: {local.source}). "
    if not ok(workforce):
        return text + "The workforce's share is not published this year, so the two cannot be set side by side."
    # The difference of the two printed figures, so that the words match what a reader can check.
    gap = round(float(workforce["value"]), 1) - round(local.bme_pct, 1)
    if abs(gap) < 0.05:
        where = "the same as the local population's"
    else:
        where = f"{points(gap)} {'above' if gap > 0 else 'below'} the local population's"
    return text + f"The workforce's share, {fv(workforce)} ({fof(workforce)}), is {where}."


def population_section(r, level: int = 3) -> str:
    """The sentence under its own heading, or '' when the organisation supplies no local population."""
    text = population_sentence(r)
    return f"{'#' * level} Beside the local population\n\n{text}\n" if text else ""
