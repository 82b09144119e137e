"""Single-spin update rules: Glauber (heat bath) and Metropolis.

Both are written as a threshold on the energy change so that T = 0 is an
ordinary value (no infinite beta anywhere). With ``u`` uniform in [0, 1):

* Glauber (Glauber 1963): flip with probability ``1 / (1 + exp(beta dE))``, i.e.
  iff ``dE < T * L`` with ``L = log((1 - u) / u)`` a logistic variate. At
  T = 0 this is the ``beta -> inf`` limit: always flip if ``dE < 0``, never if
  ``dE > 0``, and with probability 1/2 if ``dE = 0``.
* Metropolis (Metropolis et al. 1953): flip with probability
  ``min(1, exp(-beta dE))``, i.e. iff ``dE <= T * E`` with ``E = -log(1 - u)``
  an exponential variate. At T = 0: flip iff ``dE <= 0``.

Zero-temperature dynamics are these rules at T = 0; neither ever raises the
energy. The logarithms are :mod:`montecarlo.variates`' portable ones, so every engine
draws the same thresholds from the same uniforms. The engine works in integer units
``dE * N^(P-1) / 2`` (exact), in which energy differences are integers; ties at T = 0 are
resolved with the thresholds ``+-1/2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assoc.validation import check_choice

from .variates import exponential_variate, logistic_variate

__all__ = ["UpdateRule", "Glauber", "Metropolis", "ORDERS"]

ORDERS = ("sequential", "random")


@dataclass(frozen=True)
class UpdateRule:
    """Base of the update rules.

    Attributes
    ----------
    order : {'sequential', 'random'}
        Sites visited in the order 0..N-1 each sweep, or N sites drawn
        uniformly with replacement each sweep (one sequence per sweep,
        shared by the chains of one (alpha, N) point; their thermal noise is
        independent, so each chain is an exact random-site chain and pairs of
        replicas keep the product measure as their stationary law).
    """

    order: str = "sequential"
    name = "rule"

    def __post_init__(self) -> None:
        check_choice("order", self.order, ORDERS)

    def thresholds(self, u: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Acceptance thresholds ``t`` in units of ``T``: flip iff ``dE < T t`` (T > 0)."""
        raise NotImplementedError

    def zero_temperature(self, u: np.ndarray) -> np.ndarray:
        """Thresholds in integer units at T = 0 (+-1/2 resolves ties)."""
        raise NotImplementedError

    def integer_thresholds(self, u: np.ndarray, T: np.ndarray, unit: float,
                           bound: float = 2.0**52) -> np.ndarray:
        """Integer thresholds on ``x = dE / unit`` (an integer): flip iff ``x < threshold``.

        Because ``x`` is an integer, ``x < t`` iff ``x < ceil(t)``; thresholds are
        returned as ``ceil(t)`` clipped to ``[-bound, bound]`` (``bound`` above any
        reachable ``|x|``), so they are exact in any float dtype that holds
        ``bound``. Shape of ``u``; ``T`` broadcasts against it.
        """
        T = np.asarray(T, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.thresholds(u, T)
            t *= T / unit
        if (T == 0).any():
            t = np.where(T > 0, t, self.zero_temperature(u))
        np.ceil(t, out=t)
        return np.clip(t, -bound, bound, out=t)


@dataclass(frozen=True)
class Glauber(UpdateRule):
    """Heat-bath (Glauber) single-spin flips; see the module docstring."""

    name = "glauber"

    def thresholds(self, u: np.ndarray, T: np.ndarray) -> np.ndarray:
        return logistic_variate(u)  # uniforms lie strictly inside (0, 1): finite

    def zero_temperature(self, u: np.ndarray) -> np.ndarray:
        return np.where(u < 0.5, 0.5, -0.5)


@dataclass(frozen=True)
class Metropolis(UpdateRule):
    """Metropolis single-spin flips; see the module docstring."""

    name = "metropolis"

    def thresholds(self, u: np.ndarray, T: np.ndarray) -> np.ndarray:
        # accept iff dE <= T E; the boundary has probability zero at T > 0
        return exponential_variate(u)

    def zero_temperature(self, u: np.ndarray) -> np.ndarray:
        return np.full_like(u, 0.5)
