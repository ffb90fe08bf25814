"""The cache of disclosure results (result_cache.py): a hit gives the same answer without solving anything, any
change to the tables or rules is a miss, a damaged entry is recomputed, and entry names cannot be guessed."""

from __future__ import annotations

import hashlib
import json
import os
import stat

import pytest

from wres_helpers.disclosure import Rules, suppressed_cells
from wres_helpers.engine import indicator_table
from wres_helpers.result_cache import ResultCache, table_bytes


@pytest.fixture(scope="module")
def table():
    return indicator_table("smallccg", 2021)  # a small organisation: many figures withheld


@pytest.fixture
def no_solver(monkeypatch):
    import scipy.optimize

    def refuse(*args, **kwargs):
        raise AssertionError("solved again")

    monkeypatch.setattr(scipy.optimize, "milp", refuse)
    monkeypatch.setattr(scipy.optimize, "linprog", refuse)


def test_a_hit_gives_the_same_cells_without_solving_anything(tmp_path, table, monkeypatch):
    cache = ResultCache(tmp_path / "cache")
    first = suppressed_cells(table, Rules(), cache=cache)
    assert first == suppressed_cells(table, Rules())  # the cache never changes the answer
    assert first and set(first.values()) <= {"primary", "secondary"}
    assert len(list((tmp_path / "cache").glob("suppression-*.json"))) == 1
    import scipy.optimize

    monkeypatch.setattr(scipy.optimize, "milp", lambda *a, **k: pytest.fail("solved again"))
    assert suppressed_cells(table, Rules(), cache=cache) == first


def test_a_changed_count_or_rule_is_a_miss(tmp_path, table, no_solver):
    cache = ResultCache(tmp_path / "cache")
    cache.put(cache.key("suppression", table_bytes(table), repr(Rules()), table_bytes(None)), [])
    assert suppressed_cells(table, Rules(), cache=cache) == {}  # the planted entry is what a hit returns
    changed = table.copy()
    changed.loc[changed.index[0], "numerator"] = changed.loc[changed.index[0], "numerator"] + 1
    for other_table, rules in ((changed, Rules()), (table, Rules(threshold=6, width=5))):
        with pytest.raises(AssertionError, match="solved again"):
            suppressed_cells(other_table, rules, cache=cache)


@pytest.mark.parametrize(
    "damage", [b"", b"{not json", b'{"value": [["1", "all", "bme"]]}', b'{"value": [[["1"], "maybe"]]}']
)
def test_a_damaged_entry_is_computed_again(tmp_path, table, damage):
    cache = ResultCache(tmp_path / "cache")
    right = suppressed_cells(table, Rules(), cache=cache)
    (entry,) = (tmp_path / "cache").glob("suppression-*.json")
    entry.write_bytes(damage)
    assert suppressed_cells(table, Rules(), cache=cache) == right
    assert json.loads(entry.read_text())["value"]  # and written whole again


def test_an_unusable_folder_means_no_cache_not_an_error(tmp_path, table):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    cache = ResultCache(blocker / "cache")
    assert cache.key("suppression", b"x") is None
    assert suppressed_cells(table, Rules(), cache=cache) == suppressed_cells(table, Rules())


def test_entry_names_are_keyed_by_a_private_secret(tmp_path):
    a, b = ResultCache(tmp_path / "a"), ResultCache(tmp_path / "b")
    parts = (b"1,all,bme,3\n", "Rules()")
    name = a.key("suppression", *parts)
    assert name == a.key("suppression", *parts) and name != b.key("suppression", *parts)
    # Not a plain hash of the table: without the secret, a guess of the withheld counts cannot be tested.
    assert hashlib.sha256(b"".join(p if isinstance(p, bytes) else p.encode() for p in parts)).hexdigest() not in name
    secret = tmp_path / "a" / "key"
    assert len(secret.read_bytes()) == 32 and stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    # Parts are length-prefixed: moving a byte from one part to the next is another key.
    assert a.key("suppression", b"ab", b"c") != a.key("suppression", b"a", b"bc")
