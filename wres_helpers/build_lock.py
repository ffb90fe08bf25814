"""What keeps a build safe from interruption and from a second build: signal handling and the build lock."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from .errors import BuildError

Log = Callable[[str], None]


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived during a build (raised like Ctrl+C raises KeyboardInterrupt)."""


# -- signals: SIGTERM behaves like Ctrl+C; neither lands while a child process starts or the site moves ---
class _Signals:
    """Installed for the length of a build (in the main thread only; elsewhere it does nothing)."""

    def __init__(self):
        self._old: dict[int, object] = {}
        self._critical = False
        self._pending: int | None = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        pending, self._pending = self._pending, None
        if pending is not None:  # it arrived while the site was being published: deliver it now
            os.kill(os.getpid(), pending)
        return False

    def _handle(self, signum, frame):
        if self._critical:
            self._pending = signum
            return
        self._raise(signum)

    @staticmethod
    def _raise(signum):
        if signum == signal.SIGTERM:
            raise Terminated("terminated")
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def critical(self, *, deliver_after: bool = True):
        """Hold signals back during the block; then raise them (or, deliver_after=False, at the build's end)."""
        self._critical = True
        try:
            yield
        finally:
            self._critical = False
            if deliver_after and self._pending is not None:
                pending, self._pending = self._pending, None
                self._raise(pending)


_NO_SIGNALS = _Signals()  # never entered, so it installs no handler and critical() holds nothing back


# -- the build lock: one build of a report at a time, and never a lock that outlives its build ----------
# A POSIX record lock (fcntl.lockf) on build/<org>/<year>/.lock. The operating system releases it when the
# process that took it ends, however it ends (kill -9 included), and a forked child does not inherit it, so
# a notebook worker left running cannot keep it either. The file names the holder: the process id, the host
# and when it started. The holder empties it on the way out, so a record found in a free lock is a build
# that was killed: the new build says so and clears up after it.
_lock_fd: int | None = None  # open while this process holds a build lock (workers close their copy)


def _process_start(pid: int) -> str | None:
    """The start time of a process in clock ticks since boot (Linux), to tell a reused process id apart."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _holder_record() -> dict:
    import socket

    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "process_start": _process_start(os.getpid()),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join(sys.argv)[:200],
    }


def _read_holder(fd: int) -> dict | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe(holder: dict | None) -> str:
    if not holder:
        return "a process that left no details"
    return f"process {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}" + (
        f" ({holder['command']})" if holder.get("command") else ""
    )


def _holder_alive(holder: dict | None) -> bool | None:
    """Is the process named in the record still running? None when it cannot be told (another host)."""
    import socket

    if not holder or holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return None
    pid = holder["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    start = _process_start(pid)
    return start is None or holder.get("process_start") in (None, start)


@contextlib.contextmanager
def _build_lock(folder: Path, log: Log = print):
    global _lock_fd
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            why = (
                ""
                if _holder_alive(holder) is not False
                else " That process is no longer running, but one it started still holds the lock: end it, or "
                "wait for it to finish."
            )
            raise BuildError(
                f"Another build of this report is running: {_describe(holder)}. It holds {path}; "
                f"wait for it to finish.{why}"
            ) from None
        stale = _read_holder(fd)
        if stale:
            log(
                f"cleared a stale lock: the build by {_describe(stale)} stopped without finishing (killed?); "
                "its unfinished files are removed"
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(_holder_record()) + "\n").encode("utf-8"), 0)
        _lock_fd = fd
        try:
            yield
        finally:
            _lock_fd = None
            os.ftruncate(fd, 0)  # an empty lock file: the last build ended in an orderly way
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _recover(out_root: Path, log: Log) -> None:
    """Clear what a killed build left behind (under the lock). A build killed between moving the old site
    aside and moving the new one in leaves no html/ and the old site in .old-html-*: put it back."""
    final = out_root / "html"
    asides = sorted(out_root.glob(".old-html-*"), key=lambda p: p.stat().st_mtime)
    if not final.exists() and asides and (asides[-1] / "index.html").is_file():
        os.rename(asides[-1], final)
        log(f"restored the previous site from {asides[-1].name}: a build was stopped while publishing")
    for stale in list(out_root.glob(".staging-*")) + list(out_root.glob(".old-html-*")):
        shutil.rmtree(stale, ignore_errors=True)
