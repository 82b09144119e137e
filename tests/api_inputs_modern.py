"""The :mod:`assoc.modern` part of the bad-input table of ``tests/test_public_api_inputs.py``.

:data:`SPEC_MODERN` maps every public callable of :mod:`assoc.modern` (its ``__all__``) to an
:class:`~tests.test_public_api_inputs.Entry`: a cheap valid call and the valid range of each
parameter; :data:`EXEMPT_MODERN` lists the callables with nothing a user passes that could be
out of range. The main module merges both into its table.

The array parameters of the modern API need kinds of their own, defined here in the pattern
of ``tests/api_inputs_kinds.py`` (a frozen dataclass whose ``outside()`` draws invalid
values): stored patterns (:class:`Patterns`), states (:class:`States`), +-1 spins
(:class:`Signs`), the interaction function (:class:`Interaction`), integer arrays and integer grids
(:class:`IntArray`, :class:`IntGrid`), a pattern index (:class:`Index`), scores and softmax
weights (:class:`Scores`, :class:`Weights`), a parameter dtype (:class:`DType`), an optional
scalar whose ``None`` is the default (:class:`OptionalScalar`) and a capacity result
(:class:`CapacityResult`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr
from hypothesis import strategies as st

from assoc.modern import Exponential, Hopfield, HopfieldPooling, Polynomial
from assoc.modern.layer_config import ACTIVATIONS
from tests.api_inputs_kinds import (
    NOT_A_NUMBER,
    Bool,
    Choice,
    Entry,
    Grid,
    Int,
    Real,
    Scalar,
)

NAN, INF = math.nan, math.inf
#: Values that are no array of numbers at all.
NOT_AN_ARRAY = [None, *NOT_A_NUMBER]


def _ragged(d: int) -> list:
    return [[1.0] * d, [1.0] * (d + 1)]


@dataclass(frozen=True)
class OptionalScalar(Scalar):
    """A single real whose ``None`` is valid (the default computed by the callable)."""

    def outside(self) -> st.SearchStrategy:
        return super().outside().filter(lambda x: x is not None)


@dataclass(frozen=True)
class Patterns:
    """Stored patterns: a finite real array of shape (N, d), N >= 1, d >= 1 (d fixed by the
    base call); ``nonzero``: at least one pattern of norm > 0 (``M > 0``)."""

    d: int = 2
    nonzero: bool = False

    def outside(self) -> st.SearchStrategy:
        d = self.d
        fixed = [*NOT_AN_ARRAY, 3.0, [1.0] * d, [], np.empty((0, d)), np.empty((2, 0)),
                 np.ones((1, 2, d)), [["a"] * d], [[None] * d], _ragged(d),
                 np.full((2, d), 1 + 1j), np.ones((2, d), dtype=bool)]
        if self.nonzero:
            fixed.append(np.zeros((3, d)))

        def poke(args: tuple[int, int, float]) -> np.ndarray:
            row, col, v = args
            x = np.eye(3, d)
            x[row, col] = v
            return x

        return st.one_of(st.sampled_from(fixed),
                         st.tuples(st.integers(0, 2), st.integers(0, d - 1),
                                   st.sampled_from([NAN, INF, -INF])).map(poke))


@dataclass(frozen=True)
class OptionalPatterns(Patterns):
    """Stored patterns, or None (the default)."""

    def outside(self) -> st.SearchStrategy:
        return super().outside().filter(lambda v: v is not None)


@dataclass(frozen=True)
class States:
    """States: a finite real array of shape (..., d) (d fixed by the base call);
    ``optional``: ``None`` is valid."""

    d: int = 2
    optional: bool = False

    def outside(self) -> st.SearchStrategy:
        d = self.d
        fixed = [*NOT_A_NUMBER, 3.0, [0.5] * (d + 1), [], [[0.5] * (d + 1)], ["a"] * d,
                 [None] * d, _ragged(d), np.full(d, 1 + 1j), np.ones(d, dtype=bool)]
        if not self.optional:
            fixed.append(None)
        return st.one_of(st.sampled_from(fixed),
                         st.tuples(st.integers(0, d - 1), st.sampled_from([NAN, INF, -INF]))
                         .map(lambda a: np.where(np.arange(d) == a[0], a[1], 0.5)))


@dataclass(frozen=True)
class Signs:
    """Spins or binary patterns: an integer or real array of +1 and -1 of shape (..., N)
    (``patterns``: (K, N), K >= 1), N fixed by the base call."""

    N: int = 4
    patterns: bool = False

    def outside(self) -> st.SearchStrategy:
        n = self.N
        fixed = [*NOT_AN_ARRAY, 1, [1] * (n + 1), [], [0] * n, [2] * n, [0.5] * n, [NAN] * n,
                 ["a"] * n, [1, -1, 1, INF][:n] + [1] * (n - 4), np.ones(n, dtype=bool),
                 np.full(n, 1 + 0j), _ragged(n)]
        if self.patterns:
            fixed += [np.ones((0, n)), np.ones((1, 1, n)), [[1] * n, [0] * n]]
        return st.sampled_from(fixed)


@dataclass(frozen=True)
class Interaction:
    """The interaction function F: ``Polynomial(n)``, ``Exponential()`` or (``callable_ok``)
    any callable."""

    callable_ok: bool = True

    def outside(self) -> st.SearchStrategy:
        bad = [*NOT_AN_ARRAY, 3, "exp", Polynomial, Exponential]
        if not self.callable_ok:
            bad += [np.exp, lambda x: x**3]
        return st.sampled_from(bad)


@dataclass(frozen=True)
class IntArray:
    """An integer or an array of integers, each >= ``low`` (bools refused)."""

    low: int = 0

    def outside(self) -> st.SearchStrategy:
        lo = self.low
        return st.one_of(
            st.sampled_from([2.5, NAN, INF, True, "3", b"3", *NOT_AN_ARRAY, [],
                             [lo, lo + 0.5], [lo, NAN], [True, True], np.array([lo - 1, lo])]),
            st.integers(min_value=lo - 10**6, max_value=lo - 1))


@dataclass(frozen=True)
class IntGrid(IntArray):
    """A sequence (or a single value) of integers >= ``low``: also 2-D grids."""

    def outside(self) -> st.SearchStrategy:
        lo = self.low
        return st.one_of(super().outside(), st.just([[lo, lo]]),
                         st.integers(min_value=lo - 10**6, max_value=lo - 1).map(
                             lambda k: [lo, k]))


@dataclass(frozen=True)
class Index:
    """A pattern index in ``[0, high]`` (or an array of them broadcastable to the states)."""

    high: int

    def outside(self) -> st.SearchStrategy:
        h = self.high
        return st.one_of(
            st.sampled_from([2.5, NAN, INF, True, "0", b"0", *NOT_AN_ARRAY, [], [0, 0, 0],
                             [0, h + 1], [0.0, 1.5], np.array([True])]),
            st.integers(min_value=-10**6, max_value=-1),
            st.integers(min_value=h + 1, max_value=h + 10**6))


@dataclass(frozen=True)
class Scores:
    """A non-empty real array without NaN or +inf (-inf is a removed entry) of any shape
    with at least one axis."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([*NOT_AN_ARRAY, [], 3.0, [1.0, NAN], [1.0, INF], ["a", "b"],
                                [None, 1.0], [[1.0], [1.0, 2.0]], [True, False],
                                np.array([1.0 + 1j, 0.0])])


@dataclass(frozen=True)
class Weights:
    """Probability weights along the last axis: finite, >= 0, a positive sum per row."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([*NOT_AN_ARRAY, [], 0.5, [0.5, NAN], [0.5, INF], [0.5, -0.1],
                                [0.0, 0.0], [[0.5, 0.5], [0.0, 0.0]], ["a", "b"],
                                [True, False], [[0.5], [0.5, 0.5]], [0.5 + 1j, 0.5]])


@dataclass(frozen=True)
class DType:
    """A floating NumPy dtype."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from(["x", 3, object(), {"a": 1}, int, bool, np.int32, "U3",
                                "complex128", object, [1.0]])


@dataclass(frozen=True)
class CapacityResult:
    """A :func:`assoc.modern.dense_capacity` Dataset of ``model``."""

    model: str

    def outside(self) -> st.SearchStrategy:
        other = "demircigil" if self.model == "krotov_hopfield" else "krotov_hopfield"
        return st.sampled_from([None, 3, "ds.nc", {"m": [1.0]}, [1.0, 2.0], xr.Dataset(),
                                _capacity_result(other), _capacity_result(self.model, 1)])


def _capacity_result(model: str, n_N: int = 2) -> xr.Dataset:
    """A small result with the variables and attrs of :func:`assoc.modern.dense_capacity`
    (``n_N`` values of N; the fits need two)."""
    N = [20.0, 40.0][:n_N]
    Kc = [12.0, 40.0][:n_N]
    attrs = {"model": model, "criterion": "pattern", "rho": 0.1}
    if model == "krotov_hopfield":
        attrs["n"] = 3
    return xr.Dataset({"K_c": (("N",), Kc), "K_c_se": (("N",), [1.0, 2.0][:n_N]),
                       "K_theory": (("N",), Kc)}, coords={"N": N}, attrs=attrs)


# ----------------------------------------------------------------------------------------
# the table
# ----------------------------------------------------------------------------------------
X2 = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
XI2 = np.array([0.8, 0.3])
BETA = Scalar(low=0.0, low_open=True)
POS = Real(low=0.0, low_open=True)
TOL = OptionalScalar(low=0.0, low_open=True)
MAX_STEPS = Int(low=1)
SEED = Int(low=0, optional=True)
BACKEND = Choice(("numpy", "cupy", "auto"))
CRITERION = Choice(("pattern", "all"))
ORDER = Choice(("sequential", "random"))
AXIS = Int(low=-1, high=0, optional=True)  # an axis of the 1-d base v, or None
MASS = Scalar(low=0.0, high=1.0, low_open=True)
ONE_STEP = dict(xi=XI2, X=X2, beta=2.0)
#: A batch of three pairs of 2-d embeddings (the shape Patterns() pokes its invalid values in).
PAIRS = dict(x=np.eye(3, 2), y=np.eye(3, 2)[::-1].copy(), tau=0.5)
ONE_STEP_P = dict(xi=States(2), X=Patterns(2), beta=BETA)
SIGNS = np.array([[1, -1, 1, -1], [1, 1, -1, -1]], dtype=np.int8)
DENSE = dict(sigma=np.array([1, -1, 1, 1]), xi=SIGNS, F=Polynomial(3))
DENSE_P = dict(sigma=Signs(4), xi=Signs(4, patterns=True), F=Interaction())
RHO_GRID = Grid(low=0.0, high=0.5, high_open=True)
RHO = Scalar(low=0.0, high=0.5, high_open=True)
COUNT = Int(low=1)

_NORM_EPS = Scalar(low=0.0, low_open=True)
_LAYER_COMMON = dict(
    hidden_size=Int(low=1, optional=True), output_size=Int(low=1, optional=True),
    pattern_size=Int(low=1, optional=True), num_heads=Int(low=1),
    scaling=OptionalScalar(low=0.0, low_open=True), update_steps_max=Int(low=0, optional=True),
    update_steps_eps=Scalar(low=0.0), normalize_stored_pattern=Bool(),
    normalize_stored_pattern_affine=Bool(), normalize_stored_pattern_eps=_NORM_EPS,
    normalize_state_pattern=Bool(), normalize_state_pattern_affine=Bool(),
    normalize_state_pattern_eps=_NORM_EPS, normalize_pattern_projection=Bool(),
    normalize_pattern_projection_affine=Bool(), normalize_pattern_projection_eps=_NORM_EPS,
    normalize_hopfield_space=Bool(), normalize_hopfield_space_affine=Bool(),
    normalize_hopfield_space_eps=_NORM_EPS, stored_pattern_as_static=Bool(),
    state_pattern_as_static=Bool(), pattern_projection_as_static=Bool(),
    pattern_projection_as_connected=Bool(), batch_first=Bool(),
    association_activation=Choice(ACTIVATIONS, optional=True),
    dropout=Scalar(low=0.0, high=1.0, high_open=True), bias=Bool(),
    add_zero_association=Bool(), disable_out_projection=Bool(),
    seed=SEED, dtype=DType(), backend=BACKEND,
)
_LAYER_SIZES = dict(stored_pattern_size=Int(low=1, optional=True),
                    state_pattern_size=Int(low=1, optional=True),
                    pattern_projection_size=Int(low=1, optional=True))
_BLOCK = dict(dim_feedforward=Int(low=1), dropout=Scalar(low=0.0, high=1.0, high_open=True),
              activation=Choice(ACTIVATIONS), seed=SEED)


@dataclass(frozen=True)
class Association:
    """A :class:`assoc.modern.Hopfield` layer that maps its input to the same size."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([None, 3, "x", HopfieldPooling(4, seed=0),
                                Hopfield(input_size=4, output_size=2, seed=0),
                                Hopfield(input_size=4, stored_pattern_size=3, seed=0)])


SPEC_MODERN: dict[str, Entry] = {
    # network
    "assoc.modern.lse": Entry(dict(v=[0.5, 1.0]), dict(v=Scores(), beta=BETA, axis=AXIS)),
    "assoc.modern.softmax": Entry(dict(v=[0.5, 1.0]), dict(v=Scores(), beta=BETA, axis=AXIS)),
    "assoc.modern.energy": Entry(ONE_STEP, ONE_STEP_P),
    "assoc.modern.update": Entry(ONE_STEP, dict(ONE_STEP_P, steps=Int(low=0))),
    "assoc.modern.iterate": Entry(ONE_STEP, dict(ONE_STEP_P, max_steps=MAX_STEPS, tol=TOL,
                                                 raise_on_failure=Bool())),
    "assoc.modern.cloob_retrieval": Entry(ONE_STEP, ONE_STEP_P),
    # fixed points
    "assoc.modern.classify_fixed_point": Entry(ONE_STEP, dict(
        ONE_STEP_P, mass=MASS,
        global_fraction=Scalar(low=0.0, high=1.0, low_open=True, high_open=True),
        iterate_first=Bool(), max_steps=MAX_STEPS, tol=TOL)),
    "assoc.modern.mass_count": Entry(dict(p=[0.7, 0.2, 0.1]), dict(p=Weights(), mass=MASS)),
    # theorems
    "assoc.modern.separation": Entry(dict(X=X2), dict(X=Patterns(2))),
    "assoc.modern.separation_threshold": Entry(dict(N=3, M=1.0, beta=1.0), dict(
        N=IntArray(low=1), M=POS, beta=BETA)),
    "assoc.modern.well_separated": Entry(dict(X=X2, beta=2.0), dict(
        X=Patterns(2, nonzero=True), beta=BETA)),
    "assoc.modern.fixed_point_radius": Entry(dict(X=X2, beta=2.0), dict(
        X=Patterns(2, nonzero=True), beta=BETA)),
    "assoc.modern.min_separated_beta": Entry(dict(Delta=1.0, N=3, M=1.0), dict(
        Delta=Real(allow_inf=True), N=Int(low=2), M=Scalar(low=0.0, low_open=True))),
    "assoc.modern.retrieval_error_bound": Entry(dict(ONE_STEP, i=0), dict(
        ONE_STEP_P, i=Index(high=2), fixed_point=States(2, optional=True))),
    "assoc.modern.pattern_fixed_points": Entry(dict(X=X2, beta=2.0), dict(
        X=Patterns(2), beta=BETA, max_steps=MAX_STEPS, tol=TOL)),
    "assoc.modern.capacity_bound": Entry(dict(beta=1.0, K=3.0, d=20, p=0.001), dict(
        beta=POS, K=POS, d=IntArray(low=2), p=Real(low=0.0, high=1.0, low_open=True))),
    # layers
    "assoc.modern.Hopfield": Entry(dict(input_size=4), dict(
        input_size=Int(low=1), **_LAYER_COMMON, **_LAYER_SIZES)),
    "assoc.modern.HopfieldPooling": Entry(dict(input_size=4), dict(
        input_size=Int(low=1), quantity=COUNT, trainable=Bool(), **_LAYER_COMMON,
        **_LAYER_SIZES)),
    "assoc.modern.HopfieldLayer": Entry(dict(input_size=4), dict(
        input_size=Int(low=1), quantity=COUNT, lookup_weights_as_separated=Bool(),
        lookup_targets_as_trainable=Bool(), trainable=Bool(),
        stored_pattern_size=Int(low=1, optional=True),
        pattern_projection_size=Int(low=1, optional=True), **_LAYER_COMMON)),
    "assoc.modern.HopfieldEncoderLayer": Entry(
        dict(hopfield_association=Hopfield(input_size=4, seed=0), dim_feedforward=8),
        dict(hopfield_association=Association(), **_BLOCK)),
    "assoc.modern.HopfieldDecoderLayer": Entry(
        dict(hopfield_association_self=Hopfield(input_size=4, seed=0),
             hopfield_association_cross=Hopfield(input_size=4, seed=1), dim_feedforward=8),
        dict(hopfield_association_self=Association(), hopfield_association_cross=Association(),
             **_BLOCK)),
    # dense associative memories
    "assoc.modern.Polynomial": Entry(dict(), dict(n=Int(low=2), rectified=Bool())),
    "assoc.modern.dense_energy": Entry(DENSE, DENSE_P),
    "assoc.modern.dense_fields": Entry(DENSE, DENSE_P),
    "assoc.modern.sync_update": Entry(DENSE, DENSE_P),
    "assoc.modern.async_update": Entry(DENSE, dict(
        DENSE_P, sweeps=Int(low=1), order=ORDER, seed=SEED, return_flips=Bool())),
    "assoc.modern.dense_retrieve": Entry(DENSE, dict(
        DENSE_P, max_sweeps=Int(low=1), order=ORDER, seed=SEED)),
    # dense theory
    "assoc.modern.krotov_hopfield_constant": Entry(dict(n=3), dict(
        n=Int(low=2), criterion=CRITERION)),
    "assoc.modern.krotov_hopfield_capacity": Entry(dict(N=100.0, n=3), dict(
        N=Real(low=2.0), n=Int(low=2), criterion=CRITERION)),
    "assoc.modern.krotov_hopfield_capacity_finite": Entry(dict(N=20, n=3), dict(
        N=Int(low=2), n=Int(low=2),
        success=Scalar(low=0.0, high=1.0, low_open=True, high_open=True),
        criterion=CRITERION)),
    "assoc.modern.rate_function": Entry(dict(x=0.5), dict(x=Real(low=-1.0, high=1.0))),
    "assoc.modern.demircigil_alpha": Entry(dict(rho=0.1), dict(
        rho=Real(low=0.0, high=0.5, high_open=True), criterion=CRITERION)),
    "assoc.modern.demircigil_capacity": Entry(dict(N=20, rho=0.1), dict(
        N=Int(low=1), rho=RHO, criterion=CRITERION,
        success=Scalar(low=0.0, high=1.0, low_open=True, high_open=True),
        margin=Int(low=0))),
    # experiments
    "assoc.modern.dense_retrieval": Entry(
        dict(K=[2], N=[8], rho=[0.0], F=Polynomial(3), samples=1, queries=1, seed=1), dict(
            K=IntGrid(low=1), N=IntGrid(low=1), rho=RHO_GRID,
            F=Interaction(callable_ok=False), samples=COUNT, queries=COUNT,
            dynamics=Choice(("sync", "async")), seed=SEED, backend=BACKEND)),
    "assoc.modern.dense_capacity": Entry(
        dict(N=[8], F=Polynomial(3), samples=1, queries=2, scan=3, seed=1), dict(
            N=IntGrid(low=2), F=Interaction(callable_ok=False), rho=RHO, criterion=CRITERION,
            samples=COUNT, queries=COUNT, scan=Int(low=3),
            spread=Scalar(low=1.0, low_open=True), dynamics=Choice(("sync", "async")),
            seed=SEED, backend=BACKEND)),
    "assoc.modern.fit_krotov_hopfield": Entry(dict(ds=_capacity_result("krotov_hopfield")),
                                              dict(ds=CapacityResult("krotov_hopfield"))),
    "assoc.modern.fit_demircigil": Entry(dict(ds=_capacity_result("demircigil")),
                                         dict(ds=CapacityResult("demircigil"))),
    "assoc.modern.modern_retrieval": Entry(
        dict(K=[2], N=[4], beta=[1.0], noise=[0.0], samples=1, queries=1, seed=1), dict(
            K=IntGrid(low=1), N=IntGrid(low=1), beta=Grid(low=0.0, low_open=True),
            noise=RHO_GRID, patterns=Choice(("binary", "sphere")), steps=Int(low=1),
            samples=COUNT, queries=COUNT, seed=SEED, backend=BACKEND)),
    "assoc.modern.modern_bound_check": Entry(
        dict(K=[2], N=[2], beta_factor=[1.0], samples=1, queries=1, seed=1), dict(
            K=IntGrid(low=2), N=IntGrid(low=2), beta_factor=Grid(low=0.0, low_open=True),
            samples=COUNT, queries=COUNT, radius=Scalar(low=0.0, low_open=True), seed=SEED)),
    "assoc.modern.modern_separation_capacity": Entry(dict(d=[2], n_sets=1, seed=1), dict(
        d=IntGrid(low=2), beta=Scalar(low=0.0, low_open=True),
        K=Scalar(low=0.0, low_open=True),
        p=Scalar(low=0.0, high=1.0, low_open=True, high_open=True), n_sets=COUNT,
        seed=SEED)),
    # contrastive objectives (CLOOB) and the checks of the paper's claims
    **{f"assoc.modern.{f}": Entry(PAIRS, dict(x=Patterns(), y=Patterns(), tau=BETA,
                                              anchor=Choice(("both", "x", "y"))))
       for f in ("info_nce", "info_loob")},
    "assoc.modern.cloob_loss": Entry(dict(PAIRS, beta=2.0), dict(
        x=Patterns(), y=Patterns(), tau=BETA, beta=BETA, U=OptionalPatterns(),
        V=OptionalPatterns(),
        objective=Choice(("infoloob", "infonce")))),
    **{f"assoc.modern.{f}": Entry(dict(scores=np.eye(3)), dict(scores=Scores()))
       for f in ("infonce_bound", "infoloob_bound")},
    "assoc.modern.gaussian_mi_bounds": Entry(dict(mi=[0.5], N=[4], d=2, batches=2, seed=1),
                                             dict(mi=Grid(low=0.0, low_open=True),
                                                  N=IntGrid(low=2), d=COUNT, batches=Int(low=2),
                                                  seed=SEED)),
    "assoc.modern.infonce_saturation": Entry(dict(similarity=[0.5], tau=[0.1], N=4, seed=1),
                                             dict(similarity=Grid(low=-1.0, high=1.0),
                                                  tau=Grid(low=0.0, low_open=True),
                                                  N=Int(low=2), step=BETA, autograd=Bool(),
                                                  seed=SEED)),
    "assoc.modern.covariance_enrichment": Entry(
        dict(beta=[1.0], N=8, d=4, k=1, samples=1, seed=1), dict(
            beta=Grid(low=0.0, low_open=True), N=Int(low=2), d=Int(low=2), k=COUNT,
            noise=Scalar(low=0.0), tau=BETA, samples=COUNT, seed=SEED)),
}

#: Callables of :mod:`assoc.modern` with nothing a user passes that could be out of range.
EXEMPT_MODERN: dict[str, str] = {
    "assoc.modern.Exponential": "no parameters",
    "assoc.modern.IterationResult": "a result dataclass, built by iterate",
    "assoc.modern.FixedPointClassification": "a result dataclass, built by "
                                             "classify_fixed_point",
    "assoc.modern.RetrievalBound": "a result dataclass, built by retrieval_error_bound",
    "assoc.modern.CapacityBound": "a result dataclass, built by capacity_bound",
    "assoc.modern.DenseRetrieval": "a result dataclass, built by dense_retrieve",
}
