"""Where an organisation's settings and inputs live: <workspace>/params/<org>/org.yaml and <org>/<year>/."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import safe_yaml
from .errors import InputError, Problem, ProblemList, WresError

# A status an organisation may declare for an indicator, with the reason printed in the report.
DECLARED_STATUSES = ("withheld", "not_collected", "not_required")
ORG_TYPES = ("trust", "CCG", "ICB", "CSU", "national body", "other")
# The pay band groups reported beside the single bands unless org.yaml names others (band_groups): the
# Model Employer's senior staff. Each extra group is another sum that small numbers must be protected in.
DEFAULT_BAND_GROUPS = ("Band 8a and above",)
INPUT_NAMES = ("staff", "recruitment", "disciplinary", "training", "board", "staff_survey")
MAX_SETTINGS_BYTES = 256 * 1024  # org.yaml or settings.yaml: a few hundred bytes in practice

_ORG_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_YEAR = re.compile(r"^(19|20)[0-9]{2}$")


def default_workspace() -> Path:
    """$WRES_WORKSPACE, else the repository that holds this package (it ships the sample organisations)."""
    env = os.environ.get("WRES_WORKSPACE") or os.environ.get("WORKSPACE")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class OrgSettings:
    slug: str
    name: str
    type: str
    term_for_bme: str
    board_name: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def band_groups(self) -> tuple[str, ...]:
        return tuple(self.extra.get("band_groups", DEFAULT_BAND_GROUPS))

    @property
    def comparators(self) -> tuple[str, ...]:
        return tuple(self.extra.get("comparators", ()))

    @property
    def members(self) -> tuple[str, ...]:
        """An aggregate's member organisations (aggregate.py); empty for one reporting on its own records."""
        return tuple(self.extra.get("members") or ())


@dataclass(frozen=True)
class IndicatorDeclaration:
    status: str
    reason: str


@dataclass(frozen=True)
class YearSettings:
    year: int
    survey_year: int
    declared: dict[int, IndicatorDeclaration]
    report_date: date | None = None  # for judging overdue actions; default 30 September of the year

    @property
    def snapshot(self) -> date:
        return date(self.year, 3, 31)

    @property
    def period_start(self) -> date:
        return date(self.year - 1, 4, 1)

    @property
    def period_end(self) -> date:
        return date(self.year, 3, 31)


class Workspace:
    def __init__(self, root: str | Path | None = None):
        self.root = Path(root).expanduser().resolve() if root else default_workspace()
        if not (self.root / "params").is_dir():
            raise WresError(f"{self.root} is not a WRES workspace: it has no params/ folder.")

    # -- locating -------------------------------------------------------------------------------
    def orgs(self) -> list[str]:
        return sorted(p.name for p in (self.root / "params").iterdir() if p.is_dir() and (p / "org.yaml").is_file())

    def org_dir(self, org: str) -> Path:
        if not _ORG_NAME.fullmatch(str(org)):
            raise WresError(
                f"{org!r} is not an organisation name: use lower-case letters, digits, '-' or '_' "
                f"(the folder name under {self.root / 'params'})."
            )
        path = self.root / "params" / org
        if not (path / "org.yaml").is_file():
            known = ", ".join(self.orgs()) or "none"
            raise WresError(
                f"There is no organisation {org!r} in {self.root / 'params'} "
                f"(no {org}/org.yaml). Organisations here: {known}."
            )
        return path

    def years(self, org: str) -> list[int]:
        return sorted(int(p.name) for p in self.org_dir(org).iterdir() if p.is_dir() and _YEAR.fullmatch(p.name))

    def year_dir(self, org: str, year: int | str, must_exist: bool = True) -> Path:
        if not _YEAR.fullmatch(str(year)):
            raise WresError(f"{year!r} is not a report year: expected four digits such as 2021.")
        path = self.org_dir(org) / str(year)
        if must_exist and not path.is_dir():
            known = ", ".join(str(y) for y in self.years(org)) or "none"
            raise WresError(f"There is no {year} report year for {org!r} (no folder {path}). Years here: {known}.")
        return path

    def input_file(self, org: str, year: int, name: str) -> Path | None:
        """The CSV or XLSX input called `name` for that year, or None if it is absent."""
        folder = self.year_dir(org, year, must_exist=False)
        found = [p for p in (self.checked_file(folder / f"{name}{ext}") for ext in (".csv", ".xlsx")) if p]
        if len(found) > 1:
            raise WresError(f"Both {found[0].name} and {found[1].name} are in {self.display(folder)}: keep only one.")
        return found[0] if found else None

    def checked_file(self, path: Path) -> Path | None:
        """`path` when it is a regular file inside the workspace, None when nothing is there.

        Anything else at that name is an error rather than "no data": a folder, a link that leads nowhere (a
        network share that is not mounted), a pipe, or a link out of the workspace (whose contents an error
        message could otherwise quote).
        """
        if not os.path.lexists(path):
            return None
        shown = self.display(path)
        real = path.resolve()
        why = None
        if not real.is_relative_to(self.root):
            why = (
                f"is a link to {real}, outside the workspace ({self.root}): copy the file into "
                f"{self.display(path.parent)}, or set the workspace to the folder that holds it"
            )
        elif not real.exists():
            why = f"is a link to {real}, which does not exist (is a network drive not connected?)"
        elif real.is_dir():
            why = "is a folder, not a file"
        elif not real.is_file():
            why = "is not a regular file (a pipe or a device?)"
        if why:
            raise InputError([Problem(shown, None, None, None, why)], shown)
        return path

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    # -- settings -------------------------------------------------------------------------------
    def _load_yaml(self, path: Path) -> dict:
        data, _ = safe_yaml.load(path, self.display(path), "settings", MAX_SETTINGS_BYTES)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise WresError(f"{self.display(path)} must hold 'key: value' settings, not a {type(data).__name__}.")
        return data

    def org_settings(self, org: str) -> OrgSettings:
        path = self.org_dir(org) / "org.yaml"
        data = self._load_yaml(self.checked_file(path) or path)
        problems = ProblemList()
        shown = self.display(path)
        for key in ("name", "type", "term_for_bme", "board_name"):
            if not str(data.get(key) or "").strip():
                problems.add(shown, None, key, None, f"the setting '{key}' is required")
            elif any(ch in str(data[key]) for ch in "<>{}"):
                problems.add(shown, None, key, data[key], "names are shown on every page: no <, >, { or }")
        if data.get("type") and str(data["type"]) not in ORG_TYPES:
            problems.add(shown, None, "type", data["type"], f"expected one of {', '.join(ORG_TYPES)}")
        from .vocab import band_groupings

        groups = data.get("band_groups", list(DEFAULT_BAND_GROUPS))
        names = [name for name, _ in band_groupings()]
        if not isinstance(groups, list) or any(g not in names for g in groups):
            problems.add(
                shown, None, "band_groups", groups, f"expected a list of pay band groups from: {', '.join(names)}"
            )
        self._check_comparators(org, data.get("comparators", []), shown, problems)
        if "members" in data:
            self._check_members(org, data["members"], shown, problems)
        problems.raise_if_any(f"the settings of {org}")
        known = {"name", "type", "term_for_bme", "board_name"}
        return OrgSettings(
            org,
            str(data["name"]).strip(),
            str(data["type"]),
            str(data["term_for_bme"]).strip(),
            str(data["board_name"]).strip(),
            {k: v for k, v in data.items() if k not in known},
        )

    def _check_comparators(self, org: str, names: Any, shown: str, problems: ProblemList) -> None:
        """comparators: other organisations of this workspace whose published figures the pages show beside ours."""
        self._check_org_list(org, "comparators", names, shown, problems, "other organisations in this workspace")

    def _check_members(self, org: str, names: Any, shown: str, problems: ProblemList) -> None:
        """members: two or more other organisations of this workspace, none an aggregate itself, none twice."""

        def aggregate(name: str) -> str | None:
            members = self._load_yaml(self.org_dir(name) / "org.yaml").get("members")
            return "is an aggregate itself: name its members instead" if members else None

        words = "two or more other organisations of this workspace"
        self._check_org_list(org, "members", names, shown, problems, words, least=2, also=aggregate)

    def _check_org_list(
        self, org: str, key: str, names: Any, shown: str, problems: ProblemList, words: str, least: int = 0, also=None
    ) -> None:
        """A setting that names other organisations of this workspace: a list of at least `least`, none of them
        this organisation, unknown or named twice, and none that `also` (name -> why, or None) refuses."""
        others = [o for o in self.orgs() if o != org]
        expected = f"expected a list of {words}: {', '.join(others) or 'none'}"
        if not isinstance(names, list) or len(names) < least or not all(isinstance(n, str) for n in names):
            problems.add(shown, None, key, names, expected)
            return
        for index, name in enumerate(names):
            why = (
                "is this organisation itself"
                if name == org
                else f"is not an organisation of this workspace (no params/{name}/org.yaml)"
                if name not in others
                else "is named twice"
                if name in names[:index]
                else also(name)
                if also
                else None
            )
            if why:
                problems.add(shown, None, key, name, f"{name!r} {why}; {expected}")

    def year_settings(self, org: str, year: int) -> YearSettings:
        folder = self.year_dir(org, year)
        path = folder / "settings.yaml"
        data = self._load_yaml(path) if self.checked_file(path) else {}
        return parse_year_settings(data, int(year), self.display(path), org)


def parse_year_settings(data: dict, year: int, shown: str, org: str) -> YearSettings:
    """A year's settings.yaml (already loaded) checked into YearSettings; `shown` names the file in errors."""
    problems = ProblemList()
    survey_year = data.get("staff_survey_year", int(year) - 1)
    if not (isinstance(survey_year, int) and 1990 < survey_year <= int(year)):
        problems.add(shown, None, "staff_survey_year", survey_year, f"expected a year no later than {year}")
    declared: dict[int, IndicatorDeclaration] = {}
    indicators = data.get("indicators") or {}
    if not isinstance(indicators, dict):
        problems.add(
            shown, None, "indicators", indicators, "expected a mapping such as '3: {status: withheld, reason: ...}'"
        )
        indicators = {}
    for key, entry in indicators.items():
        where = f"indicators.{key}"
        if not (isinstance(key, int) and 1 <= key <= 9):
            problems.add(shown, None, where, key, "expected an indicator number from 1 to 9")
            continue
        entry = entry if isinstance(entry, dict) else {}
        status, reason = str(entry.get("status", "")), str(entry.get("reason") or "").strip()
        if status not in DECLARED_STATUSES:
            problems.add(shown, None, f"{where}.status", status, f"expected one of {', '.join(DECLARED_STATUSES)}")
        if not reason:
            problems.add(shown, None, f"{where}.reason", None, "a reason to print in the report is required")
        declared[key] = IndicatorDeclaration(status, reason)
    report_date = data.get("report_date")
    if report_date is not None and not isinstance(report_date, date):
        problems.add(shown, None, "report_date", report_date, "expected a date written as 2021-09-30")
    problems.raise_if_any(f"the {year} settings of {org}")
    return YearSettings(int(year), survey_year, declared, report_date if isinstance(report_date, date) else None)
