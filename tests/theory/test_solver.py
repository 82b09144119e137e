"""Generic vectorised solvers of theory._numerics.solver."""

from __future__ import annotations

import numpy as np

from theory._numerics.solver import (
    CONVERGED,
    MAXITER,
    NONFINITE,
    bracket_root,
    fixed_point,
    newton,
)


def _circle(x, idx, r):
    # x^2 + y^2 = r^2, y = x^3: one root per radius in the first quadrant
    X, Y = x[:, 0], x[:, 1]
    F = np.stack([X * X + Y * Y - r[idx] ** 2, Y - X**3], axis=1)
    J = np.empty((x.shape[0], 2, 2))
    J[:, 0, 0], J[:, 0, 1] = 2 * X, 2 * Y
    J[:, 1, 0], J[:, 1, 1] = -3 * X * X, 1.0
    return F, J


def test_newton_vectorised_equals_loop_and_converges():
    r = np.array([0.5, 1.0, 2.0, 3.0])
    x0 = np.tile([1.0, 1.0], (4, 1))
    res = newton(lambda x, i: _circle(x, i, r), x0)
    assert res.converged.all() and (res.status == CONVERGED).all()
    X, Y = res.x[:, 0], res.x[:, 1]
    np.testing.assert_allclose(X * X + Y * Y, r * r, rtol=1e-14)
    np.testing.assert_allclose(Y, X**3, rtol=1e-14, atol=1e-15)
    for k in range(4):
        one = newton(lambda x, i, k=k: _circle(x, i + k, r), x0[k : k + 1])
        np.testing.assert_array_equal(one.x[0], res.x[k])
        assert one.n_iter[0] == res.n_iter[k]


def test_newton_status_codes():
    def fun(x, idx):
        F = np.where(idx[:, None] == 0, np.nan, x - 1.0)
        return F, np.ones((x.shape[0], 1, 1))

    res = newton(fun, np.array([[0.0], [5.0]]))
    assert res.status.tolist() == [NONFINITE, CONVERGED]
    res = newton(
        lambda x, i: (np.arctan(x), 1 / (1 + x[:, :, None] ** 2)),
        np.array([[3.0]]),
        maxiter=2,
        max_halvings=0,
    )
    assert res.status[0] in (MAXITER, NONFINITE) and not res.converged[0]


def test_newton_round_off_floor_ends_without_a_stalled_line_search():
    """An ill-conditioned system (cond 1e7) whose residual is noise at 1e-16: its Newton step
    cannot fall below ~eps cond |x| = 1e-9, under the default xtol 1e-13. Without ``floor``
    the line search stalls on noise (every halving costs an evaluation, and the point is
    NONFINITE); with a round-off floor of 64 eps cond it converges at once, to the root."""
    rng = np.random.default_rng(0)
    J = np.diag([1.0, 1e-7])
    root = np.array([0.3, 0.7])

    def fun(x, idx, calls):
        calls.append(x.shape[0])
        noise = 1e-16 * rng.standard_normal(x.shape)
        return (x - root) @ J.T + noise, np.broadcast_to(J, (x.shape[0], 2, 2))

    plain: list[int] = []
    res = newton(lambda x, i: fun(x, i, plain), np.array([[1.0, 1.0]]))
    assert not res.converged[0] and len(plain) > 20
    floored: list[int] = []
    res = newton(lambda x, i: fun(x, i, floored), np.array([[1.0, 1.0]]),
                 floor=lambda J: 64 * np.finfo(float).eps * np.linalg.cond(J))
    assert res.converged[0] and len(floored) <= 3
    np.testing.assert_allclose(res.x[0], root, atol=1e-8)


def test_bracket_root_with_and_without_derivative():
    c = np.array([0.1, 2.0, 7.5])

    def g(x, idx):
        return x**3 - c[idx], 3 * x * x

    def g0(x, idx):
        return x**3 - c[idx], None

    for fun in (g, g0):
        res = bracket_root(fun, np.zeros(3), np.full(3, 3.0), -np.ones(3))
        assert res.converged.all()
        np.testing.assert_allclose(res.x, np.cbrt(c), rtol=1e-14)


def test_bracket_root_end_sign_known_without_evaluation():
    # g also vanishes at the upper end (like the trivial paramagnetic root of the spin-glass
    # equation): only its sign there is given, the solver never evaluates the end
    def g(x, idx):
        return (x - 0.3) * (1.0 - x), None

    res = bracket_root(g, np.array([0.0]), np.array([1.0]), -np.ones(1))
    assert abs(res.x[0] - 0.3) < 1e-14


def test_fixed_point():
    res = fixed_point(lambda x, i: x - np.cos(x), np.array([[0.0], [1.0]]), omega=0.8, xtol=1e-14)
    assert res.converged.all()
    np.testing.assert_allclose(res.x[:, 0], 0.7390851332151607, rtol=1e-12)


def test_newton_speculative_line_search_same_result_fewer_calls():
    """``speculate`` tries several halvings per call: the iterates are those of one halving a
    call, bit for bit (arctan: the full Newton step overshoots far from the root), in fewer
    calls; an infeasible region and an exhausted line search end the same way."""
    def fun(x, idx, calls):
        calls.append(x.shape[0])
        return np.arctan(x), (1.0 / (1.0 + x * x))[..., None]

    x0 = np.array([[1.5], [3.0], [10.0], [40.0], [0.2]])

    def feasible(x, idx):
        return x[:, 0] > -20.0

    out = {}
    for spec in (1, 4):
        for mh in (30, 2):
            calls: list = []
            res = newton(lambda x, i, c=calls: fun(x, i, c), x0, feasible=feasible,
                         max_halvings=mh, speculate=spec)
            out[spec, mh] = (res, len(calls))
    for mh in (30, 2):
        a, b = out[1, mh][0], out[4, mh][0]
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.status, b.status)
        np.testing.assert_array_equal(a.n_iter, b.n_iter)
    assert out[1, 30][0].converged[:3].all() and out[1, 30][0].converged[4]
    assert out[4, 30][1] < out[1, 30][1]
