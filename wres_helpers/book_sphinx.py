"""A small Sphinx extension, loaded by the generated _config.yml, that keeps report pages offline.

- A page with math would need MathJax, which the site does not ship: warn (the build runs with -W, so the
  report fails with the page named) instead of loading it from a CDN.
- Any script or stylesheet another extension adds from an http(s):// or // address is dropped with a warning.
- Every table gets a caption (a screen reader announces it when it reaches the table): the table's own
  title if it has one, else the heading of its section, with the bold label just above it ("All staff").
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _external(name: str) -> bool:
    name = str(name or "").strip().lower()
    return name.startswith(("http://", "https://", "//"))


def _check_page(app, pagename, templatename, context, doctree):
    math = app.env.get_domain("math")
    if math.has_equations(pagename):
        logger.warning(
            "%s contains math, which needs MathJax from the internet: the report is offline, so "
            "write it as text or a table instead",
            pagename,
            location=pagename,
        )
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


def _label_above(table) -> str:
    """The text of a paragraph of bold text alone (**All staff**) just before the table, if there is one."""
    holder = table.parent
    index = holder.index(table)
    before = holder[index - 1] if index > 0 else None
    if not isinstance(before, nodes.paragraph):
        return ""
    parts = [child for child in before.children if not (isinstance(child, nodes.Text) and not child.strip())]
    return before.astext().strip() if len(parts) == 1 and isinstance(parts[0], nodes.strong) else ""


def _caption_tables(app, doctree):
    for table in doctree.findall(nodes.table):
        if any(isinstance(child, nodes.title) for child in table.children):
            continue
        section = next((n for n in _ancestors(table) if isinstance(n, nodes.section)), None)
        heading = section[0].astext().strip() if section is not None and isinstance(section[0], nodes.title) else ""
        label = _label_above(table)
        text = ": ".join(part for part in (heading, label) if part)
        if text:
            table.insert(0, nodes.title(text, text))
            _name(doctree, table, text)


def _name(doctree, table, text: str) -> None:
    """An id for a captioned table (the HTML writer numbers it by its id): "table-by-pay-band-all-staff"."""
    base = nodes.make_id(f"table {text}")
    ident, n = base, 1
    while ident in doctree.ids:
        n += 1
        ident = f"{base}-{n}"
    table["ids"].append(ident)
    doctree.ids[ident] = table


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def setup(app):
    app.connect("doctree-read", _caption_tables)
    # After sphinx.ext.mathjax (priority 500) and the theme's own page-context handlers.
    app.connect("html-page-context", _check_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
