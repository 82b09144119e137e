"""The kink rule of theory.symbolic.quadrature on exponentially weighted averages (the 1RSB
inner average), and the allocator setting of theory.symbolic._heap."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy import integrate

from theory.symbolic import quadrature as Q


def _logcosh(x):
    ax = np.abs(x)
    return ax + np.log1p(np.exp(-2.0 * ax))


def _quad(g, zs, w, lo, hi):
    """E_z g(z) on [lo, hi] by adaptive quadrature, split at the kink, its boundary layer
    and every unit of z."""
    br = [zs] + [zs + s * c * w for s in (-1, 1) for c in (0.5, 1, 2, 4, 8, 16, 32, 64)]
    br += list(np.arange(np.floor(lo), np.ceil(hi) + 1.0))
    edges = [lo, *sorted(b for b in br if lo < b < hi), hi]
    dens = lambda x: g(x) * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return sum(integrate.quad(dens, a, b, limit=400, epsabs=1e-17, epsrel=1e-14)[0]
                   for a, b in zip(edges[:-1], edges[1:], strict=True))


# (c, b, beta, theta): field c + b z, weight cosh^theta(beta h); kink widths 2e-4 to 1.4,
# tilts theta beta b up to 3.8, kinks inside and outside the domain
CASES = [(0.82, 0.165, 279.5, 0.082), (-0.55, 0.0112, 2018.0, 0.109), (0.3, 0.5, 2.0, 0.5),
         (0.987, 0.0093, 250.0, 0.278), (0.05, 1.2, 40.0, 0.02), (1.4, 0.045, 50.0, 0.9),
         (-0.2, 0.3, 5000.0, 0.0), (0.6, 0.02, 3000.0, 0.05)]


@pytest.mark.parametrize(("c", "b", "beta", "theta"), CASES)
def test_weighted_kink_rule_against_quad(c, b, beta, theta):
    """Normalisation, <tanh>, <tanh^2> and <logcosh>/beta of the weight to 1e-13 relative."""
    zs, w = -c / b, 1.0 / (beta * b)
    assert w < Q.W_SMOOTH
    tilt = theta * beta * b
    lo, hi = -Q.Z_BULK - tilt, Q.Z_BULK + tilt
    z, lw = Q.split_rule(np.array([zs]), np.array([w]), np.array([lo]), np.array([hi]),
                         log=True)
    assert z.shape == (1, 8 * (Q.N_UNIFORM + 2 * (Q.U_GRADED.size - 1) + 1))
    h = c + b * z[0]
    t = theta * _logcosh(beta * h) + lw[0]
    S = t.max()
    wt = np.exp(t - S)
    weight = lambda x: np.exp(theta * _logcosh(beta * (c + b * x)) - S)  # noqa: E731
    norm = _quad(weight, zs, w, lo, hi)
    assert abs(wt.sum() - norm) <= 1e-13 * norm
    for f in (lambda u: np.tanh(beta * u), lambda u: np.tanh(beta * u) ** 2,
              lambda u: _logcosh(beta * u) / beta):
        got = np.sum(wt * f(h)) / wt.sum()
        ref = _quad(lambda x, f=f: weight(x) * f(c + b * x), zs, w, lo, hi) / norm
        assert abs(got - ref) <= 1e-13 * max(1.0, abs(ref))


def test_sharp_and_uniform_rules_integrate_the_gaussian():
    lo, hi = np.array([-9.0, -11.0]), np.array([9.0, 12.0])
    for z, wt in (Q.split_rule(np.array([0.3, -20.0]), np.zeros(2), lo, hi, sharp=True),
                  Q.uniform_rule(lo, hi)):
        np.testing.assert_allclose(wt.sum(axis=1), 1.0, rtol=0, atol=1e-15)
        np.testing.assert_allclose((wt * z * z).sum(axis=1), 1.0, rtol=0, atol=1e-14)


def _run(code: str, **env: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, **env})
    return out.stdout.strip()


def test_keep_heap_once_per_process_and_off_switch():
    code = ("from theory.symbolic import _heap; a = _heap.keep_heap(); "
            "print(a, _heap.keep_heap() is a)")
    on = _run(code)
    assert on.split()[1] == "True"
    if platform.libc_ver()[0] == "glibc":
        assert on.split()[0] == "True"  # glibc accepts the thresholds
    assert _run(code, ASSOC_THEORY_MALLOPT="0") == "False True"
