"""A build's helper processes (notebook workers, jupyter-book) end when the build's own process ends.

A build killed outright (kill -9, the out-of-memory killer) runs no clean-up code, so its children must
notice by themselves: on Linux the kernel sends them a signal when their parent dies (prctl
PR_SET_PDEATHSIG); elsewhere a watchdog thread checks once a second that the parent is still the same.

    python -m wres_helpers.lifeline PARENT_PID [--pipe=R,W] PROGRAM ARGS...   runs PROGRAM tied to PARENT_PID

`--pipe=R,W`: the inherited descriptors R and W become the program's fd 3 and fd 4 (what Chromium's
`--remote-debugging-pipe` reads and writes: chromium_pipe.py).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def _pdeathsig(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int, signum: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    os.kill(os.getpid(), signum)


def die_with_parent(parent_pid: int, signum: int = signal.SIGTERM, *, watchdog: bool = True) -> None:
    """Receive `signum` when the process `parent_pid` (this process's parent) ends."""
    tied = _pdeathsig(signum)
    if os.getppid() != parent_pid:  # it ended before we asked
        os.kill(os.getpid(), signum)
    if watchdog and not tied:
        watch_parent(parent_pid, signum)


def watch_parent(parent_pid: int, signum: int = signal.SIGTERM) -> None:
    """Receive `signum` within a second of this process being handed to another parent: a thread that polls,
    on any platform, and that fires once the parent has wholly gone (the death signal of Linux may come first,
    when the first of the parent's threads ends)."""
    threading.Thread(target=_watch, args=(parent_pid, signum), name="lifeline", daemon=True).start()


def main(argv: list[str]) -> None:
    parent, program = int(argv[0]), argv[1:]
    _pdeathsig(signal.SIGTERM)  # Linux only: a watchdog thread would not survive exec
    if os.getppid() != parent:
        sys.exit(143)
    if program[0].startswith("--pipe="):
        given = [int(fd) for fd in program.pop(0).removeprefix("--pipe=").split(",")]
        read, write = (os.dup(fd) for fd in given)  # copies first: R or W may itself be 3 or 4
        os.dup2(read, 3)
        os.dup2(write, 4)
        for fd in {*given, read, write} - {3, 4}:
            os.close(fd)
        for fd in (3, 4):  # a copy that landed on 3 itself kept the close-on-exec flag of os.dup
            os.set_inheritable(fd, True)
    os.execv(program[0], program)  # the death signal setting survives exec


if __name__ == "__main__":
    main(sys.argv[1:])
