"""A papermill engine that keeps one kernel per worker process for all the notebooks the worker runs.

A kernel costs about 1.5 CPU-s to start and import pandas, matplotlib and this package; a build runs six
notebooks on two workers, so keeping each worker's kernel saves four of six start-ups. Before each notebook
after the first, the kernel is put back to how a fresh one would run it (`_RESET`): the user namespace
emptied, a new history session with the cell counter at 1, figures closed, the working directory set, and
fd-level standard error (warnings, C libraries) pointed at that notebook's log. Imported modules stay
loaded: that is the saving; this package keeps no state between notebooks that changes what they show.

The kernel is a child of the worker. It is shut down when the worker exits (multiprocessing runs
`Finalize` callbacks in its workers, where atexit does not run) or stops on SIGTERM (`shutdown`), and a
kernel whose worker was killed outright exits by itself (ipykernel polls its parent).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

ENGINE = "wres-warm"

_RESET = """\
get_ipython().reset(new_session=True)  # the namespace emptied, a new history session, the counter at 1
import os as _os, sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
_os.chdir({cwd})
_os.environ.update({env})  # this build's, not the one the kernel was started for
_sys.stderr.flush()
# ipykernel captures fd 2 into the notebook and echoes it to a copy of the fd it started with; where it does
# not capture (it never does under pytest), fd 2 itself is the log. Either way, point it at this notebook's.
_copy = getattr(_sys.stderr, "_original_stdstream_copy", None)
_fd = _os.open({log}, _os.O_WRONLY | _os.O_APPEND | _os.O_CREAT, 0o600)
_os.dup2(_fd, 2 if _copy is None else _copy)
_os.close(_fd)
del _os, _sys, _copy, _fd
"""

_kernel: dict = {}  # kernel name -> {"km": manager, "kc": client}: this worker's kernel
_stderr_log: str | None = None  # the log the next notebook's kernel messages go to (set by execute.py)
_finalizer = None


_env: dict = {}  # variables the next notebook reads from its build (set by execute.py)


def set_log(path: str) -> None:
    global _stderr_log
    _stderr_log = path


def set_env(env: dict) -> None:
    global _env
    _env = dict(env)


class _Client(PapermillNotebookClient):
    warm = False

    def papermill_execute_cells(self):
        if self.warm:
            self._reset()
        super().papermill_execute_cells()

    def _reset(self) -> None:
        code = _RESET.format(
            cwd=json.dumps(os.getcwd()), log=json.dumps(_stderr_log or os.devnull), env=json.dumps(_env)
        )
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        reply = self.wait_for_reply(msg_id)
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"the kernel could not be reset for the next notebook: {content.get('evalue', reply)}")


class WarmEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        manager_class = kwargs.pop("kernel_manager_class", None)
        state = _kernel.get(kernel_name)
        if state is not None and not _alive(state["km"]):
            shutdown()  # it died (a notebook crashed it): start afresh
            state = None
        if state is None:
            km = manager_class(kernel_name=kernel_name) if manager_class else None
            state = {"km": km, "kc": None}
        final_kwargs = merge_kwargs(
            kwargs,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = _Client(nb_man, km=state["km"], **final_kwargs)
        client.kc = state["kc"]  # not a trait: set after __init__, which clears it
        client.warm = state["kc"] is not None
        try:
            return client.execute(cleanup_kc=False)
        finally:
            if client.km is not None and client.kc is not None:
                _kernel[kernel_name] = {"km": client.km, "kc": client.kc}
                _at_exit()
            else:
                _kernel.pop(kernel_name, None)


def _alive(km) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return bool(run_sync(km.is_alive)())
    except Exception:
        return False


def _at_exit() -> None:
    global _finalizer
    if _finalizer is None:
        from multiprocessing.util import Finalize

        _finalizer = Finalize(None, shutdown, exitpriority=10)


def shutdown() -> None:
    """Stop this worker's kernels (idempotent)."""
    from jupyter_core.utils import run_sync

    while _kernel:
        _, state = _kernel.popitem()
        km, kc = state["km"], state["kc"]
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        try:
            if kc is not None:
                kc.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # no event loop left (a signal unwound it): end the process directly
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        try:
            run_sync(km.cleanup_resources)()
        except Exception:
            pass


papermill_engines.register(ENGINE, WarmEngine)
