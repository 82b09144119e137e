"""Validation and Dataset conventions of the dense family (private; see :mod:`theory.dense`)."""

from __future__ import annotations

import numbers
from typing import Any

import xarray as xr

from assoc.dataset import finalize
from assoc.models import DenseHebbian

from .._numerics.solver import annotate

ANSATZE = ("RS", "1RSB")
#: Ansatze of the critical capacity (2RSB at T = 0).
CAPACITY_ANSATZE = ("RS", "1RSB", "2RSB")


BRANCHES = ("retrieval", "spin_glass", "paramagnet")


CONVENTIONS = ("library", "mattis", "albanese")


_REFS = ["Gardner1987", "BaldiVenkatesh1987", "Albanese2021", "Gross1984", "AT1978"]


_EXTRA = {
    "q0": ("1RSB overlap between states", "1"),
    "q1": ("1RSB overlap within a state", "1"),
    "theta": ("Parisi parameter (block size)", "1"),
    "mu": ("theta/T, finite at T = 0", "1"),
    "nu": ("mu/(P-1)!, the T = 0 Parisi parameter in units of the fields", "1"),
    "C": ("beta (1 - q1), finite at T = 0", "1"),
    "q2": ("2RSB overlap within the innermost blocks", "1"),
    "theta1": ("2RSB outer Parisi parameter", "1"),
    "theta2": ("2RSB inner Parisi parameter", "1"),
    "nu1": ("2RSB outer Parisi parameter mu1/(P-1)! at T = 0 (mu1 = theta1/T)", "1"),
    "nu2": ("2RSB inner Parisi parameter mu2/(P-1)! at T = 0 (mu2 = theta2/T)", "1"),
    "rsb": ("replica symmetry is broken (q1 > q0) at this point", "1"),
    "curvature": ("d2 f_eff / dm2 with the other order parameters at their saddle", "1"),
    "stable_rs": ("locally stable within RS (longitudinal conditions)", "1"),
    "alpha_c": ("critical load of the retrieval branch (saddle-node)", "1"),
    "alpha_c_error": ("error estimate of alpha_c", "1"),
    "T_g": ("spin-glass / paramagnet transition (RS crossing; 1RSB static theta = 1)", "1"),
    "T_sg_spinodal": ("highest T of the spin-glass solution (1RSB: dynamical T_d)", "1"),
    "T_M": ("retrieval spinodal temperature", "1"),
    "T_c": ("retrieval is the global minimum below T_c (down to T_c_low)", "1"),
    "T_c_low": ("reentrant lower boundary of the retrieval region (NaN: T = 0)", "1"),
    "converged_T_M": ("T_M was located", "1"),
    "converged_T_c": ("T_c was located", "1"),
    "p_error": ("one-step error probability of a stored pattern", "1"),
    "snr": ("signal-to-noise ratio of the aligned local field", "1"),
}


def _check_P(P: Any) -> int:
    if isinstance(P, bool) or not isinstance(P, numbers.Integral):
        raise ValueError(f"P must be an integer >= 3 (got {P!r}); P = 2 is the Hopfield "
                         "model (theory.hopfield)")
    if P < 3:
        raise ValueError(f"P must be an integer >= 3 (got {P}); P = 2 is the Hopfield "
                         "model (theory.hopfield)")
    return int(P)


def _finalize(ds: xr.Dataset, P: int, ansatz: str | None, **attrs: Any) -> xr.Dataset:
    annotate(ds, _EXTRA)
    return finalize(ds, kind="theory", model="dense_hebbian",
                    normalisation=DenseHebbian(P).normalisation, references=_REFS,
                    ansatz=ansatz, P=P, engine="theory.symbolic", **attrs)
