"""The audit's integer programmes (lp_ranges.WholeNumberRange): the linear relaxation first, branch and bound only
where its optimum is not whole. Checked against answers worked by hand and against counting every point."""

import itertools

import numpy as np
import pytest

from wres_helpers.lp_ranges import WholeNumberRange


def test_a_fractional_relaxation_gives_the_whole_number_answer_not_its_own():
    # 1 <= 2y <= 3 and 2 <= 3y - x <= 4, x and y whole numbers from 0 to 6. By hand: y is 1 (the only whole
    # number from 0.5 to 1.5), so 3 - x is from 2 to 4 and x is 0 or 1. The relaxation lets y reach 1.5 and x
    # reach 3 * 1.5 - 2 = 2.5, whose whole part, 2, is not a solution.
    a = np.array([[0.0, 2.0], [-1.0, 3.0]])
    r = WholeNumberRange(a, np.array([1.0, 2.0]), np.array([3.0, 4.0]), [0, 0], [6, 6], [1, 1])
    x = np.array([1.0, 0.0])
    assert r.minimum(x) == pytest.approx(0.0)
    assert -r.minimum(-x) == pytest.approx(1.0)
    assert r.minimum(np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert -r.minimum(np.array([0.0, -1.0])) == pytest.approx(1.0)


def test_a_relaxation_on_whole_numbers_is_the_answer():
    # x + y = 7, x - y between -1 and 1 (the counts of a total of 7 that differ by at most 1): 3 and 4.
    a = np.array([[1.0, 1.0], [1.0, -1.0]])
    r = WholeNumberRange(a, np.array([7.0, -1.0]), np.array([7.0, 1.0]), [0, 0], [100, 100], [1, 1])
    assert r.minimum(np.array([1.0, 0.0])) == pytest.approx(3.0)
    assert -r.minimum(np.array([-1.0, 0.0])) == pytest.approx(4.0)


def test_no_solution_is_an_error_not_an_answer():
    r = WholeNumberRange(np.array([[1.0, 1.0]]), np.array([20.0]), np.array([20.0]), [0, 0], [5, 5], [1, 1])
    with pytest.raises(AssertionError, match="no solution"):
        r.minimum(np.array([1.0, 0.0]))


def test_every_range_matches_counting_every_whole_number_point():
    """Random small programmes, each made feasible by a whole-number point it is built around; their ranges
    found by listing every whole-number point of the box. Some have relaxations that are not whole."""
    rng = np.random.default_rng(20261207)
    side = 5
    fractional = 0
    for _ in range(150):
        n, m = int(rng.integers(2, 4)), int(rng.integers(1, 4))
        a = rng.integers(-3, 4, size=(m, n)).astype(float)
        point = rng.integers(0, side + 1, size=n)
        lo = a @ point - rng.integers(0, 3, size=m) / 2
        hi = a @ point + rng.integers(0, 3, size=m) / 2
        c = rng.integers(-2, 3, size=n).astype(float)
        solutions = [
            p for p in itertools.product(range(side + 1), repeat=n) if np.all(a @ p >= lo) and np.all(a @ p <= hi)
        ]
        values = [float(c @ p) for p in solutions]
        r = WholeNumberRange(a, lo, hi, [0] * n, [side] * n, [1] * n)
        assert r.minimum(c) == pytest.approx(min(values), abs=1e-6)
        assert -r.minimum(-c) == pytest.approx(max(values), abs=1e-6)
        from scipy.optimize import linprog  # the relaxation, to show the branch-and-bound path was taken

        relaxed = linprog(c, A_ub=np.vstack([a, -a]), b_ub=np.concatenate([hi, -lo]), bounds=[(0, side)] * n)
        fractional += abs(relaxed.fun - min(values)) > 1e-6
    assert fractional >= 5
