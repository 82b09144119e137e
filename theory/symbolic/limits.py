"""Zero-temperature limits of replica free energies from a declared scaling.

The user declares how order parameters scale as ``beta -> inf`` (for example
``q = 1 - C/beta`` with ``C`` finite, or ``theta = mu/beta`` at one-step RSB).  The limit is
taken by a small rule table for the functions of a field ``X = beta L`` that grows with
beta, applied inside the averages, followed by an ordinary limit of what is left:

=====================================  ======================================================
rule                                   remainder dropped
=====================================  ======================================================
``logcosh(beta L) -> beta |L| - log 2``  ``log1p(exp(-2 beta |L|))``: O(1/beta) after E_z
``tanh(beta L) -> sign(L)``             ``-sign(L) 2e/(1+e)``, ``e = exp(-2 beta |L|)``
=====================================  ======================================================

so that ``(1/beta) log 2cosh(beta h) -> |h|`` and ``cosh^theta(beta h) -> exp(mu |h|)`` for
``theta = mu/beta``.  Linearity then takes every power of beta out of the averages
(:func:`theory.symbolic.averages.normalize`), the averages are replaced by placeholders, and
each term is expanded in powers of ``1/beta`` (``sympy.series``); the divergent orders must
cancel between terms (checked) and the finite orders are the limit, term by term, so the
result keeps the structure of the free energy.  Derivatives are taken afterwards on the
limit (``d|h| = sign h``, ``d sign h = 2 delta(h)``), which the Dirac-delta rule evaluates in
closed form: ``beta sech^2(beta h) -> 2 delta(h)`` is never needed as a rule.

The rules and the limit procedure are derived here; the classic instance is the T = 0 limit
of the Amit-Gutfreund-Sompolinsky equations (AGS 1987), which the tests reproduce.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from . import cache as _disk
from .averages import GaussianAverage, logcosh, normalize, rabs, rewrite_logcosh, rsign
from .checks import check_expr, check_mapping, check_symbol

__all__ = ["zero_temperature_limit", "LimitError"]


class LimitError(ValueError):
    """The declared scaling does not give a finite zero-temperature limit."""


def _field(X: sp.Expr, beta: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
    """``(L0, L1)`` with ``X = beta L0 + L1 + O(1/beta)`` and L0, L1 free of beta, or None
    if X does not grow with beta.

    ``L1`` is non-zero when a scaled order parameter enters the field itself (the SK model's
    ``sqrt(q) z`` with ``q = 1 - C/beta``); it matters at order ``1/beta`` of the free energy.
    """
    if beta not in X.free_symbols:
        return None
    L = sp.cancel(sp.expand(X) / beta)
    if beta not in L.free_symbols:
        return L, sp.S.Zero
    eps = sp.Dummy("eps", positive=True)
    try:
        ser = sp.expand(sp.series(L.subs(beta, 1 / eps), eps, 0, 2).removeO())
    except (ValueError, NotImplementedError, sp.PoleError) as exc:
        raise LimitError(f"the argument {X} is not beta L0 + L1 + O(1/beta); declare a "
                         "scaling that makes it so") from exc
    L0, L1 = ser.coeff(eps, 0), ser.coeff(eps, 1)
    rest = sp.expand(ser - L0 - eps * L1)
    if (rest != 0 or eps in L0.free_symbols or eps in L1.free_symbols
            or L0 == 0 or beta in (L0 + L1).free_symbols):
        raise LimitError(f"the argument {X} is not beta L0 + L1 + O(1/beta) with a non-zero "
                         "beta-free L0; declare a scaling that makes it so")
    return L0, L1


def _apply_rules(expr: sp.Expr, beta: sp.Symbol) -> sp.Expr:
    def lc(e):
        L = _field(e.args[0], beta)
        if L is None:
            return e
        L0, L1 = L
        return beta * rabs(L0) + L1 * rsign(L0) - sp.log(2)

    def th(e):
        L = _field(e.args[0], beta)
        return e if L is None else rsign(L[0])

    expr = expr.replace(lambda e: isinstance(e, logcosh), lc)
    return expr.replace(lambda e: isinstance(e, sp.tanh), th)


def _leading_exponents(expr: sp.Expr, beta: sp.Symbol, order: int) -> sp.Expr:
    """Inside averages, ``exp(A + B/beta + ...) -> exp(A)``: the leading order of an
    exponential weight (the 1RSB ``exp(mu (beta |L0| + L1 sign L0)/beta)`` when a scaled
    parameter sits in the field).  Only for ``order = 0``; at ``order = 1`` such a weight
    raises LimitError (its correction would multiply the whole average)."""
    eps = sp.Dummy("eps", positive=True)

    def lead(e):
        arg = e.args[0]
        if beta not in arg.free_symbols:
            return e
        ser = sp.expand(sp.series(sp.expand(arg).subs(beta, 1 / eps), eps, 0, 1).removeO())
        a0 = ser.coeff(eps, 0)
        if eps in a0.free_symbols or sp.expand(ser - a0) != 0:
            raise LimitError(f"the exponent {arg} diverges as {beta} -> oo")
        if order != 0:
            raise LimitError(f"the 1/{beta} order of the weight exp({arg}) is not covered")
        return sp.exp(a0)

    def rec(e):
        if isinstance(e, GaussianAverage):
            g = e.integrand
            if beta in g.free_symbols:
                g = g.replace(lambda x: isinstance(x, sp.exp), lead)
            return GaussianAverage(rec(g), e.variable)
        if not e.args:
            return e
        new = [rec(a) for a in e.args]
        return e.func(*new) if tuple(new) != e.args else e

    return rec(expr)


@_disk.memoize("zero_temperature_limit")  # kept on disk: theory.symbolic.cache
def zero_temperature_limit(f: sp.Expr, beta: sp.Symbol,
                           scaling: Mapping[sp.Symbol, sp.Expr], order: int = 0) -> sp.Expr:
    """``lim_{beta -> inf} f`` after substituting ``scaling`` (module docstring).

    With ``order = 1`` the coefficient ``f1`` of ``1/beta`` in ``f = f0 + f1/beta + ...`` is
    returned instead: where ``f0`` does not depend on a scaled parameter (the SK model's
    ``C = beta (1 - q)``), its equation is ``d f1 / d C = 0``.  The rules hold to that order
    when every ``log cosh`` comes with a factor ``1/beta`` or ``theta = mu/beta`` (true of
    replica free energies): the dropped ``log1p(exp(-2 beta |L|))`` is O(1/beta) after
    averaging, hence O(1/beta^2) in f.

    Parameters
    ----------
    f : sympy expression
        Free energy per spin at inverse temperature ``beta``; may contain nested averages.
    beta : sympy.Symbol
        The inverse temperature (declared positive).
    scaling : mapping
        Order parameter -> expression in new finite parameters and beta.
    order : {0, 1}
        Which coefficient of the expansion in ``1/beta`` to return.

    Raises
    ------
    LimitError
        If an average still depends on beta after the rules, or the limit is not finite.
    """
    f = check_expr("f", f)
    beta = check_symbol("beta", beta)
    scaling = check_mapping("scaling", scaling)
    for v, e in scaling.items():
        check_symbol("every key of scaling", v)
        check_expr(f"scaling[{v}]", e)
    if isinstance(order, bool) or order not in (0, 1):
        raise ValueError(f"order must be 0 or 1 (got {order!r})")
    f1 = rewrite_logcosh(f).subs(scaling)
    f1 = _apply_rules(f1, beta)
    f1 = _leading_exponents(normalize(f1), beta, order)
    f1 = normalize(f1)
    f1 = sp.expand_log(f1, force=False)
    avs = sorted(f1.atoms(GaussianAverage), key=sp.default_sort_key)
    # only top-level averages are replaced; an average depending on beta is an error
    reps = {}
    for A in avs:
        if beta in A.free_symbols:
            raise LimitError(f"after the T = 0 rules the average {A} still depends on {beta}; "
                             "the scaling or the rule table does not cover it")
    tops = [A for A in avs if not any(A != B and B.has(A) for B in avs)]
    for k, A in enumerate(tops):
        reps[A] = sp.Dummy(f"Avg{k}", real=True)
    g = f1.xreplace(reps)
    eps = sp.Dummy("eps", positive=True)
    finite, divergent = [], []
    if order not in (0, 1):
        raise ValueError(f"order must be 0 or 1 (got {order!r})")
    for term in sp.Add.make_args(sp.expand(g, deep=False)):
        t = term.subs(beta, 1 / eps)
        if eps not in t.free_symbols:
            if order == 0:
                finite.append(t)
            continue
        ser = sp.series(t, eps, 0, 1 + order).removeO()
        parts = sp.collect(sp.expand(ser), eps, evaluate=False)
        for key, coef in parts.items():
            if key == 1:
                if order == 0:
                    finite.append(coef)
                continue
            base, k = key.as_base_exp()
            if base != eps or not k.is_number:
                raise LimitError(f"cannot expand the term {term} in powers of 1/{beta}")
            if k < 0:
                divergent.append(coef * key)
            elif k == order:
                finite.append(coef)
            # k > order: vanishes faster
    div = sp.simplify(sp.Add(*divergent).xreplace({eps: 1 / beta}))
    if div != 0:
        raise LimitError(f"the zero-temperature limit is not finite: divergent part {div}")
    lim = sp.Add(*finite)
    if lim.has(sp.oo, -sp.oo, sp.zoo, sp.nan, eps):
        raise LimitError(f"the zero-temperature limit is not finite: {lim}")
    return lim.xreplace({v: k for k, v in reps.items()})
