"""The attacker's programmes, solved with HiGHS (highspy) directly: disclosure control's linear programmes
(`Bounds`) and the independent audit's integer programmes (`WholeNumberRange`).

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


def _highs(a: np.ndarray, row_lower, row_upper, col_lower, col_upper, integer: np.ndarray | None = None):
    """A quiet HiGHS model of  row_lower <= a @ x <= row_upper,  col_lower <= x <= col_upper,  cost 0
    (`integer`: which columns take whole numbers only; None: none)."""
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    rows, cols = a.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols, rows
    lp.col_cost_ = np.zeros(cols)
    lp.col_lower_, lp.col_upper_ = np.asarray(col_lower, float), np.asarray(col_upper, float)
    lp.row_lower_, lp.row_upper_ = np.asarray(row_lower, float), np.asarray(row_upper, float)
    nz_col, nz_row = np.nonzero(a.T)  # column-wise: column j's entries in row order
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(nz_col, minlength=cols))]).astype(np.int32)
    lp.a_matrix_.index_ = nz_row.astype(np.int32)
    lp.a_matrix_.value_ = a[nz_row, nz_col].astype(float)
    if integer is not None:
        kind = highspy.HighsVarType
        lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in integer]
    h.passModel(lp)
    return h


class Bounds:
    """min and max of single variables subject to  a @ x = b,  0 <= x <= upper."""

    def __init__(self, a: np.ndarray, b: np.ndarray, upper: float):
        import highspy

        cols = a.shape[1]
        self._h = _highs(a, b, b, np.zeros(cols), np.full(cols, float(upper)))
        self._status = highspy.HighsModelStatus
        self._last: int | None = None

    def extreme(self, j: int, sign: float, warm: bool = False) -> tuple[float, np.ndarray]:
        """(value, row duals) of the optimum of  sign * x_j  (sign 1: the lowest x_j; -1: the highest).

        Cold (from no basis) by default, so that the duals of these degenerate programmes are the ones a
        cold solver finds. `warm`: from the last basis, several times faster; the optimum's value is the same
        (it is unique), its duals may not be."""
        if self._last is not None and self._last != j:
            self._h.changeColCost(self._last, 0.0)
        self._h.changeColCost(j, sign)
        self._last = j
        if not warm:
            self._h.clearSolver()
        self._h.run()
        status = self._h.getModelStatus()
        if status != self._status.kOptimal:
            raise AssertionError(f"the attacker's linear programme ended {self._h.modelStatusToString(status)}")
        return sign * self._h.getInfo().objective_function_value, np.asarray(self._h.getSolution().row_dual)


class WholeNumberRange:
    """min and max of  c @ x  over whole-number x with  lo <= a @ x <= hi,  lower <= x <= upper  (the audit's
    integer programmes, disclosure_audit.py), one block of the attacker's programme at a time.

    The linear relaxation first: where its optimum falls on whole numbers it is a solution of the integer
    programme too, and no solution can do better, so it is that programme's optimum. Only where it does not
    (4 of 860 programmes of leeds 2021) is the integer programme solved, by branch and bound. The optimum's
    value is unique, so the answer is the same whichever way it is reached."""

    def __init__(self, a: np.ndarray, lo: np.ndarray, hi: np.ndarray, lower, upper, integer):
        self._model = (a, lo, hi, np.asarray(lower, float), np.asarray(upper, float))
        self._integer = np.asarray(integer, dtype=bool)
        self._relaxed = self._highs(integer=False)
        self._whole = None  # made when first needed

    def _highs(self, integer: bool):
        a, lo, hi, lower, upper = self._model
        h = _highs(a, lo, hi, lower, upper, self._integer if integer else None)
        if integer:
            h.setOptionValue("mip_rel_gap", 0.0)
        return h

    def minimum(self, c: np.ndarray) -> float:
        """The lowest value of c @ x (raises AssertionError when the programme has no solution)."""
        value, x = _solve(self._relaxed, c)
        if np.all(np.abs(x[self._integer] - np.round(x[self._integer])) <= 1e-9):
            return value
        if self._whole is None:
            self._whole = self._highs(integer=True)
        return _solve(self._whole, c)[0]


def _solve(h, c: np.ndarray) -> tuple[float, np.ndarray]:
    import highspy

    h.changeColsCost(len(c), np.arange(len(c), dtype=np.int32), np.asarray(c, float))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise AssertionError(f"the attacker's programme has no solution ({h.modelStatusToString(status)})")
    return h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)
