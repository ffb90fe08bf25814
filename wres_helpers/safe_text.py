"""Making text from the inputs and the analyst safe to publish: inert in a spreadsheet, inert in the HTML site.

- `inert_for_spreadsheet` / `inert_frame`: CSV or formula injection (OWASP "CSV Injection"). A cell that
  starts with = + - @ tab or carriage return is a formula to Excel and LibreOffice; a leading single quote
  makes it text.
- `escape_html`: raw HTML (script, iframe, event handlers) in the analyst's Markdown is shown as text.
- `markdown_hazards`: the parts of MyST Markdown that read files from the build machine or change the page
  (directives such as {include} or {raw}, roles such as {download}, links to local files, front matter).
"""

from __future__ import annotations

import re

import pandas as pd

# -- spreadsheets ---------------------------------------------------------------------------------------
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A real number, which Excel reads as a number and never as a formula: -2.5, +3, 1e-5, -1,234.5, -12%.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?")


def _is_number(text: str) -> bool:
    return bool(re.search(r"\d", text)) and _NUMBER.fullmatch(text) is not None


def inert_for_spreadsheet(value: str) -> str:
    """`value` made safe to put in a CSV or XLSX cell that someone opens in Excel.

    A string whose first character (after any spaces) is = + - @ tab or carriage return gets a single quote
    in front, so that Excel shows it as text instead of evaluating it ('=HYPERLINK(...)' -> "'=HYPERLINK(...)");
    a string that is a real number ('-2.5', '+3', '-1,234') is left alone. Anything that is not a string is
    returned unchanged.
    """
    if not isinstance(value, str) or value == "":
        return value
    stripped = value.lstrip(" ")
    if stripped[:1] in FORMULA_START and not _is_number(stripped.strip()):
        return "'" + value
    return value


def _inert_any(value):
    return inert_for_spreadsheet(value) if isinstance(value, str) else value


def _inert_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_inert_labels(level) for level in index.levels])
    if index.dtype == object or isinstance(index.dtype, pd.StringDtype):
        return index.map(_inert_any)
    return index


def inert_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with `inert_for_spreadsheet` applied to every string cell (object, string and category
    columns) and to string column and index labels. Call it on any table just before writing it as a
    downloadable CSV or XLSX. Numbers, dates, None and NaN are unchanged."""
    out = df.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cats = dtype.categories
            new = cats.map(_inert_any)
            if new.is_unique:
                mapped = column.cat.rename_categories(new)
            else:  # two categories that differ only by the quote: fall back to plain values
                mapped = column.astype(object).map(_inert_any)
        elif dtype == object:  # noqa: E721 (a numpy dtype compares equal to object, it is not object)
            mapped = column.map(_inert_any)
        elif isinstance(dtype, pd.StringDtype):
            mapped = column.map(_inert_any, na_action="ignore").astype(dtype)
        else:
            continue
        out.isetitem(position, mapped)
    out.columns = _inert_labels(out.columns)
    out.index = _inert_labels(out.index)
    return out


# -- HTML -----------------------------------------------------------------------------------------------
# A complete HTML comment that a browser also ends at the closing '-->': not '<!-->' or '<!--->' (which end
# at once) and with no '--!>' inside (which ends it early).
_COMMENT = r"<!--(?!-?>)(?:(?!--!>).)*?-->"
# A Markdown autolink to a web page or an email address: <https://example.org>.
_AUTOLINK = r"<(?:https?://|mailto:)[^\s<>\"'`\\]*>"
_LT = re.compile(rf"({_COMMENT})|({_AUTOLINK})|<", re.S | re.I)


def escape_html(text: str) -> str:
    """`text` (Markdown) with raw HTML made inert: every '<' becomes '&lt;', except that it keeps

    - complete HTML comments, `<!-- ... -->`, which the page does not show (the narrative starters use
      them for notes to the analyst; a comment that a browser would end early is escaped like the rest);
    - Markdown autolinks to web pages and email addresses, `<https://...>` and `<mailto:...>`.

    Why that is sound: no HTML element, attribute or event handler can start without a '<', and '&lt;' is
    shown as '<' both where Markdown reads the text and inside a raw HTML block (a kept comment makes one).
    Everything else is left alone, so Markdown keeps working: `**bold**`, `[link](https://...)`, lists,
    tables, headings, and '>' at the start of a line for a quotation. '>' and '&' need no escaping: '>'
    cannot start a tag, and '&' only forms character references such as '&lt;', which show as text.

    The price: inside `code` or a ``` code block, a '<' typed by the analyst shows as '&lt;'. Telling code
    apart from text exactly as the Markdown parser does is where escaping usually goes wrong, so this rule
    does not try.
    """

    def keep(match: re.Match) -> str:
        return match.group(0) if match.group(1) or match.group(2) else "&lt;"

    return _LT.sub(keep, text)


# -- MyST Markdown that reaches outside the page ------------------------------------------------------
# Directives and roles that only arrange or style text. Everything else is refused: {include},
# {literalinclude}, {raw}, {csv-table}, {image} and {figure} read files; {eval-rst} opens all of
# reStructuredText; {download} copies a file into the site.
SAFE_DIRECTIVES = (
    "admonition",
    "note",
    "tip",
    "hint",
    "important",
    "warning",
    "caution",
    "attention",
    "danger",
    "error",
    "seealso",
    "dropdown",
    "topic",
    "sidebar",
    "margin",
    "epigraph",
    "pull-quote",
    "highlights",
    "rubric",
)
SAFE_ROLES = (
    "sub",
    "sup",
    "subscript",
    "superscript",
    "abbr",
    "ref",
    "doc",
    "numref",
    "term",
    "emphasis",
    "strong",
    "kbd",
    "guilabel",
)
# Not anchored to the start of a line: a fence may follow a list marker or a '>' ("- ```{include} x").
_DIRECTIVE = re.compile(r"(?:`{3,}|~{3,}|:{3,})[ \t]*\{([^}\n]*)\}")
_ROLE = re.compile(r"\{([^{}\s`]+)\}`")
_LINK = re.compile(r"\]\(\s*<?([^\s)>]*)")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\n?[ \t]*<?([^\s>]+)", re.M)
# A link may go to the web, to an email address, to a place on the page, or to another page of the report
# by its name ('action_plan', 'index.md'). A path ('../x.txt', '/etc/passwd', 'data/x.csv') would make the
# site builder copy that file from the build machine into the published site.
_SAFE_TARGET = re.compile(r"(?:https?://|mailto:|#).*|[A-Za-z0-9_-]+(?:\.(?:md|ipynb))?(?:#\S*)?|", re.I | re.S)


def _line_of(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def markdown_hazards(text: str) -> list[tuple[int, str, str]]:
    """(line, what, why) for each part of `text` that could read a file or change the page once published.

    The check reads the whole text, code included: a false alarm in a code span is a small price for
    never missing a real one.
    """
    found: list[tuple[int, str, str]] = []
    if re.match(r"[ \t]*---[ \t]*(\r?\n|$)", text):
        found.append(
            (
                1,
                "---",
                "a '---' line at the very top is read as page settings (front matter), which can "
                "change the page: start with text, or use *** for a horizontal rule",
            )
        )
    for m in _DIRECTIVE.finditer(text):
        name = m.group(1).strip()
        if name not in SAFE_DIRECTIVES:
            found.append(
                (
                    _line_of(text, m.start()),
                    "{" + name + "}",
                    "this MyST directive is not allowed (it can read files from the build machine or add "
                    f"raw HTML); allowed: {', '.join(SAFE_DIRECTIVES)}",
                )
            )
    for m in _ROLE.finditer(text):
        if m.group(1) not in SAFE_ROLES:
            found.append(
                (
                    _line_of(text, m.start()),
                    "{" + m.group(1) + "}",
                    f"this MyST role is not allowed (it can copy files into the site); allowed: "
                    f"{', '.join(SAFE_ROLES)}",
                )
            )
    for pattern in (_LINK, _REFERENCE):
        for m in pattern.finditer(text):
            target = m.group(1)
            if not _SAFE_TARGET.fullmatch(target):
                found.append(
                    (
                        _line_of(text, m.start(1)),
                        target,
                        "a link or image may point to a web address (https://...), an email address "
                        "(mailto:...) or another page of the report by its name (such as action_plan); a "
                        "path to a file would copy that file into the published site",
                    )
                )
    return sorted(found)
