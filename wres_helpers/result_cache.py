"""Slow results kept between builds, by content: the choice of figures to withhold and the audit's verdict.

A rebuild whose tables did not change (a narrative edit, a free-text column, the book template) should not
pay again for the integer programmes of disclosure control, seconds per report. Each entry is a small JSON
file in the workspace's `.cache/wres/`, named by a keyed SHA-256 (HMAC) of everything the result depends on:
the tables, the rules, this package's code and SciPy's version (HiGHS picks among equally good answers).

Keyed, because a plain hash of the true table would let anyone holding the file names test guesses of the
withheld counts; the key is a random secret made the first time, readable by its owner only. The folder sits
beside `params/`, not in `build/`, since `build/` is what a CSU might publish whole. A damaged, unreadable or
unwritable entry is a miss: the result is computed again, never an error and never a wrong answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

FOLDER = Path(".cache") / "wres"
_SECRET = "key"


@lru_cache(maxsize=1)
def _code_version() -> bytes:
    from importlib.metadata import version

    from .freshness import code_fingerprint

    return f"{code_fingerprint()}/scipy {version('scipy')}".encode()


class ResultCache:
    def __init__(self, folder: Path | None):
        """folder None: a cache that keeps nothing."""
        self.folder = folder
        self._key: bytes | None = None

    @classmethod
    def for_workspace(cls, root: Path) -> ResultCache:
        return cls(Path(root) / FOLDER)

    def _secret(self) -> bytes | None:
        if self._key is None:
            if self.folder is None:
                return None
            path = self.folder / _SECRET
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    pass
                else:
                    with os.fdopen(fd, "wb") as f:
                        f.write(secrets.token_bytes(32))
                key = path.read_bytes()
            except OSError:
                return None
            if len(key) != 32:  # half-written by a killed run: no caching rather than a weak key
                return None
            self._key = key
        return self._key

    def key(self, kind: str, *parts: str | bytes) -> str | None:
        """The entry name for a result of `kind` computed from `parts` (None: this cache cannot be used)."""
        secret = self._secret()
        if secret is None:
            return None
        mac = hmac.new(secret, kind.encode() + b"\0" + _code_version(), hashlib.sha256)
        for part in parts:
            data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
            mac.update(len(data).to_bytes(8, "big") + data)  # length-prefixed: parts cannot run into each other
        return f"{kind}-{mac.hexdigest()}"

    def get(self, key: str | None) -> Any | None:
        if key is None:
            return None
        try:
            return json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))["value"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str | None, value: Any) -> None:
        if key is None:
            return
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.", dir=self.folder)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"value": value}, f)
            os.replace(tmp, self.folder / f"{key}.json")  # whole or not at all, even with builds side by side
        except OSError:
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass


def table_bytes(table) -> bytes:
    """A table's content as the cache keys see it (None: no table)."""
    if table is None:
        return b"<none>"
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8", "surrogatepass")
