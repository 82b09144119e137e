"""Replica free energies as data, and what the engine derives from them.

A :class:`ReplicaFreeEnergy` holds the free energy per spin ``f`` (a sympy expression with
:class:`~theory.symbolic.averages.GaussianAverage` objects), its order parameters and
controls, the feasible region, and optionally a zero-temperature scaling.  From it the
engine derives (:meth:`ReplicaFreeEnergy.derive`):

* the stationarity conditions ``g_i = df/dx_i`` (differentiation under the averages, then
  Gaussian integration by parts where it removes a singular prefactor, then the Dirac-delta
  rule of T = 0 integrands);
* the Hessian ``H_ij = d g_i / d x_j`` (the Jacobian of Newton's method, and the stability
  matrix);
* derivatives ``d g_i / d c`` with respect to controls (continuation and fold location);
* fixed-point maps ``x_j = G_j(x)``: each equation that is, with its averages held fixed,
  linear in one order parameter (after removing a power ``x^k`` factor) is solved for it,
  and the equations are matched to the parameters; a parameter without such an equation
  gets the scalar Newton map ``x_j - g_j / H_jj``;
* the zero-temperature model (:meth:`ReplicaFreeEnergy.zero_temperature`), by the rule
  table of :mod:`theory.symbolic.limits`.

:meth:`ReplicaFreeEnergy.compile` turns all of it into vectorised callables
(:class:`CompiledFreeEnergy`).

The derived expressions, the zero-temperature model, the control derivatives and the
compiled Evaluators are also kept on disk (:mod:`theory.symbolic.cache`), keyed by the model's
definition and the engine's source, so that a new process does not derive them again.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from assoc.errors import InputTypeError
from assoc.validation import brief, check_choice, check_scalar

from . import cache as _disk
from .averages import (
    GaussianAverage,
    closed_forms,
    distribute,
    integrate_by_parts,
    normalize,
    resolve_deltas,
    rewrite_logcosh,
)
from .checks import check_expr, check_mapping, check_symbol, check_symbols
from .codegen import Evaluator
from .limits import LimitError, zero_temperature_limit

__all__ = ["ReplicaFreeEnergy", "CompiledFreeEnergy", "Derived"]


def _post(e: sp.Expr) -> sp.Expr:
    """Normal form of a derived expression: linearity, Stein's lemma, Dirac deltas.

    The final distribution of products over sums lets prefactors such as ``sqrt(p)/sqrt(p)``
    cancel, so the result is finite at ``p = 0``.
    """
    e = resolve_deltas(normalize(integrate_by_parts(normalize(e))))
    return distribute(e)


def _sequence(name: str, value: Any) -> tuple:
    """A list or tuple (not a single expression or a string)."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple (got {value!r})")
    return tuple(value)


def _check_bound(name: str, v: Any, b: Any, xs: tuple[sp.Symbol, ...] | None) -> None:
    """``v -> (low, high)``: a Symbol (an order parameter where ``xs`` is given) and a
    pair of finite numbers or None, low < high."""
    check_symbol(f"every key of {name}", v)
    if xs is not None and v not in xs:
        raise ValueError(f"{name}: {v} is not an order parameter")
    if not isinstance(b, (list, tuple)) or len(b) != 2:
        raise ValueError(f"{name}[{v}] must be a pair (low, high) of numbers or None (got "
                         f"{b!r})")
    lo, hi = (None if e is None else float(check_scalar(f"{name}[{v}]", e)) for e in b)
    if lo is not None and hi is not None and lo >= hi:
        raise ValueError(f"{name}[{v}] must have low < high (got {b!r})")


@dataclass(frozen=True)
class Derived:
    """Symbolic results of the derivation (see the module docstring)."""

    f: sp.Expr
    grad: tuple[sp.Expr, ...]
    hess: tuple[tuple[sp.Expr, ...], ...]
    fixed_point: tuple[sp.Expr | None, ...]


@dataclass(frozen=True, eq=False)
class ReplicaFreeEnergy:
    """A replica free energy per spin and its order parameters.

    Parameters
    ----------
    f : sympy expression
        The free energy per spin, stationary at the saddle point.  Gaussian averages are
        :class:`~theory.symbolic.averages.GaussianAverage` objects and may be nested (1RSB).
    order_parameters : sequence of sympy symbols
        The unknowns, in the order of the solution vector.
    controls : sequence of sympy symbols
        Parameters set by the user (load, inverse temperature, ...).
    beta : sympy symbol, optional
        The inverse temperature among the controls (needed for :meth:`zero_temperature`).
    bounds : mapping, optional
        ``symbol -> (low, high)`` closed bounds (None for unbounded) of the order parameters;
        Newton steps are shortened to stay inside.
    constraints : sequence of sympy expressions, optional
        Expressions in order parameters and controls that must stay > 0 (e.g. the argument
        ``1 - beta (1 - q)`` of a logarithm).
    zero_temperature_scaling : mapping, optional
        ``order parameter -> expression in a new finite parameter and beta`` (e.g.
        ``{q: 1 - C/beta}``); the new parameters replace the scaled ones in place.
    zero_temperature_bounds : mapping, optional
        Bounds of the new parameters.
    minimize : sequence of sympy symbols, optional
        Order parameters along which the free energy of a stable state is a minimum once
        the others are at their saddle (``m``): their Schur complement of the Hessian is
        reported as ``curvature``.
    stability : mapping, optional
        ``name -> expression`` that must be > 0 for stability (e.g. a replicon eigenvalue,
        which is not a function of the RS Hessian and so must be supplied).
    fixed_point : mapping, optional
        ``order parameter -> map``; overrides the derived fixed-point maps.
    name : str
    equations : mapping, optional
        ``order parameter -> expression`` whose root replaces the stationarity condition
        ``df/dx = 0`` of that parameter; the Jacobian row is derived from it (and is then no
        longer a row of a symmetric Hessian).  :meth:`zero_temperature` uses it where the
        T = 0 free energy does not depend on a scaled parameter and its equation comes from
        the next order in ``1/beta`` (the SK model's ``C``).
    """

    f: sp.Expr
    order_parameters: Sequence[sp.Symbol]
    controls: Sequence[sp.Symbol]
    beta: sp.Symbol | None = None
    bounds: Mapping[sp.Symbol, tuple[float | None, float | None]] = field(default_factory=dict)
    constraints: Sequence[sp.Expr] = ()
    zero_temperature_scaling: Mapping[sp.Symbol, sp.Expr] | None = None
    zero_temperature_bounds: Mapping[sp.Symbol, tuple[float | None, float | None]] = field(
        default_factory=dict)
    minimize: Sequence[sp.Symbol] = ()
    stability: Mapping[str, sp.Expr] = field(default_factory=dict)
    fixed_point: Mapping[sp.Symbol, sp.Expr] | None = None
    name: str = "model"
    equations: Mapping[sp.Symbol, sp.Expr] | None = None

    def __post_init__(self) -> None:
        f = check_expr("f", self.f)
        xs = check_symbols("order_parameters", self.order_parameters, nonempty=True)
        cs = check_symbols("controls", self.controls)
        if set(xs) & set(cs):
            raise ValueError(f"order_parameters and controls must be disjoint (both have "
                             f"{sorted(map(str, set(xs) & set(cs)))})")
        if self.beta is not None:
            check_symbol("beta", self.beta)
            if self.beta not in cs:
                raise ValueError(f"beta must be one of the controls {list(cs)} (got "
                                 f"{self.beta})")
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str (got {self.name!r})")
        for key in ("bounds", "zero_temperature_bounds"):
            for v, b in check_mapping(key, getattr(self, key)).items():
                _check_bound(key, v, b, xs if key == "bounds" else None)
        constraints = tuple(check_expr("every entry of constraints", c) for c in _sequence(
            "constraints", self.constraints))
        minimize = check_symbols("minimize", self.minimize)
        for v in minimize:
            if v not in xs:
                raise ValueError(f"minimize: {v} is not an order parameter")
        for key in ("zero_temperature_scaling", "fixed_point", "equations"):
            for v, e in check_mapping(key, getattr(self, key), optional=True).items():
                check_symbol(f"every key of {key}", v)
                check_expr(f"{key}[{v}]", e)
                if v not in xs:
                    raise ValueError(f"{key}: {v} is not an order parameter")
        for k, e in check_mapping("stability", self.stability).items():
            if not isinstance(k, str):
                raise TypeError(f"stability's keys must be str names (got {k!r})")
            check_expr(f"stability[{k!r}]", e)
        extra = f.free_symbols - set(xs) - set(cs)
        if extra:
            raise ValueError(f"f has symbols that are neither order parameters nor controls: "
                             f"{sorted(map(str, extra))}")
        for name, value in (("f", f), ("order_parameters", xs), ("controls", cs),
                            ("constraints", constraints), ("minimize", minimize)):
            object.__setattr__(self, name, value)

    # ------------------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return len(self.order_parameters)

    def index(self, x: sp.Symbol | str) -> int:
        """Position of an order parameter (by symbol or name)."""
        for k, v in enumerate(self.order_parameters):
            if v == x or v.name == x:
                return k
        raise KeyError(f"{x} is not an order parameter of {self.name}")

    @cached_property
    def _disk_key(self) -> _disk.Key | None:
        """Key of this model in the disk cache (:mod:`theory.symbolic.cache`)."""
        return _disk.model_key(self)

    @cached_property
    def derived(self) -> Derived:
        """Gradient, Hessian and fixed-point maps (computed once; kept on disk)."""
        return _disk.cached("derived", lambda: self._disk_key, self._derive)

    def _derive(self) -> Derived:
        xs = self.order_parameters
        f = normalize(rewrite_logcosh(sp.sympify(self.f)))
        eqs = dict(self.equations or {})
        grad = tuple(_post(normalize(rewrite_logcosh(sp.sympify(eqs[x])))) if x in eqs
                     else _post(sp.diff(f, x)) for x in xs)
        hess = [[sp.S.Zero] * len(xs) for _ in xs]
        if eqs:  # a replaced equation: the Jacobian is not symmetric
            for i, j in itertools.product(range(len(xs)), repeat=2):
                hess[i][j] = _post(sp.diff(grad[i], xs[j]))
        else:
            for i, j in itertools.combinations_with_replacement(range(len(xs)), 2):
                hess[i][j] = hess[j][i] = _post(sp.diff(grad[i], xs[j]))
        fp = self._fixed_point_maps(grad, hess)
        return Derived(f, grad, tuple(tuple(r) for r in hess), fp)

    def derive(self) -> Derived:
        """The symbolic stationarity conditions, Hessian and fixed-point maps."""
        return self.derived

    def control_derivative(self, c: sp.Symbol) -> tuple[sp.Expr, ...]:
        """``d g_i / d c`` for a control ``c``."""
        if c not in self.controls:
            raise ValueError(f"{c} is not a control of {self.name}")
        memo = self.__dict__.setdefault("_control_derivatives", {})
        if c not in memo:
            k = self.controls.index(c)
            memo[c] = _disk.cached(
                "control_derivative",
                lambda: None if self._disk_key is None else self._disk_key.child(f"dg/dc{k}"),
                lambda: tuple(_post(sp.diff(g, c)) for g in self.derived.grad))
        return memo[c]

    def _fixed_point_maps(self, grad, hess) -> tuple[sp.Expr | None, ...]:
        xs = self.order_parameters
        user = dict(self.fixed_point or {})
        cands: dict[int, dict[int, sp.Expr]] = {}
        for i, g in enumerate(grad):
            avs = sorted(g.atoms(GaussianAverage), key=sp.default_sort_key)
            reps = {A: sp.Dummy(f"avg{k}") for k, A in enumerate(avs)}
            back = {v: k for k, v in reps.items()}
            go = sp.together(g.xreplace(reps))
            num = sp.numer(go)
            for j, x in enumerate(xs):
                if x not in num.free_symbols:
                    continue
                try:
                    poly = sp.Poly(sp.expand(num), x)
                except sp.PolynomialError:
                    continue
                coeffs = poly.all_coeffs()[::-1]  # ascending powers
                k0 = next((k for k, c in enumerate(coeffs) if c != 0), None)
                if k0 is None or len(coeffs) - 1 - k0 != 1:
                    continue
                a0, a1 = coeffs[k0], coeffs[k0 + 1]
                if x in a0.free_symbols or x in a1.free_symbols:
                    continue
                cands.setdefault(j, {})[i] = (-a0 / a1).xreplace(back)
        # match equations to parameters (backtracking over at most a few parameters)
        order = sorted(range(len(xs)), key=lambda j: len(cands.get(j, {})))
        best: dict[int, int] = {}

        def assign(pos: int, used: set, cur: dict) -> None:
            nonlocal best
            if len(cur) > len(best):
                best = dict(cur)
            if pos == len(order):
                return
            j = order[pos]
            for i in cands.get(j, {}):
                if i not in used:
                    cur[j] = i
                    assign(pos + 1, used | {i}, cur)
                    del cur[j]
                    if len(best) == len(order):
                        return
            assign(pos + 1, used, cur)

        assign(0, set(), {})
        maps: list[sp.Expr | None] = []
        for j, x in enumerate(xs):
            if x in user:
                maps.append(sp.sympify(user[x]))
            elif j in best:
                maps.append(cands[j][best[j]])
            else:
                maps.append(None)  # scalar Newton map, filled in numerically
        return tuple(maps)

    # ------------------------------------------------------------------------------------
    def zero_temperature(self) -> ReplicaFreeEnergy:
        """The T = 0 model: the declared scaling applied and ``beta -> inf`` taken."""
        if self.beta is None or self.zero_temperature_scaling is None:
            raise ValueError(f"{self.name}: declare beta and zero_temperature_scaling to take "
                             "the zero-temperature limit")
        if "_zero_temperature" not in self.__dict__:
            fields = _disk.cached("zero_temperature", lambda: self._disk_key,
                                  self._zero_temperature_fields)
            self.__dict__["_zero_temperature"] = ReplicaFreeEnergy(**fields)
        return self.__dict__["_zero_temperature"]

    def _zero_temperature_fields(self) -> dict[str, Any]:
        """The defining data of :meth:`zero_temperature`'s model."""
        sc = dict(self.zero_temperature_scaling)
        f0 = closed_forms(zero_temperature_limit(self.f, self.beta, sc))
        new_xs: list[sp.Symbol] = []
        for x in self.order_parameters:
            if x in sc:
                fresh = sorted(sc[x].free_symbols - {self.beta} - set(self.controls)
                               - set(self.order_parameters), key=str)
                new_xs.extend(v for v in fresh if v not in new_xs)
            else:
                new_xs.append(x)
        # a scaled parameter that f0 does not depend on takes its equation from the next
        # order: f = f0 + f1/beta + ..., d f1/d v = 0 (the SK model's C = beta (1 - q))
        scaled = [v for x in self.order_parameters if x in sc for v in sc[x].free_symbols
                  if v in new_xs]
        f0n = normalize(rewrite_logcosh(f0))
        equations: dict[sp.Symbol, sp.Expr] = {}
        dropped: list[sp.Symbol] = []
        f1 = None
        for v in scaled:
            if sp.simplify(_post(sp.diff(f0n, v))) != 0:
                continue
            if f1 is None:
                try:
                    f1 = closed_forms(zero_temperature_limit(self.f, self.beta, sc, order=1))
                except LimitError:
                    f1 = sp.S.Zero
            eq = sp.diff(f1, v)
            if eq == 0 and v not in sp.sympify(f0).free_symbols:
                # f0 and the other equations do not involve v, and its 1/beta order is not
                # available: v is irrelevant at T = 0 and leaves the model
                dropped.append(v)
                continue
            if sp.simplify(_post(normalize(rewrite_logcosh(eq)))) == 0:
                raise LimitError(f"{self.name}: neither f0 nor the 1/beta order of f depends "
                                 f"on {v}; the scaling leaves it undetermined")
            equations[v] = eq
        new_xs = [x for x in new_xs if x not in dropped]
        bounds = {x: b for x, b in self.bounds.items() if x in new_xs}
        bounds.update(self.zero_temperature_bounds)
        cons = []
        for c in self.constraints:
            try:
                c0 = zero_temperature_limit(c, self.beta, sc)
            except ValueError:
                continue
            if c0.free_symbols and not c0.is_number:
                cons.append(c0)
        return dict(
            f=f0,
            order_parameters=tuple(new_xs),
            controls=tuple(c for c in self.controls if c != self.beta),
            bounds=bounds,
            constraints=tuple(cons),
            minimize=tuple(v for v in self.minimize if v in new_xs),
            name=f"{self.name} (T = 0)",
            equations=equations or None,
        )

    def compile(self, backend: str = "numpy") -> CompiledFreeEnergy:
        """Vectorised callables (see :class:`CompiledFreeEnergy`)."""
        return CompiledFreeEnergy(self, backend)


class CompiledFreeEnergy:
    """Vectorised numerical form of a :class:`ReplicaFreeEnergy`.

    Order parameters are passed as an array ``x`` of shape (n, d); controls as a mapping
    ``name -> array`` broadcastable to (n,).  Each part is compiled on first use.
    """

    def __init__(self, model: ReplicaFreeEnergy, backend: str = "numpy") -> None:
        if not isinstance(model, ReplicaFreeEnergy):
            raise TypeError(f"model must be a ReplicaFreeEnergy (got {model!r})")
        self.model = model
        self.backend = check_choice("backend", backend, ("numpy", "cupy"))
        self._params = [*model.order_parameters, *model.controls]
        self._cache: dict[Any, Evaluator] = {}
        xs = model.order_parameters
        lo = np.array([model.bounds.get(x, (None, None))[0] for x in xs], dtype=float)
        hi = np.array([model.bounds.get(x, (None, None))[1] for x in xs], dtype=float)
        self.lower = np.where(np.isnan(lo), -np.inf, lo)
        self.upper = np.where(np.isnan(hi), np.inf, hi)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(x.name for x in self.model.order_parameters)

    @property
    def control_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.model.controls)

    def _evaluator(self, key, targets) -> Evaluator:
        """The cached Evaluator of ``key``; ``targets`` may be a callable returning the
        target expressions, so that they are derived only on the first use.

        ``key`` (a str or a tuple of str) must determine the targets given the model: it
        names the Evaluator in the disk cache (:mod:`theory.symbolic.cache`).
        """
        if key not in self._cache:
            def build() -> Evaluator:
                exprs = targets() if callable(targets) else targets
                return Evaluator(list(exprs), self._params, backend=self.backend)

            self._cache[key] = _disk.cached("evaluator", lambda: self._evaluator_key(key), build,
                                            backend=self.backend)
        return self._cache[key]

    def _evaluator_key(self, key) -> _disk.Key | None:
        mk = self.model._disk_key
        cls = type(self)
        return None if mk is None else mk.child(f"evaluator {key!r}", f"backend {self.backend}",
                                                f"class {cls.__module__}.{cls.__qualname__}")

    def _checked(self, x: np.ndarray, controls: Mapping[str, Any]
                 ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``x`` as an (n, d) float array and the controls, in ``control_names`` order,
        broadcast to (n,); a wrong shape or a missing control is an error."""
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.model.dim:
            raise ValueError(f"x must have shape (n, {self.model.dim}) for the order "
                             f"parameters {self.names} of {self.model.name} (got {x.shape})")
        missing = [c for c in self.control_names if c not in controls]
        if missing:
            raise ValueError(f"missing controls {missing} of {self.model.name}")
        return x, [np.broadcast_to(np.asarray(controls[c], dtype=float), (x.shape[0],))
                   for c in self.control_names]

    def _args(self, x: np.ndarray, controls: Mapping[str, Any]) -> list:
        x, cs = self._checked(x, controls)
        return [x[:, k] for k in range(x.shape[1])] + cs

    # ------------------------------------------------------------------------------------
    def f(self, x, controls) -> np.ndarray:
        """Free energy per spin, shape (n,)."""
        ev = self._evaluator("f", lambda: [self.model.derived.f])
        return np.asarray(ev(*self._args(x, controls))[0])

    def grad(self, x, controls) -> np.ndarray:
        """Stationarity residuals ``df/dx``, shape (n, d)."""
        ev = self._evaluator("grad", lambda: self.model.derived.grad)
        return np.stack(ev(*self._args(x, controls)), axis=-1)

    def grad_hess(self, x, controls) -> tuple[np.ndarray, np.ndarray]:
        """Gradient (n, d) and Hessian (n, d, d), sharing their averages."""
        return self._grad_hess(x, controls, None)

    def grad_hess_control(self, x, controls, control: str) -> tuple[np.ndarray, ...]:
        """Gradient, Hessian and ``d grad / d control`` in one pass over the quadrature
        nodes (the Jacobian of a fold or continuation step)."""
        return self._grad_hess(x, controls, self._control_symbol(control))

    @property
    def depth(self) -> int:
        """Nesting depth of the Gaussian averages of the gradient and Hessian (0: closed
        form, 1: single averages, 2: the finite-T 1RSB inner average, ...)."""
        return self._gh_evaluator(None)[0].depth

    def _gh_evaluator(self, c):  # noqa: ANN001, ANN202
        """The Evaluator of the gradient, Hessian entries (and control derivatives), and
        the Hessian entries it returns."""
        d = self.model.dim
        if self.model.equations:  # a replaced equation: the Jacobian is not symmetric
            entries = [(i, j) for i in range(d) for j in range(d)]
        else:
            entries = [(i, j) for i in range(d) for j in range(i, d)]

        def targets():
            D = self.model.derived
            extra = list(self.model.control_derivative(c)) if c is not None else []
            return list(D.grad) + [D.hess[i][j] for i, j in entries] + extra

        return self._evaluator("gh" if c is None else ("ghc", c.name), targets), entries

    def _grad_hess(self, x, controls, c):  # noqa: ANN001, ANN202
        d = self.model.dim
        ev, entries = self._gh_evaluator(c)
        out = ev(*self._args(x, controls))
        n = np.asarray(x).shape[0]
        g = np.stack(out[:d], axis=-1)
        H = np.empty((n, d, d))
        for k, (i, j) in enumerate(entries):
            H[:, i, j] = out[d + k]
            if not self.model.equations:
                H[:, j, i] = out[d + k]
        if c is None:
            return g, H
        return g, H, np.stack(out[d + len(entries):], axis=-1)

    def _control_symbol(self, control: str) -> sp.Symbol:
        c = next((s for s in self.model.controls if s.name == control), None)
        if c is None:
            raise ValueError(f"{control!r} is not a control of {self.model.name} "
                             f"(controls: {self.control_names})")
        return c

    def control_jacobian(self, x, controls, control: str) -> np.ndarray:
        """``d grad / d control``, shape (n, d)."""
        c = self._control_symbol(control)
        ev = self._evaluator(("dc", control), lambda: self.model.control_derivative(c))
        return np.stack(ev(*self._args(x, controls)), axis=-1)

    def fixed_point_map(self, x, controls) -> np.ndarray:
        """``G(x)`` of the fixed-point iteration ``x <- G(x)`` (scalar Newton where underived)."""
        D = self.model.derived
        idx = [k for k, m in enumerate(D.fixed_point) if m is not None]
        ev = self._evaluator("fp", [D.fixed_point[k] for k in idx])
        out = ev(*self._args(x, controls))
        G = np.array(x, dtype=float, copy=True)
        for k, v in zip(idx, out, strict=True):
            G[:, k] = v
        rest = [k for k, m in enumerate(D.fixed_point) if m is None]
        if rest:
            g, H = self.grad_hess(x, controls)
            with np.errstate(all="ignore"):
                for k in rest:
                    G[:, k] = x[:, k] - g[:, k] / H[:, k, k]
        return G

    def observe(self, name: str, expr: sp.Expr, x, controls) -> np.ndarray:
        """An extra expression of the order parameters and controls (an observable such as
        an overlap ``E tanh(beta h)``), compiled once under ``name``, shape (n,).  ``name``
        must determine ``expr`` given the model (it keys the disk cache)."""
        ev = self._evaluator(("obs", name), [expr])
        return np.broadcast_to(np.asarray(ev(*self._args(x, controls))[0], dtype=float),
                               (np.asarray(x).shape[0],)).copy()

    def constraints_ok(self, x, controls) -> np.ndarray:
        """Bounds and constraints hold (boolean, shape (n,))."""
        x = np.asarray(x, dtype=float)
        ok = np.all((x >= self.lower) & (x <= self.upper), axis=1)
        if self.model.constraints:
            ev = self._evaluator("cons", self.model.constraints)
            with np.errstate(all="ignore"):
                for v in ev(*self._args(x, controls)):
                    ok &= np.asarray(v) > 0
        return ok

    def stability(self, x, controls) -> dict[str, np.ndarray]:
        """User stability expressions and the ``curvature`` (Schur complement) along
        the ``minimize`` parameters (its smallest eigenvalue)."""
        out: dict[str, np.ndarray] = {}
        m = self.model
        if m.stability:
            ev = self._evaluator("stab", list(m.stability.values()))
            for k, v in zip(m.stability, ev(*self._args(x, controls)), strict=True):
                out[k] = np.asarray(v)
        if m.minimize:
            _, H = self.grad_hess(x, controls)
            a = [m.index(v) for v in m.minimize]
            s = [k for k in range(m.dim) if k not in a]
            Haa = H[:, a][:, :, a]
            if s:
                Has = H[:, a][:, :, s]
                Hsa = H[:, s][:, :, a]  # = Has^T unless an equation was replaced
                Hss = H[:, s][:, :, s]
                with np.errstate(all="ignore"):
                    try:
                        X = np.linalg.solve(Hss, Hsa)
                        Haa = Haa - Has @ X
                    except np.linalg.LinAlgError:
                        Haa = np.full_like(Haa, np.nan)
            with np.errstate(all="ignore"):
                ok = np.isfinite(Haa).all(axis=(1, 2))
                ev_min = np.full(Haa.shape[0], np.nan)
                if ok.any():
                    Hs_ = 0.5 * (Haa[ok] + np.swapaxes(Haa[ok], 1, 2))
                    ev_min[ok] = np.linalg.eigvalsh(Hs_)[:, 0]
            out["curvature"] = ev_min
        return out


def check_compiled(name: str, value: Any) -> CompiledFreeEnergy:
    """``value`` if it is a :class:`CompiledFreeEnergy` (``model.compile()``), else a
    TypeError naming ``name``."""
    if not isinstance(value, CompiledFreeEnergy):
        raise InputTypeError(f"{name} must be a CompiledFreeEnergy (from "
                             f"ReplicaFreeEnergy.compile()); got {brief(value)} of type "
                             f"{type(value).__name__}")
    return value
