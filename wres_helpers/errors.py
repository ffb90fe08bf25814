"""User-facing errors: every problem names the file, the row, the column, the value and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str  # path as the user knows it, relative to the workspace where possible
    row: int | None  # spreadsheet row (header = row 1); None for a whole-file problem
    column: str | None
    value: str | None
    expected: str
    row_label: str = "row"  # "line" for Markdown narrative
    column_label: str = "column"  # "key" for narrative placeholders, "field" for action plans

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.column:
            where.append(f"{self.column_label} '{self.column}'")
        text = ", ".join(where) + ": "
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            text += f"value {shown!r}; " if shown != "" else "empty value; "
        return text + self.expected


class WresError(Exception):
    """An error the user can fix (bad input, missing organisation). Printed without a traceback."""


MAX_PROBLEMS = 1000  # listed in one message; a file of a million bad rows would otherwise list them all


class BuildError(WresError):
    """The report could not be built; the message says what failed. Nothing was published."""


class InputError(WresError):
    """One or more problems in the input files, all reported together (up to MAX_PROBLEMS; the rest counted)."""

    def __init__(self, problems: list[Problem], context: str = "the input", omitted: int = 0):
        self.problems = list(problems)
        self.context = context
        self.omitted = omitted
        count = len(self.problems) + omitted
        lines = [f"{count:,} problem{'s' if count != 1 else ''} in {context}:"]
        lines += [f"  - {p}" for p in self.problems]
        if omitted:
            lines.append(f"  ... and {omitted:,} more, not listed: fix these and run again to see them")
        super().__init__("\n".join(lines))


class ProblemList(list):
    """Collects problems while validating, so that all of them are reported at once."""

    omitted = 0

    def add(self, file, row, column, value, expected, **labels) -> None:
        if len(self) >= MAX_PROBLEMS:
            self.omitted += 1
            return
        self.append(Problem(str(file), row, column, None if value is None else str(value), expected, **labels))

    def raise_if_any(self, context: str) -> None:
        if self:
            raise InputError(list(self), context, self.omitted)
