"""Replica free energies of the dense (P-spin) Hebbian network as sympy expressions.

Convention (:class:`assoc.models.DenseHebbian`): distinct indices,
``H = -(1/N^(P-1)) sum_mu e_P(xi^mu_1 s_1, ..., xi^mu_N s_N)``, ``K = alpha N^(P-1)``, so that
``H = -N m^P / P! + O(1)`` for the condensed pattern.

Derivation (done here; the structure follows Gardner 1987 and Albanese et al. 2021,
arXiv:2111.12997).  For P > 2 each non-condensed pattern contributes
``-(1/N^(P-1)) e_P(xi s)``, a zero-mean variable of variance ``e_P(s . s') / N^(2P-2)``
between configurations s, s' (distinct indices: no diagonal terms).  With
``e_P(s . s') = (N q)^P / P! + O(N^(P-1))`` and K = alpha N^(P-1) patterns the cross-talk is,
by the central limit theorem (higher cumulants are o(N)), a Gaussian P-spin glass with

    E[H(s) H(s')] = N xi(q),     xi(q) = (alpha / P!) q^P.

The replicated partition function is that of a mixed p-spin Ising glass with covariance
``xi`` plus the ferromagnetic term ``N m^P / P!``; the Parisi formula restricted to one step
gives (per spin, beta = 1/T, ``s(m) = m^(P-1)/(P-1)!``, ``xi' = alpha q^(P-1)/(P-1)!``)

RS::

    f = (P-1) m^P/P! - (beta/2) [xi(1) - xi(q) - (1-q) xi'(q)]
        - (1/beta) E_z ln 2cosh(beta (s(m) + sqrt(xi'(q)) z))

1RSB (q0 <= q1, Parisi parameter theta in (0, 1])::

    f = (P-1) m^P/P! - (beta/2) [xi(1) - xi(q1) - (1-q1) xi'(q1)]
        + (beta theta/2) [q1 xi'(q1) - q0 xi'(q0) - xi(q1) + xi(q0)]
        - 1/(beta theta) E_z0 ln E_z1 (2cosh(beta h))^theta,
    h = s(m) + sqrt(xi'(q0)) z0 + sqrt(xi'(q1) - xi'(q0)) z1.

Stationarity gives ``m = E tanh(beta h)`` and ``q = E tanh^2(beta h)`` (RS), the form quoted in
THEORY.md section 2; 1RSB reduces to RS at ``q0 = q1`` (any theta) and at ``theta = 1``
(tests).  The RS replicon (de Almeida-Thouless) eigenvalue is
``1 - beta^2 xi''(q) E sech^4(beta h)``.

Zero temperature (``q1 = 1 - C/beta``, ``theta = mu/beta``): the bracket
``xi(1) - xi(q1) - (1-q1) xi'(q1) = O(1/beta^2)`` vanishes after the factor beta, so C drops out
of f; the limits are taken by :func:`theory.symbolic.zero_temperature_limit`.  The engine's
rule table needs the field to be ``beta`` times a beta-free expression, while here the noise
amplitude ``sqrt(xi'(q1))`` depends on ``q1 = 1 - C/beta``; the field is therefore written with
an auxiliary copy ``q1f`` of q1 that is sent to 1 (its O(1/beta) shift changes
``(1/beta) E ln 2cosh`` by O(1/beta), a term that vanishes).  Results::

    f_RS(T=0)   = (P-1) m^P/P! - E_z |s(m) + sqrt(xi'(1)) z|
    f_1RSB(T=0) = (P-1) m^P/P! + (mu/2) [xi'(1) - xi(1) - q0 xi'(q0) + xi(q0)]
                  - (1/mu) E_z0 ln E_z1 exp(mu |s(m) + sqrt(xi'(q0)) z0 + sqrt(xi'(1)-xi'(q0)) z1|)

with the inner average in closed form (:class:`theory.symbolic.ExpAbsMoment`); the T = 0
model uses ``nu = mu/(P-1)!`` as its order parameter (fields are of order ``1/(P-1)!``).

Low load (``K`` finite or ``K = o(N^(P-1))``; ``alpha = 0``): the P-spin Curie-Weiss model
``f = (P-1) m^P/P! - (1/beta) ln 2cosh(beta s(m))``.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..symbolic import GaussianAverage as E
from ..symbolic import ReplicaFreeEnergy, closed_forms, rabs, zero_temperature_limit
from ..symbolic.limits import LimitError
from ..symbolic.parisi import field, nested_average, parameter_names, symbol

__all__ = ["SYMBOLS", "xi", "rs", "rs_low_temperature", "rsb", "rsb_low_temperature", "rs_zero",
           "rsb_zero", "krsb", "krsb_zero", "parisi_names", "curie_weiss", "curie_weiss_zero"]

_r = dict(real=True)
_nn = dict(nonnegative=True)
_pos = dict(positive=True)
#: The sympy symbols of the dense free energies.
SYMBOLS: dict[str, sp.Symbol] = {
    "m": sp.Symbol("m", **_r),
    "q": sp.Symbol("q", **_nn),
    "q0": sp.Symbol("q0", **_nn),
    "q1": sp.Symbol("q1", **_nn),
    "q1f": sp.Symbol("q1f", **_nn),
    "theta": sp.Symbol("theta", **_pos),
    "C": sp.Symbol("C", **_pos),
    "mu": sp.Symbol("mu", **_pos),
    "nu": sp.Symbol("nu", **_pos),
    "alpha": sp.Symbol("alpha", **_nn),
    "beta": sp.Symbol("beta", **_pos),
    "z": sp.Symbol("z", **_r),
    "z0": sp.Symbol("z0", **_r),
    "z1": sp.Symbol("z1", **_r),
}


def xi(P: int, q: sp.Expr, k: int = 0) -> sp.Expr:
    """k-th derivative of the cross-talk covariance ``xi(q) = (alpha/P!) q^P``."""
    a = SYMBOLS["alpha"]
    return a * sp.ff(P, k) * q ** (P - k) / sp.factorial(P)


def _signal(P: int) -> sp.Expr:
    m = SYMBOLS["m"]
    return m ** (P - 1) / sp.factorial(P - 1)


def _rs_f(P: int, q_field: sp.Expr | None = None) -> sp.Expr:
    s = SYMBOLS
    m, q, b, z = s["m"], s["q"], s["beta"], s["z"]
    qf = q if q_field is None else q_field
    h = _signal(P) + sp.sqrt(xi(P, qf, 1)) * z
    return ((P - 1) * m**P / sp.factorial(P)                     # signal, Legendre term
            - b / 2 * (xi(P, 1) - xi(P, q) - (1 - q) * xi(P, q, 1))  # Parisi RS bracket
            - E(sp.log(2 * sp.cosh(b * h)), z) / b)


def parisi_names(k: int) -> dict[str, tuple[str, ...]]:
    """Names of the k-step order parameters: ``q`` (q0..qk), ``theta``, ``mu`` and ``nu``
    (:func:`theory.symbolic.parisi.parameter_names`)."""
    return parameter_names(k, ("q", "theta", "mu", "nu"))


def _symbol(name: str) -> sp.Symbol:
    return symbol(SYMBOLS, name)


def _krsb_f(P: int, k: int, qk_field: sp.Expr | None = None) -> sp.Expr:
    """The k-step Parisi free energy (module docstring; k = 1 is the 1RSB form)::

        f = (P-1) m^P/P! - (beta/2) [xi(1) - xi(q_k) - (1-q_k) xi'(q_k)]
            + sum_j (beta theta_j/2) [q_j xi'(q_j) - q_(j-1) xi'(q_(j-1)) - xi(q_j) + xi(q_(j-1))]
            - (1/(beta theta_1)) E_z0 ln Y_1    (:func:`theory.symbolic.parisi.nested_average`)

    with ``h = s(m) + sum_j sqrt(xi'(q_j) - xi'(q_(j-1))) z_j``; ``qk_field`` replaces q_k in
    the field (the T = 0 device of the module notes).
    """
    nm = parisi_names(k)
    m, b = SYMBOLS["m"], SYMBOLS["beta"]
    q = [_symbol(v) for v in nm["q"]]
    th = [_symbol(v) for v in nm["theta"]]
    zs = [_symbol(f"z{j}") for j in range(k + 1)]
    qf = [*q[:k], q[k] if qk_field is None else qk_field]
    h = field(_signal(P), [xi(P, qf[0], 1), *(xi(P, qf[j], 1) - xi(P, qf[j - 1], 1)
                                             for j in range(1, k + 1))], zs)
    f = ((P - 1) * m**P / sp.factorial(P)
         - b / 2 * (xi(P, 1) - xi(P, q[k]) - (1 - q[k]) * xi(P, q[k], 1)))
    for j in range(1, k + 1):
        f += b * th[j - 1] / 2 * (q[j] * xi(P, q[j], 1) - q[j - 1] * xi(P, q[j - 1], 1)
                                  - xi(P, q[j]) + xi(P, q[j - 1]))
    return f + nested_average(h, b, th, zs)


def _rsb_f(P: int, q1_field: sp.Expr | None = None) -> sp.Expr:
    return _krsb_f(P, 1, q1_field)


@cache
def rs(P: int) -> ReplicaFreeEnergy:
    """RS free energy in (m, q), controls (alpha, beta), with the replicon as stability."""
    s = SYMBOLS
    m, q, b, z = s["m"], s["q"], s["beta"], s["z"]
    h = _signal(P) + sp.sqrt(xi(P, q, 1)) * z
    t2 = sp.tanh(b * h) ** 2
    replicon = 1 - b**2 * xi(P, q, 2) * E((1 - t2) ** 2, z)   # AT 1978 for covariance xi
    return ReplicaFreeEnergy(
        _rs_f(P), (m, q), (s["alpha"], b), beta=b, bounds={q: (0.0, 1.0)},
        minimize=(m,), stability={"replicon": replicon}, name=f"dense P={P} RS")


@cache
def rs_low_temperature(P: int) -> ReplicaFreeEnergy:
    """RS free energy at low T in (m, C = beta (1 - q)), controls (alpha, beta), exact to
    ``O(T^2)``: every T > 0 down to 1e-300 is representable and joins the T = 0 equations.

    With ``u = C/beta`` the Parisi bracket ``xi(1) - xi(1-u) - u xi'(1-u)`` is expanded into
    its polynomial in u (it starts at ``u^2``), so ``(beta/2)`` times it is a sum of terms
    ``C^k beta^(1-k)`` without cancellation. The average ``(1/beta) E ln 2cosh(beta h)``,
    ``h = s(m) + sigma z`` with ``sigma = sqrt(xi'(1 - u))``, is ``E|h|`` plus
    ``(1/beta) E ln(1 + exp(-2 beta |h|)) = O(1/beta^2)`` (a boundary layer of width
    ``1/(beta sigma)`` at the kink); likewise ``E tanh(beta h) - E sign(h) = O(1/beta^2)`` (odd
    in the layer). Dropping those terms leaves the closed form
    ``E|c + sigma z| = c erf(c/(sigma sqrt 2)) + sigma sqrt(2/pi) exp(-c^2/(2 sigma^2))``; the
    explicit ``u = C T`` dependence, the O(T) part, is kept. Stationarity in C is exactly
    ``df/dC = (xi''(1-u)/(2 beta)) (2 phi(c/sigma)/sigma - C)``; its bracket is the C
    equation (free of the vanishing factor ``1/beta``). The
    replicon uses ``E sech^4(beta h) = (4/3) phi(c/sigma)/(beta sigma) (1 + O(T^2))``.
    """
    s = SYMBOLS
    m, C, b = s["m"], s["C"], s["beta"]
    u = C / b
    bracket = sp.expand(xi(P, 1) - xi(P, 1 - u) - u * xi(P, 1 - u, 1))
    c, sig = _signal(P), sp.sqrt(xi(P, 1 - u, 1))
    phi = sp.exp(-c**2 / (2 * sig**2)) / sp.sqrt(2 * sp.pi)
    e_abs = c * sp.erf(c / (sig * sp.sqrt(2))) + 2 * sig * phi
    f = (P - 1) * m**P / sp.factorial(P) - sp.expand(b / 2 * bracket) - e_abs
    replicon = 1 - b * xi(P, 1 - u, 2) * sp.Rational(4, 3) * phi / sig
    return ReplicaFreeEnergy(
        f, (m, C), (s["alpha"], b), beta=b, bounds={C: (0.0, None)}, constraints=(1 - u,),
        minimize=(m,), stability={"replicon": replicon}, equations={C: C - 2 * phi / sig},
        name=f"dense P={P} RS (low T)")


@cache
def krsb(P: int, k: int) -> ReplicaFreeEnergy:
    """k-step RSB free energy in (m, q0..qk, theta_1..theta_k), controls (alpha, beta)."""
    nm = parisi_names(k)
    q = [_symbol(v) for v in nm["q"]]
    th = [_symbol(v) for v in nm["theta"]]
    cons = (*(q[j] - q[j - 1] for j in range(k, 0, -1)),
            *(SYMBOLS["beta"] * (th[j] - th[j - 1]) for j in range(k - 1, 0, -1)))
    return ReplicaFreeEnergy(
        _krsb_f(P, k), (SYMBOLS["m"], *q, *th), (SYMBOLS["alpha"], SYMBOLS["beta"]),
        beta=SYMBOLS["beta"], bounds={v: (0.0, 1.0) for v in (*q, *th)}, constraints=cons,
        minimize=(SYMBOLS["m"],), name=f"dense P={P} {k}RSB")


def rsb(P: int) -> ReplicaFreeEnergy:
    """1RSB free energy in (m, q0, q1, theta), controls (alpha, beta) (:func:`krsb`, k = 1)."""
    return krsb(P, 1)


@cache
def rsb_low_temperature(P: int) -> ReplicaFreeEnergy:
    """1RSB free energy at low T in (m, q0, C, nu), controls (alpha, beta), exact to
    ``O(T^2)``: ``q1 = 1 - C/beta`` and ``theta = mu/beta`` with ``mu = (P-1)! nu``, as in
    :func:`rsb_zero`, whose free energy this is at ``T = 0``.

    With ``u = C/beta``: the first Parisi bracket is expanded as in
    :func:`rs_low_temperature`; the second, times ``beta theta = mu``, is kept exactly; and
    ``(2cosh(beta h))^theta = exp(mu |h|) (1 + exp(-2 beta |h|))^theta``, whose last factor is
    ``1 + O(theta)`` only in a boundary layer of width ``1/beta`` around ``h = 0``: it changes
    f by ``O(mu T^2)`` and is dropped, which leaves the closed inner average
    ``E_z1 exp(mu |a + sqrt(v) z1|)`` (:class:`theory.symbolic.ExpAbsMoment`) with
    ``a = s(m) + sqrt(xi'(q0)) z0`` and ``v = xi'(1 - u) - xi'(q0)``. Writing
    ``f = F(u) - (beta/2) B(u)``, ``df/dC = (F'(u) - C xi''(1-u)/2)/beta``: the C equation is
    ``C = 2 F'(u)/xi''(1-u)``, free of the vanishing factor ``1/beta``.
    """
    s = SYMBOLS
    m, q0, C, nu, b, z0, z1 = (s[k] for k in ("m", "q0", "C", "nu", "beta", "z0", "z1"))
    u = sp.Dummy("u", nonnegative=True)
    mu = sp.factorial(P - 1) * nu
    h = _signal(P) + sp.sqrt(xi(P, q0, 1)) * z0 + sp.sqrt(xi(P, 1 - u, 1) - xi(P, q0, 1)) * z1
    F = ((P - 1) * m**P / sp.factorial(P)
         + mu / 2 * ((1 - u) * xi(P, 1 - u, 1) - xi(P, 1 - u) - q0 * xi(P, q0, 1) + xi(P, q0))
         - E(sp.log(closed_forms(E(sp.exp(mu * rabs(h)), z1))), z0) / mu)
    bracket = sp.expand(xi(P, 1) - xi(P, 1 - u) - u * xi(P, 1 - u, 1))
    eq_C = C - 2 * sp.diff(F, u) / xi(P, 1 - u, 2)
    low = {u: C / b}
    f = F.xreplace(low) - sp.expand(b / 2 * bracket.xreplace(low))
    return ReplicaFreeEnergy(
        f, (m, q0, C, nu), (s["alpha"], b), beta=b,
        bounds={q0: (0.0, 1.0), C: (0.0, None), nu: (0.0, None)},
        constraints=(1 - C / b - q0,), minimize=(m,), equations={C: eq_C.xreplace(low)},
        name=f"dense P={P} 1RSB (low T)")


def _limit_without_C(f: sp.Expr, scaling: dict) -> sp.Expr:
    s = SYMBOLS
    f0 = closed_forms(zero_temperature_limit(f, s["beta"], scaling))
    left = ({s["C"]} | set(scaling)) & f0.free_symbols  # C, and every scaled symbol (q_k f)
    if left:
        raise LimitError(f"dense zero-temperature limit: {sorted(map(str, left))} did not "
                         "drop out")  # pragma: no cover
    return f0


@cache
def rs_zero(P: int) -> ReplicaFreeEnergy:
    """T = 0 RS free energy in (m,), control alpha (the engine's limit of :func:`rs`)."""
    s = SYMBOLS
    f0 = _limit_without_C(_rs_f(P, q_field=s["q1f"]).subs(s["q"], s["q1"]),
                          {s["q1"]: 1 - s["C"] / s["beta"], s["q1f"]: sp.S.One})
    return ReplicaFreeEnergy(f0, (s["m"],), (s["alpha"],), minimize=(s["m"],),
                             name=f"dense P={P} RS (T = 0)")


@cache
def krsb_zero(P: int, k: int) -> ReplicaFreeEnergy:
    """T = 0 k-step RSB free energy in (m, q0..q_(k-1), nu_1..nu_k), control alpha
    (``q_k = 1 - C/beta``, ``theta_j = mu_j/beta``, ``mu_j = (P-1)! nu_j``).

    The Parisi parameters enter as ``nu = mu/(P-1)! = theta/((P-1)! T)``: signal and noise
    are of order ``1/(P-1)!``, so mu is of order ``(P-1)!`` (about 7e6 at P = 10) while m and
    the q's are of order one; nu keeps the Newton systems well scaled.  k = 1 is
    :func:`rsb_zero`.
    """
    s = SYMBOLS
    nm = parisi_names(k)
    q = [_symbol(v) for v in nm["q"]]
    th, mu, nu = ([_symbol(v) for v in nm[key]] for key in ("theta", "mu", "nu"))
    qkf = _symbol(f"q{k}f")
    scaling = {q[k]: 1 - s["C"] / s["beta"], qkf: sp.S.One}
    scaling |= {t: u / s["beta"] for t, u in zip(th, mu, strict=True)}
    f0 = _limit_without_C(_krsb_f(P, k, qk_field=qkf), scaling)
    f0 = f0.subs({u: sp.factorial(P - 1) * v for u, v in zip(mu, nu, strict=True)})
    cons = (*(q[j] - q[j - 1] for j in range(k - 1, 0, -1)),
            *(nu[j] - nu[j - 1] for j in range(k - 1, 0, -1)))
    if k > 1:
        cons = (1 - q[k - 1], *cons)
    return ReplicaFreeEnergy(f0, (s["m"], *q[:k], *nu), (s["alpha"],),
                             bounds={v: (0.0, 1.0) for v in q[:k]} | {v: (0.0, None) for v in nu},
                             constraints=cons, minimize=(s["m"],),
                             name=f"dense P={P} 1RSB (T = 0)" if k == 1 else
                             f"dense P={P} {k}RSB (T = 0)")


def rsb_zero(P: int) -> ReplicaFreeEnergy:
    """T = 0 1RSB free energy in (m, q0, nu), control alpha (:func:`krsb_zero`, k = 1)."""
    return krsb_zero(P, 1)


@cache
def curie_weiss(P: int) -> ReplicaFreeEnergy:
    """Low load (alpha = 0): ``f = (P-1) m^P/P! - (1/beta) ln 2cosh(beta m^(P-1)/(P-1)!)``."""
    s = SYMBOLS
    m, b = s["m"], s["beta"]
    f = (P - 1) * m**P / sp.factorial(P) - sp.log(2 * sp.cosh(b * _signal(P))) / b
    return ReplicaFreeEnergy(f, (m,), (b,), beta=b, minimize=(m,),
                             name=f"dense P={P} Curie-Weiss")


@cache
def curie_weiss_zero(P: int) -> ReplicaFreeEnergy:
    """Low load at T = 0: ``f = (P-1) m^P/P! - |m^(P-1)|/(P-1)!`` (engine limit)."""
    s = SYMBOLS
    m, b = s["m"], s["beta"]
    f = (P - 1) * m**P / sp.factorial(P) - sp.log(2 * sp.cosh(b * _signal(P))) / b
    f0 = zero_temperature_limit(f, b, {})
    # on the retrieval branch m >= 0 the field m^(P-1)/(P-1)! is >= 0: |x| -> x.  (The engine
    # differentiates rabs outside an average into a DiracDelta that its code generator
    # cannot evaluate; this keeps the limit exact on the branch.)
    f0 = f0.replace(lambda e: isinstance(e, rabs), lambda e: e.args[0])
    return ReplicaFreeEnergy(f0, (m,), (), bounds={m: (0.0, None)}, minimize=(m,),
                             name=f"dense P={P} Curie-Weiss (T = 0)")
