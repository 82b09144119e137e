"""Model specifications: frozen dataclasses, no state (STYLE 2).

Every model here is a Hebbian network whose energy is a function of the
integer overlaps ``M_mu = sum_i xi^mu_i s_i`` (``m_mu = M_mu / N``); the
energies and energy differences live in :mod:`assoc.energy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .validation import check_int, check_real

__all__ = ["Model", "Hopfield", "DenseHebbian", "MultitaskingHebbian", "ExampleHebbian",
           "DenseExampleHebbian", "n_patterns", "MODELS", "model_from_spec"]


def grid_values(name: str, value: Any) -> list[Any]:
    """``value`` as a non-empty list of distinct grid values (a scalar is a list of one)."""
    if value is None or (isinstance(value, (list, tuple)) and any(v is None for v in value)):
        raise ValueError(f"{name} must be a value or a 1-D sequence of values (got {value!r})")
    arr = np.atleast_1d(np.asarray(value, dtype=object if isinstance(value, str) else None))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a scalar or a non-empty 1-D sequence (got {value!r})")
    values = arr.tolist()
    try:
        repeated = len(set(values)) != len(values)
    except TypeError:  # unhashable entries: the element checks reject them
        repeated = False
    if repeated:
        raise ValueError(f"{name} must not repeat a value (got {value!r})")
    return values


@dataclass(frozen=True)
class Model:
    """Base of the Hebbian model specifications.

    Attributes
    ----------
    P : int
        Interaction order (2 for pairwise Hopfield couplings).
    """

    P: int = 2

    #: Short name written in Dataset attrs (and in the seed keys of grid points).
    name = "model"
    #: Name of the model in a campaign spec (``model = {name = ..., ...}``).
    spec_name: ClassVar[str] = "model"
    #: Control parameters of :func:`montecarlo.simulate` and campaigns, in Dataset order.
    controls: ClassVar[tuple[str, ...]] = ()
    #: Initial configurations the samplers support; the first is the default.
    starts: ClassVar[tuple[str, ...]] = ("pattern", "random")
    #: Replicas per sample and temperature when none are asked for.
    default_replicas: ClassVar[int] = 2

    def n_patterns(self, alpha: float, N: int) -> int:
        """Number of patterns ``K`` at load ``alpha`` and size ``N``."""
        raise NotImplementedError

    @property
    def min_N(self) -> int:
        """Smallest network size: ``max(2, P)`` (P distinct sites per coupling)."""
        return max(2, self.P)

    def check_control(self, name: str, value: Any) -> list[Any]:
        """Validate the grid values of control ``name``; a list of Python scalars."""
        raise NotImplementedError

    def check_controls(self, controls: Mapping[str, Any]) -> dict[str, list[Any]]:
        """Validate a mapping of control values (scalars or 1-D sequences).

        Returns the controls in :attr:`controls` order as lists of distinct Python
        scalars. A missing, extra or invalid control raises a ValueError naming it.
        """
        missing = [c for c in self.controls if c not in controls]
        extra = sorted(set(controls) - set(self.controls))
        own = f"{type(self).__name__} takes the control(s) {', '.join(self.controls)}"
        if extra:
            raise ValueError(f"unknown control {', '.join(extra)}: {own}")
        if missing:
            raise ValueError(f"missing control {', '.join(missing)}: {own}")
        return {c: self.check_control(c, grid_values(c, controls[c])) for c in self.controls}

    def check_start(self, start: str | None) -> str:
        """The start configuration, ``starts[0]`` when None; an unsupported one is an error."""
        if start is None:
            return self.starts[0]
        if start not in self.starts:
            raise ValueError(f"start must be one of {', '.join(map(repr, self.starts))} for "
                             f"{type(self).__name__} (got {start!r})")
        return start

    def check_size(self, N: Any) -> int:
        """A network size ``N >= min_N``."""
        low = self.min_N
        try:
            return check_int("N", N, low=low)
        except ValueError as exc:
            if isinstance(N, (int, np.integer)) and not isinstance(N, bool) and low > 2:
                raise ValueError(f"N must be an integer >= {low} for {self!r}: a coupling "
                                 f"joins {self.P} distinct sites (got {N})") from exc
            raise

    def spec(self) -> dict[str, Any]:
        """The campaign-spec form of this model: ``{'name': spec_name, field: value...}``."""
        return {"name": self.spec_name, **{f: getattr(self, f) for f in self._spec_fields}}

    _spec_fields: ClassVar[tuple[str, ...]] = ()

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
    spec_name: ClassVar[str] = "dense"
    controls: ClassVar[tuple[str, ...]] = ("alpha",)
    _spec_fields: ClassVar[tuple[str, ...]] = ("P",)

    def __post_init__(self) -> None:
        check_int("P", self.P, low=2)

    def check_control(self, name: str, value: Any) -> list[Any]:
        """``alpha > 0`` (that it gives at least one pattern is checked per size)."""
        return check_real(name, value, low=0.0, low_open=True).tolist()

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
    spec_name: ClassVar[str] = "hopfield"
    _spec_fields: ClassVar[tuple[str, ...]] = ()

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
    spec_name: ClassVar[str] = "multitasking"
    controls: ClassVar[tuple[str, ...]] = ("d",)
    starts: ClassVar[tuple[str, ...]] = ("hierarchical", "parallel", "pattern", "random")
    default_replicas: ClassVar[int] = 1
    _spec_fields: ClassVar[tuple[str, ...]] = ("K",)

    def __post_init__(self) -> None:
        if self.P != 2:
            raise ValueError(f"P must be 2 for the multitasking network (got {self.P})")
        check_int("K", self.K, low=1)

    def check_control(self, name: str, value: Any) -> list[Any]:
        """``d`` in [0, 1)."""
        return check_real(name, value, low=0.0, high=1.0, high_open=True).tolist()

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
    spec_name: ClassVar[str] = "examples"
    controls: ClassVar[tuple[str, ...]] = ("d", "r", "M")
    _spec_fields: ClassVar[tuple[str, ...]] = ("K", "protocol")

    def check_control(self, name: str, value: Any) -> list[Any]:
        """``d`` in [0, 1), ``r`` in (0, 1], ``M`` an integer >= 1."""
        if name == "r":
            return check_real(name, value, low=0.0, high=1.0, low_open=True).tolist()
        if name == "M":
            return [check_int(name, v, low=1) for v in value]
        return super().check_control(name, value)

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


@dataclass(frozen=True)
class DenseExampleHebbian(Model):
    """Dense (P-body, distinct indices) network whose couplings are built from noisy examples.

    Archetypes ``xi^mu = +-1``, mu = 1..K; examples ``eta^(mu,a) = xi^mu chi^(mu,a)``,
    a = 1..M, ``P(chi = +1) = (1 + r)/2``. With ``e_P`` the elementary symmetric polynomial:

    * ``protocol='supervised'``: ``H = -(1/N^(P-1)) sum_mu e_P(xihat^mu s)``,
      ``xihat^mu = (1/(rM)) sum_a eta^(mu,a)``; as integer patterns ``X^mu = sum_a eta^(mu,a)``
      (entries in [-M, M]) with scale ``1/(rM)^P``;
    * ``protocol='unsupervised'``: ``H = -(1/(M r^P N^(P-1))) sum_(mu,a) e_P(eta^(mu,a) s)``:
      K M patterns ``eta`` (+-1) with scale ``1/(M r^P)``.

    Load ``K = round(alpha N^(P-1))`` (``load='storage'``) or ``K = round(alpha N)``
    (``load='detection'``, P > 2). The archetype's signal is O(1) in both protocols
    (:mod:`theory.dense_learning`; Agliari et al., arXiv:2212.00606, arXiv:2211.14067).
    """

    protocol: str = "supervised"
    load: str = "storage"

    name = "dense_examples"
    spec_name: ClassVar[str] = "dense_examples"
    controls: ClassVar[tuple[str, ...]] = ("alpha", "r", "M")
    _spec_fields: ClassVar[tuple[str, ...]] = ("P", "protocol", "load")

    def __post_init__(self) -> None:
        check_int("P", self.P, low=2)
        if self.protocol not in ("supervised", "unsupervised"):
            raise ValueError("protocol must be one of 'supervised', 'unsupervised' "
                             f"(got {self.protocol!r})")
        if self.load not in ("storage", "detection"):
            raise ValueError(f"load must be one of 'storage', 'detection' (got {self.load!r})")
        if self.load == "detection" and self.P < 3:
            raise ValueError(f"load='detection' (K = alpha N) needs P > 2 (got P = {self.P})")

    def check_control(self, name: str, value: Any) -> list[Any]:
        """``alpha > 0``, ``r`` in (0, 1], ``M`` an integer >= 1."""
        if name == "r":
            return check_real(name, value, low=0.0, high=1.0, low_open=True).tolist()
        if name == "M":
            return [check_int(name, v, low=1) for v in value]
        return check_real(name, value, low=0.0, low_open=True).tolist()

    def n_patterns(self, alpha: float, N: int) -> int:
        a = float(check_real("alpha", alpha, low=0.0))
        N = check_int("N", N, low=2)
        return int(round(a * N ** (self.P - 1 if self.load == "storage" else 1)))

    def odd_powers(self, M: int) -> int:
        """How many odd powers ``X, X^3, ...`` of the integer patterns the energy needs:
        ``(P + 1) // 2`` for supervised examples summed over M > 1 at P > 2 (their power
        sums are not functions of the overlap alone), else 1."""
        return (self.P + 1) // 2 if self.protocol == "supervised" and M > 1 and self.P > 2 \
            else 1

    def stacked_powers(self, X: np.ndarray, M: int) -> np.ndarray:
        """The engine's patterns for coupling patterns ``X`` (..., K, N): ``X`` itself, or,
        with ``L = odd_powers(M) > 1``, the int64 stack ``[X, X^3, ..., X^(2L-1)]`` along
        the pattern axis (``montecarlo.engine_numpy.run_sweeps``' ``odd_powers``)."""
        L = self.odd_powers(M)
        if L == 1:
            return X
        X64 = X.astype(np.int64)
        return np.concatenate([X64 ** (2 * ell + 1) for ell in range(L)], axis=-2)

    def coupling_patterns(self, eta: np.ndarray, r: float) -> tuple[np.ndarray, float]:
        """Integer patterns and scale from examples ``eta`` (..., K, M, N) (class docstring):
        supervised ``X = sum_a eta`` (..., K, N), unsupervised the examples (..., K M, N)."""
        r = float(check_real("r", r, low=0.0, high=1.0, low_open=True))
        M = eta.shape[-2]
        if self.protocol == "supervised":
            X = eta.astype(np.int16).sum(axis=-2)
            return (X.astype(np.int8) if M <= 127 else X), 1.0 / (r * M) ** self.P
        return eta.reshape(eta.shape[:-3] + (-1, eta.shape[-1])), 1.0 / (M * r**self.P)

    @property
    def normalisation(self) -> str:
        if self.protocol == "supervised":
            H = ("H = -(1/N^(P-1)) sum_mu e_P(xihat^mu s), xihat^mu = (1/(r M)) sum_a "
                 "eta^(mu,a)")
        else:
            H = "H = -(1/(M r^P N^(P-1))) sum_(mu,a) e_P(eta^(mu,a) s)"
        K = "K = round(alpha N^(P-1))" if self.load == "storage" else "K = round(alpha N)"
        return (f"{H} (distinct indices), P = {self.P}; eta = xi chi, P(chi=+1) = (1+r)/2, "
                f"a = 1..M; {K}")


def n_patterns(model: Model, alpha: float, N: int) -> int:
    """Functional form of :meth:`Model.n_patterns`."""
    return model.n_patterns(alpha, N)


#: Model classes by their campaign-spec name (:attr:`Model.spec_name`).
MODELS: dict[str, type[Model]] = {
    cls.spec_name: cls for cls in (Hopfield, DenseHebbian, MultitaskingHebbian, ExampleHebbian,
                                    DenseExampleHebbian)
}


def model_from_spec(spec: Mapping[str, Any]) -> Model:
    """The model of a campaign spec entry such as ``{'name': 'dense', 'P': 3}``.

    Raises
    ------
    ValueError
        Naming ``model.name`` or the parameter that is unknown or invalid.
    """
    if not isinstance(spec, Mapping) or "name" not in spec:
        raise ValueError(f"model must be a table with a name, one of {', '.join(MODELS)} "
                         f"(got {spec!r})")
    name = spec["name"]
    if name not in MODELS:
        raise ValueError(f"model.name must be one of {', '.join(map(repr, MODELS))} "
                         f"(got {name!r})")
    cls = MODELS[name]
    params = {k: v for k, v in spec.items() if k != "name"}
    unknown = sorted(set(params) - set(cls._spec_fields))
    if unknown:
        allowed = ", ".join(cls._spec_fields) or "no parameters"
        raise ValueError(f"model.{unknown[0]} is not a parameter of model {name!r} "
                         f"(it takes {allowed})")
    try:
        return cls(**params)
    except ValueError as exc:
        raise ValueError(f"model.{exc}") from exc
