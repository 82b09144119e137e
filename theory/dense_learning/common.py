"""Validation and Dataset conventions of the dense-learning family (private; see
:mod:`theory.dense_learning`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from assoc.dataset import finalize
from assoc.validation import check_choice, check_int

from .._numerics.solver import annotate

PROTOCOLS = ("supervised", "unsupervised")
LOADS = ("storage", "detection")
BRANCHES = ("retrieval", "example", "spin_glass", "paramagnet")

_REFS = ["Agliari2023Supervised", "Agliari2023Unsupervised", "BaldiVenkatesh1987"]

_EXTRA = {
    "rho": ("dataset entropy (1 - r^2)/(M r^2)", "1"),
    "cross_talk": ("variance of the cross-talk of the other archetypes", "1"),
    "snr": ("signal-to-noise ratio of the aligned local field", "1"),
    "p_aligned": ("probability that a site's field is aligned with the archetype", "1"),
    "p_aligned_gauss": ("p_aligned with a Gaussian example average", "1"),
    "p_error": ("one-step error probability of the archetype", "1"),
    "M_threshold": ("examples per archetype from which snr is reached", "1"),
    "rho_threshold": ("dataset entropy at M_threshold", "1"),
    "n": ("overlap with the coupling vector xihat = (1/(r M)) sum_a eta^a", "1"),
    "m": ("overlap with the archetype", "1"),
    "m_example": ("overlap with example 1 (retrieval: with every example, r n; supervised: "
                  "their mean)", "1"),
    "m_other": ("overlap with each example but the first (retrieval: r n)", "1"),
    "q": ("Edwards-Anderson overlap", "1"),
    "f": ("free energy per spin", "1"),
    "replicon": ("RS replicon eigenvalue (de Almeida-Thouless), > 0 where RS is stable", "1"),
    "curvature": ("d2 f / dn2 with q at its saddle", "1"),
    "stable_rs": ("locally stable within RS (longitudinal conditions)", "1"),
    "variance_factor": ("v of the cross-talk covariance alpha v q^P / P! (P = 2: its one-step "
                        "variance alpha v)", "1"),
    "alpha_c": ("critical load of the retrieval branch (saddle-node)", "1"),
    "alpha_c_error": ("error estimate of alpha_c", "1"),
    "T_M": ("retrieval spinodal temperature", "1"),
    "T_c": ("retrieval is the global state below T_c", "1"),
    "converged_T_M": ("T_M was located", "1"),
    "converged_T_c": ("T_c was located", "1"),
    "T_g": ("spin-glass / paramagnet transition (the dense model's at load alpha v)", "1"),
    "T_sg_spinodal": ("highest T of the RS spin-glass solution", "1"),
    "example_symmetry": ("eigenvalue of the free energy across the example overlaps "
                         "(unsupervised; < 0: the example-symmetric state is unstable)", "1"),
}


def _check_common(P: Any, protocol: str, load: str, N: Any) -> tuple[int, str, str, int | None]:
    P = check_int("P", P, low=2)
    protocol = check_choice("protocol", protocol, PROTOCOLS)
    load = check_choice("load", load, LOADS)
    if load == "detection" and P < 3:
        raise ValueError(f"load='detection' (K = alpha N) needs P > 2 (got P = {P}): at P = 2 "
                         "it is the storage load")
    if N is not None:
        N = check_int("N", N, low=P)
    return P, protocol, load, N


def variance_factor(P: int, protocol: str, r: Any, M: Any, rho: Any) -> np.ndarray:
    """``v`` of the cross-talk: ``(1 + rho)^P`` supervised, ``1 + rho_P`` with
    ``rho_P = (1 - r^(2P))/(M r^(2P))`` unsupervised (:mod:`theory.dense_learning.snr`)."""
    if protocol == "supervised":
        return (1.0 + np.asarray(rho, dtype=float)) ** P
    r2P = np.asarray(r, dtype=float) ** (2 * P)
    return 1.0 + (1.0 - r2P) / (M * r2P)


def law_parameters(P: int, protocol: str, law: dict[str, np.ndarray]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``(rho, v)`` of the law points ``{'r': .., 'M': ..}`` or ``{'rho': ..}``."""
    if "rho" in law:
        rho = np.asarray(law["rho"], dtype=float)
        return rho, variance_factor(P, protocol, None, None, rho)
    r, M = law["r"], law["M"]
    rho = (1.0 - r * r) / (M * r * r)
    return rho, variance_factor(P, protocol, r, M, rho)


def channels(protocol: str, rho: Any, M: Any = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairwise (P = 2) cross-talk's channels: variances ``lam = 1 + rho`` (once) and
    ``lamx`` (``L`` times) per archetype: ``lamx = rho``, ``L = M - 1`` unsupervised (the
    eigenvalues of the M examples' covariance ``((1 - r^2) I + r^2 J)/(M r^2)``), ``L = 0``
    supervised (:mod:`theory.dense_learning.models`, "P = 2")."""
    rho = np.asarray(rho, dtype=float)
    if protocol == "supervised":
        return 1.0 + rho, np.zeros_like(rho), np.zeros_like(rho)
    return 1.0 + rho, rho, np.asarray(M, dtype=float) - 1.0


def normalisation(P: int, protocol: str, load: str) -> str:
    """The Hamiltonian and load conventions of the family, in words."""
    P, protocol, load, _ = _check_common(P, protocol, load, None)
    if protocol == "supervised":
        H = ("H = -(1/(P! N^(P-1))) sum_mu sum_(distinct i1..iP) prod_k xihat^mu_ik s_ik, "
             "xihat^mu = (1/(r M)) sum_a eta^(mu,a)")
    else:
        H = ("H = -(1/(P! M r^P N^(P-1))) sum_(mu,a) sum_(distinct i1..iP) prod_k "
             "eta^(mu,a)_ik s_ik")
    K = "K = round(alpha N^(P-1))" if load == "storage" else "K = round(alpha N)"
    return (f"{H}, P = {P}; eta^(mu,a) = xi^mu chi^(mu,a), P(chi = +1) = (1 + r)/2, "
            f"a = 1..M; {K}")


def _finalize(ds: xr.Dataset, P: int, protocol: str, load: str, **attrs: Any) -> xr.Dataset:
    annotate(ds, _EXTRA)
    return finalize(ds, kind="theory", model="dense_examples",
                    normalisation=normalisation(P, protocol, load), references=_REFS,
                    P=P, protocol=protocol, load=load, **attrs)
