"""Signal-to-noise analysis of the dense network and the conversions between its
conventions (see :mod:`theory.dense`)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import xarray as xr
from scipy.special import erfc

from assoc.validation import check_choice, check_grid, check_real

from .common import CONVENTIONS, _check_P, _finalize


def convert(P: int, alpha: Any, T: Any, source: str = "library",
            target: str = "library") -> tuple[np.ndarray, np.ndarray]:
    """Map ``(alpha, T)`` between the conventions of :data:`CONVENTIONS`.

    ``'library'`` and ``'mattis'`` share alpha and T; ``'albanese'`` has the same alpha and
    ``T_A = P! T`` (see the module docstring for the exact Hamiltonians and the caveat about
    coinciding indices).  Returns float arrays ``(alpha, T)`` in ``target``.
    """
    P = _check_P(P)
    source = check_choice("source", source, CONVENTIONS)
    target = check_choice("target", target, CONVENTIONS)
    a = np.asarray(check_real("alpha", alpha, low=0.0), dtype=float)
    t = np.asarray(check_real("T", T, low=0.0), dtype=float)
    scale = {"library": 1.0, "mattis": 1.0, "albanese": float(math.factorial(P))}
    return a * 1.0, t * scale[target] / scale[source]


def all_tuples_covariance(P: int, q: Any) -> np.ndarray:
    """Cross-talk covariance per ``alpha N`` of the literal all-tuples Hamiltonian
    ``-(N/P!) sum_mu m_mu^P`` at ``K = alpha N^(P-1)``:
    ``sum_(k = P, P-2, ..., >= 1) C(P,k)^2 k! ((P-k-1)!!)^2 q^k / P!^2``.

    The ``k = P`` term ``q^P/P!`` is the library model's ``xi(q)/alpha``; the others come from
    coinciding indices (Wick pairings of the Gaussian overlaps).
    """
    P = _check_P(P)
    q = np.asarray(check_real("q", q, low=-1.0, high=1.0), dtype=float)
    out = np.zeros_like(q)
    for k in range(P, 0, -2):
        dfact = math.prod(range(P - k - 1, 0, -2)) if P - k - 1 > 0 else 1
        out = out + math.comb(P, k) ** 2 * math.factorial(k) * dfact**2 * q**k
    return out / math.factorial(P) ** 2


def signal_to_noise(P: int, alpha: float | np.ndarray, N: int | None = None) -> xr.Dataset:
    """One-step stability of a stored pattern (signal-to-noise, closed form).

    With ``s = xi^1`` the aligned field ``h_i xi^1_i = sum_(distinct tuples containing i)``
    is a signal ``S = C(N-1, P-1)/N^(P-1)`` plus the cross-talk of ``K - 1`` patterns, a sum
    of independent zero-mean terms of total variance ``(K-1) C(N-1, P-1)/N^(2P-2)``.  In the
    Gaussian approximation a spin is unstable with probability
    ``p_error = Phi(-snr)``, ``snr = sqrt(C(N-1, P-1)/(K-1))``; for ``N -> inf``
    ``snr = 1/sqrt(alpha (P-1)!)`` (Baldi & Venkatesh 1987; P = 2 gives the AGS
    ``Phi(-1/sqrt(alpha))``).

    Parameters
    ----------
    P : int >= 3
    alpha : float or 1-D array, > 0
    N : int >= P, optional
        Finite network size (``K = round(alpha N^(P-1))``); None for the limit.
    """
    P = _check_P(P)
    a = check_grid("alpha", alpha, low=0.0, low_open=True)
    if N is None:
        snr = 1.0 / np.sqrt(a * math.factorial(P - 1))
    else:
        if isinstance(N, bool) or not isinstance(N, numbers.Integral) or N < P:
            raise ValueError(f"N must be an integer >= P = {P} (got {N!r})")
        K = np.rint(a * float(N) ** (P - 1))
        with np.errstate(divide="ignore"):
            snr = np.sqrt(math.comb(N - 1, P - 1) / np.maximum(K - 1.0, 0.0))
    p_err = 0.5 * erfc(snr / np.sqrt(2.0))
    ds = xr.Dataset({"snr": ("alpha", snr), "p_error": ("alpha", p_err)},
                    coords={"alpha": a})
    return _finalize(ds, P, None, method="signal-to-noise", N=-1 if N is None else int(N))
