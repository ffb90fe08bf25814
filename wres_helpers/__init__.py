"""WRES report engine: validated workforce inputs in, the nine Workforce Race Equality Standard indicators out."""

from .engine import indicator_table, load_inputs
from .errors import InputError, Problem, WresError
from .workspace import Workspace

__all__ = ["indicator_table", "load_inputs", "InputError", "Problem", "WresError", "Workspace"]
__version__ = "0.1.0"
