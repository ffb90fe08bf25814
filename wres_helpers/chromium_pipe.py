"""One headless Chromium driven over its DevTools pipe: open a page, print it to PDF, change it, print again.

The board paper is printed at least twice when its contents' page numbers are not known beforehand (pdf.py).
`chromium --print-to-pdf` starts a browser and lays the document out afresh for each print (about 1.6 s for a
report); over the DevTools protocol one browser loads the document once, and a second print after the contents
are filled in costs about 0.6 s. `--remote-debugging-pipe` speaks that protocol over two inherited file
descriptors (Chromium reads commands from fd 3 and writes replies to fd 4, each message JSON ending in a NUL
byte), so nothing listens on a port and no WebSocket library is needed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .errors import WresError


class ChromiumError(WresError):
    """Chromium failed to start, to load the document or to print it; or it did not answer in time."""


class Chromium:
    """A headless Chromium with one page, tied to this process (lifeline.py). Use as a context manager."""

    def __init__(self, program: str, timeout: float, profile: Path | None = None) -> None:
        """`profile`: the browser's profile folder; by default a temporary one, removed when it is closed."""
        self.program, self.timeout = program, timeout
        self._own_profile = profile is None
        profile = self.profile = Path(tempfile.mkdtemp(prefix="wres-chromium-")) if profile is None else profile
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []
        self._session: str | None = None
        commands_r, commands_w = os.pipe()  # we write, Chromium reads (its fd 3)
        replies_r, replies_w = os.pipe()  # Chromium writes (its fd 4), we read
        command = [
            sys.executable,
            "-m",
            "wres_helpers.lifeline",
            str(os.getpid()),
            f"--pipe={commands_r},{replies_w}",
            program,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        profile.mkdir(parents=True, exist_ok=True)
        self._log = profile / "chromium-stderr.log"  # a file, not a pipe: a pipe nobody reads can fill and block it
        try:
            with open(self._log, "wb") as log:
                self._process = subprocess.Popen(
                    command,
                    pass_fds=(commands_r, replies_w),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
        except OSError as exc:
            for fd in (commands_w, replies_r):
                os.close(fd)
            self._remove_profile()
            raise ChromiumError(f"Chromium ({program}) could not be started: {exc.strerror or exc}.") from None
        finally:
            os.close(commands_r)
            os.close(replies_w)
        self._out, self._in = commands_w, replies_r

    def __enter__(self) -> "Chromium":
        try:
            target = self.call("Target.createTarget", url="about:blank")["targetId"]
            self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.call("Page.enable")
        except BaseException:
            self.close()
            raise
        return self

    def alive(self) -> bool:
        return self._process.poll() is None

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the protocol -------------------------------------------------------------------------------------
    def call(self, method: str, **params) -> dict:
        """Send one command (to the page once attached) and return its result."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self._session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self._session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._out, data) :]
        except OSError:
            raise self._died() from None
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ChromiumError(f"Chromium refused {method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_for(self, event: str) -> dict:
        for i, seen in enumerate(self._events):
            if seen.get("method") == event:
                return self._events.pop(i)
        while True:
            message = self._read()
            if message.get("method") == event:
                return message
            self._events.append(message)

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise ChromiumError(f"Chromium did not answer within {self.timeout:.0f} seconds.")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise self._died()
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _died(self) -> ChromiumError:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)
        try:
            stderr = self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            stderr = ""
        last = (stderr.strip().splitlines() or ["no message"])[-1]
        return ChromiumError(f"Chromium could not print the report (exit status {self._process.returncode}): {last}")

    # -- what pdf.py needs --------------------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Load `url` and wait until it (and every image it holds) has loaded."""
        self._events.clear()
        found = self.call("Page.navigate", url=url)
        if found.get("errorText"):
            raise ChromiumError(f"Chromium could not open the document to print: {found['errorText']}")
        self.wait_for("Page.loadEventFired")

    def run(self, script: str) -> None:
        """Run JavaScript in the page (it changes the document before the next print)."""
        found = self.call("Runtime.evaluate", expression=script, returnByValue=True)
        if "exceptionDetails" in found:
            raise ChromiumError(f"the document could not be changed for printing: {found['exceptionDetails']}")

    def print_pdf(self) -> bytes:
        """The page printed as `chromium --print-to-pdf --no-pdf-header-footer` prints it (the same bytes): paper
        size and margins from the page's CSS, backgrounds printed."""
        found = self.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True)
        return base64.b64decode(found["data"])

    def close(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(ChromiumError, OSError):
                self._session = None
                self.call("Browser.close")
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for fd in (self._out, self._in):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._remove_profile()

    def _remove_profile(self) -> None:
        if self._own_profile:
            shutil.rmtree(self.profile, ignore_errors=True)
