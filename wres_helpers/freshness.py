"""Is the published site already what a build would make? Content hashes of everything a site is made from.

Two fingerprints, both SHA-256 over content (never over times or sizes):
- `site_fingerprint`: the bytes of every file the site is made from (this package's code and lookup tables,
  the notebooks, the book template, the organisation's settings, every input, narrative and action file of
  this year and the years before it, and its comparators' files). When it matches the stamp left by the
  last successful build and that site is still there, the build has nothing to do and says so, before it
  reads any input: a no-change rebuild costs the time to hash the files.
- `table_fingerprint` (in build.py, over the validated, disclosure-controlled tables): decides whether the
  notebooks must run again. A change to a column no indicator reads, or to the narrative, leaves it as it was.

This module imports nothing heavy, so the no-change check stays fast.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Iterable

PACKAGE = Path(__file__).resolve().parent
SITE_STAMP = ".site-fingerprint"  # in build/<org>/<year>/, written when a site is published


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _org_files(org_dir: Path, year: int) -> Iterable[Path]:
    """An organisation's files a report of `year` can read: not those of later years."""
    for path in _files(org_dir):
        top = path.relative_to(org_dir).parts[0]
        if top.isdigit() and int(top) > year:
            continue
        yield path


_CODE_SUFFIXES = (".py", ".csv", ".md", ".css", ".html", ".txt", ".yml", ".yaml", ".json", "")


def _code_files() -> list[Path]:
    return [p for p in _files(PACKAGE) if p.suffix in _CODE_SUFFIXES]


def code_fingerprint() -> str:
    """The digest of this package's code and lookup tables (what result_cache.py keys its entries on)."""
    digest = hashlib.sha256()
    for path in _code_files():
        digest.update(path.relative_to(PACKAGE).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def site_fingerprint(
    ws_root: Path,
    org: str,
    year: int,
    *,
    notebooks: Iterable[Path],
    template: Path,
    related: Iterable[str] = (),
    settings: dict | None = None,
) -> str:
    """The digest of everything the published site of `org` `year` is made from (see the module's note).

    `related`: other organisations whose files the report reads (comparators, members); `settings`: anything
    else that shapes the site (the sections, whether a PDF can be printed), as JSON-able values."""
    digest = hashlib.sha256()

    def add(label: str, path: Path) -> None:
        digest.update(label.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())

    for path in sorted(notebooks):
        add(f"notebook:{path.name}", path)
    for path in _code_files():
        add(f"code:{path.relative_to(PACKAGE).as_posix()}", path)
    for path in _files(template):
        add(f"template:{path.relative_to(template).as_posix()}", path)
    for name in [org, *sorted(set(related) - {org})]:
        org_dir = ws_root / "params" / name
        if org_dir.is_dir():
            for path in _org_files(org_dir, year):
                add(f"params:{name}/{path.relative_to(org_dir).as_posix()}", path)
    digest.update(json.dumps({"settings": settings or {}, "python": sys.version}, sort_keys=True).encode())
    return digest.hexdigest()


def stamp_matches(out_root: Path, fingerprint: str) -> bool:
    """The site in out_root/html is the one this fingerprint describes (and it is still complete)."""
    stamp = out_root / SITE_STAMP
    try:
        return stamp.read_text(encoding="ascii").strip() == fingerprint and (out_root / "html" / "index.html").is_file()
    except (OSError, UnicodeDecodeError):
        return False


def write_stamp(out_root: Path, fingerprint: str) -> None:
    tmp = out_root / f"{SITE_STAMP}.tmp"
    tmp.write_text(fingerprint + "\n", encoding="ascii")
    tmp.replace(out_root / SITE_STAMP)


def clear_stamp(out_root: Path) -> None:
    (out_root / SITE_STAMP).unlink(missing_ok=True)
