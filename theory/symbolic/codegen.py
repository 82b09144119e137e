"""Code generation: sympy expressions with Gaussian averages -> vectorised array callables.

:class:`Evaluator` compiles a list of target expressions in a list of parameter symbols.
Every average that is not inside another one is replaced by a placeholder symbol and
computed by quadrature (:mod:`theory.symbolic.quadrature`); its integrand is compiled
recursively by a child Evaluator whose parameters also include the integration variable, so
nested averages cost (outer nodes) x (inner nodes) evaluations of the innermost integrand.

Averages over the same variable share their nodes (a *batch*).  For each batch the generator
reads off the integrand, symbolically, where the kink is and how wide it is:

* a *smooth step* ``tanh, logcosh, cosh, sinh, sech, erf`` of a linear field
  ``L = c + b_z z + sum_outer b_k z_k + sum_inner b_j z_j`` has width
  ``sqrt(1 + sum_inner b_j^2) / |b_z|`` (the inner averages smooth it further);
* a *sharp* function ``Abs, sign, Heaviside`` (T = 0) has width
  ``sqrt(sum_inner b_j^2) / |b_z|``, zero without inner averages;
* the kink sits at ``z* = -(c + sum_outer b_k z_k) / b_z``.

A batch whose integrands share an exponential factor ``exp(E)`` (the 1RSB weight
``exp(theta logcosh(beta h))``) is summed in log space: every average ``A`` of the batch is
represented as ``exp(S) A~`` with ``S = max(E + log w)`` over the nodes, and the targets are
rewritten (``log(exp(S) A~) = S + log A~``; ``exp(S)`` cancels in ratios) so that no
overflow occurs for any ``theta beta``.

Backends: ``'numpy'`` (scipy.special for erf) and ``'cupy'`` (cupyx.scipy.special), the
latter only where CuPy is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from assoc.validation import check_choice

from . import quadrature as Q
from ._heap import keep_heap
from .averages import (
    ExpAbsMoment,
    GaussianAverage,
    linear_coefficients,
    logcosh,
    rabs,
    rewrite_logcosh,
    rsign,
    top_level_averages,
)
from .checks import check_expr, check_symbols

__all__ = ["Evaluator", "KinkError", "array_module"]

_SMOOTH_STEP = (sp.tanh, logcosh, sp.cosh, sp.sinh, sp.sech, sp.erf, sp.erfc)
_SHARP = (sp.Abs, sp.sign, sp.Heaviside, rabs, rsign)
#: Points evaluated at once, by nesting depth (bounds memory: points x nodes^depth).
_CHUNK = {0: 1 << 30, 1: 256, 2: 24, 3: 2}


class KinkError(ValueError):
    """An integrand whose kink structure the quadrature cannot handle."""


def array_module(backend: str):
    """``numpy`` or ``cupy`` (imported lazily)."""
    if backend == "numpy":
        return np
    if backend == "cupy":
        import cupy

        return cupy
    raise ValueError(f"backend must be 'numpy' or 'cupy' (got {backend!r})")


def _logcosh_impl(xp):
    def f(x):
        ax = xp.abs(x)
        return ax + xp.log1p(xp.exp(-2.0 * ax)) - np.log(2.0)

    return f


def _full(xp, v, shape):
    """``v`` as a float array of ``shape``: itself where it has that shape, else a copy of
    its broadcast (a result is never a read-only view)."""
    v = xp.asarray(v, dtype=float)
    return v if v.shape == shape else xp.array(xp.broadcast_to(v, shape))


class _ExpAbsScaled(sp.Function):
    """``exp(-mu |a| - mu^2 v / 2) ExpAbsMoment(k, j, mu, a, v)``: bounded, no overflow."""

    nargs = 5


def _scale_expabs(e: sp.Expr) -> sp.Expr:
    """Write every ExpAbsMoment as ``exp(mu |a| + mu^2 v/2) * scaled`` so that the large
    exponentials cancel symbolically in ratios and leave logarithms as sums.  Averages inside
    ``e`` are left alone: their integrands are scaled by the child Evaluator, which first
    reads their weights off them (:func:`_power_weight`)."""
    if not e.has(ExpAbsMoment):
        return e
    hide = {A: sp.Dummy("avg") for A in top_level_averages([e])}
    if hide:
        back = {v: k for k, v in hide.items()}
        return _scale_expabs(e.xreplace(hide)).xreplace(back)

    def rep(m):
        k, j, mu, a, v = m.args
        return sp.exp(mu * rabs(a) + mu**2 * v / 2) * _ExpAbsScaled(k, j, mu, a, v)

    e = sp.powsimp(e.replace(lambda x: isinstance(x, ExpAbsMoment), rep), combine="exp")

    def split_log(x):
        fs = sp.Mul.make_args(x.args[0])
        ex = [f for f in fs if isinstance(f, sp.exp)]
        if not ex:
            return x
        rest = sp.Mul(*[f for f in fs if not isinstance(f, sp.exp)])
        return sp.Add(*(f.args[0] for f in ex)) + sp.log(rest)

    return e.replace(lambda x: isinstance(x, sp.log), split_log)


def _expabs_impl(xp, erfc, scaled: bool = False):
    """Numerical ExpAbsMoment (see :class:`theory.symbolic.averages.ExpAbsMoment`), or its
    scaled form ``exp(-mu |a| - mu^2 v/2) M`` when ``scaled``."""
    sq2 = np.sqrt(2.0)
    c_pdf = 1.0 / np.sqrt(2.0 * np.pi)

    last: list = [None]  # ((mu, a, v), pieces) of the previous call, set in one assignment

    def pieces(mu, a, v):
        """Per sigma = +-1: c, Phi(c/s), s phi(c/s) and the exponential factor; every
        member (k, j) of the family at the same (mu, a, v) shares them (the generated code
        passes the same arrays, after common-subexpression elimination)."""
        st = last[0]
        if st is not None and st[0][0] is mu and st[0][1] is a and st[0][2] is v:
            return st[1]
        mu_, a_, v_ = (xp.asarray(x, dtype=float) for x in (mu, a, v))
        s = xp.sqrt(v_)
        shift = mu_ * xp.abs(a_) + 0.5 * mu_ * mu_ * v_ if scaled else 0.0
        out = []
        for sig in (1.0, -1.0):
            c = sig * a_ + mu_ * s * s
            u = c / s
            out.append((c, 0.5 * erfc(-u / sq2), s * c_pdf * xp.exp(-0.5 * u * u),
                        xp.exp(mu_ * sig * a_ + 0.5 * (mu_ * s) ** 2 - shift)))
        val = (s * s, out)
        last[0] = ((mu, a, v), val)
        return val

    def f(k, j, mu, a, v):
        v2, sides = pieces(mu, a, v)
        out = 0.0
        for sig, (c, Phi, spdf, w) in zip((1.0, -1.0), sides, strict=True):
            if k == 0:
                tk = Phi
            else:
                t_prev, tk = Phi, c * Phi + spdf
                for n in range(2, int(k) + 1):
                    t_prev, tk = tk, c * tk + (n - 1) * v2 * t_prev
            out = out + (sig ** int(j)) * w * tk
        return out

    return f


def _dirac_impl(xp):
    """``DiracDelta(x)`` (and its derivatives) of a deterministic field outside any average:
    0 where ``x != 0`` and NaN at ``x = 0``, where it is not a number (e.g. the curvature of
    ``|m|`` at ``m = 0``).  Inside averages deltas are resolved in closed form first."""

    def f(x, k=0):
        x = xp.asarray(x, dtype=float)
        return xp.where(x == 0, xp.nan, 0.0)

    return f


def _modules(backend: str) -> list:
    xp = array_module(backend)
    if backend == "numpy":
        import scipy.special as sc

        return [{"logcosh": _logcosh_impl(np), "erf": sc.erf, "erfc": sc.erfc,
                 "rabs": np.abs, "rsign": np.sign, "ExpAbsMoment": _expabs_impl(np, sc.erfc),
                 "_ExpAbsScaled": _expabs_impl(np, sc.erfc, scaled=True),
                 "sign": np.sign, "Heaviside": lambda x, h=0.5: np.heaviside(x, h),
                 "DiracDelta": _dirac_impl(np)}, "numpy"]
    import cupyx.scipy.special as csc

    return [{"logcosh": _logcosh_impl(xp), "erf": csc.erf, "erfc": csc.erfc, "sign": xp.sign,
             "rabs": xp.abs, "rsign": xp.sign, "ExpAbsMoment": _expabs_impl(xp, csc.erfc),
             "_ExpAbsScaled": _expabs_impl(xp, csc.erfc, scaled=True),
             "Heaviside": lambda x, h=0.5: xp.where(x > 0, 1.0, xp.where(x < 0, 0.0, h)),
             "DiracDelta": _dirac_impl(xp)},
            xp]


def _lambdify(args, exprs, backend):
    return sp.lambdify(args, exprs, modules=_modules(backend), cse=True)


def _exp_weight(g: sp.Expr, z: sp.Symbol):
    """``(E, rest)`` if every term of ``g`` has the factor ``exp(E)`` (E depends on z), or
    if g is made of powers of a closed-form average (:func:`_power_weight`); else
    ``(None, g)``."""
    pw = _power_weight(g, z)
    if pw[0] is not None:
        return pw
    terms = sp.Add.make_args(sp.expand_mul(g))
    E = None
    rests = []
    for t in terms:
        exps = [f for f in sp.Mul.make_args(t) if isinstance(f, sp.exp) and z in f.free_symbols]
        if len(exps) != 1:
            return None, g
        e = exps[0].args[0]
        if E is None:
            E = e
        elif sp.expand(e - E) != 0:
            return None, g
        rests.append(t / exps[0])
    if E is None or E.has(GaussianAverage):
        return None, g
    return E, sp.Add(*rests)


def _power_weight(g: sp.Expr, z: sp.Symbol):
    """``(E, rest)`` for an integrand made of powers and products of one closed-form inner
    average (the 2RSB middle average ``E_z1 M(z1)^(theta_1/theta_2)``), else ``(None, g)``.

    With ``M(k, j) = exp(X) M~(k, j)`` (``X = mu |a| + mu^2 v/2``, :func:`_scale_expabs`;
    every member of the ExpAbsMoment family with the same ``(mu, a, v)`` shares it), a term
    is ``exp(d X) t~`` with its degree d (``M^r``: r; a derivative ``M^(r-1) M(1, 0)``: r as
    well). The weight is ``E = r X`` with r the largest degree; the other terms differ by
    non-positive integers (the Gaussian densities of the ``d/da`` rule) and only underflow.
    """
    if top_level_averages([g]):  # the weight of an average of averages is theirs
        return None, g
    fam = [e for e in g.atoms(ExpAbsMoment) if z in e.free_symbols]
    if not fam or not any(isinstance(e, sp.Pow) and isinstance(e.base, ExpAbsMoment)
                          and not e.exp.is_Integer for e in g.atoms(sp.Pow)):
        return None, g
    if len({e.args[2:] for e in fam}) != 1:
        return None, g
    mu, a, v = fam[0].args[2:]
    X = sp.Dummy("X", real=True)
    g2 = g.replace(lambda e: isinstance(e, ExpAbsMoment),
                   lambda e: sp.exp(X) * _ExpAbsScaled(*e.args))
    g2 = sp.expand_log(sp.expand_power_base(sp.expand_mul(g2), force=True), force=True)
    g2 = sp.powsimp(g2, combine="exp")
    terms = sp.Add.make_args(sp.expand_mul(g2))
    degs = []
    for t in terms:
        ex = [f.args[0] for f in sp.Mul.make_args(t) if isinstance(f, sp.exp)]
        degs.append(sp.expand(sp.diff(sp.Add(*ex), X)))
    r = degs[0]
    for d in degs[1:]:
        diff = sp.expand(d - r)
        if not diff.is_number:
            return None, g
        if diff > 0:
            r = d
    rest = sp.powsimp(sp.expand_mul(sp.Add(*terms) * sp.exp(-r * X)), combine="exp")
    Xv = mu * rabs(a) + mu**2 * v / 2
    return r * Xv, rest.xreplace({X: Xv})


@dataclass
class _Kink:
    loc: sp.Expr | None
    width: sp.Expr | None


def _kink_of(exprs: Sequence[sp.Expr], z: sp.Symbol, outer: set) -> _Kink:
    """Kink location and width in ``z`` of the integrands ``exprs`` (module docstring)."""
    found: list[tuple[sp.Expr, sp.Expr]] = []

    def walk(e, inner: frozenset):
        if isinstance(e, GaussianAverage):
            walk(e.integrand, inner | {e.variable})
            return
        if isinstance(e, ExpAbsMoment) and z in e.args[3].free_symbols:
            # a closed-form inner average: a field a(z) smoothed on the scale
            # min(s, 1/mu) (module docstring of theory.symbolic.averages)
            _, _, mu, a, var = e.args
            s_ = sp.sqrt(var)
            lin = linear_coefficients(a, [z, *outer, *inner])
            if lin is None:
                raise KinkError(f"the field of {e} is not linear in the Gaussian variables")
            c, b = lin
            loc = -(c + sum((b.get(v, 0) * v for v in outer), sp.S.Zero)) / b[z]
            spread = (s_ / (1 + rabs(mu) * s_)) ** 2 + sum((b.get(v, 0) ** 2 for v in inner),
                                                            sp.S.Zero)
            found.append((sp.simplify(loc), sp.sqrt(spread) / rabs(b[z])))
            for arg in e.args:
                walk(arg, inner)
            return
        if isinstance(e, _SMOOTH_STEP + _SHARP) and z in e.args[0].free_symbols:
            L = e.args[0]
            lin = linear_coefficients(L, [z, *outer, *inner])
            if lin is None:
                raise KinkError(f"the argument of {e.func.__name__} is not linear in the "
                                f"Gaussian variables: {L}")
            c, b = lin
            kappa = 1 if isinstance(e, _SMOOTH_STEP) else 0
            spread = kappa + sum((b.get(v, 0) ** 2 for v in inner), sp.S.Zero)
            loc = -(c + sum((b.get(v, 0) * v for v in outer), sp.S.Zero)) / b[z]
            found.append((sp.simplify(loc), sp.sqrt(spread) / rabs(b[z])))
        for a in e.args:
            walk(a, inner)

    for e in exprs:
        walk(e, frozenset())
    if not found:
        return _Kink(None, None)
    loc0 = found[0][0]
    widths = []
    for loc, w in found:
        if sp.simplify(loc - loc0) != 0:
            raise KinkError(f"integrands over {z} have kinks at several places ({loc0} and "
                            f"{loc}); write them as separate averages")
        widths.append(w)
    width = widths[0] if len(set(widths)) == 1 else sp.Min(*set(widths))
    return _Kink(loc0, width)


@dataclass
class _Batch:
    """Averages over one variable (and one exponential weight) that share their nodes."""

    z: sp.Symbol
    averages: list[GaussianAverage]
    weight: sp.Expr | None
    child: Evaluator
    kink_fn: Any = None
    tilt_fn: Any = None
    has_kink: bool = False
    scale_symbol: sp.Symbol | None = None
    symbols: list[sp.Symbol] = field(default_factory=list)


class Evaluator:
    """Vectorised evaluation of ``targets`` as functions of ``params``.

    Parameters
    ----------
    targets : sequence of sympy expressions
        May contain (nested) GaussianAverage objects, whose integrands must have their
        Dirac deltas resolved (:func:`theory.symbolic.averages.resolve_deltas`).
    params : sequence of sympy symbols
        Arguments, in call order.
    gauss : set of symbols, optional
        The parameters that are integration variables of enclosing averages.
    backend : {'numpy', 'cupy'}

    Calling the Evaluator with arrays (broadcast together) returns a list of arrays of the
    broadcast shape, one per target.
    """

    def __init__(self, targets: Sequence[sp.Expr], params: Sequence[sp.Symbol], *,
                 gauss: set | None = None, backend: str = "numpy") -> None:
        if isinstance(targets, (str, bytes, sp.Basic)) or not isinstance(targets, Sequence):
            raise TypeError(f"targets must be a list of sympy expressions (got {targets!r})")
        targets = [check_expr("every entry of targets", t) for t in targets]
        self.params = list(check_symbols("params", params))
        self.gauss = set(gauss or ())
        self.backend = check_choice("backend", backend, ("numpy", "cupy"))
        self.xp = array_module(backend)
        if not self.gauss:  # top level: overflow-free log cosh and cosh powers
            targets = [rewrite_logcosh(t) for t in targets]
        self.depth = 0
        self.batches: list[_Batch] = []
        groups: dict[tuple, list] = {}
        rests: dict[GaussianAverage, sp.Expr] = {}
        for A in top_level_averages(targets):
            E, rest = _exp_weight(A.integrand, A.variable)
            rests[A] = rest
            groups.setdefault((A.variable, E), []).append(A)
        subs: dict = {}
        for n_b, ((z, E), avs) in enumerate(groups.items()):
            syms = [sp.Dummy(f"A{n_b}_{k}") for k in range(len(avs))]
            ints = [_scale_expabs(rests[A]) for A in avs] + ([E] if E is not None else [])
            child = Evaluator(ints, [*self.params, z], gauss=self.gauss | {z}, backend=backend)
            self.depth = max(self.depth, child.depth + 1)
            b = _Batch(z=z, averages=avs, weight=E, child=child, symbols=syms)
            kink = _kink_of([A.integrand for A in avs], z, self.gauss)
            if kink.loc is not None:
                b.has_kink = True
                b.kink_fn = _lambdify(self.params, [kink.loc, kink.width], backend)
            if E is not None:
                b.scale_symbol = sp.Dummy(f"S{n_b}", real=True)
                dE = sp.diff(E, z)
                b.tilt_fn = _lambdify(self.params, [dE.subs(z, -Q.Z_BULK),
                                                    dE.subs(z, Q.Z_BULK)], backend)
                for A, s in zip(avs, syms, strict=True):
                    subs[A] = sp.exp(b.scale_symbol) * s
            else:
                for A, s in zip(avs, syms, strict=True):
                    subs[A] = s
            self.batches.append(b)
        new_targets = []
        for t in targets:
            t2 = _scale_expabs(t.xreplace(subs) if subs else t)
            if any(b.scale_symbol is not None for b in self.batches):
                t2 = sp.expand_log(t2, force=True)
            if sum(b.scale_symbol is not None for b in self.batches) > 1:
                # averages of different weights in one ratio: exp(S_a)/exp(S_b) as one
                # factor exp(S_a - S_b), which does not overflow
                t2 = sp.powsimp(t2, combine="exp")
            new_targets.append(t2)
        self.targets = new_targets
        extra = [s for b in self.batches for s in b.symbols]
        extra += [b.scale_symbol for b in self.batches if b.scale_symbol is not None]
        self._outer = _lambdify([*self.params, *extra], new_targets, backend)

    # ------------------------------------------------------------------------------------
    def __call__(self, *values: Any) -> list:
        xp = self.xp
        arrs = [xp.asarray(v, dtype=float) for v in values]
        shape = xp.broadcast_shapes(*(a.shape for a in arrs)) if arrs else ()
        flat = [xp.broadcast_to(a, shape).reshape(-1) for a in arrs]
        n = int(np.prod(shape)) if shape else 1
        chunk = _CHUNK.get(self.depth, 1)
        if n == 0:
            return [xp.zeros(shape) for _ in self.targets]
        if not self.batches:
            # no averages (the innermost integrands): broadcasting, not copies, so that
            # what does not depend on the nodes is computed once per point
            with np.errstate(all="ignore"):
                out = self._outer(*arrs)
            return [_full(xp, o, shape) for o in out]
        if self.depth > 1:
            keep_heap()
        outs = []
        with np.errstate(all="ignore"):
            for s in range(0, n, chunk):
                outs.append(self._eval_flat([f[s : s + chunk] for f in flat]))
        res = []
        for k in range(len(self.targets)):
            v = outs[0][k] if len(outs) == 1 else xp.concatenate([o[k] for o in outs])
            res.append(v.reshape(shape))
        return res

    def _eval_flat(self, flat: list) -> list:
        xp = self.xp
        n = flat[0].shape[0] if flat else 1
        extra_vals: list = []
        scales: list = []
        for b in self.batches:
            vals, scale = self._eval_batch(b, flat, n)
            extra_vals.extend(vals)
            if scale is not None:
                scales.append(scale)
        out = self._outer(*flat, *extra_vals, *scales)
        return [xp.broadcast_to(xp.asarray(o, dtype=float), (n,)) for o in out]

    def _eval_batch(self, b: _Batch, flat: list, n: int):
        xp = self.xp
        if b.has_kink:
            loc, width = (xp.broadcast_to(xp.asarray(v, dtype=float), (n,))
                          for v in b.kink_fn(*flat))
            bad = ~xp.isfinite(width)
            width = xp.where(bad, xp.inf, width)
            loc = xp.where(xp.isfinite(loc), loc, 0.0)
        else:
            loc = xp.zeros(n)
            width = xp.full(n, xp.inf)
        lo = xp.full(n, -Q.Z_BULK)
        hi = xp.full(n, Q.Z_BULK)
        tilt = xp.zeros(n)
        weighted = b.weight is not None
        if weighted:
            tm, tp = (xp.broadcast_to(xp.asarray(v, dtype=float), (n,))
                      for v in b.tilt_fn(*flat))
            s_minus = xp.maximum(0.0, xp.nan_to_num(-tm))
            s_plus = xp.maximum(0.0, xp.nan_to_num(tp))
            lo = lo - s_minus
            hi = hi + s_plus
            tilt = xp.maximum(s_minus, s_plus)
        reg = Q.regimes(width, tilt, b.has_kink, xp)
        k = len(b.averages)
        vals = [xp.full(n, xp.nan) for _ in range(k)]
        scale = xp.full(n, xp.nan) if weighted else None
        for r in (0, 1, 2, 3):
            idx = xp.nonzero(reg == r)[0]
            if idx.size == 0:
                continue
            z, w = Q.rule(r, int(idx.size), loc[idx], width[idx], lo[idx], hi[idx], xp,
                          log=weighted)
            sub = [f[idx][:, None] for f in flat] + [z]
            outs = b.child(*sub)
            if weighted:
                t = outs[-1] + w
                S = xp.max(xp.where(xp.isfinite(t), t, -xp.inf), axis=1)
                wt = xp.exp(t - S[:, None])
                for j in range(k):
                    vals[j][idx] = xp.sum(wt * outs[j], axis=1)
                scale[idx] = S
            else:
                for j in range(k):
                    vals[j][idx] = xp.sum(w * outs[j], axis=1)
        return vals, scale
