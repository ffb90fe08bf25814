"""The board paper's Chromium, driven over its DevTools pipe (chromium_pipe.py): it prints what the command
line prints, a change made in the page reaches the next print, and a build killed outright leaves no
Chromium behind."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from wres_helpers.chromium_pipe import Chromium, ChromiumError

BROWSER = shutil.which("chromium") or "/usr/bin/chromium"

DOCUMENT = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); } }
section { break-before: page; }
</style></head><body><h1>Cover</h1><ol id="entries"><li>blank</li></ol>
<section><h2>First</h2><p>Some text.</p></section><section><h2>Second</h2></section></body></html>"""


def _texts(pdf: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages]


def _contents(pdf: Path) -> list[bytes]:
    return [page.get_contents().get_data() for page in PdfReader(pdf).pages]


@pytest.fixture
def document(tmp_path) -> Path:
    assert Path(BROWSER).exists(), "Chromium is needed: sudo apt-get install chromium (CI installs it)"
    path = tmp_path / "doc.html"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


def test_it_prints_what_the_command_line_prints_and_a_change_in_the_page_reaches_the_next_print(document, tmp_path):
    cli = tmp_path / "cli.pdf"
    subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp_path / 'p1'}"]
        + ["--no-pdf-header-footer", f"--print-to-pdf={cli}", document.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with Chromium(BROWSER, timeout=60, profile=tmp_path / "p2") as page:
        page.open(document.as_uri())
        (tmp_path / "one.pdf").write_bytes(page.print_pdf())
        page.run("document.getElementById('entries').innerHTML = '<li>First 2</li><li>Second 3</li>';")
        (tmp_path / "two.pdf").write_bytes(page.print_pdf())
    assert _contents(tmp_path / "one.pdf") == _contents(cli)  # the same drawing on every page
    one, two = _texts(tmp_path / "one.pdf"), _texts(tmp_path / "two.pdf")
    assert len(one) == len(two) == 3 and "Page 3 of 3" in one[2]
    assert "1. blank" in one[0] and "1. First 2 2. Second 3" in two[0] and "blank" not in two[0]
    assert one[1:] == two[1:]


def test_a_script_error_and_a_missing_document_are_reported(document, tmp_path):
    with Chromium(BROWSER, timeout=60, profile=tmp_path / "p") as page:
        with pytest.raises(ChromiumError, match="could not be changed"):
            page.run("no_such_function();")
        page.open(document.as_uri())  # still usable after an error
        assert page.print_pdf().startswith(b"%PDF")


def test_a_chromium_that_exits_at_once_is_an_error_with_its_exit_status(tmp_path):
    with pytest.raises(ChromiumError, match=r"exit status 1"):
        with Chromium(shutil.which("false") or "/bin/false", timeout=30, profile=tmp_path / "p"):
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone in all but name
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _wait_dead(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def test_its_owner_killed_outright_leaves_no_chromium(document, tmp_path):
    """kill -9 of the process printing (a build, or a batch's worker): no clean-up code runs, yet the browser
    and every process it started end by themselves."""
    profile = tmp_path / "owner-profile"
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys, time
                from pathlib import Path
                from wres_helpers.chromium_pipe import Chromium
                page = Chromium({BROWSER!r}, timeout=60, profile=Path({str(profile)!r})).__enter__()
                page.open({document.as_uri()!r})
                print(page._process.pid, flush=True)
                time.sleep(300)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        browser_pid = int(owner.stdout.readline())
        assert _alive(browser_pid)
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            left = subprocess.run(["pgrep", "-f", str(profile)], capture_output=True, text=True).stdout.split()
            if not _alive(browser_pid) and not left:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"Chromium outlived its owner: pid {browser_pid}, processes {left}")
    finally:
        owner.kill()
        subprocess.run(["pkill", "-9", "-f", str(profile)])


def _site(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir()
    for slug, heading in pages.items():
        article = f'<article class="bd-article" role="main"><h1>{heading}</h1><p>Text.</p></article>'
        text = f"<html><body>{article}</body></html>"
        (folder / f"{slug}.html").write_text(text, encoding="utf-8")
    return folder


def test_a_batch_worker_prints_every_report_with_one_chromium_and_a_new_one_after_a_failure(tmp_path, monkeypatch):
    from wres_helpers import pdf

    assert Path(BROWSER).exists(), "Chromium is needed: sudo apt-get install chromium (CI installs it)"
    monkeypatch.setattr(pdf, "_keeping", True)  # as keep_browser() sets it in a batch's worker
    pages = [("index", "Home page"), ("two", "Second page")]
    cover = pdf.Cover("An organisation", "A header", 2021, "1 October 2030")
    try:
        browsers = []
        for name in ("a", "b"):
            made = pdf.make_pdf(_site(tmp_path / name, {"index": f"Home of {name}", "two": "Two"}), pages, cover,
                                tmp_path / f"{name}.pdf", browser=BROWSER)  # fmt: skip
            assert made["prints"] == 2 and made["sections"] == {"index": 3, "two": 4}, made
            assert f"Home of {name}" in _texts(tmp_path / f"{name}.pdf")[2]  # this report's page, not the last one's
            browsers.append(pdf._kept[BROWSER]._process.pid)
        assert browsers[0] == browsers[1], "each report started a Chromium of its own"
        os.kill(browsers[0], signal.SIGKILL)  # the kept Chromium crashed between two reports
        deadline = time.monotonic() + 20
        while pdf._kept[BROWSER].alive() and time.monotonic() < deadline:  # once it has wholly ended
            time.sleep(0.1)
        pdf.make_pdf(_site(tmp_path / "c", {"index": "Home of c", "two": "Two"}), pages, cover, tmp_path / "c.pdf",
                     browser=BROWSER)  # fmt: skip
        assert "Home of c" in _texts(tmp_path / "c.pdf")[2]
        browsers.append(pdf._kept[BROWSER]._process.pid)
        assert browsers[2] != browsers[0]
    finally:
        pdf._close_kept()
    assert _wait_dead(browsers[2]), "the kept Chromium outlived its worker's last report"


def test_a_chromium_started_beside_the_book_prints_the_pdf_and_one_not_used_is_closed(tmp_path):
    from wres_helpers import pdf

    pages = [("index", "Home page"), ("two", "Second page")]
    cover = pdf.Cover("An organisation", "A header", 2021, "1 October 2030")
    pdf.start_browser(BROWSER)  # the build starts it as the book build begins
    early = pdf._early._process.pid
    opened = []
    real = pdf._new_browser
    pdf._new_browser = lambda program: opened.append(real(program)) or opened[-1]
    try:
        pdf.make_pdf(_site(tmp_path / "a", {"index": "Home", "two": "Two"}), pages, cover, tmp_path / "a.pdf",
                     browser=BROWSER)  # fmt: skip
    finally:
        pdf._new_browser = real
    assert [browser._process.pid for browser in opened] == [early], "the PDF started a Chromium of its own"
    assert _wait_dead(early) and not opened[0].profile.exists()  # closed after the print, its profile removed
    pdf.start_browser(BROWSER)
    unused = pdf._early._process.pid
    pdf.drop_early_browser()  # the build stopped before its PDF
    assert _wait_dead(unused) and pdf._early is None
