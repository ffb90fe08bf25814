"""The attacker's linear programmes of disclosure control, solved with HiGHS (highspy) directly.

Every withheld figure of one component is bounded under the same constraints; only the objective changes
(lowest, then highest, of one figure after another). One HiGHS model per component, re-solved from the last
basis, costs a fraction of a cold `scipy.optimize.linprog` per bound (which rebuilds and checks the whole
problem each time: 13,000 calls took 63 s for an aggregate of two members, most of it outside the solver).
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

_banner_shown = False


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints its banner to the process's stdout when the first model is made, before any option can
    switch it off: that line must not reach a report's command line or a notebook's log."""
    global _banner_shown
    if _banner_shown:
        yield
        return
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (an unusual host): the banner goes where it goes
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        _banner_shown = True


class Bounds:
    """min and max of single variables subject to  a @ x = b,  0 <= x <= upper."""

    def __init__(self, a: np.ndarray, b: np.ndarray, upper: float):
        import highspy

        with _quiet_stdout():
            self._h = highspy.Highs()
        self._h.setOptionValue("output_flag", False)
        rows, cols = a.shape
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = cols, rows
        lp.col_cost_ = np.zeros(cols)
        lp.col_lower_ = np.zeros(cols)
        lp.col_upper_ = np.full(cols, float(upper))
        lp.row_lower_ = lp.row_upper_ = np.asarray(b, dtype=float)
        nz_col, nz_row = np.nonzero(a.T)  # column-wise: column j's entries in row order
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(nz_col, minlength=cols))]).astype(np.int32)
        lp.a_matrix_.index_ = nz_row.astype(np.int32)
        lp.a_matrix_.value_ = a[nz_row, nz_col].astype(float)
        self._h.passModel(lp)
        self._status = highspy.HighsModelStatus
        self._last: int | None = None

    def extreme(self, j: int, sign: float) -> tuple[float, np.ndarray]:
        """(value, row duals) of the optimum of  sign * x_j  (sign 1: the lowest x_j; -1: the highest)."""
        if self._last is not None and self._last != j:
            self._h.changeColCost(self._last, 0.0)
        self._h.changeColCost(j, sign)
        self._last = j
        self._h.clearSolver()
        self._h.run()
        status = self._h.getModelStatus()
        if status != self._status.kOptimal:
            raise AssertionError(f"the attacker's linear programme ended {self._h.modelStatusToString(status)}")
        return sign * self._h.getInfo().objective_function_value, np.asarray(self._h.getSolution().row_dual)
