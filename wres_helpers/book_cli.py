"""`jupyter-book` as the build runs it: its own command line, without the imports it never uses (lean_imports)."""

import sys

from .lean_imports import skip_unused

skip_unused()

from jupyter_book.cli.main import main  # noqa: E402

sys.exit(main())
