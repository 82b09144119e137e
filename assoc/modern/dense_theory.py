"""Capacity theory of the dense associative memories (signal-to-noise; large deviations).

Krotov-Hopfield, ``F(x) = x^n`` (Krotov & Hopfield 2016, capacity estimate of Sec. 2)
-------------------------------------------------------------------------------------
Start from a stored pattern, ``sigma = xi^1``, and update site j. With
``S = S_mu^(j) = sum_{i != j} xi^mu_i sigma_i`` and ``D(S) = F(S + 1) - F(S - 1)`` the
field times ``sigma_j`` is ``signal + noise``:

- signal ``F(N) - F(N - 2) ~ 2 n N^(n-1)`` (pattern 1, ``S = N - 1``);
- noise ``sum_{mu >= 2} eps_mu D(S_mu)``, eps_mu = +-1 independent of
  S_mu (a sum of N - 1 random signs), mean 0, variance ``(K - 1) E[D(S)^2]``, and
  ``E[D(S)^2] ~ 4 n^2 (2n - 3)!! N^(n-1)`` (``D ~ 2 n S^(n-1)``, ``E S^(2n-2) = (2n-3)!! N^(n-1)``).

The bit flips with probability ``P_err = Phi(-sqrt(SNR))``,
``SNR = (F(N) - F(N-2))^2 / ((K - 1) E[D^2]) ~ N^(n-1) / (K (2n-3)!!)``.
Error-free retrieval of a pattern (all N bits stable, bits treated as independent) with
probability ``1/2`` needs ``(1 - P_err)^N = 1/2``, i.e. ``SNR = z_N^2`` with
``z_N = Phi^-1(2^(-1/N))``; since ``z_N^2 ~ 2 ln N``::

    K_max = N^(n-1) / ((2n-3)!! z_N^2)  ~  N^(n-1) / (c_n ln N),   c_n = 2 (2n-3)!!

(the error-free constant of Krotov & Hopfield 2016's signal-to-noise estimate; for n = 2 it is the
``N / (2 ln N)`` of McEliece et al. 1987). Requiring all K patterns error free (K N
bits) gives ``c_n^all = 2 n (2n-3)!!`` (``ln(K N) ~ n ln N``). The approach of
``z_N^2`` to ``2 ln N`` is logarithmically slow (``z_N^2 / (2 ln N) ~ 0.6`` at N = 100),
which is why measured constants are compared with the finite-N form.

Demircigil et al., ``F(x) = exp(x)`` (Demircigil et al. 2017, the theorem for F = exp)
-------------------------------------------------------------------------------------
A query with ``rho N`` of the N bits of ``xi^1`` flipped has overlap ``N (1 - 2 rho)``
with ``xi^1``, and a random pattern reaches it with probability
``P(S >= N (1 - 2 rho)) = exp(-N I(1 - 2 rho) + o(N))`` (Cramer), with the rate function

    I(x) = (1 + x)/2 ln(1 + x) + (1 - x)/2 ln(1 - x).

Because ``exp`` makes the field at each site dominated by the pattern of largest overlap,
one step retrieves ``xi^1`` as long as no other pattern comes that close. Demircigil et
al. prove that ``K = exp(alpha N)`` patterns can be stored and retrieved from ``rho N``
corrupted bits, all patterns at once with probability -> 1, if ``alpha < I(1-2 rho)/2``
(the factor 1/2 is the union bound over the ``K^2`` pairs of patterns). For one typical
pattern the same argument gives the threshold ``alpha = I(1 - 2 rho)`` (our derivation,
stated here and tested; it is not a theorem of the paper).
The finite-N versions used for comparison (:func:`demircigil_capacity`) take the
failure of one competitor as ``S_mu >= N (1 - 2 rho) - margin`` with the exact binomial
tail.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.stats import binom, norm

from ..validation import check_choice, check_int, check_real, check_scalar

_CRITERIA = ("pattern", "all")

__all__ = [
    "double_factorial",
    "krotov_hopfield_constant",
    "krotov_hopfield_capacity",
    "krotov_hopfield_snr",
    "krotov_hopfield_capacity_finite",
    "rate_function",
    "demircigil_alpha",
    "demircigil_capacity",
]


def double_factorial(k: int) -> int:
    """``k!! = k (k-2) (k-4) ...`` with ``(-1)!! = 0!! = 1``."""
    k = check_int("k", k, low=-1)
    out = 1
    while k > 1:
        out *= k
        k -= 2
    return out


def krotov_hopfield_constant(n: int, criterion: str = "pattern") -> float:
    """Error-free constant ``c_n`` in ``K_max ~ N^(n-1) / (c_n ln N)`` (module notes).

    Parameters
    ----------
    n : int
        >= 2.
    criterion : {'pattern', 'all'}
        All bits of one pattern (``c_n = 2 (2n-3)!!``, Krotov & Hopfield 2016),
        or of all K patterns at once (``2 n (2n-3)!!``).
    """
    n = check_int("n", n, low=2)
    criterion = check_choice("criterion", criterion, _CRITERIA)
    base = 2.0 * double_factorial(2 * n - 3)
    return base if criterion == "pattern" else n * base


def krotov_hopfield_capacity(N: Any, n: int, criterion: str = "pattern") -> Any:
    """Asymptotic error-free capacity ``N^(n-1) / (c_n ln N)``."""
    N = check_real("N", N, low=2.0)
    n = check_int("n", n, low=2)
    criterion = check_choice("criterion", criterion, _CRITERIA)
    return (N ** (n - 1) / (krotov_hopfield_constant(n, criterion) * np.log(N)))[()]


def _noise_moments(N: int, n: int) -> tuple[float, float]:
    """Signal ``F(N) - F(N-2)`` and ``E[D(S)^2]`` for S a sum of N - 1 random signs."""
    k = np.arange(N)  # number of -1 among the N - 1 signs
    S = (N - 1) - 2.0 * k
    w = binom.pmf(k, N - 1, 0.5)
    D = (S + 1.0) ** n - (S - 1.0) ** n
    return float(N) ** n - float(N - 2) ** n, float((w * D * D).sum())


def krotov_hopfield_snr(N: int, n: int, K: Any) -> Any:
    """Exact finite-N signal-to-noise ratio ``(F(N)-F(N-2))^2 / ((K-1) E[D^2])``."""
    N = check_int("N", N, low=2)
    n = check_int("n", n, low=2)
    sig, var = _noise_moments(N, n)
    K = np.asarray(K, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return (sig * sig / ((K - 1.0) * var))[()]


def krotov_hopfield_capacity_finite(
    N: int, n: int, success: float = 0.5, criterion: str = "pattern"
) -> float:
    """K at which error-free retrieval has probability ``success`` (finite-N SNR theory).

    'pattern': ``(1 - Phi(-sqrt(SNR)))^N = success``, so ``SNR = z^2`` with
    ``z = Phi^-1(success^(1/N))`` and ``K = 1 + (F(N)-F(N-2))^2 / (E[D^2] z^2)``.
    'all': ``(1 - Phi(-sqrt(SNR)))^(N K) = success``, solved for K.
    """
    N = check_int("N", N, low=2)
    n = check_int("n", n, low=2)
    success = check_scalar("success", success, low=0.0, high=1.0, low_open=True,
                           high_open=True)
    criterion = check_choice("criterion", criterion, _CRITERIA)
    sig, var = _noise_moments(N, n)
    if criterion == "pattern":
        z = norm.ppf(success ** (1.0 / N))
        return 1.0 + sig * sig / (var * z * z)

    def g(logK: float) -> float:  # criterion 'all'
        K = math.exp(logK)
        p_err = norm.sf(math.sqrt(sig * sig / ((K - 1.0) * var)))
        return N * K * math.log1p(-p_err) - math.log(success)

    return math.exp(brentq(g, math.log(1.0 + 1e-9), math.log(sig * sig / var) + 5.0))


def rate_function(x: Any) -> Any:
    """``I(x) = (1+x)/2 ln(1+x) + (1-x)/2 ln(1-x)`` for ``x`` in [-1, 1] (``I(+-1) = ln 2``)."""
    x = check_real("x", x, low=-1.0, high=1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(x > -1, (1 + x) / 2 * np.log1p(x), 0.0)
        b = np.where(x < 1, (1 - x) / 2 * np.log1p(-x), 0.0)
    return (a + b)[()]


def demircigil_alpha(rho: Any, criterion: str = "all") -> Any:
    """Capacity exponent of ``K = exp(alpha N)`` for ``F = exp`` at query corruption ``rho``.

    'all': Demircigil et al. (2017)'s bound ``I(1 - 2 rho) / 2`` (every pattern retrieved);
    'pattern': ``I(1 - 2 rho)``, the threshold for one typical pattern (module notes).
    """
    rho = check_real("rho", rho, low=0.0, high=0.5, high_open=True)
    criterion = check_choice("criterion", criterion, _CRITERIA)
    I = rate_function(1.0 - 2.0 * rho)
    return I / 2.0 if criterion == "all" else I


def demircigil_capacity(
    N: int, rho: float, criterion: str = "pattern", success: float = 0.5, margin: int = 2
) -> float:
    """Finite-N K at which one-step retrieval succeeds with probability ``success``.

    A competitor defeats the target when its overlap with the query is at least
    ``N (1 - 2 rho) - margin`` (``margin = 2``: at equal or next-lower overlap the target
    loses the sites where the two differ), which has probability ``q`` (exact binomial
    tail). 'pattern': ``(1 - q)^(K-1) = success``; 'all': ``exp(-K (K - 1) q) = success``
    (Poisson number of defeated pairs). ``N >= 1``, ``rho`` in [0, 1/2), ``success`` in
    (0, 1), ``margin`` an integer >= 0.
    """
    N = check_int("N", N, low=1)
    rho = check_scalar("rho", rho, low=0.0, high=0.5, high_open=True)
    criterion = check_choice("criterion", criterion, _CRITERIA)
    success = check_scalar("success", success, low=0.0, high=1.0, low_open=True,
                           high_open=True)
    margin = check_int("margin", margin, low=0)
    agree = N - int(round(rho * N))  # agreements of the target with the query
    need = agree - margin // 2  # agreements a competitor needs
    q = float(binom.sf(need - 1, N, 0.5))
    ln_s = -math.log(success)
    if criterion == "pattern":
        return 1.0 + ln_s / -math.log1p(-q)
    return 0.5 + math.sqrt(0.25 + ln_s / q)
