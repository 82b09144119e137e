"""Exactly solvable limits of the RS Hopfield theory, written independently of theory/.

Each function states its derivation; the tests compare theory.hopfield against them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import erf


def curie_weiss_m(T: float) -> float:
    """alpha -> 0 retrieval: m = tanh(m / T) (largest root; 1 at T = 0, 0 for T >= 1)."""
    if T == 0:
        return 1.0
    if T >= 1:
        return 0.0
    return brentq(lambda m: m - np.tanh(m / T), 1e-12, 1.0, xtol=1e-16, rtol=1e-15)


def curie_weiss_f(T: float) -> float:
    """alpha -> 0 free energy f = m^2/2 - T ln 2cosh(m/T) (-1/2 at T = 0)."""
    m = curie_weiss_m(T)
    if T == 0:
        return -0.5 * m * m
    return 0.5 * m * m - T * (m / T + np.log1p(np.exp(-2 * m / T)))


def paramagnet_f(alpha: float, T: float) -> float:
    """m = q = p = 0: f = alpha/2 + (alpha T/2) ln(1 - 1/T) - T ln 2 (T > 1).

    The annealed Gaussian integral over the K = alpha N non-condensed overlaps
    (Hubbard-Stratonovich) gives prod_mu (1 - beta)^(-1/2), hence the log term.
    """
    return alpha / 2 + alpha * T / 2 * np.log(1 - 1 / T) - T * np.log(2)


def _y_function(y: float) -> float:
    # T = 0 retrieval in AGS's variable y = m / sqrt(2 alpha p):
    # erf(y) = y (sqrt(2 alpha) + (2/sqrt(pi)) exp(-y^2))  <=>  F(y) = sqrt(2 alpha)
    return erf(y) / y - 2 / np.sqrt(np.pi) * np.exp(-y * y)


def zero_T_capacity() -> tuple[float, float]:
    """alpha_c(T=0) and m_c from max_y F(y) = sqrt(2 alpha_c): brentq on F'(y) = 0.

    F'(y) = (2/sqrt(pi)) exp(-y^2) (1/y + 2y) - erf(y)/y^2.
    """

    def dF(y):
        return 2 / np.sqrt(np.pi) * np.exp(-y * y) * (1 / y + 2 * y) - erf(y) / y**2

    y = brentq(dF, 1.0, 2.0, xtol=1e-15, rtol=1e-15)
    return _y_function(y) ** 2 / 2, float(erf(y))


def zero_T_exists(alpha: float, grid: np.ndarray) -> bool:
    """Existence of a T = 0 retrieval solution: F(y) >= sqrt(2 alpha) somewhere on the grid."""
    return bool(np.any(_y_function(grid) >= np.sqrt(2 * alpha)))


def zero_T_retrieval(alpha: float) -> dict[str, float]:
    """T = 0 retrieval (largest y root): m = erf(y), sigma = m/(sqrt2 y), C, p, energy.

    Energy: u0 = -(m^2 + alpha (p - 1)) / 2, the T = 0 limit of u = d(beta f)/d beta,
    using E|h| = m^2 + alpha p C at the solution.
    """
    g = lambda y: erf(y) - y * (np.sqrt(2 * alpha) + 2 / np.sqrt(np.pi) * np.exp(-y * y))  # noqa: E731
    ys = np.linspace(0.3, 40.0, 40001)
    vals = g(ys)
    k = np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))[-1]
    y = brentq(g, ys[k], ys[k + 1], xtol=1e-15, rtol=1e-15)
    m = float(erf(y))
    sigma = m / (np.sqrt(2) * y)
    C = np.sqrt(2 / np.pi) / sigma * np.exp(-y * y)
    p = 1 / (1 - C) ** 2
    return {"m": m, "C": C, "p": p, "f": -(m * m + alpha * (p - 1)) / 2}


def zero_T_spin_glass(alpha: float) -> dict[str, float]:
    """T = 0 spin glass: sigma = sqrt(alpha) + sqrt(2/pi), C = sqrt(2/pi)/sigma,
    energy -sqrt(2 alpha/pi) - 1/pi (-> -1/pi, the infinite symmetric mixture, at alpha -> 0)."""
    sigma = np.sqrt(alpha) + np.sqrt(2 / np.pi)
    C = np.sqrt(2 / np.pi) / sigma
    return {"C": C, "p": 1 / (1 - C) ** 2, "f": -np.sqrt(2 * alpha / np.pi) - 1 / np.pi}
