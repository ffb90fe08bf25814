"""The board paper: one PDF of the whole report, printed by headless Chromium from the built site.

Every page of the site, in the order of its table of contents, goes into one HTML document behind a cover
(organisation, year, date) and a contents page; `book/pdf/print.css` lays it out for A4 paper (running
header and page numbers in the page margins, tables that do not split mid-row, charts and tables kept
inside the page). The contents give the page each section starts on, known only once it is printed: one
Chromium (chromium_pipe.py) loads the document once and prints it with the last build's numbers; when a section
starts elsewhere (or there were none), the numbers the print shows are written into the contents and it prints
again.

Links inside the site become links inside the PDF; every other local link is dropped, so that no folder of
the build machine is written into the PDF.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .book_config import TEMPLATE_DIR
from .errors import WresError

PRINT_TIMEOUT = 120  # seconds for one print of the whole report
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
HOW_TO_GET_IT = (
    "no PDF: Chromium is not installed; install it (sudo apt-get install chromium) and run "
    "make pdf ORG={org} YEAR={year}"
)


class PdfError(WresError):
    """The PDF could not be made (Chromium is there but failed): the build publishes nothing."""


def chromium() -> str | None:
    """The Chromium to print with: $WRES_CHROMIUM (empty: none), else the first on the PATH."""
    if "WRES_CHROMIUM" in os.environ:
        return os.environ["WRES_CHROMIUM"] or None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def pdf_name(org: str, year: int) -> str:
    return f"{org}-wres-{int(year)}.pdf"


@dataclass(frozen=True)
class Cover:
    organisation: str
    title: str  # the report's title, also the running header
    year: int
    date: str  # printed on the cover, e.g. "24 November 2026"


# -- one HTML document from the site's pages ----------------------------------------------------------
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*)</article>', re.S)
_HREF = re.compile(r'\shref="([^"]*)"')
_PAGE_LINK = re.compile(r"^([\w-]+)\.html(#[\w.-]*)?$")
_ID = re.compile(r'\sid="([^"]*)"')
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _first_heading(html_dir: Path, slug: str, title: str) -> str:
    """The text of a page's first heading (what the printed page begins with), else its title."""
    found = _H1.search(_ARTICLE.search((html_dir / f"{slug}.html").read_text(encoding="utf-8")).group(1))
    text = html.unescape(_TAG.sub("", found.group(1))).replace("#", "") if found else title
    return " ".join(text.split()) or title


def _css_string(text: str) -> str:
    """A CSS string literal that holds `text` and cannot end the string or the <style> element."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{out}"'


def _article(page: Path, slug: str, slugs: set[str]) -> str:
    found = _ARTICLE.search(page.read_text(encoding="utf-8"))
    if not found:
        raise PdfError(f"{page.name} has no article: is it a page of the report site?")
    body = found.group(1)
    # Ids are made unique across pages (two pages may both have "#notes"); links follow them.
    body = _ID.sub(lambda m: f' id="{slug}--{m.group(1)}"', body)

    def link(m: re.Match) -> str:
        target = html.unescape(m.group(1))
        if target.startswith(("http://", "https://", "mailto:")):
            return m.group(0)
        if target.startswith("#"):
            return f' href="#{slug}--{target[1:]}"' if len(target) > 1 else f' href="#page-{slug}"'
        page_link = _PAGE_LINK.match(target)
        if page_link and page_link.group(1) in slugs:
            other = page_link.group(1)
            anchor = page_link.group(2)
            return f' href="#{other}--{anchor[1:]}"' if anchor and len(anchor) > 1 else f' href="#page-{other}"'
        return ""  # a download or a file of the site: a local path in a PDF would name the build folder

    return _HREF.sub(link, body)


def contents_html(pages: Sequence[tuple[str, str]], numbers: dict[str, int] | None) -> str:
    """The contents' entries: each section's title and the page it starts on (blank when not known)."""
    return "\n".join(
        f'<li><a href="#page-{slug}"><span class="title">{html.escape(title)}</span>'
        f'<span class="page">{numbers[slug] if numbers else ""}</span></a></li>'
        for slug, title in pages
    )


def report_html(
    html_dir: Path, pages: Sequence[tuple[str, str]], cover: Cover, numbers: dict[str, int] | None, css: str
) -> str:
    """The whole report as one printable document. `pages`: (file stem, title) in order; `numbers`: the page
    on which each section starts, for the contents (None on the first print)."""
    slugs = {slug for slug, _ in pages}
    contents = contents_html(pages, numbers)
    sections = "\n".join(
        f'<section class="report-page" id="page-{slug}">{_article(html_dir / f"{slug}.html", slug, slugs)}</section>'
        for slug, _ in pages
    )
    header = _css_string(cover.title)
    logos = [p for p in (html_dir / "_static" / "logo.png", html_dir / "_static" / "logo.svg") if p.is_file()]
    logo = f'<img class="logo" src="_static/{logos[0].name}" alt="">' if logos else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(cover.title)}</title>
<style>{css}
@page {{ @top-left {{ content: {header}; }} }}
</style></head>
<body>
<section class="cover">
  {logo}
  <p class="kicker">Workforce Race Equality Standard</p>
  <h1>{html.escape(cover.organisation)}</h1>
  <p class="subtitle">WRES report {int(cover.year)}</p>
  <p class="date">{html.escape(cover.date)}</p>
</section>
<section class="contents"><h2>Contents</h2><ol id="contents-entries">{contents}</ol></section>
{sections}
</body></html>
"""


# -- printing ------------------------------------------------------------------------------------------
def _section_pages(pdf: Path, headings: Sequence[tuple[str, str]], first: int) -> dict[str, int]:
    """The page (from 1) on which each section starts. Chromium names a destination in the PDF for each
    section the contents link to (`#page-<slug>`), on the page where it starts; where one is missing (another
    browser), the first page from `first` (from 0) whose text holds the section's first heading (every
    section starts a new page). Reading the destinations takes milliseconds, the text over a second."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    named = reader.named_destinations
    if all(f"/page-{slug}" in named for slug, _ in headings):
        return {slug: reader.get_destination_page_number(named[f"/page-{slug}"]) + 1 for slug, _ in headings}
    # NFKC: the PDF's text has the font's ligatures ("ﬁ" for "fi").
    texts = [" ".join(unicodedata.normalize("NFKC", p.extract_text() or "").split()) for p in reader.pages]
    found, at = {}, first
    for slug, wanted in headings:
        while at < len(texts) and wanted not in texts[at]:
            at += 1
        if at >= len(texts):
            raise PdfError(f"the section {wanted!r} was not found in the printed report")
        found[slug] = at + 1
    return found


SECTIONS_FILE = ".pdf-sections.json"  # beside the site: the page on which each section of its PDF starts


def last_sections(out_root: Path) -> dict[str, int] | None:
    """The pages the last published PDF's sections start on (None when there is none or it cannot be read:
    only a guess, checked against the print)."""
    try:
        found = json.loads((out_root / SECTIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(found, dict) and all(isinstance(v, int) and not isinstance(v, bool) for v in found.values())
    return found if ok else None


def keep_sections(out_root: Path, sections: dict[str, int]) -> None:
    try:
        (out_root / SECTIONS_FILE).write_text(json.dumps(sections), encoding="utf-8")
    except OSError:
        pass  # the next build prints twice


# -- one Chromium for every report a process prints (a batch's worker) -------------------------------------
_keeping = False
_kept: dict = {}  # program -> its Chromium, given its page


def keep_browser() -> None:
    """In a process that builds report after report (a batch's worker): keep one Chromium for all their PDFs,
    instead of starting one for each (about half a second). It is closed when this process exits."""
    global _keeping
    _keeping = True
    from multiprocessing.util import Finalize

    Finalize(None, _close_kept, exitpriority=20)


def _close_kept() -> None:
    while _kept:
        _kept.popitem()[1].close()


_early = None  # a Chromium starting beside the book build (start_browser)


def start_browser(program: str) -> None:
    """Start Chromium now, beside the book build (it takes about half a second to start); make_pdf takes it, and
    drop_early_browser closes it if the build stops before the PDF."""
    global _early
    from .chromium_pipe import Chromium, ChromiumError

    if _early is not None or (_keeping and program in _kept and _kept[program].alive()):
        return
    try:
        _early = Chromium(program, PRINT_TIMEOUT)
    except ChromiumError:  # make_pdf tries again and says why
        pass


def drop_early_browser() -> None:
    global _early
    early, _early = _early, None
    if early is not None:
        early.close()


def _new_browser(program: str):
    """A Chromium, not yet given its page: the one started early, else a new one."""
    from .chromium_pipe import Chromium

    global _early
    early, _early = _early, None
    if early is not None and early.program == program and early.alive():
        return early
    if early is not None:
        early.close()
    return Chromium(program, PRINT_TIMEOUT)


@contextlib.contextmanager
def _chromium(program: str):
    if not _keeping:
        with _new_browser(program) as page:
            yield page
        return
    if program not in _kept or not _kept[program].alive():
        _close_kept()
        _kept[program] = _new_browser(program).__enter__()
    try:
        yield _kept[program]
    except BaseException:
        _close_kept()  # after a failure, a fresh browser for the next report
        raise


def make_pdf(
    html_dir: Path,
    pages: Sequence[tuple[str, str]],
    cover: Cover,
    out: Path,
    *,
    browser: str | None = None,
    template: Path | None = None,
    guess: dict[str, int] | None = None,
) -> dict:
    """Print the site in `html_dir` to `out`; returns {"pages": n, "seconds": s, "sections": the page on which
    each section starts, "prints": how many prints it took (1 to 3)}. Raises PdfError.

    The contents page lists those pages, known only once the report is printed: it is printed with `guess`
    (the last build's, or blank numbers), and printed again, the numbers filled in, only if a section starts on
    another page. The print that is kept is checked: its contents give the pages its sections start on."""
    browser = browser or chromium()
    if not browser:
        raise PdfError("Chromium is not installed, so the PDF cannot be printed (sudo apt-get install chromium).")
    from .chromium_pipe import ChromiumError

    started = time.perf_counter()
    css = ((template or TEMPLATE_DIR) / "pdf" / "print.css").read_text(encoding="utf-8")
    if guess is not None and set(guess) != {slug for slug, _ in pages}:
        guess = None  # another set of sections: no guess
    with tempfile.TemporaryDirectory(prefix="wres-pdf-") as tmp:
        # The document sits in the site's folder, so that the charts and images it names are found.
        source = html_dir / ".wres-print.html"
        headings = [(slug, _first_heading(html_dir, slug, title)) for slug, title in pages]
        printed = Path(tmp) / "report.pdf"
        try:
            numbers, prints = guess, 0
            source.write_text(report_html(html_dir, pages, cover, numbers, css), encoding="utf-8")
            with _chromium(browser) as page:
                page.open(source.resolve().as_uri())
                while True:
                    printed.write_bytes(page.print_pdf())
                    prints += 1
                    found = _section_pages(printed, headings, first=2)  # after the cover and the contents
                    if found == numbers:
                        break  # every section starts on the page the contents give
                    if prints == 3:
                        raise PdfError("the sections of the printed report moved each time it was printed")
                    numbers = found
                    entries = json.dumps(contents_html(pages, numbers))
                    page.run(f"document.getElementById('contents-entries').innerHTML = {entries};")
        except ChromiumError as exc:
            raise PdfError(str(exc)) from None
        finally:
            source.unlink(missing_ok=True)
        from pypdf import PdfReader

        count = len(PdfReader(printed).pages)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(printed, out)
    return {"pages": count, "seconds": round(time.perf_counter() - started, 1), "sections": numbers, "prints": prints}
