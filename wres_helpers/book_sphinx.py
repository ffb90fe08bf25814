"""A small Sphinx extension, loaded by the generated _config.yml, that keeps report pages offline.

- A page with math would need MathJax, which the site does not ship: warn (the build runs with -W, so the
  report fails with the page named) instead of loading it from a CDN.
- Any script or stylesheet another extension adds from an http(s):// or // address is dropped with a warning.
"""
from __future__ import annotations

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _external(name: str) -> bool:
    name = str(name or "").strip().lower()
    return name.startswith(("http://", "https://", "//"))


def _check_page(app, pagename, templatename, context, doctree):
    math = app.env.get_domain("math")
    if math.has_equations(pagename):
        logger.warning("%s contains math, which needs MathJax from the internet: the report is offline, so "
                       "write it as text or a table instead", pagename, location=pagename)
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if not isinstance(files, list):
            continue
        kept = []
        for item in files:
            name = getattr(item, "filename", item)
            if _external(name):
                logger.warning("dropped %s, loaded from the internet, from %s", name, pagename, location=pagename)
            else:
                kept.append(item)
        files[:] = kept


def setup(app):
    # After sphinx.ext.mathjax (priority 500) and the theme's own page-context handlers.
    app.connect("html-page-context", _check_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
