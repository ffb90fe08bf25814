"""Step 5 of a build: nothing on the site may load anything from the internet (the site works from a USB stick)."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

# -- 7. offline check -------------------------------------------------------------------------------------
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*((?:https?:)?//[^'")\s]+)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])((?:https?:)?//[^'"]+)\1""", re.I)
_JS_LOAD = re.compile(r"""\b(?:src|href)\s*[=:]\s*(['"`])((?:https?:)?//[^'"`\s]+)\1""", re.I)
_JS_IMPORT = re.compile(r"""\bimport\s*(?:\(\s*|[^'"`;]*?\bfrom\s*|)(['"`])((?:https?:)?//[^'"`\s]+)\1""", re.I)
_QUOTED_URL = re.compile(r"""(['"`])((?:https?:)?//[^'"`\s]+)\1""", re.I)
# XML namespace names look like URLs but are never fetched.
_NAMESPACE = re.compile(r"^https?://www\.w3\.org/", re.I)
_LINK_ONLY_RELS = {"canonical", "alternate", "author", "license", "help", "external", "next", "prev", "search", "index"}


def _css_loads(text: str) -> list[str]:
    return [m.group(2) for m in _CSS_URL.finditer(text)] + [m.group(2) for m in _CSS_IMPORT.finditer(text)]


def _js_loads(text: str) -> list[str]:
    return [m.group(2) for m in _JS_LOAD.finditer(text)] + [m.group(2) for m in _JS_IMPORT.finditer(text)]


class _PageScanner(html.parser.HTMLParser):
    """Collects what an HTML page would load from elsewhere (links a reader follows do not count)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in = None  # "script" or "style" while inside one

    def handle_starttag(self, tag, attrs):
        attrs = [(k.lower(), v or "") for k, v in attrs]
        values = dict(attrs)
        for key, value in attrs:
            if key in ("src", "data", "poster", "background", "xlink:href", "formaction"):
                self._check(f"<{tag} {key}>", value)
            elif key == "srcset" or key == "imagesrcset":
                for part in value.split(","):
                    self._check(f"<{tag} {key}>", part.strip().split(" ")[0])
            elif key == "href" and tag not in ("a", "area", "base"):
                rels = set(values.get("rel", "").lower().split())
                if tag == "link" and rels and rels <= _LINK_ONLY_RELS:
                    continue
                self._check(f"<{tag} href>", value)
            elif key == "style":
                self.found += [f"<{tag} style> {u}" for u in _css_loads(value)]
            elif key == "content" and values.get("http-equiv", "").lower() == "refresh":
                url = value.split("url=", 1)[-1] if "url=" in value.lower() else ""
                self._check(f"<{tag} refresh>", url)
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.found += [f"<style> {u}" for u in _css_loads(data)]
        elif self._in == "script":
            # An inline script that names an address may load it (sphinx-thebe's THEBE_JS_URL does).
            self.found += [
                f"<script> {m.group(2)}" for m in _QUOTED_URL.finditer(data) if not _NAMESPACE.match(m.group(2))
            ]

    def _check(self, where: str, value: str):
        if _REMOTE.match(value) and not _NAMESPACE.match(value.strip()):
            self.found.append(f"{where} {value.strip()}")


def external_references(html_dir: str | Path) -> list[str]:
    """Everything a page of the site would load from the internet, as "file: where address" lines.

    Scans every .html, .css and .js file under `html_dir` for resource loads (src=, href= of anything but
    a link <a>, srcset, url(...) and @import in styles, addresses in inline scripts, script imports) that
    point to http://, https:// or // addresses. Links a reader can follow (<a href>) are allowed. An empty
    list means the site works from a USB stick.
    """
    root = Path(html_dir)
    found: list[str] = []
    for path in sorted(root.rglob("*")):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".html", ".htm", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if suffix in (".html", ".htm"):
            scanner = _PageScanner()
            scanner.feed(text)
            scanner.close()
            hits = scanner.found
        elif suffix == ".css":
            hits = [f"url() {u}" for u in _css_loads(text)]
        else:
            hits = [f"script {u}" for u in _js_loads(text)]
        rel = path.relative_to(root).as_posix()
        found += [f"{rel}: {hit}" for hit in dict.fromkeys(hits)]
    return found
