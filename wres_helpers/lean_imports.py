"""Imports a build never uses, kept out of its processes (the build, each batch worker, jupyter-book).

jsonschema, imported by nbformat, imports `rfc3987_syntax` as it loads, to check the "iri" string format; that
compiles a grammar, about 1 s per process, and notebook validation never checks that format. The package stays
installed: jupyterlab requires it (jupyter-events -> jsonschema[format-nongpl]). jsonschema imports it inside
`suppress(ImportError)`, so blocking it only drops that one format check.
"""

from __future__ import annotations

import sys

UNUSED = ("rfc3987_syntax",)


def skip_unused() -> None:
    """Block the imports above in this process, unless one is loaded already."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # None in sys.modules: `import name` raises ImportError
