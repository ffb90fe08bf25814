"""The report pipeline: validated inputs -> executed notebooks -> a static, offline Jupyter Book site.

    python -m wres_helpers report ORG YEAR [--workspace DIR] [--jobs 2]

Steps, one log line each (jupyter-book's imports, a first build's notebook kernels and, at step 4, the PDF's
Chromium are started ahead, beside the steps before them, and stopped if the build does not reach them):
1. validate: compute the indicator table, so that an input error stops the run before any notebook runs;
2. execute every section notebook with papermill (typed parameters, kernel "wres", two at a time) into
   <workspace>/build/<org>/<year>/executed/ (the copies of the latest attempt, failed ones included);
3. prepare the pages (`prepare_for_book`: the one place that applies the publishing rules);
4. copy the book template (book/) with the organisation's logo and colours, write the analyst's workbook
   (workbook.py) and build the book with `jupyter-book build -W`; write manifest.json;
5. check that no page loads anything from the internet (`external_references`);
6. print the board paper, one PDF of the whole site (pdf.py), when Chromium is installed;
7. publish: the new site replaces <workspace>/build/<org>/<year>/html/ by renaming, only when every step
   succeeded. On any failure or interruption the previous html/ is left exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from .build_lock import Log, Terminated, _build_lock, _recover, _Signals
from .errors import BuildError, WresError
from .workspace import Workspace

# The stages, each in its own module: build_report composes them; a batch (batch.py) runs build_report per
# organisation. Their main functions are importable from here too, loaded when first used, so that a build
# with nothing to do (freshness.py) imports none of the heavy packages they need.
_STAGES = {
    "prepare_for_book": "build_pages",
    "fill_narrative": "build_pages",
    "download_links": "build_pages",
    "published_table_sha256": "build_pages",
    "MARKDOWN_PAGES": "build_pages",
    "execute_notebooks": "execute",
    "execution_fingerprint": "execute",
    "KERNEL": "execute",
    "build_book": "book_build",
    "external_references": "offline_check",
}


def __getattr__(name: str):
    if name in _STAGES:
        import importlib

        return getattr(importlib.import_module(f".{_STAGES[name]}", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BuildError", "SECTIONS", "Terminated", "build_report", *_STAGES]

# The report's sections in order: (page slug, notebook in notebooks/, title in the navigation).
# The first section is the site's home page. A section without a notebook is a Markdown page written at
# build time from the analyst's files (MARKDOWN_PAGES), so editing them never re-runs a notebook.
SECTIONS = [
    ("summary", "01_summary.ipynb", "Summary and key findings"),
    ("workforce", "02_workforce_profile.ipynb", "Workforce profile (indicator 1)"),
    (
        "recruitment",
        "03_recruitment_discipline_training.ipynb",
        "Recruitment, discipline and training (indicators 2 to 4)",
    ),
    ("experience", "04_staff_experience.ipynb", "Staff experience (indicators 5 to 8)"),
    ("board", "05_board.ipynb", "Board representation (indicator 9)"),
    ("next_steps", None, "Next steps and recommendation"),
    ("action_plan", None, "Action plan"),
    ("methodology", "06_methodology.ipynb", "Methodology and data quality"),
]


KEEP_BOOK_ENV = "WRES_KEEP_BOOK"  # a folder to copy the prepared pages to, before the book is built


def repository_root() -> Path:
    return Path(__file__).resolve().parent.parent


def default_notebooks_dir() -> Path:
    return repository_root() / "notebooks"


# -- the whole pipeline -----------------------------------------------------------------------------------
def _seconds(start: float) -> str:
    return f"{time.perf_counter() - start:.1f} s"


def _audit_disclosure(report, cache=None) -> None:
    """The independent interval audit (disclosure_audit.py) attacks the tables this build would publish:
    a withheld figure it can narrow below the protection width stops the build, and nothing is published.
    `cache` (result_cache.py) keeps a pass, by the published tables it passed on; a failure is found again."""
    from .disclosure_audit import audit, audit_together, interval_leaks, unprotected
    from .result_cache import ResultCache, table_bytes

    tables = {**report.history, report.year: report.table}
    cache = cache or ResultCache(None)
    key = cache.key(
        "audit",
        repr((report.rules.threshold, report.rules.width)),
        *[part for y in sorted(tables) for part in (str(y), table_bytes(tables[y]))],
        *[
            part
            for m, theirs in sorted((getattr(report, "member_tables", None) or {}).items())
            for y in sorted(theirs)
            for part in (f"{m} {y}", table_bytes(theirs[y]))
        ],
    )
    if cache.get(key) == "passed":
        return

    def attack(year: int):
        if getattr(report, "member_tables", None):  # an aggregate: its report and its members' reports read together
            return audit_together(tables, report.member_tables, year, report.rules.threshold, report.org.slug)
        return audit(tables, year, report.rules.threshold)

    found = [
        f
        for year in sorted(tables)  # the pages show every year's table (trends.py)
        for f in unprotected(attack(year), report.rules.width, report.rules.threshold)
    ]
    if found:
        shown = "\n".join(f"    {f.year}/{'/'.join(map(str, f.cell))}: {f.low} to {f.high}" for f in found[:20])
        raise BuildError(
            f"Disclosure check failed: {len(found)} withheld figures could be narrowed to fewer than "
            f"{report.rules.width + 1} possible values from the published tables, so nothing was "
            f"published. Please report this as a bug of wres_helpers:\n{shown}"
        )
    leaks = [leak for y, t in tables.items() for leak in interval_leaks(t, y)]
    if leaks:
        shown = "\n".join(f"    {leak.year} {'/'.join(map(str, leak.row))}: {leak.why}" for leak in leaks[:20])
        raise BuildError(
            f"Disclosure check failed: {len(leaks)} published intervals or p-values could reveal a "
            f"withheld count, so nothing was published. Please report this as a bug of wres_helpers:\n{shown}"
        )
    cache.put(key, "passed")


def build_report(
    org: str,
    year: int | str,
    workspace: str | Path | Workspace | None = None,
    *,
    jobs: int = 2,
    notebooks_dir: str | Path | None = None,
    sections: Sequence[tuple[str, str, str]] | None = None,
    book_template: str | Path | None = None,
    log: Log = print,
) -> Path:
    """Build the report site of one organisation and year; returns <workspace>/build/<org>/<year>/html.

    Raises WresError (input problems, a failing notebook cell, a book warning, a failed PDF): nothing is
    published then, and the previous html/ is left untouched. `book_template`: another folder than book/.
    """
    from . import pdf
    from .book_config import TEMPLATE_DIR
    from .freshness import site_fingerprint, stamp_matches

    started = time.perf_counter()
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    sections = list(SECTIONS if sections is None else sections)
    notebooks = Path(notebooks_dir).resolve() if notebooks_dir else default_notebooks_dir()
    browser = pdf.chromium()

    # 0. nothing to do when no file the site is made from has changed since it was published
    ws.year_dir(org, year)
    out_root = ws.root / "build" / org / str(year)
    site_print = site_fingerprint(
        ws.root,
        org,
        int(year),
        notebooks=[notebooks / name for _, name, _ in sections if name and (notebooks / name).is_file()],
        template=Path(book_template) if book_template else TEMPLATE_DIR,
        related=ws.org_settings(org).comparators,
        settings={"sections": sections, "pdf": browser is not None},
    )
    if stamp_matches(out_root, site_print):
        log(
            f"nothing to do: no input, setting, narrative, action plan, notebook, template or code change since "
            f"{ws.display(out_root / 'html')} was published ({_seconds(started)})"
        )
        return out_root / "html"

    # jupyter-book's imports start now, beside the validation and the notebooks (book_build.py); so do the
    # notebooks' kernels when no notebook has run for this report yet (a first build: they will run)
    from . import execute
    from .book_build import start_book_server

    start_book_server()
    notebook_count = sum(1 for _, name, _ in sections if name)
    if notebook_count and not (out_root / "executed" / ".fingerprint").is_file():
        execute.start_kernels(min(jobs, notebook_count), notebooks)
    try:
        return _build_steps(
            org, year, ws, jobs=jobs, notebooks=notebooks, sections=sections, book_template=book_template, log=log,
            started=started, browser=browser, out_root=out_root, site_print=site_print,
        )  # fmt: skip
    finally:
        execute.drop_early_kernels()  # started, and not used
        pdf.drop_early_browser()


def _build_steps(
    org, year, ws, *, jobs, notebooks, sections, book_template, log, started, browser, out_root, site_print
):
    """build_report's steps 1 to 7 (see the module's note), once it is known that there is something to do."""
    # 1. validate before any notebook runs: inputs, narrative and action plan
    from datetime import date

    import nbformat

    from . import __version__, narrative, pdf, present
    from .actions import load_plans
    from .book_build import build_book
    from .book_config import assemble, org_look, page_name, page_text, report_title
    from .build_pages import (
        MARKDOWN_PAGES,
        _NarrativeOrigins,
        download_links,
        fill_narrative,
        prepare_for_book,
        published_table_sha256,
    )
    from .comparators import load_comparators
    from .engine import missing_input_notes
    from .execute import execute_notebooks, execution_fingerprint
    from .freshness import clear_stamp, write_stamp
    from .landing import headline_figures
    from .manifest import manifest
    from .offline_check import external_references
    from .report_data import CACHE_ENV, load_report, save_for_kernels
    from .result_cache import ResultCache

    step = time.perf_counter()
    report = load_report(org, year, ws)
    table, settings, year = report.table, report.org, report.year
    _audit_disclosure(report, ResultCache.for_workspace(ws.root))
    load_comparators(report)  # before the kernels: a comparator's input problem stops the build here
    texts, warnings = narrative.load_narrative(report)
    plans = load_plans(ws, org, year)
    look = org_look(ws, org)
    missing = [name for _, name, _ in sections if name and not (notebooks / name).is_file()]
    if missing:
        raise BuildError(f"Missing report notebooks in {notebooks}: {', '.join(missing)}.")
    log(
        f"validated {ws.display(ws.year_dir(org, year))}: {len(table)} indicator rows, "
        f"{len(texts)} narrative files, {len(plans[0].actions)} actions in {_seconds(step)}"
    )
    for warning in warnings:
        log(f"warning: {warning}")
    for note in missing_input_notes(org, year, ws):
        log(f"note: {note}")
    if browser is None:
        log("note: " + pdf.HOW_TO_GET_IT.format(org=org, year=year))
    notebook_sections = [(slug, name, title) for slug, name, title in sections if name]

    with _build_lock(out_root, log), _Signals() as signals:
        _recover(out_root, log)  # after a run that was killed outright
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_root))
        try:
            # 2. execute, unless nothing the notebooks read has changed since the last successful run
            step = time.perf_counter()
            executed = out_root / "executed"
            executed.mkdir(parents=True, exist_ok=True)
            parameters = {"org": org, "year": year, "workspace": str(ws.root)}
            names = [name for _, name, _ in notebook_sections]
            fingerprint = execution_fingerprint(report, [notebooks / n for n in names], parameters)
            stamp = executed / ".fingerprint"
            if stamp.is_file() and stamp.read_text() == fingerprint and all((executed / n).is_file() for n in names):
                log(
                    f"reused {len(names)} executed notebooks: no published figure, setting, notebook or code "
                    "change since the last build (narrative, action plan and input fingerprints are re-rendered)"
                )
            else:
                stamp.unlink(missing_ok=True)
                for old in [*executed.glob("*.ipynb"), *executed.glob("*.log")]:
                    old.unlink()
                save_for_kernels(report, staging / "report.pickle")
                os.environ[CACHE_ENV] = str(staging / "report.pickle")
                try:
                    execute_notebooks(
                        [(notebooks / n, executed / n) for n in names],
                        parameters,
                        notebooks,
                        jobs=jobs,
                        shown=ws.display,
                        signals=signals,
                        log=log,
                    )
                finally:
                    os.environ.pop(CACHE_ENV, None)
                stamp.write_text(fingerprint)
                log(f"executed {len(names)} notebooks in {_seconds(step)} ({min(jobs, len(names))} at a time)")

            # 3. pages
            step = time.perf_counter()
            book = staging / "book"
            note = f"Generated by wres_helpers.build for {org} {year} from book/: do not edit."
            template = Path(book_template) if book_template else None
            assemble(
                book,
                settings,
                year,
                sections,
                version=__version__,
                look=look,
                note=note,
                template=template,
                downloads=download_links(org, year, with_pdf=browser is not None),
            )
            section_texts = {s: texts.get(s) or narrative.generated(report, s) for s in narrative.NARRATIVE_SECTIONS}
            fills = {"provenance": present.provenance(report)}
            origins = _NarrativeOrigins(texts, lambda s: ws.display(narrative.narrative_dir(report) / f"{s}.md"))
            for index, (slug, name, title) in enumerate(sections):
                if name is None:
                    text = page_text(slug, template, title=title, **MARKDOWN_PAGES[slug](report, section_texts, plans))
                    (book / f"{page_name(index, slug)}.md").write_text(text, encoding="utf-8")
                    origins.markdown_page(f"{page_name(index, slug)}.md", text)
                    continue
                executed_nb = fill_narrative(nbformat.read(executed / name, as_version=4), section_texts, fills)
                page = prepare_for_book(executed_nb, title=title)
                nbformat.write(page, book / f"{page_name(index, slug)}.ipynb")
                origins.notebook_page(f"{page_name(index, slug)}.ipynb", page)
            from .workbook import write_workbook

            write_workbook(report, book / "data")
            log(f"prepared {len(sections)} pages and the workbook in {_seconds(step)}")
            if os.environ.get(KEEP_BOOK_ENV):  # bench/run.py times a bare `jupyter-book build` of these pages
                shutil.copytree(book, os.environ[KEEP_BOOK_ENV], dirs_exist_ok=True)

            # 4. book (the PDF's Chromium starts beside it)
            if browser is not None:
                pdf.start_browser(browser)
            step = time.perf_counter()
            log("building the book with jupyter-book")
            html_dir = build_book(book, signals=signals, where=origins.locate)
            shutil.copytree(book / "data", html_dir / "data")
            record = manifest(report, published_table_sha256(table))
            record["headlines"] = headline_figures(report)  # for the workspace's landing page (landing.py)
            (html_dir / "manifest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            log(f"built the book in {_seconds(step)}")

            # 5. offline check
            step = time.perf_counter()
            remote = external_references(html_dir)
            if remote:
                shown = "\n".join(f"    {line}" for line in remote[:30])
                raise BuildError(
                    f"The site would load {len(remote)} resources from the internet, so it would "
                    f"not work offline:\n{shown}"
                )
            log(f"checked the site for internet loads in {_seconds(step)}: none")

            # 6. the board paper, printed from the site as it will be published
            if browser is not None:
                step = time.perf_counter()
                pages = [(page_name(i, slug), title) for i, (slug, _, title) in enumerate(sections)]
                cover = pdf.Cover(settings.name, report_title(settings, year), year, f"{date.today():%-d %B %Y}")
                printed = pdf.make_pdf(
                    html_dir,
                    pages,
                    cover,
                    html_dir / "data" / pdf.pdf_name(org, year),
                    browser=browser,
                    template=template,
                    guess=pdf.last_sections(out_root),
                )
                times = {1: "once: its sections start where they did last time", 2: "twice"}.get(
                    printed["prints"], f"{printed['prints']} times"
                )
                log(f"printed the report to a PDF of {printed['pages']} pages in {_seconds(step)} ({times})")

            # 7. publish
            final = out_root / "html"
            aside = out_root / f".old-html-{staging.name.removeprefix('.staging-')}"
            with signals.critical(deliver_after=False):
                clear_stamp(out_root)  # a build killed from here on leaves no stamp that could vouch for the site
                moved_aside = False
                if final.exists():
                    os.rename(final, aside)
                    moved_aside = True
                try:
                    os.rename(html_dir, final)
                except BaseException:
                    if moved_aside:
                        os.rename(aside, final)
                    raise
            if moved_aside:
                shutil.rmtree(aside, ignore_errors=True)
            shutil.copyfile(final / "manifest.json", out_root / "manifest.json")  # beside the site, too
            write_stamp(out_root, site_print)
            if browser is not None:
                pdf.keep_sections(out_root, printed["sections"])  # the next build's guess for its contents
            log(f"published {ws.display(final)} in {_seconds(started)} in total")
            return final
        except WresError as exc:
            state = (
                f"{ws.display(out_root / 'html')} is unchanged"
                if (out_root / "html").exists()
                else "there is no earlier site"
            )
            raise BuildError(f"{exc}\nNothing was published ({state}).") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


# -- command line -----------------------------------------------------------------------------------------
def add_report_arguments(parser) -> None:
    """The arguments of `python -m wres_helpers report`; sets `run` to run_report."""
    parser.add_argument("org", help="organisation folder name under params/, e.g. leeds")
    parser.add_argument("year", help="report year (snapshot 31 March of that year), e.g. 2021")
    parser.add_argument(
        "--workspace",
        help="folder holding params/ (default: $WRES_WORKSPACE or this repository); "
        "the site is written to <workspace>/build/<org>/<year>/html",
    )
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at the same time (default: 2)")
    parser.set_defaults(run=run_report)


def run_pdf(args) -> int:
    """`make pdf`: the report built as `make report` builds it (the notebooks run only when something they read
    changed), which needs Chromium here; prints the PDF's path."""
    from . import pdf

    if pdf.chromium() is None:
        raise WresError(
            "Chromium is not installed, so the board paper cannot be printed: install it (sudo apt-get "
            "install chromium) or set WRES_CHROMIUM to a Chromium or Chrome program."
        )
    return run_report(args, show=lambda site: site / "data" / pdf.pdf_name(args.org, args.year))


def run_report(args, show: Callable[[Path], Path] = lambda site: site / "index.html") -> int:
    """Build the report site; a WresError propagates (the CLI prints it and exits 2)."""

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.jobs < 1:
        raise WresError("--jobs must be 1 or more.")
    try:
        site = build_report(args.org, args.year, args.workspace, jobs=args.jobs, log=log)
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        log(f"{what}: the build stopped; build/{args.org}/{args.year}/html, if any, holds the last complete site")
        return 143 if isinstance(exc, Terminated) else 130
    print(show(site))
    return 0
