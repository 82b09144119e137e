"""Model specifications: frozen dataclasses, no state (STYLE 2).

Every model here is a Hebbian network whose energy is a function of the
integer overlaps ``M_mu = sum_i xi^mu_i s_i`` (``m_mu = M_mu / N``); the
energies and energy differences live in :mod:`assoc.energy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .validation import check_int, check_real

__all__ = ["Model", "Hopfield", "DenseHebbian", "n_patterns"]


@dataclass(frozen=True)
class Model:
    """Base of the Hebbian model specifications.

    Attributes
    ----------
    P : int
        Interaction order (2 for pairwise Hopfield couplings).
    """

    P: int = 2

    #: Short name written in Dataset attrs.
    name = "model"

    def n_patterns(self, alpha: float, N: int) -> int:
        """Number of patterns ``K`` at load ``alpha`` and size ``N``."""
        raise NotImplementedError

    @property
    def normalisation(self) -> str:
        """Human-readable statement of the Hamiltonian and load conventions."""
        raise NotImplementedError


@dataclass(frozen=True)
class DenseHebbian(Model):
    """Dense (P-spin) Hebbian network with distinct-index couplings.

    ``H = -(1 / (P! N^(P-1))) sum_mu sum_{i1..iP distinct} prod_k xi^mu_ik s_ik``
    ``  = -(1 / N^(P-1)) sum_mu e_P(xi^mu_1 s_1, ..., xi^mu_N s_N)``,
    with ``e_P`` the elementary symmetric polynomial; load ``K = round(alpha N^(P-1))``
    (Baldi & Venkatesh 1987; Albanese et al. arXiv:2111.12997). P = 2 is the
    Hopfield model.
    """

    name = "dense_hebbian"

    def __post_init__(self) -> None:
        check_int("P", self.P, low=2)

    def n_patterns(self, alpha: float, N: int) -> int:
        a = float(check_real("alpha", alpha, low=0.0))
        N = check_int("N", N, low=2)
        return int(round(a * N ** (self.P - 1)))

    @property
    def normalisation(self) -> str:
        return (
            f"H = -(1/(P! N^(P-1))) sum_mu sum_(distinct i1..iP) prod xi s, P = {self.P}; "
            f"K = round(alpha N^(P-1)); T in units of the coupling scale"
        )


@dataclass(frozen=True)
class Hopfield(DenseHebbian):
    """Classic Hopfield model (Amit, Gutfreund & Sompolinsky 1985, 1987).

    ``H = -(1/2N) sum_{i != j} sum_mu xi^mu_i xi^mu_j s_i s_j
        = -(N/2) sum_mu m_mu^2 + K/2``, load ``K = round(alpha N)``.
    """

    name = "hopfield"

    def __post_init__(self) -> None:
        if self.P != 2:
            raise ValueError(f"P must be 2 for the Hopfield model (got {self.P})")

    @property
    def normalisation(self) -> str:
        return "H = -(1/2N) sum_(i!=j) sum_mu xi_i xi_j s_i s_j; K = round(alpha N)"


def n_patterns(model: Model, alpha: float, N: int) -> int:
    """Functional form of :meth:`Model.n_patterns`."""
    return model.n_patterns(alpha, N)
