"""The example average as a per-point law, and the compiled free energies over it
(private; see :mod:`theory.dense_learning.models`).

``c = (1/(rM)) sum_a chi^a`` takes the values ``c_k = (2k - M)/(rM)``, k ~ Bin(M, (1+r)/2);
the exact law has M + 1 atoms (any M, summed per point by
:class:`theory.symbolic.mixture.MixtureFreeEnergy` over the base model compiled once).
``M = None`` is the supervised limit M -> infinity at fixed rho: the single Gaussian atom
``(c, rho) = (1, rho)`` of the base model.

Controls of the compiled models: ``alpha, r, M, beta`` (exact law) or ``alpha, rho, beta``
(Gaussian law); T = 0 models drop beta, low-load ones alpha.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import numpy as np
from scipy.stats import binom

from ..symbolic.mixture import MixtureFreeEnergy
from . import models as lm
from .common import channels, law_parameters

#: Compiled models per kind: ``rs`` (T > 0), ``rs0`` (T = 0), ``low`` and ``low0`` (alpha = 0).
KINDS = ("rs", "rs0", "low", "low0")


def atoms(r: np.ndarray, M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Atoms ``c`` and weights ``w``, shape (n, max M + 1), of the example average at each
    (r, M); the atoms past ``M_i + 1`` of a row have weight 0 (and c = 1)."""
    r = np.asarray(r, dtype=float)
    M = np.rint(np.asarray(M, dtype=float)).astype(int)
    k = np.arange(int(M.max(initial=1)) + 1)[None, :]
    Mi, ri = M[:, None], r[:, None]
    inside = k <= Mi
    w = np.where(inside, binom.pmf(k, Mi, 0.5 * (1.0 + ri)), 0.0)
    c = np.where(inside, (2 * k - Mi) / (ri * Mi), 1.0)
    return c, w


def example_atoms(r: np.ndarray, M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Atoms ``(a1, a2)`` and weights of the example state's site law, shape (n, 2 max M):
    ``a1 = chi_1 = +-1``, ``a2 = sum_(a >= 2) chi_a = 2k - (M - 1)``, k ~ Bin(M - 1, p),
    p = (1 + r)/2 (padding: weight 0)."""
    r = np.asarray(r, dtype=float)
    M = np.rint(np.asarray(M, dtype=float)).astype(int)
    k = np.arange(int(M.max(initial=2)))[None, :]
    L, p = (M - 1)[:, None], 0.5 * (1.0 + r)[:, None]
    inside = k <= L
    wk = np.where(inside, binom.pmf(k, L, p), 0.0)
    a2 = np.where(inside, 2 * k - L, 0).astype(float)
    a1 = np.concatenate([np.ones_like(a2), -np.ones_like(a2)], axis=1)
    return a1, np.concatenate([a2, a2], axis=1), np.concatenate([p * wk, (1 - p) * wk], axis=1)


def _cross_talk(P: int, protocol: str, rho: np.ndarray, v: np.ndarray,
                M: np.ndarray | None) -> dict[str, np.ndarray]:
    """The cross-talk controls of the base models, one column: ``v`` (P >= 3) or the
    pairwise channels ``lam, lamx, L`` (P = 2, :func:`theory.dense_learning.common.channels`)."""
    if P > 2:
        return {"v": v[:, None]}
    lam, lamx, L = channels(protocol, rho, M)
    return {"lam": lam[:, None], "lamx": lamx[:, None], "L": L[:, None]}


def _expander(P: int, protocol: str, gaussian: bool, kind: str):  # noqa: ANN202
    def expand(u: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        n = next(iter(u.values())).shape[0]
        base: dict[str, np.ndarray] = {k: u[k][:, None] for k in ("alpha", "beta") if k in u}
        rho, v = law_parameters(P, protocol, u)
        base |= _cross_talk(P, protocol, rho, v, u.get("M"))
        if gaussian:
            base |= {"rho": rho[:, None], "c": np.ones((n, 1))}
            return base, np.ones((n, 1))
        c, w = atoms(u["r"], u["M"])
        base |= {"rho": np.zeros((n, 1)), "c": c}
        return base, w

    return expand


def _example_expander(P: int):  # noqa: ANN202
    def expand(u: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        r, M = u["r"], u["M"]
        a1, a2, w = example_atoms(r, M)
        base = {k: u[k][:, None] for k in ("alpha", "beta") if k in u}
        rho, v = law_parameters(P, "unsupervised", u)
        base |= {"a1": a1, "a2": a2, "kappa": (1.0 / (M * r**P))[:, None],
                 **_cross_talk(P, "unsupervised", rho, v, M), "L": (M - 1.0)[:, None]}
        return base, w

    return expand


@cache
def compiled_example(P: int, zero: bool) -> MixtureFreeEnergy:
    """The unsupervised example state (T = 0 or T > 0), controls (alpha, r, M[, beta])."""
    model = lm.example_rs_zero(P) if zero else lm.example_rs(P)
    controls = ("alpha", "r", "M") + (() if zero else ("beta",))
    return MixtureFreeEnergy(model, controls, _example_expander(P))


@cache
def compiled(P: int, protocol: str, gaussian: bool, kind: str) -> MixtureFreeEnergy:
    """The compiled model ``kind`` (:data:`KINDS`) of the law (Gaussian or exact in M)."""
    law = ("rho",) if gaussian else ("r", "M")
    model = {"rs": lambda: lm.rs(P), "rs0": lambda: lm.rs_zero(P),
             "low": lambda: lm.low_load(P, gaussian),
             "low0": lambda: lm.low_load_zero(P, gaussian)}[kind]()
    controls = ((() if kind.startswith("low") else ("alpha",)) + law
                + (("beta",) if kind in ("rs", "low") else ()))
    return MixtureFreeEnergy(model, controls, _expander(P, protocol, gaussian, kind))


def signal(P: int, n: np.ndarray) -> np.ndarray:
    """``s(n) = n^(P-1)/(P-1)!``."""
    return np.asarray(n, dtype=float) ** (P - 1) / math.factorial(P - 1)
