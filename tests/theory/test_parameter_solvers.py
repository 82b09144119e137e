"""The Parisi-parameter solvers of the symbolic engine: optimize_parameter's scan in either
direction, and newton_parameter from a good start (theory.symbolic.solve)."""

from __future__ import annotations

import numpy as np

import theory.dense.branches as br
from theory.hopfield import rsb as H
from theory.symbolic.solve import newton_parameter, optimize_parameter

_FIX = {"m": 0.0, "q0": 0.0}


def _spin_glass():
    """The dense P = 3 1RSB spin glass (m = q0 = 0) at g = alpha beta^2 = 30, beta = 1:
    its theta equation has one root in (0.05, 0.95)."""
    cf = br.compiled(3, "rsb")
    ctrl = {"alpha": np.array([30.0]), "beta": np.array([1.0])}
    x0 = np.array([[0.0, 0.0, 0.99, 0.5]])
    return cf, ctrl, x0


def test_optimize_parameter_scan_down_equals_scan_up():
    """A descending scan (theta from 0.95 down) refines its bracket as an ascending one
    does: the two roots agree to the tolerance (the bracket was once handed over reversed,
    and the refinement stopped at its midpoint)."""
    cf, ctrl, x0 = _spin_glass()
    grid = np.linspace(0.95, 0.05, 10)
    acc = br._accept_sg_rsb
    # no free polish: the bracket's refinement alone
    down = optimize_parameter(cf, x0, ctrl, "theta", grid[None, :], fixed=_FIX, accept=acc,
                              polish_maxiter=0)
    up = optimize_parameter(cf, x0, ctrl, "theta", grid[::-1][None, :], fixed=_FIX,
                            accept=acc, polish_maxiter=0)
    assert down.converged[0] and up.converged[0]
    assert abs(down.x[0, 3] - up.x[0, 3]) < 1e-9
    g = cf.grad(down.x, ctrl)[0]
    assert np.abs(g[[2, 3]]).max() < 1e-10
    # the root is not a scan value nor a bracket midpoint
    assert np.min(np.abs(grid - down.x[0, 3])) > 1e-6


def test_newton_parameter_from_a_perturbed_solution():
    """From the T = 0 Hopfield 1RSB solution at alpha = 0.13 with mu moved by 10 %, Newton on
    mu's reduced equation returns to it (mu to 1e-6 relative: the direction is flat, f to
    1e-12) in a few steps, and reports the steps it took."""
    ds = H.solve(0.13, 0.0, "1RSB").isel(alpha=0, T=0, branch=0)
    names = ("m", "q0", "C", "p0", "p1", "mu")
    x = np.array([[float(ds[k]) for k in names]])
    cf = H._compiled("1RSB", "zero")
    ctrl = {"alpha": np.array([0.13])}
    for factor in (0.9, 1.1):
        start = x.copy()
        start[0, 5] *= factor
        r = newton_parameter(cf, start, ctrl, "mu", accept=H._accept_rsb_t0, maxiter=12)
        assert r.converged[0] and 1 < r.n_iter[0] <= 12
        assert abs(r.x[0, 5] / x[0, 5] - 1) < 1e-6
        assert abs(cf.f(r.x, ctrl)[0] - float(ds.f)) < 1e-12
