"""Print axe-core's WCAG 2.2 AA violations (the browser suite's rules) per page of built sites, light and dark.

    .venv/bin/python tests/axe_report.py build/leeds/2021/html [more html folders ...]

One line per page: violations (rules) and affected elements in light mode, then the contrast rules in dark mode,
the page's width at 320 px and the console errors of a first visit; a total per site and the time taken.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_browser import AXE_DARK_OPTIONS, AXE_OPTIONS, CHROMIUM, CHROMIUM_ARGS, STILL, serving  # noqa: E402

RUN = (
    "options => axe.run(document, options).then(r => r.violations.map(v => [v.id, v.nodes.length, "
    "v.nodes[0].target.join(' '), JSON.stringify(v.nodes[0].any.map(a => a.data))]))"
)


def report(browser, html: Path) -> int:
    with serving(html) as base:
        return _report(browser, html, base)


def _report(browser, html: Path, base: str) -> int:
    axe, total = AXE_FILE_PATH.read_text(encoding="utf-8"), 0
    pages = {
        scheme: browser.new_context(viewport={"width": w, "height": 900}, color_scheme=scheme).new_page()
        for scheme, w in (("light", 1280), ("dark", 1280), ("no-preference", 320))
    }
    errors: list[str] = []
    pages["light"].on("console", lambda m: m.type == "error" and errors.append(m.text[:60]))
    print(html)
    for name in sorted(p.name for p in html.glob("*.html")):
        found = {}
        for scheme, options in (("light", AXE_OPTIONS), ("dark", AXE_DARK_OPTIONS)):
            page = pages[scheme]
            errors.clear()
            page.goto(base + name)
            page.add_style_tag(content=STILL)
            page.wait_for_timeout(50)
            seen = list(errors)
            page.add_script_tag(content=axe)
            found[scheme] = page.evaluate(RUN, options)
            if scheme == "light":
                console = seen
        narrow = pages["no-preference"]
        narrow.goto(base + name)
        width = narrow.evaluate("document.documentElement.scrollWidth")
        count = sum(len(v) for v in found.values())
        total += count
        print(
            f"  {name:18} light {found['light'] or 'none'}  dark {found['dark'] or 'none'}  "
            f"width@320 {width}  console errors {console or 'none'}"
        )
    print(f"  {total} violations (rules x pages)")
    return total


def main(folders: list[str]) -> int:
    start = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        total = sum(report(browser, Path(f)) for f in folders)
        browser.close()
    print(f"{total} violations in {len(folders)} sites, {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
