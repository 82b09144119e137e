"""The :mod:`theory.symbolic` part of the bad-input table of ``tests/test_public_api_inputs.py``.

The engine-level API takes sympy objects, compiled free energies, arrays of order parameters
and mappings of controls; its kinds are defined here.  Every base call is on the Curie-Weiss
ferromagnet in a Gaussian random field of :mod:`theory.symbolic`'s docstring (one order
parameter; a second one for :func:`~theory.symbolic.optimize_parameter`, which scans one and
solves the others).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp
from hypothesis import strategies as st

from tests.api_inputs_kinds import Bool, Choice, Entry, Func, Int, OneOf, Scalar
from theory.symbolic import GaussianAverage, ReplicaFreeEnergy

_m, _z = sp.symbols("m z", real=True)
_beta, _D = sp.symbols("beta D", positive=True)
#: The Curie-Weiss ferromagnet in a Gaussian random field (theory.symbolic's docstring).
_CW_F = _m**2 / 2 - GaussianAverage(sp.log(2 * sp.cosh(_beta * (_m + sp.sqrt(_D) * _z))),
                                    _z) / _beta
_CW = ReplicaFreeEnergy(_CW_F, [_m], [_beta, _D], beta=_beta)
_CF = _CW.compile()
_q = sp.Symbol("q", real=True)
#: The same with a second order parameter (optimize_parameter scans one, solving the other).
_CF2 = ReplicaFreeEnergy(_CW_F + (_q - _m**2) ** 2 / 2, [_m, _q], [_beta, _D]).compile()


@dataclass(frozen=True)
class Expr:
    """A sympy expression (a finite number is a constant)."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([None, "m", b"m", object(), [1.0, 2.0], math.nan, True,
                                {"m": 1}])


@dataclass(frozen=True)
class Symbol:
    """A sympy Symbol (not its name, not an expression)."""

    optional: bool = False

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from(["m", 3, _m + 1, [_m], object()]
                               + ([] if self.optional else [None]))


@dataclass(frozen=True)
class Symbols:
    """A sequence of distinct sympy Symbols (non-empty where ``nonempty``)."""

    nonempty: bool = False

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from(["m", None, 3, [None], ["m"], [_m, _m], _m, [_m + 1]]
                               + ([[]] if self.nonempty else []))


@dataclass(frozen=True)
class Mapping:
    """A mapping (None too where ``optional``) whose entries ``bad`` are refused."""

    bad: tuple = ()
    optional: bool = False

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([3, "x", [1.0, 2.0], object()] + list(self.bad)
                               + ([] if self.optional else [None]))


@dataclass(frozen=True)
class Compiled:
    """A CompiledFreeEnergy."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([None, 3, "cf", _CW, object()])


@dataclass(frozen=True)
class Points:
    """Order parameters (n, d), finite, n given by the call."""

    d: int = 1

    def outside(self) -> st.SearchStrategy:
        d = self.d
        return st.sampled_from([[[math.nan] * d], [[math.inf] * d], "x", [0.9] * d,
                                [[0.9] * (d + 1)], [], [[None] * d], None, [[[0.9] * d]]])


@dataclass(frozen=True)
class Controls:
    """The controls of the Curie-Weiss model but ``exclude``: every one, finite."""

    exclude: tuple[str, ...] = ()

    def outside(self) -> st.SearchStrategy:
        full = {k: v for k, v in (("beta", 2.0), ("D", 0.1)) if k not in self.exclude}
        first = next(iter(full))
        return st.sampled_from([None, 3, "beta", {}, full | {"x": 1.0},
                                full | {first: math.nan}, full | {first: "2"},
                                full | {first: [1.0, 2.0, 3.0]}, full | {first: math.inf}])


@dataclass(frozen=True)
class Name:
    """One of the model's names (order parameters or controls)."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from(["x", "", 3, None, _m, b"m"])


@dataclass(frozen=True)
class Fixed:
    """Order parameters held at finite values (None: none)."""

    def outside(self) -> st.SearchStrategy:
        return st.sampled_from([3, "m", {"x": 0.5}, {"m": math.nan}, {"m": "a"}, {_m: 0.5},
                                {"m": [0.1, 0.2, 0.3]}])


SPEC_SYMBOLIC: dict[str, Entry] = {
    "theory.symbolic.GaussianAverage": Entry(dict(integrand=_m * _z, z=_z), dict(
        integrand=Expr(), z=Symbol())),
    "theory.symbolic.E": Entry(dict(integrand=_m * _z, z=_z), dict(integrand=Expr(),
                                                                    z=Symbol())),
    "theory.symbolic.ReplicaFreeEnergy": Entry(
        dict(f=_CW_F, order_parameters=[_m], controls=[_beta, _D], beta=_beta), dict(
            f=Expr(), order_parameters=Symbols(nonempty=True), controls=Symbols(),
            beta=Symbol(optional=True),
            bounds=Mapping(bad=({_m: (1.0, 0.0)}, {_m: 3}, {_z: (0.0, 1.0)},
                                {"m": (0.0, 1.0)}, {_m: (math.nan, 1.0)})),
            constraints=OneOf((_m, ["x"], [None], None, 3, "m > 0")),
            zero_temperature_scaling=Mapping(bad=({_m: "x"}, {"m": _m}, {_z: _m}),
                                             optional=True),
            zero_temperature_bounds=Mapping(bad=({_m: (1.0, 0.0)}, {_m: None})),
            minimize=Symbols(), stability=Mapping(bad=({1: _m}, {"r": "x"})),
            fixed_point=Mapping(bad=({_m: None}, {_z: _m}), optional=True),
            name=OneOf((3, None, b"cw", ["cw"])), equations=Mapping(bad=({_m: "x"}, {_z: _m}),
                                                       optional=True))),
    "theory.symbolic.CompiledFreeEnergy": Entry(dict(model=_CW), dict(
        model=OneOf((None, 3, "cf", _CF, object())), backend=Choice(("numpy", "cupy")))),
    "theory.symbolic.Evaluator": Entry(dict(targets=[_m * _D], params=[_m, _D]), dict(
        targets=OneOf(("m", None, 3, [None], ["m"], _m, [object()])), params=Symbols(),
        backend=Choice(("numpy", "cupy")))),
    "theory.symbolic.solve_points": Entry(
        dict(cf=_CF, x0=[[0.9]], controls={"beta": 2.0, "D": 0.1}), dict(
            cf=Compiled(), x0=Points(), controls=Controls(), fixed=Fixed(), accept=Func(),
            xtol=Scalar(low=0.0, low_open=True), maxiter=Int(low=0), max_halvings=Int(low=0),
            fallback=Bool(), fp_omega=Scalar(low=0.0, high=1.0, low_open=True),
            fp_maxiter=Int(low=0))),
    "theory.symbolic.continuation": Entry(
        dict(cf=_CF, x_start=[[0.9]], path=[[2.0, 2.1]], control="beta", other={"D": 0.1}),
        dict(cf=Compiled(), x_start=Points(), control=Name(),
             path=OneOf(([[math.nan, 2.1]], [2.0, 2.1], "x", [], None, [[[2.0]]],
                         [[2.0, math.inf]])),
             other=Controls(exclude=("beta",)), fixed=Fixed(), accept=Func(),
             max_jump=Scalar(low=0.0, low_open=True),
             min_step=Scalar(low=0.0, high=1.0, low_open=True), max_substeps=Int(low=1),
             maxiter=Int(low=1), max_halvings=Int(low=0))),
    "theory.symbolic.fold": Entry(
        dict(cf=_CF, x_guess=[[0.9]], control="D", along="m", bracket=(0.1, 0.5),
             other={"beta": 2.0}),
        dict(cf=Compiled(), x_guess=Points(), control=Name(), along=Name(),
             bracket=OneOf(((0.5, 0.1), (0.1, math.nan), (0.1, 0.2, 0.3), ("a", "b"), None, 3,
                            "ab", ([0.1, 0.2], [0.3, 0.4]))),
             other=Controls(exclude=("D",)), fixed=Fixed(),
             c_guess=OneOf((math.nan, "x", [1.0, 2.0], math.inf)),
             n_scan=Int(low=2), vtol=Scalar(low=0.0, low_open=True))),
    "theory.symbolic.optimize_parameter": Entry(
        dict(cf=_CF2, x_start=[[0.9, 0.8]], controls={"beta": 2.0, "D": 0.1}, name="m",
             grid=[[0.1, 0.5]]),
        dict(cf=Compiled(), x_start=Points(d=2), controls=Controls(), name=Name(),
             grid=OneOf(([[math.nan, 0.5]], [0.1, 0.5], "x", [], None, [[[0.1]]],
                         [[0.1, math.inf]])), fixed=Fixed(), accept=Func(),
             tol=Scalar(low=0.0, low_open=True), scan_maxiter=Int(low=1),
             polish_maxiter=Int(low=0))),
    "theory.symbolic.zero_temperature_limit": Entry(
        dict(f=_CW_F, beta=_beta, scaling={}), dict(
            f=Expr(), beta=Symbol(), scaling=Mapping(bad=({"m": _m}, {_m: "x"})),
            order=Int(low=0, high=1))),
    "theory.symbolic.normalize": Entry(dict(expr=_CW_F), dict(expr=Expr())),
    "theory.symbolic.integrate_by_parts": Entry(dict(expr=_CW_F), dict(expr=Expr())),
    "theory.symbolic.resolve_deltas": Entry(dict(expr=_CW_F), dict(expr=Expr())),
    "theory.symbolic.closed_forms": Entry(dict(expr=_CW_F), dict(expr=Expr())),
}

#: Callables with nothing a user passes that could be out of range.
EXEMPT_SYMBOLIC: dict[str, str] = {
    "theory.symbolic.KinkError": "an exception class",
    "theory.symbolic.LimitError": "an exception class",
    "theory.symbolic.Derived": "the derivatives, built by ReplicaFreeEnergy.derive()",
    "theory.symbolic.FoldResult": "a result, built by fold()",
    **{f"theory.symbolic.{f}": "a sympy Function applied to expressions: sympy sympifies its "
                               "arguments and refuses a non-expression with SympifyError (a "
                               "ValueError)"
       for f in ("logcosh", "rabs", "rsign", "ExpAbsMoment")},
}
