"""Reading the YAML files an analyst writes (org.yaml, settings.yaml, actions.yaml) with no surprises.

PyYAML's safe_load accepts things that silently change a file's meaning or exhaust the machine. Each of
them is refused here with the file and the line:

- a key written twice in one mapping: PyYAML keeps the last one, so `actions: []` left above the real list
  gave a plan with no actions;
- anchors and aliases (&name, *name): a few lines of them can expand into billions of items;
- nesting deeper than MAX_DEPTH: PyYAML builds nested values recursively, and 1,000 levels raise
  RecursionError;
- a file larger than the caller's limit (checked with stat() before a byte is read);
- values PyYAML cannot build (a date such as 2021-02-30 raises ValueError inside PyYAML).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import InputError, Problem

MAX_DEPTH = 20  # settings are two or three levels deep, an action plan three

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: 20x faster on a long plan


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_Base):
    """SafeLoader that refuses a key given twice in the same mapping."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: PyYAML's own error below names it
                    continue
                if first is not None:
                    raise _DuplicateKey(
                        None,
                        None,
                        f"the key '{key}' is given twice in the same block (first at "
                        f"line {first}): YAML keeps only the last one, so delete or "
                        "rename one of them",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _problem(shown: str, line: int | None, expected: str) -> InputError:
    return InputError([Problem(shown, line, None, None, expected, row_label="line")], shown)


def _check_events(text: str, shown: str, what: str) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream (which PyYAML reads without recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _problem(
                shown,
                event.start_mark.line + 1,
                f"YAML anchors and aliases (&name, *name) are not allowed in {what}: write each value out in full",
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _problem(
                    shown,
                    event.start_mark.line + 1,
                    f"the values are nested more than {MAX_DEPTH} levels deep, more than {what} ever needs",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def load(path: Path, shown: str, what: str, max_bytes: int) -> tuple[object, yaml.Node | None]:
    """(data, node) of a YAML file: node is the composed document, for line numbers. Raises InputError."""
    size = path.stat().st_size
    if size > max_bytes:
        raise _problem(shown, None, f"the file is {size:,} bytes, more than the limit of {max_bytes:,} for {what}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(shown, None, f"the file is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    try:
        _check_events(text, shown, what)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        why = (
            exc.problem
            if isinstance(exc, _DuplicateKey)
            else f"not valid YAML: {' '.join(filter(None, [exc.context, exc.problem]))}"
        )
        raise _problem(shown, mark.line + 1 if mark else None, why) from None
    except yaml.YAMLError as exc:
        raise _problem(shown, None, f"not valid YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. 2021-02-30: "day is out of range for month"
        raise _problem(shown, None, f"a value cannot be read ({exc}): write dates as 2021-09-30") from None
    return data, node
