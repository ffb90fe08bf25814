"""The Jupyter Book folder of one report, made from the template in `book/` at the top of the repository.

`book/` holds `_config.yml` and `_toc.yml` (with {organisation}, {year} and {version} in their text values),
the site's static files (`_static/`: the stylesheet, the favicon) and the Markdown page templates (`pages/`,
with $placeholders). `assemble` copies the template into the build's staging folder, fills it in for one
organisation and year, and applies the organisation's own look from its workspace, `params/<org>/book/`:
a logo (`logo.png` or `logo.svg`) and colours (`colours.yaml`: `primary`, `secondary` as #rrggbb).

The configuration keeps the site offline; `external_references` in build.py checks the result after every
build, so an edit to the template that loads something from the internet fails the build.
"""

from __future__ import annotations

import html
import re
import shutil
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

from . import safe_yaml
from .errors import InputError, Problem
from .workspace import OrgSettings, Workspace

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "book"
PAGE_TEMPLATES = "pages"  # book/pages/<slug>.md: filled in by the build, never copied as is
MAX_LOGO_BYTES = 1024 * 1024
COLOUR_KEYS = {"primary": "--pst-color-primary", "secondary": "--pst-color-secondary"}

_FIELD = re.compile(r"\{(organisation|year|version|downloads)\}")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# An SVG logo may be opened on its own (_static/logo.svg), where scripts run: none, and nothing loaded.
_SVG_HAZARD = re.compile(r"<script|<foreignObject|\bon\w+\s*=|(?:href|src)\s*=\s*['\"]\s*(?:[a-z]+:|//)", re.I)


def report_title(settings: OrgSettings, year: int) -> str:
    return f"{settings.name}: Workforce Race Equality Standard report {int(year)}"


def _fill(value, fields: dict[str, str], key: str = ""):
    """Every {field} in the text values of the template replaced (once: a name holding "{year}" stays)."""
    if isinstance(value, dict):
        return {k: _fill(v, fields, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, fields, key) for v in value]
    if isinstance(value, str):
        # The footer is raw HTML in the theme: the organisation's name goes in escaped, the links as they are.
        def field(m: re.Match) -> str:
            name = m.group(1)
            if key == "extra_footer" and name != "downloads":
                return html.escape(fields[name])
            return fields[name] if key == "extra_footer" or name != "downloads" else ""

        return _FIELD.sub(field, value)
    return value


def _read_template(name: str, template: Path | None) -> dict:
    path = (template or TEMPLATE_DIR) / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), None, None, None, "expected a YAML mapping")], str(path))
    return data


def book_config(
    settings: OrgSettings, year: int, *, version: str, template: Path | None = None, logo: str = "", downloads: str = ""
) -> dict:
    """The _config.yml of one organisation's report year (`version`: of wres_helpers; `logo`: its path in
    the book, when the organisation has one; `downloads`: HTML links for the footer)."""
    fields = {"organisation": settings.name, "year": str(int(year)), "version": version, "downloads": downloads}
    config = _fill(_read_template("_config.yml", template), fields)
    if logo:
        config["logo"] = logo
    return config


def book_toc(sections: Sequence[tuple[str, str, str]], template: Path | None = None) -> dict:
    """The _toc.yml: the first section is the home page (`index`), the others are chapters in order."""
    if not sections:
        raise ValueError("a report needs at least one section")
    toc = _read_template("_toc.yml", template)
    toc["chapters"] = [{"file": slug, "title": title} for slug, _, title in sections[1:]]
    return toc


def page_name(index: int, slug: str) -> str:
    """The file name (without suffix) of a section's page: the first section is the site's index."""
    return "index" if index == 0 else slug


def page_text(slug: str, template: Path | None = None, **values: str) -> str:
    """book/pages/<slug>.md with its $placeholders filled (the values are not searched for more)."""
    text = ((template or TEMPLATE_DIR) / PAGE_TEMPLATES / f"{slug}.md").read_text(encoding="utf-8")
    return string.Template(text).substitute(values)


def dump_yaml(data: dict, comment: str = "") -> str:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    head = "".join(f"# {line}\n" for line in comment.splitlines()) if comment else ""
    return head + text


# -- the organisation's own look ------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgLook:
    logo: Path | None = None  # params/<org>/book/logo.png or logo.svg
    css: str = ""  # from params/<org>/book/colours.yaml


def _problem(shown: str, expected: str, column: str | None = None, value: str | None = None) -> InputError:
    return InputError([Problem(shown, None, column, value, expected)], shown)


def org_look(ws: Workspace, org: str) -> OrgLook:
    """The organisation's logo and colours from params/<org>/book/ (both optional). Raises InputError."""
    folder = ws.org_dir(org) / "book"
    logos = [p for p in (ws.checked_file(folder / n) for n in ("logo.png", "logo.svg")) if p]
    if len(logos) > 1:
        raise _problem(ws.display(folder), "one logo, logo.png or logo.svg, not both")
    logo = logos[0] if logos else None
    if logo is not None:
        shown = ws.display(logo)
        if logo.stat().st_size > MAX_LOGO_BYTES:
            raise _problem(shown, f"a logo of at most {MAX_LOGO_BYTES:,} bytes")
        data = logo.read_bytes()
        if logo.suffix == ".png" and not data.startswith(_PNG_SIGNATURE):
            raise _problem(shown, "a PNG image (this file is not one)")
        if logo.suffix == ".svg":
            text = data.decode("utf-8", errors="replace")
            if "<svg" not in text or _SVG_HAZARD.search(text):
                raise _problem(shown, "an SVG image without scripts, event handlers or links to other files")
    css = ""
    colours_file = ws.checked_file(folder / "colours.yaml")
    if colours_file is not None:
        shown = ws.display(colours_file)
        data, _ = safe_yaml.load(colours_file, shown, "colours", 64 * 1024)
        data = data or {}
        if not isinstance(data, dict):
            raise _problem(shown, "keys primary and secondary, each a colour such as '#005eb8'")
        rules = []
        for key, value in data.items():
            if key not in COLOUR_KEYS:
                raise _problem(shown, f"only {' and '.join(COLOUR_KEYS)}", str(key))
            if not isinstance(value, str) or not _COLOUR.fullmatch(value):
                raise _problem(
                    shown,
                    "a colour written as '#' and six hexadecimal digits, in quotes, e.g. '#005eb8'",
                    str(key),
                    str(value),
                )
            rules.append(f"  {COLOUR_KEYS[key]}: {value.lower()};")
        if rules:
            css = (
                "/* The organisation's colours, from its params/<org>/book/colours.yaml. */\n"
                'html, html[data-theme="light"], html[data-theme="dark"] {\n' + "\n".join(rules) + "\n}\n"
            )
    return OrgLook(logo, css)


def assemble(
    book: Path,
    settings: OrgSettings,
    year: int,
    sections: Sequence[tuple[str, str, str]],
    *,
    version: str,
    look: OrgLook = OrgLook(),
    template: Path | None = None,
    note: str = "",
    downloads: str = "",
) -> None:
    """Copy the template into `book` (the pages are added by the caller), fill in _config.yml and _toc.yml,
    and apply the organisation's logo and colours."""
    template = template or TEMPLATE_DIR
    shutil.copytree(
        template,
        book,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(PAGE_TEMPLATES, "pdf", "_config.yml", "_toc.yml", "_build"),
    )
    static = book / "_static"
    static.mkdir(exist_ok=True)
    logo = ""
    if look.logo is not None:
        logo = f"_static/logo{look.logo.suffix}"
        shutil.copyfile(look.logo, book / logo)
    if look.css:
        (static / "wres-organisation.css").write_text(look.css, encoding="utf-8")
    config = book_config(settings, year, version=version, template=template, logo=logo, downloads=downloads)
    (book / "_config.yml").write_text(dump_yaml(config, note), encoding="utf-8")
    (book / "_toc.yml").write_text(dump_yaml(book_toc(sections, template), note), encoding="utf-8")
