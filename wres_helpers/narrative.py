"""The analyst's narrative: Markdown per section in params/<org>/<year>/narrative/, with `{{ key }}` placeholders.

Rendering is strict: an unknown key, or a key whose figure is withheld or not computable, stops the build
with the file, the line and the key (and near matches). A typed-in percentage or ratio gets a warning
naming the line, because that is how a narrative drifts from its table.

Rendering is also safe to publish: a placeholder is `{{ key }}` or `{{ key | filter }}` and nothing else (no
expressions, statements or attribute access, so nothing to evaluate), the result is limited in size and time,
MyST features that read files from the build machine ({include}, {raw}, {download}, links to local files,
front matter) are refused with their line, and raw HTML in the result is escaped (safe_text.escape_html).
"""

from __future__ import annotations

import difflib
import re
import time
from pathlib import Path

from . import present
from .errors import InputError, Problem, ProblemList
from .report_data import ReportData
from .safe_text import escape_html, markdown_hazards
from .values import Value, report_values

# Report sections that take narrative, in page order: (file stem, what it is for).
NARRATIVE_SECTIONS = {
    "summary": "Summary page: the story of this year's figures",
    "workforce": "Workforce profile (indicator 1)",
    "recruitment": "Recruitment, discipline and training (indicators 2 to 4)",
    "experience": "Staff experience (indicators 5 to 8)",
    "board": "Board representation (indicator 9)",
    "next_steps": "Next steps",
    "recommendation": "Recommendation to the board",
}

MAX_NARRATIVE_BYTES = 1024 * 1024  # 1 MB: one section's narrative (the longest sample file is under 4 kB)
_LOADS_TEMPLATE = re.compile(r"\{%-?\s*(include|import|from|extends)\b")

# Words that judge a figure: they must come from the data ({{ key_direction }}, {{ key_likelihood_words }}, ...),
# because a typed "improved" stays in the text when next year's figure worsens.
TYPED_JUDGEMENT = re.compile(
    r"\b(?:rose|risen|fell|fallen|increased|decreased|an increase|a decrease|improved|improvement|worsened|"
    r"deteriorated|declined|widened|narrowed|unchanged|steady|(?:more|less|equally|about as|as) likely|"
    r"(?:within|inside|outside) the (?:non-adverse )?range|significant(?:ly)?|could be chance)\b",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"\{\{\s*([^}|\s]+)\s*(\|[^}]*)?\}\}")
TYPED_NUMBER = re.compile(
    r"(?<![\w.])(?!95% (?:confidence )?interval)\d[\d,]*(?:\.\d+)?\s*"
    r"(?:%|per\s?cent\b|percentage points?\b|pp\b|times\b)"
    r"|(?<![\w.])\d+\.\d{2}\b"
)


def narrative_dir(r: ReportData) -> Path:
    return r.ws.year_dir(r.org.slug, r.year) / "narrative"


# -- rendering: {{ key }} and {{ key | filter }}, nothing else --------------------------------------------------
# The rule is checked on the text itself, and the placeholders are filled by the substitution below: no
# template engine ever runs the analyst's text, so there is no expression, loop or statement to hang the
# build, blow it up ({{ 'a' * 300000000 }}) or compute a figure that no one can check ({{ headcount * 3 }}).
FILTERS = {
    "capitalize": lambda s: s[:1].upper() + s[1:],  # first letter in capitals; 'BME' stays 'BME'
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "trim": str.strip,
}
MAX_RENDERED_CHARS = 2 * MAX_NARRATIVE_BYTES  # what one section's narrative may render to
MAX_RENDER_SECONDS = 5.0
_TIGHT = re.compile(r"\{\{\s*(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*(?P<filter>[A-Za-z_][A-Za-z0-9_]*)\s*)?\}\}")
_TEMPLATE_OPEN = re.compile(r"\{\{|\{%|\{#")
_PLACEHOLDER_RULE = (
    "a placeholder holds one key name, and at most one filter: {{ key }} or {{ key | capitalize }} "
    f"(filters: {', '.join(FILTERS)}); calculations, expressions and statements are not allowed, "
    "and `python -m wres_helpers values ORG YEAR` lists the keys"
)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_template(text: str, values: dict[str, Value], shown: str, problems: ProblemList) -> None:
    """Every '{{', '{%' and '{#' in the text must start a placeholder that follows the rule."""

    def bad(lineno, column, what, expected):
        problems.add(shown, lineno, column, what, expected, row_label="line", column_label="key")

    for lineno, line in enumerate(text.splitlines(), 1):
        for opening in _TEMPLATE_OPEN.finditer(line):
            start, kind = opening.start(), opening.group(0)
            if kind == "{%":
                loads = _LOADS_TEMPLATE.match(line, start)
                if loads:
                    bad(
                        lineno,
                        None,
                        loads.group(0),
                        f"a narrative cannot {loads.group(1)} other files: write the "
                        "text here, with {{ key }} placeholders for the figures",
                    )
                else:
                    end = line.find("%}", start)
                    bad(
                        lineno,
                        None,
                        _shorten(line[start : end + 2] if end >= 0 else line[start:]),
                        "statements ({% ... %}) are not allowed in a narrative: write the text itself, with "
                        "{{ key }} placeholders for the figures",
                    )
                continue
            if kind == "{#":
                bad(
                    lineno,
                    None,
                    _shorten(line[start:]),
                    "'{#' starts a template comment, which is not allowed: "
                    "write notes as an HTML comment, <!-- like this -->",
                )
                continue
            match = _TIGHT.match(line, start)
            if not match:
                end = line.find("}}", start)
                what = line[start : end + 2] if end >= 0 else line[start:]
                bad(
                    lineno,
                    None,
                    _shorten(what),
                    _PLACEHOLDER_RULE if end >= 0 else "this '{{' has no '}}' on the same line: " + _PLACEHOLDER_RULE,
                )
                continue
            key, name = match.group("key"), match.group("filter")
            if key not in values:
                near = difflib.get_close_matches(key, list(values), n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                bad(lineno, key, None, f"unknown key: `python -m wres_helpers values ORG YEAR` lists the keys{hint}")
            elif not values[key].usable:
                v = values[key]
                bad(
                    lineno,
                    key,
                    None,
                    f"this figure is {present.STATE_LABELS.get(v.status, v.status).lower()} "
                    f"({v.reason.rstrip('.')}), so it cannot be quoted: describe its state instead",
                )
            if name is not None and name not in FILTERS:
                bad(lineno, key, f"| {name}", f"not an allowed filter: expected one of {', '.join(FILTERS)}")


def render(text: str, values: dict[str, Value], shown: str) -> str:
    """Fill the placeholders, or raise InputError listing every bad placeholder with its line.

    Only `{{ key }}` and `{{ key | filter }}` (FILTERS) are allowed; the result is limited in size
    (MAX_RENDERED_CHARS) and in time (MAX_RENDER_SECONDS), and has raw HTML escaped (safe_text.escape_html),
    so it can go into the site as Markdown.
    """
    problems = ProblemList()
    _check_template(text, values, shown, problems)
    for lineno, what, why in markdown_hazards(text):
        problems.add(shown, lineno, None, what, why, row_label="line")
    problems.raise_if_any(f"the narrative ({shown})")

    deadline = time.monotonic() + MAX_RENDER_SECONDS
    size = len(text)

    def fill(match: re.Match) -> str:
        nonlocal size
        value = values[match.group("key")].text
        if match.group("filter"):
            value = FILTERS[match.group("filter")](value)
        size += len(value) - len(match.group(0))
        if size > MAX_RENDERED_CHARS or time.monotonic() > deadline:
            raise _TooBig(text.count("\n", 0, match.start()) + 1)
        return value

    try:
        return escape_html(_TIGHT.sub(fill, text))
    except _TooBig as big:
        raise InputError(
            [
                Problem(
                    shown,
                    big.line,
                    None,
                    None,
                    f"the narrative renders to more than {MAX_RENDERED_CHARS:,} characters (or takes "
                    f"more than {MAX_RENDER_SECONDS:.0f} seconds), the limit for one section",
                    row_label="line",
                )
            ],
            shown,
        ) from None


class _TooBig(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


def typed_numbers(text: str, shown: str) -> list[Problem]:
    """Warnings for figures typed into the prose instead of placeholders."""
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        bare = PLACEHOLDER.sub("", line)
        for match in TYPED_NUMBER.finditer(bare):
            found.append(
                Problem(
                    shown,
                    lineno,
                    None,
                    match.group(0).strip(),
                    "a typed-in figure: use a {{ key }} placeholder so it cannot drift from the data",
                    row_label="line",
                )
            )
    return found


def typed_judgements(text: str, shown: str) -> list[Problem]:
    """Warnings for judgement words (rose, improved, more likely, outside the range) typed into the prose."""
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        bare = PLACEHOLDER.sub("", re.sub(r"<!--.*?-->", "", line))
        for match in TYPED_JUDGEMENT.finditer(bare):
            found.append(
                Problem(
                    shown,
                    lineno,
                    None,
                    match.group(0),
                    "a typed-in judgement: use a placeholder such as {{ rl_appointment_direction }}, "
                    "{{ rl_appointment_likelihood_words }} or {{ i7_pct_survey_bme_fared }}, so the word "
                    "follows the figures (`python -m wres_helpers values ORG YEAR` lists them)",
                    row_label="line",
                )
            )
    return found


def load_narrative(r: ReportData, values: dict[str, Value] | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Rendered Markdown for every section that has a narrative file, and the typed-number warnings."""
    values = values if values is not None else report_values(r)
    folder = narrative_dir(r)
    rendered: dict[str, str] = {}
    warnings: list[Problem] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        if folder.is_symlink() or folder.exists():
            raise InputError(
                [
                    Problem(
                        r.ws.display(folder),
                        None,
                        None,
                        None,
                        "is not a folder: the narrative files go in a folder called narrative",
                    )
                ],
                r.ws.display(folder),
            )
        return rendered, warnings
    for path in sorted(folder.glob("*.md")):
        shown = r.ws.display(path)
        if path.stem not in NARRATIVE_SECTIONS:
            problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    path.name,
                    f"not a report section: expected one of {', '.join(f'{s}.md' for s in NARRATIVE_SECTIONS)}",
                )
            )
            continue
        try:
            r.ws.checked_file(path)  # a folder or a broken link is an error, not an empty section
        except InputError as exc:
            problems += exc.problems
            continue
        if path.stat().st_size > MAX_NARRATIVE_BYTES:
            problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    None,
                    f"the file is larger than the limit of "
                    f"{MAX_NARRATIVE_BYTES // (1024 * 1024)} MB for one section's narrative",
                )
            )
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(shown, None, None, None, "the file is not UTF-8 text: save it as UTF-8"))
            continue
        warnings += typed_numbers(text, shown) + typed_judgements(text, shown)
        try:
            rendered[path.stem] = render(text, values, shown)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems, f"the narrative of {r.org.slug} {r.year}")
    return rendered, warnings


# -- starter files -----------------------------------------------------------------------------------------
def generated(r: ReportData, section: str) -> str:
    """The sentences the report shows for a section that has no narrative file (raw HTML escaped: they quote
    names from org.yaml)."""
    return escape_html(_generated(r, section))


def _generated(r: ReportData, section: str) -> str:
    if section == "summary":  # the key findings have their own cell on the page: no repeat here
        return present.concern_overview(r) + "\n"
    if section == "workforce":
        senior = [present.band_sentence(r, b) for b in ("Band 7 and above", "Band 8a and above", "VSM")]
        return present.workforce_sentence(r) + "\n\n" + present.bullets([s for s in senior if s])
    if section == "recruitment":
        return "\n\n".join(present.rl_sentence(r, i, plain=True) for i in (2, 3, 4)) + "\n"
    if section == "experience":
        return present.survey_overview(r)
    if section == "board":
        return present.board_overview(r)
    if section == "next_steps":
        from .concerns import assess

        found = assess(r)
        text = present.concern_overview(r) + "\n"
        reasons = [f"Indicator {a.indicator}: {'; '.join(a.reasons)}." for a in found if a.concern]
        if reasons:
            text += (
                "\nWhy, indicator by indicator (the action plan page shows which actions address each):\n\n"
                + present.bullets(reasons)
            )
        unknown = [f"Indicator {a.indicator}: {a.note}" for a in found if not a.assessed]
        if unknown:
            text += "\nNot assessed:\n\n" + present.bullets(unknown)
        return text
    if section == "recommendation":
        return (
            f"The {r.org.board_name} is asked to:\n\n1. review the data in this year's WRES report;\n"
            f"2. {_plan_request(r)}\n"
        )
    raise KeyError(section)


def _plan_request(r: ReportData) -> str:
    """Approve the plan when there is one; otherwise ask for one (an organisation is never asked to approve a
    plan it does not have)."""
    from .actions import plan_file
    from .concerns import of_concern

    if plan_file(r.ws, r.org.slug, r.year) is not None:
        return "approve the action plan."
    if of_concern(r):
        return "note that there is no action plan yet, and ask for one that addresses the indicators of concern."
    return "note that there is no action plan yet."


def section_text(r: ReportData, section: str) -> str:
    """What a report section shows: the analyst's narrative when there is a file, else the generated text."""
    path = narrative_dir(r) / f"{section}.md"
    if r.ws.checked_file(path):  # never a file outside the workspace
        return render(path.read_text(encoding="utf-8"), report_values(r), r.ws.display(path))
    return generated(r, section)


STARTER_PROMPTS = {
    "next_steps": "<!-- What the figures mean for next year, and how the action plan responds. Refer to figures "
    "and judgements with {{ key }} placeholders (python -m wres_helpers values ORG YEAR lists them). -->"
    "\n\nBy this report's rule, {{ concern_indicators }} of the nine are of concern; not assessed: "
    "{{ not_assessed_indicators }}.\n",
}


def starter(r: ReportData, section: str) -> str:
    """A section's starter file: the generated sentences with a {{ key }} in place of every figure."""
    if section in STARTER_PROMPTS:
        return STARTER_PROMPTS[section]
    if section == "recommendation":
        return generated(r, section).replace(r.org.board_name, "{{ board_name }}", 1)
    head = (
        f"<!-- {NARRATIVE_SECTIONS[section]}. Written from this year's figures; edit freely. Each name in "
        "double braces is filled from the data when the report is built. -->\n\n"
    )
    with present.placeholders():
        return head + generated(r, section)


def write_starters(r: ReportData, overwrite: bool = False) -> list[Path]:
    folder = narrative_dir(r)
    folder.mkdir(exist_ok=True)
    written = []
    for section in NARRATIVE_SECTIONS:
        path = folder / f"{section}.md"
        if path.exists() and not overwrite:
            continue
        path.write_text(starter(r, section), encoding="utf-8")
        written.append(path)
    return written
