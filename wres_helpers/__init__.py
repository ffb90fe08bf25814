"""WRES report engine: validated workforce inputs in, the nine Workforce Race Equality Standard indicators out."""

from .errors import InputError, Problem, WresError
from .workspace import Workspace


def __getattr__(name: str):
    # The engine (pandas, SciPy) is imported when first used, not by every `python -m wres_helpers` command.
    if name in ("indicator_table", "load_inputs"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["indicator_table", "load_inputs", "InputError", "Problem", "WresError", "Workspace"]
__version__ = "0.1.0"
