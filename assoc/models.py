"""Model specifications: frozen dataclasses, no state (STYLE 2).

Every model here is a Hebbian network whose energy is a function of the
integer overlaps ``M_mu = sum_i xi^mu_i s_i`` (``m_mu = M_mu / N``); the
energies and energy differences live in :mod:`assoc.energy`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import check_int, check_real

__all__ = ["Model", "Hopfield", "DenseHebbian", "MultitaskingHebbian", "ExampleHebbian",
           "n_patterns"]


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


@dataclass(frozen=True)
class MultitaskingHebbian(Model):
    """Multitasking Hebbian network: K diluted archetypes, low storage.

    Patterns ``xi^mu_i in {-1, 0, +1}`` with ``P(0) = d`` (the dilution is a control,
    not part of the specification); ``J_ij = (1/N) sum_mu xi^mu_i xi^mu_j`` (i != j),
    ``H = -(1/2N) sum_mu (M_mu^2 - sum_i (xi^mu_i)^2)``, ``M_mu = sum_i xi^mu_i s_i``.
    The number of patterns K is fixed as N grows (low storage); ``alpha`` is unused.
    Agliari et al., PRL 109, 268101 (2012).

    Attributes
    ----------
    K : int >= 1
        Number of archetypes.
    """

    K: int = 2

    name = "multitasking_hebbian"

    def __post_init__(self) -> None:
        if self.P != 2:
            raise ValueError(f"P must be 2 for the multitasking network (got {self.P})")
        check_int("K", self.K, low=1)

    def n_patterns(self, alpha: float | None = None, N: int | None = None) -> int:
        """K, whatever the size (low storage)."""
        return self.K

    @property
    def normalisation(self) -> str:
        return ("J_ij = (1/N) sum_mu xi_i^mu xi_j^mu (i != j); H = -(1/2N) sum_mu (M_mu^2 - "
                "sum_i (xi_i^mu)^2); xi in {-1,0,1}, P(0) = d; K fixed (low storage)")


@dataclass(frozen=True)
class ExampleHebbian(MultitaskingHebbian):
    """Multitasking network built from noisy examples of K diluted archetypes.

    Examples ``eta^(mu,a) = xi^mu chi^(mu,a)``, ``a = 1..M``, ``P(chi = +1) = (1 + r)/2``;
    ``rho = (1 - r^2)/(M r^2)``, ``R = r^2 (1 + rho)``. Couplings (i != j):

    * ``protocol='supervised'``: ``J_ij = (1/(N R)) sum_mu etabar^mu_i etabar^mu_j`` with
      ``etabar^mu = (1/M) sum_a eta^(mu,a)``; as integer patterns
      ``X^mu = sum_a eta^(mu,a)`` (entries in [-M, M]) with coupling scale ``1/(R M^2)``;
    * ``protocol='unsupervised'``: ``J_ij = (1/(N R M)) sum_(mu,a) eta^(mu,a)_i
      eta^(mu,a)_j``: K M integer patterns ``eta`` with scale ``1/(R M)``.

    ``H = -(scale/2N) sum_nu (M_nu^2 - sum_i (X^nu_i)^2)`` over the integer patterns X.
    Agliari et al., arXiv:2308.04106.
    """

    protocol: str = "supervised"

    name = "example_hebbian"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.protocol not in ("supervised", "unsupervised"):
            raise ValueError("protocol must be one of 'supervised', 'unsupervised' "
                             f"(got {self.protocol!r})")

    @staticmethod
    def R(r: float, M: int) -> float:
        """``R = r^2 (1 + rho) = r^2 + (1 - r^2)/M``."""
        r = float(check_real("r", r, low=0.0, high=1.0, low_open=True))
        M = check_int("M", M, low=1)
        return r * r + (1.0 - r * r) / M

    def integer_patterns(self, eta: np.ndarray, r: float) -> tuple[np.ndarray, float]:
        """Integer patterns and coupling scale from examples (arXiv:2308.04106).

        Parameters
        ----------
        eta : int array (..., K, M, N)
            Examples ``eta^(mu,a)_i = xi^mu_i chi^(mu,a)_i``.
        r : float in (0, 1]
            Example quality (enters through ``R = r^2 + (1 - r^2)/M``).

        Returns
        -------
        X : int array
            Supervised: ``sum_a eta^(mu,a)`` (..., K, N), entries in [-M, M];
            unsupervised: the examples themselves (..., K M, N).
        scale : float
            ``1/(R M^2)`` (supervised) or ``1/(R M)`` (unsupervised), so that
            ``J_ij = scale * (1/N) sum_nu X^nu_i X^nu_j`` is the coupling of the class
            docstring.
        """
        M = eta.shape[-2]
        R = self.R(r, M)
        if self.protocol == "supervised":
            X = eta.astype(np.int16).sum(axis=-2)
            X = X.astype(np.int8) if M <= 127 else X
            return X, 1.0 / (R * M * M)
        return eta.reshape(eta.shape[:-3] + (-1, eta.shape[-1])), 1.0 / (R * M)

    @property
    def normalisation(self) -> str:
        if self.protocol == "supervised":
            J = "J_ij = (1/(N R)) sum_mu etabar_i etabar_j, etabar = (1/M) sum_a eta^a"
        else:
            J = "J_ij = (1/(N R M)) sum_(mu,a) eta_i^(mu,a) eta_j^(mu,a)"
        return (f"{J} (i != j); eta = xi chi, P(chi=+1) = (1+r)/2, R = r^2 + (1-r^2)/M; "
                "xi in {-1,0,1}, P(0) = d; K, M fixed (low storage)")


def n_patterns(model: Model, alpha: float, N: int) -> int:
    """Functional form of :meth:`Model.n_patterns`."""
    return model.n_patterns(alpha, N)
