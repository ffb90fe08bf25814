"""The Jupyter Book 1 configuration (_config.yml) and table of contents (_toc.yml) of one report.

Both are generated from the organisation's settings and the list of report sections, never edited by hand.
The configuration keeps the site offline and self-contained: no launch buttons, no thebe, no repository
buttons, no comments, no MathJax, no copied notebook sources. `external_references` in build.py checks the
result after every build.
"""
from __future__ import annotations

import html
from typing import Sequence

import yaml

from .workspace import OrgSettings

# Jupyter Book 1.0.4's default Sphinx extensions without sphinx_thebe (it writes a script constant with an
# unpkg.com URL into every page, even with thebe switched off), plus our offline checks. Setting
# `extensions` under sphinx.config replaces Jupyter Book's list entirely. sphinx_comments stays (Jupyter
# Book always sets its comments_config) with hypothesis and utterances, which load from CDNs, switched off.
EXTENSIONS = [
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "myst_nb",
    "jupyter_book",
    "sphinx_external_toc",
    "sphinx.ext.intersphinx",
    "sphinx_design",
    "sphinx_comments",
    "sphinx_book_theme",
    "wres_helpers.book_sphinx",
]

# No dollarmath/amsmath (math needs MathJax, which is not shipped) and no linkify (needs linkify-it-py).
MYST_EXTENSIONS = ["colon_fence"]


def report_title(settings: OrgSettings, year: int) -> str:
    return f"{settings.name}: Workforce Race Equality Standard report {int(year)}"


def book_config(settings: OrgSettings, year: int, *, version: str) -> dict:
    """The _config.yml settings for one organisation's report year (`version`: of wres_helpers)."""
    footer = f"Produced by wres_helpers {version} from the {int(year)} data of {html.escape(settings.name)}."  # raw HTML in the theme
    return {
        "title": report_title(settings, year),
        "author": settings.name,
        "copyright": "",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "data"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": list(MYST_EXTENSIONS)},
        "html": {
            "use_repository_button": False,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "use_multitoc_numbering": False,
            "home_page_in_navbar": True,
            "extra_footer": footer,
            "comments": {"hypothesis": False, "utterances": False},
        },
        "launch_buttons": {
            "notebook_interface": "classic",
            "binderhub_url": "",
            "jupyterhub_url": "",
            "thebe": False,
            "colab_url": "",
            "deepnote_url": "",
        },
        "sphinx": {
            "config": {
                "extensions": list(EXTENSIONS),
                # Replaces the theme options Jupyter Book derives from html: and launch_buttons: above.
                "html_theme_options": {
                    "search_bar_text": "Search this report...",
                    "home_page_in_toc": True,
                    "use_download_button": False,      # its links point at _sources/, which is not copied
                    "use_fullscreen_button": True,
                    "use_repository_button": False,
                    "use_edit_page_button": False,
                    "use_issues_button": False,
                    "use_source_button": False,
                    "launch_buttons": {},
                    "extra_footer": footer,
                    "analytics": {},
                },
                "html_show_copyright": False,
                "html_show_sphinx": False,
                "html_copy_source": False,
                "html_show_sourcelink": False,
                # Never a CDN: a page with math fails the build (see book_sphinx.py) instead of loading this.
                "mathjax_path": "mathjax-is-not-shipped.js",
                "nb_ipywidgets_js": {},
                "intersphinx_mapping": {},
            },
        },
    }


def book_toc(sections: Sequence[tuple[str, str, str]]) -> dict:
    """The _toc.yml: the first section is the home page (`index`), the others are chapters in order."""
    if not sections:
        raise ValueError("a report needs at least one section")
    return {
        "format": "jb-book",
        "root": "index",
        "chapters": [{"file": slug, "title": title} for slug, _, title in sections[1:]],
    }


def page_name(index: int, slug: str) -> str:
    """The file name (without suffix) of a section's page: the first section is the site's index."""
    return "index" if index == 0 else slug


def dump_yaml(data: dict, comment: str = "") -> str:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    head = "".join(f"# {line}\n" for line in comment.splitlines()) if comment else ""
    return head + text
