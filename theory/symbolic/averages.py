"""Gaussian averages as sympy objects, and the rules that act on them.

:class:`GaussianAverage` ``E_z[g]`` is an unevaluated expectation of ``g`` over a standard
normal ``z``; ``z`` is a bound variable (not free in the result).  Averages nest: the
integrand may contain averages over other variables, as in the one-step RSB term
``E_z0[(1/theta) log E_z1[cosh^theta(beta h(z0, z1))]]``.

Rules implemented here (each a plain function of sympy expressions):

* differentiation under the average, ``d/dx E_z[g] = E_z[dg/dx]`` (``_eval_derivative``);
* linearity, :func:`normalize`: ``E[a g + b] = a E[g] + b`` for ``z``-free ``a, b``, and
  ``log(a E[g]) = log a + log E[g]``;
* Gaussian integration by parts (Stein's lemma), :func:`integrate_by_parts`:
  ``E_z[z g(z)] = E_z[g'(z)]``, applied to every explicit power of ``z``, which removes the
  singular prefactor ``1/sqrt(p)`` of derivatives with respect to a variance ``p``;
* the Dirac-delta rule, :func:`resolve_deltas`:
  ``E_z[g(z) delta^(k)(a + b z)] = (-1)^k / (|b| b^k) d^k/dz^k [g(z) phi(z)]`` at
  ``z* = -a/b`` (``phi`` the standard normal density), which turns the zero-temperature
  limits of ``sech^2`` into closed forms;
* :func:`rewrite_logcosh`: ``log cosh x -> logcosh(x)`` and ``cosh(x)^t -> exp(t logcosh x)``,
  whose numerical form cannot overflow and keeps the 1RSB weight ``exp(theta logcosh)`` a
  common factor of every derivative; ``Abs`` and ``sign`` become :class:`rabs` and
  :class:`rsign`, whose derivatives (``rsign``, ``2 delta``) hold for any real field.

All rules are standard (e.g. Mezard, Parisi & Virasoro, *Spin Glass Theory and Beyond*,
World Scientific 1987, for their use in replica calculations); the code is derived here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy as sp

from .checks import check_expr, check_symbol

__all__ = [
    "GaussianAverage",
    "logcosh",
    "rabs",
    "rsign",
    "averages_in",
    "top_level_averages",
    "normalize",
    "integrate_by_parts",
    "resolve_deltas",
    "rewrite_logcosh",
    "linear_coefficients",
    "distribute",
    "ExpAbsMoment",
    "closed_forms",
]


class logcosh(sp.Function):  # noqa: N801 - sympy function names are lower case
    """``log(cosh(x))``, evaluated as ``|x| + log1p(exp(-2|x|)) - log 2`` (never overflows).

    Its derivative is ``tanh(x)``.
    """

    is_real = True

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Zero
        if x.could_extract_minus_sign():
            return cls(-x)
        return None

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sp.log(sp.cosh(x))


class rabs(sp.Function):  # noqa: N801
    """``|x|`` of a real field ``x``; its derivative is :class:`rsign` whatever sympy can prove
    about the sign of the symbols inside ``x`` (replica fields are real by construction)."""

    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_real:
            return abs(x)
        if x.could_extract_minus_sign():
            return cls(-x)
        return None

    def fdiff(self, argindex=1):
        return rsign(self.args[0])


class rsign(sp.Function):  # noqa: N801
    """``sign(x)`` of a real field; derivative ``2 DiracDelta(x)``."""

    is_real = True

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_real:
            return sp.sign(x)
        if x.could_extract_minus_sign():
            return -cls(-x)
        return None

    def fdiff(self, argindex=1):
        return 2 * sp.DiracDelta(self.args[0])

    def _eval_power(self, e):
        if e.is_Integer and e.is_even:
            return sp.S.One  # almost everywhere; the Dirac terms are kept separately
        if e.is_Integer and e.is_odd:
            return self
        return None


class ExpAbsMoment(sp.Function):  # noqa: N801
    """``E[exp(mu |L|) |L|^k sign(L)^j]`` for ``L ~ N(a, v)``, in closed form.

    Arguments ``(k, j, mu, a, v)`` with integers ``k >= 0``, ``j in {0, 1}`` and the variance
    ``v >= 0``.  This is the zero-temperature rule for the averages of the T = 0 limits
    ``cosh^(mu/beta)(beta h) -> exp(mu |h|)`` and ``log(2cosh(beta h))/beta -> |h|`` (derived
    here): by exponential tilting, with ``s = sqrt(v)``,

    ``E[...] = sum_(sigma = +-1) sigma^j exp(mu sigma a + mu^2 v / 2) T_k(sigma a + mu v, s)``

    with ``T_k(c, s) = E[Y^k 1(Y > 0)]``, ``Y ~ N(c, s^2)``: ``T_0 = Phi(c/s)``,
    ``T_1 = c Phi(c/s) + s phi(c/s)``, ``T_k = c T_(k-1) + (k-1) s^2 T_(k-2)``.
    Derivatives (Gaussian integration by parts; the heat equation in (a, v)):
    ``d/dmu = M(k+1, j)``; ``d/da = mu M(k, j+1) + k M(k-1, j+1) + [k = 0, j = 1] 2 phi_v(a)``
    with ``phi_v(a) = exp(-a^2/2v)/sqrt(2 pi v)``; ``d/dv = (1/2) d^2/da^2``.
    """

    nargs = 5
    is_real = True

    @classmethod
    def eval(cls, k, j, mu, a, v):
        if not (k.is_Integer and j.is_Integer):
            raise TypeError("ExpAbsMoment: k and j must be integers")
        if j > 1 or j < 0:
            return cls(k, j % 2, mu, a, v)
        return None

    def _d_a(self, a=None):
        k, j, mu, a0, v = self.args
        a = a0 if a is None else a
        out = mu * ExpAbsMoment(k, (j + 1) % 2, mu, a, v)
        if k > 0:
            out += k * ExpAbsMoment(k - 1, (j + 1) % 2, mu, a, v)
        elif j == 1:
            out += 2 * sp.exp(-a**2 / (2 * v)) / sp.sqrt(2 * sp.pi * v)
        return out

    def fdiff(self, argindex=1):
        k, j, mu, a, v = self.args
        if argindex == 3:
            return ExpAbsMoment(k + 1, j, mu, a, v)
        if argindex == 4:
            return self._d_a()
        if argindex == 5:
            dummy = sp.Dummy("a", real=True)
            return sp.diff(self._d_a(dummy), dummy).subs(dummy, a) / 2
        raise sp.ArgumentIndexError(self, argindex)


class GaussianAverage(sp.Expr):
    """``E_z[integrand]`` with ``z ~ N(0, 1)``; ``z`` is bound.

    Parameters
    ----------
    integrand : sympy expression
        May contain other GaussianAverage objects (nesting), over other variables.
    z : sympy.Symbol
        The integration variable.

    Notes
    -----
    ``E_z`` of an expression free of ``z`` is that expression (the constructor returns it).
    Derivatives with respect to any symbol other than ``z`` pass under the average.
    """

    is_commutative = True

    def __new__(cls, integrand, z):
        integrand = check_expr("integrand", integrand)
        check_symbol("z", z)
        if z not in integrand.free_symbols:
            return integrand
        return sp.Expr.__new__(cls, integrand, z)

    @property
    def integrand(self) -> sp.Expr:
        return self.args[0]

    @property
    def variable(self) -> sp.Symbol:
        return self.args[1]

    @property
    def free_symbols(self):
        return self.args[0].free_symbols - {self.args[1]}

    @property
    def is_real(self):
        return self.args[0].is_real

    def _eval_derivative(self, s):
        if s == self.variable:
            return sp.S.Zero
        return GaussianAverage(sp.diff(self.integrand, s), self.variable)

    def _sympystr(self, printer):
        return f"E_{printer._print(self.variable)}[{printer._print(self.integrand)}]"

    def _latex(self, printer):
        return (
            r"\mathbb{E}_{" + printer._print(self.variable) + r"}\left["
            + printer._print(self.integrand) + r"\right]"
        )


def averages_in(expr: sp.Expr) -> set[GaussianAverage]:
    """Every GaussianAverage inside ``expr``, nested ones included."""
    return set(expr.atoms(GaussianAverage))


def top_level_averages(exprs: Iterable[sp.Expr]) -> list[GaussianAverage]:
    """Averages that are not inside another average, in a deterministic order."""
    found: dict[GaussianAverage, None] = {}

    def walk(e):
        if isinstance(e, GaussianAverage):
            found.setdefault(e, None)
            return
        for a in e.args:
            walk(a)

    for e in exprs:
        walk(sp.sympify(e))
    return sorted(found, key=sp.default_sort_key)


# ----------------------------------------------------------------------------------------
# linearity
# ----------------------------------------------------------------------------------------
def _shallow_distribute(e: sp.Expr) -> sp.Expr:
    """Distribute top-level products over numerator sums (no recursion into functions)."""
    if isinstance(e, sp.Add):
        return sp.Add(*(_shallow_distribute(t) for t in e.args))
    if isinstance(e, sp.Mul):
        sums = [a for a in e.args if isinstance(a, sp.Add)]
        if sums:
            rest = list(e.args)
            rest.remove(sums[0])
            c = sp.Mul(*rest)
            return sp.Add(*(_shallow_distribute(c * t) for t in sums[0].args))
    return e


def _split_exp(term: sp.Expr, z: sp.Symbol) -> sp.Expr:
    """``exp(a + b) -> exp(a) exp(b)`` so that z-free exponentials become factors."""

    def fix(e):
        arg = distribute(e.args[0]) if isinstance(e, sp.exp) else None
        if isinstance(arg, sp.Add):
            dep, indep = [], []
            for t in arg.args:
                (dep if z in t.free_symbols else indep).append(t)
            if dep and indep:
                return sp.exp(sp.Add(*indep)) * sp.exp(sp.Add(*dep))
        return e

    return term.replace(lambda e: isinstance(e, sp.exp), fix)


def _average_linear(integrand: sp.Expr, z: sp.Symbol) -> sp.Expr:
    """``E_z[integrand]`` with z-free terms and factors taken outside."""
    integrand = _shallow_distribute(_split_exp(integrand, z))
    out = []
    for term in sp.Add.make_args(integrand):
        indep, dep = term.as_independent(z, as_Add=False)
        if dep == 1:
            out.append(indep)
        else:
            out.append(indep * GaussianAverage(dep, z))
    return sp.Add(*out)


def _log_of_product(e: sp.Expr) -> sp.Expr:
    """``log(a * E[...]) -> log(a) + log(E[...])`` when the average is one factor."""
    arg = e.args[0]
    if isinstance(arg, sp.Mul) and any(isinstance(f, GaussianAverage) for f in arg.args):
        return sp.Add(*(sp.log(f) for f in arg.args))
    if isinstance(arg, sp.exp):
        return arg.args[0]
    return e


def _rewrite_averages(expr: sp.Expr, on_average: Callable[[sp.Expr, sp.Symbol], sp.Expr],
                      on_node: Callable[[sp.Expr], sp.Expr] | None = None) -> sp.Expr:
    """Rebuild ``expr`` innermost first.

    Every average ``E_z[g]`` (with ``g`` already rewritten) becomes ``on_average(g, z)``;
    every other node whose arguments were rewritten goes through ``on_node`` when given.
    """

    def rec(e: sp.Expr) -> sp.Expr:
        if not e.args:
            return e
        new_args = [rec(a) for a in e.args]
        if isinstance(e, GaussianAverage):
            return on_average(new_args[0], new_args[1])
        e2 = e.func(*new_args) if tuple(new_args) != e.args else e
        return on_node(e2) if on_node is not None else e2

    return rec(sp.sympify(expr))


def normalize(expr: sp.Expr) -> sp.Expr:
    """Apply linearity to every average, innermost first, and split logs of products.

    The result is mathematically equal to ``expr``.
    """
    expr = check_expr("expr", expr)
    return _rewrite_averages(
        expr, _average_linear, lambda e: _log_of_product(e) if isinstance(e, sp.log) else e)


def distribute(expr: sp.Expr) -> sp.Expr:
    """Distribute products over sums in numerators only, everywhere in ``expr``.

    ``c (a + b) / d -> c a / d + c b / d``, so that factors such as ``sqrt(p)`` cancel between
    ``c`` and ``a``; unlike ``expand_mul`` it never multiplies out a denominator (which could
    turn ``exp(-x)`` factors into ``exp(x)`` sums that overflow).
    """
    expr = sp.sympify(expr)
    if not expr.args:
        return expr
    args = [distribute(a) for a in expr.args]
    if isinstance(expr, GaussianAverage):
        return GaussianAverage(args[0], args[1])
    if isinstance(expr, sp.Mul):
        sums = [a for a in args if isinstance(a, sp.Add)]
        if sums:
            first = sums[0]
            rest = list(args)
            rest.remove(first)
            c = sp.Mul(*rest)
            return sp.Add(*(distribute(c * t) for t in first.args))
        return sp.Mul(*args)
    return expr.func(*args) if tuple(args) != expr.args else expr


# ----------------------------------------------------------------------------------------
# integration by parts
# ----------------------------------------------------------------------------------------
def _ibp_term(term: sp.Expr, z: sp.Symbol, depth: int = 0) -> sp.Expr:
    """Stein's lemma ``E[z^k g] = E[d/dz (z^(k-1) g)]`` until no explicit power of z is left."""
    k = 0
    rest = []
    for f in sp.Mul.make_args(term):
        base, ex = f.as_base_exp()
        if base == z and ex.is_Integer and ex > 0:
            k += int(ex)
        else:
            rest.append(f)
    g = sp.Mul(*rest)
    if k == 0 or z not in g.free_symbols or depth > 8 or g.has(GaussianAverage):
        # no z factor; E[z^k] * const (exact for the quadrature); or a remainder holding
        # inner averages, whose z-derivative would multiply the expression (quotient rule)
        return term
    new = sp.Add.make_args(_shallow_distribute(sp.diff(z ** (k - 1) * g, z)))
    if any(_z_power(t, z) >= k for t in new):
        return term  # the derivative creates new powers of z (e.g. a Gaussian factor): keep
    return sp.Add(*(_ibp_term(t, z, depth + 1) for t in new))


def _z_power(term: sp.Expr, z: sp.Symbol) -> int:
    """Explicit power of z in a product term."""
    k = 0
    for f in sp.Mul.make_args(term):
        base, ex = f.as_base_exp()
        if base == z and ex.is_Integer and ex > 0:
            k += int(ex)
    return k


def integrate_by_parts(expr: sp.Expr) -> sp.Expr:
    """Apply Gaussian integration by parts inside every average, innermost first.

    A term ``c z^k g(z)`` of an integrand, with ``g`` depending on ``z`` through a field
    ``L = a + b z`` (and containing no inner average), becomes ``c d/dz[z^(k-1) g]``: the
    derivative brings down ``b``, which
    cancels the ``1/b`` that differentiating with respect to a variance produced (``d/dp`` of
    ``E g(m + sqrt(p) z)`` is ``E[z g']/(2 sqrt p)``, 0/0 at ``p = 0``, and becomes
    ``E[g'']/2``).  Call :func:`normalize` first so that such prefactors of inner averages sit
    next to the ``z`` of the enclosing one.
    """
    expr = check_expr("expr", expr)
    def by_parts(g: sp.Expr, z: sp.Symbol) -> sp.Expr:
        terms = sp.Add.make_args(_shallow_distribute(g))
        return GaussianAverage(sp.Add(*(_ibp_term(t, z) for t in terms)), z)

    return _rewrite_averages(expr, by_parts)


# ----------------------------------------------------------------------------------------
# Dirac deltas and linear arguments
# ----------------------------------------------------------------------------------------
def linear_coefficients(L: sp.Expr, variables: Iterable[sp.Symbol]) -> tuple | None:
    """``(c, {z: b_z})`` if ``L = c + sum_z b_z z`` with coefficients free of the variables."""
    variables = list(variables)
    coeffs = {}
    for z in variables:
        b = sp.diff(L, z)
        if any(v in b.free_symbols for v in variables):
            return None
        if b != 0:
            coeffs[z] = b
    c = L.subs({z: 0 for z in variables})
    return c, coeffs


def _std_normal_pdf(x):
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def _delta_term(term: sp.Expr, z: sp.Symbol):
    """``E_z[term]`` in closed form if ``term = g * DiracDelta(L, k)``, else None."""
    deltas = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.DiracDelta)
              and z in f.free_symbols]
    if not deltas:
        return None
    if len(deltas) > 1:
        raise ValueError(f"product of Dirac deltas in an average over {z}: {term}")
    d = deltas[0]
    L = d.args[0]
    k = int(d.args[1]) if len(d.args) > 1 else 0
    b = sp.diff(L, z)
    if z in b.free_symbols:
        raise ValueError(f"Dirac delta of an argument that is not linear in {z}: {L}")
    g = sp.Mul(*[f for f in sp.Mul.make_args(term) if f is not d])
    zstar = -L.subs(z, 0) / b
    inner = sp.diff(g * _std_normal_pdf(z), z, k) if k else g * _std_normal_pdf(z)
    return (-1) ** k / (rabs(b) * b**k) * inner.subs(z, zstar)


def resolve_deltas(expr: sp.Expr) -> sp.Expr:
    """Replace averages of Dirac-delta terms by their closed forms (innermost first)."""
    expr = check_expr("expr", expr)
    if not expr.has(sp.DiracDelta):
        return expr

    def deltas(g: sp.Expr, z: sp.Symbol) -> sp.Expr:
        out = []
        for t in sp.Add.make_args(_shallow_distribute(g)):
            closed = _delta_term(t, z)
            out.append(GaussianAverage(t, z) if closed is None else closed)
        return sp.Add(*out)

    return _rewrite_averages(expr, deltas)


# ----------------------------------------------------------------------------------------
# numerically safe forms of log cosh and cosh powers
# ----------------------------------------------------------------------------------------
def rewrite_logcosh(expr: sp.Expr) -> sp.Expr:
    """``log(c cosh x) -> log c + logcosh(x)``; ``cosh(x)^t -> exp(t logcosh(x))``;
    ``Abs, sign -> rabs, rsign`` (fields are real).

    Integer powers of cosh are left alone.
    """
    expr = sp.sympify(expr)

    def is_log_cosh(e):
        if not isinstance(e, sp.log):
            return False
        return any(isinstance(f, sp.cosh) for f in sp.Mul.make_args(e.args[0]))

    def fix_log(e):
        out = []
        for f in sp.Mul.make_args(e.args[0]):
            base, ex = f.as_base_exp()
            if isinstance(base, sp.cosh):
                out.append(ex * logcosh(base.args[0]))
            else:
                out.append(sp.log(f))
        return sp.Add(*out)

    expr = expr.replace(is_log_cosh, fix_log)

    def cosh_factor(base):
        fs = sp.Mul.make_args(base)
        ch = [f for f in fs if isinstance(f, sp.cosh)]
        rest = [f for f in fs if not isinstance(f, sp.cosh)]
        if len(ch) == 1 and all(f.is_positive for f in rest):
            return ch[0], sp.Mul(*rest)
        return None

    def is_cosh_pow(e):
        return (isinstance(e, sp.Pow) and not e.exp.is_Integer
                and cosh_factor(e.base) is not None)

    def fix_pow(e):
        ch, c = cosh_factor(e.base)
        return sp.exp(e.exp * (sp.log(c) + logcosh(ch.args[0])))

    expr = expr.replace(is_cosh_pow, fix_pow)
    expr = expr.replace(lambda e: isinstance(e, sp.Abs), lambda e: rabs(e.args[0]))
    return expr.replace(lambda e: isinstance(e, sp.sign), lambda e: rsign(e.args[0]))


# ----------------------------------------------------------------------------------------
# zero-temperature closed forms
# ----------------------------------------------------------------------------------------
def _closed_term(term: sp.Expr, z: sp.Symbol):
    """``E_z[term]`` as ExpAbsMoment if ``term = c exp(mu rabs(L)) rabs(L)^k rsign(L)^j``."""
    c, mu, L, k, j = [], sp.S.Zero, None, 0, 0
    for f in sp.Mul.make_args(term):
        if z not in f.free_symbols:
            c.append(f)
            continue
        base, ex = f.as_base_exp()
        if isinstance(f, sp.exp):
            arg = f.args[0]
            ra = [g for g in sp.Mul.make_args(arg) if isinstance(g, rabs)]
            if len(ra) != 1:
                return None
            coef = arg / ra[0]
            if z in coef.free_symbols or (L is not None and ra[0].args[0] != L):
                return None
            mu, L = mu + coef, ra[0].args[0]
        elif isinstance(base, (rabs, rsign)) and ex.is_Integer and ex > 0:
            if L is not None and base.args[0] != L:
                return None
            L = base.args[0]
            if isinstance(base, rabs):
                k += int(ex)
            else:
                j += int(ex)
        else:
            return None
    if L is None:
        return None
    lin = linear_coefficients(L, [z])
    if lin is None or z not in lin[1]:
        return None
    a, b = lin[0], lin[1][z]
    return sp.Mul(*c) * ExpAbsMoment(k, j % 2, mu, a, sp.expand(b**2))


def closed_forms(expr: sp.Expr) -> sp.Expr:
    """Replace averages of ``exp(mu |L|) |L|^k sign(L)^j`` terms by :class:`ExpAbsMoment`.

    Applied innermost first to every average whose integrand consists of such terms (the
    zero-temperature integrands), so a T = 0 one-step RSB free energy keeps one numerical
    average (the outer one) instead of two nested ones.
    """
    expr = check_expr("expr", expr)
    def close(g: sp.Expr, z: sp.Symbol) -> sp.Expr:
        closed = [_closed_term(t, z) for t in sp.Add.make_args(_shallow_distribute(g))]
        if all(c is not None for c in closed):
            return sp.Add(*closed)
        return GaussianAverage(g, z)

    return _rewrite_averages(expr, close)
