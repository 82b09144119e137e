"""Replica-symmetric free energies of dense networks trained on examples, as sympy
expressions (see :mod:`theory.dense_learning`).

Derivation (done here; the structure is that of :mod:`theory.dense.models`, and checked
against Monte Carlo in the tests).  Write ``xihat^mu_i = xi^mu_i c^mu_i`` with
``c_i = (1/(rM)) sum_a chi^(mu,a)_i``, a rescaled binomial of mean 1 and variance
``rho = (1 - r^2)/(M r^2)``: ``c_k = (2k - M)/(rM)`` with probability
``C(M,k) p^k (1-p)^(M-k)``, ``p = (1 + r)/2``.

* Signal.  Supervised, the condensed archetype's term is ``-(N/P!) n^P`` with the overlap
  ``n = (1/N) sum_i xihat_i s_i`` (distinct indices: the coinciding ones are lower order).
  Unsupervised it is ``-(N/(P! M r^P)) sum_a m_a^P`` over the example overlaps
  ``m_a = (1/N) sum_i eta^a_i s_i``; in the example-symmetric state ``m_a = r n`` for every a
  and the term is the same ``-(N/P!) n^P``, with the same field ``c_i n^(P-1)/(P-1)!`` (the
  example overlaps enter through ``(1/M) sum_a chi^a_i = r c_i``).  So both protocols have
  the same signal and the same order parameter n; the example overlap is ``r n``
  (unsupervised: each; supervised: their average) and the archetype overlap is
  ``m = E tanh(beta h)``.
* Cross-talk.  The other archetypes are a Gaussian P-spin glass (as in the storage model,
  central limit theorem over ``K = alpha N^(P-1)`` archetypes) with covariance
  ``N xi(q)``, ``xi(q) = (alpha v / P!) q^P``: ``v = E[xihat^2]^P = (1 + rho)^P``
  supervised, and ``v = 1 + rho_P``, ``rho_P = (1 - r^(2P))/(M r^(2P))``, unsupervised,
  where the M examples of one archetype add ``M (1 + (M - 1) r^(2P))`` correlated terms
  (the variance factors of :mod:`theory.dense_learning.snr`).

Hence, with ``s(n) = n^(P-1)/(P-1)!`` and ``h = c s(n) + sqrt(xi'(q)) z``::

    f = (P-1) n^P/P! - (beta/2)[xi(1) - xi(q) - (1-q) xi'(q)] - (1/beta) E_c E_z ln 2cosh(beta h)

    n = E_c E_z c tanh(beta h),    q = E_c E_z tanh^2(beta h),    m = E_c E_z tanh(beta h),

replicon ``1 - beta^2 xi''(q) E sech^4(beta h)``.  At ``r = 1`` (c = 1, v = 1) this is
:func:`theory.dense.models.rs` with n = m.  ``E_c`` is the exact finite sum over the M + 1
atoms; ``M = None`` is the limit ``M -> infinity`` at fixed rho of the supervised protocol,
``c = 1 + sqrt(rho) lambda`` Gaussian, where ``E_lambda E_z`` of a function of ``h`` is one
average over a field of variance ``rho s(n)^2 + xi'(q)`` (unsupervised, that limit has
``rho_P -> infinity``).

Written once for both laws and protocols: the base model below is ``f_c`` at one atom,
with the field ``h = c s(n) + sqrt(rho s(n)^2 + xi'(q)) z`` and controls
``(alpha, v, rho, c, beta)``; an atom of the binomial law is ``(c_k, rho = 0)``, the Gaussian
law is the single atom ``(1, rho)``.  ``f = E_c f_c`` is affine in the atoms' averages, so
the engine derives ``f_c`` once and :class:`theory.symbolic.mixture.MixtureFreeEnergy` sums
every evaluation over the atoms (:mod:`theory.dense_learning.laws`).

T = 0 is taken by the engine as in :func:`theory.dense.models.rs_zero`:
``f = (P-1) n^P/P! - E_c E_z |h|`` at ``q = 1``, and ``m = E_c erf(c s(n)/sqrt(2 xi'(1)))``,
``n = E_c c erf(...)``.

Example symmetry (unsupervised).  The M example overlaps are free order parameters; the
retrieval state above is the symmetric point ``m_a = r n``.  With
``g'(m) = m^(P-2)/(M r^P (P-2)!)`` the Hessian of f in the ``m_a`` is
``g'(m_a) [delta_ab - beta g'(m_b) E(chi_a chi_b sech^2(beta h))]``; on the M - 1
directions with ``sum_a dm_a = 0`` (which do not couple to q) its eigenvalue has the sign of

    1 - beta n^(P-2)/(M r^2 (P-2)!) E_c[(M^2 - S^2)/(M (M-1)) E_z sech^2(beta h)],

``S = rMc = sum_a chi_a`` (from ``E[chi_1 chi_2 | S] = (S^2 - M)/(M (M-1))``); at T = 0
``E_z beta sech^2 -> 2 phi(c s/sigma)/sigma``.  Where it is negative the symmetric state is
unstable (``example_symmetry``; e.g. at even M and low load and T, where the sites with
``c = 0`` have no field).  The supervised couplings depend on the examples only through
their sum: there is no such mode.

Example state (unsupervised).  One example condensed: ``m_1`` with example 1 and ``m_2``
with each of the others.  With ``kappa = 1/(M r^P)``, ``a1 = chi_1`` and
``a2 = sum_(a >= 2) chi_a``::

    f = (P-1) kappa (m1^P + (M-1) m2^P)/P! - (beta/2)[...] - (1/beta) E ln 2cosh(beta h),
    h = kappa (a1 m1^(P-1) + a2 m2^(P-1))/(P-1)! + sqrt(xi'(q)) z,

``m1 = E[a1 tanh]``, ``m2 = E[a2 tanh]/(M - 1)``, the same cross-talk; at ``m1 = m2 = r n``
it is the retrieval state.  Its site law has the 2M atoms ``(a1, a2)``.  With few
examples the network prefers an example to the archetype (P = 3, r = 0.6, T = 0.15, low
load: for M = 3 and 4, not for M = 5); the simulations see it (tests).  The symmetry among the
M - 1 other examples is not checked.

Low load (``K = o(N^(P-1))``, which includes the ultra-detection load ``K = alpha N``,
P > 2, as N -> infinity): ``alpha = 0``, ``f = (P-1) n^P/P! - (1/beta) E_c ln 2cosh(beta c
s(n))``, the same for both protocols.

P = 2 (``K = alpha N``; derived here as AGS 1987 with non-binary patterns).  The cross-talk
is not a P-spin glass: the overlaps ``(1/sqrt N) sum_i x_i s_i`` of the other archetypes'
coupling vectors are integrated out as Gaussians, which is AGS's computation with the
patterns' covariance.  Per archetype the coupling vectors form independent channels
``(L_k, lam_k)`` (multiplicity, variance): supervised one, ``xihat`` with
``E xihat^2 = lam = 1 + rho``; unsupervised the M examples scaled by ``1/(r sqrt M)``, whose
covariance ``((1 - r^2) I + r^2 J)/(M r^2)`` has the eigenvalues ``1 + rho`` (once) and
``rho`` (M - 1 times) (:func:`theory.dense_learning.common.channels`).  A channel gives the
AGS terms with ``beta -> beta lam``, so with ``C = beta (1 - q)``, ``D_k = 1 - lam_k C``::

    f = n^2/2 + sum_k L_k [alpha lam_k/2 + (alpha/(2 beta)) ln D_k - (alpha/2) lam_k q/D_k]
        + sigma^2 C/2 - (1/beta) E_c E_z ln 2cosh(beta (c n + sqrt(rho n^2 + sigma^2) z)),

stationary at ``sigma^2 = alpha p``, ``p = q sum_k L_k lam_k^2/D_k^2`` (AGS's r), with
``n = E c tanh(beta h)`` and ``q = E tanh^2(beta h)``; replicon
``1 - alpha beta^2 sum_k L_k lam_k^2/D_k^2 E sech^4(beta h)``.  The order parameters are
``(n, C, sigma)`` at every T (at low T, C is exponentially small where every site has a field
and q = 1 - C T is not representable); T = 0 is the engine's limit of the same expression.
At r = 1 it is the Hopfield model (:mod:`theory.hopfield`, a test to 1e-10); at ``q -> 1``,
``C -> 0`` the noise variance is ``alpha sum_k L_k lam_k^2``, the one-step variance factor of
:mod:`theory.dense_learning.snr` at P = 2.  The states without signal (spin glass below
``T_g``: ``alpha sum_k L_k lam_k^2/(T_g - lam_k)^2 = 1``, paramagnet above) are in closed form
in :mod:`theory.dense_learning.pairwise`; at low load the retrieval appears continuously at
``T = E c^2 = 1 + rho``.  The unsupervised example state has the same channels.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..symbolic import GaussianAverage as E
from ..symbolic import ReplicaFreeEnergy, closed_forms, zero_temperature_limit
from ..symbolic.limits import LimitError

__all__ = ["SYMBOLS", "rs", "rs_zero", "low_load", "low_load_zero", "low_load_moment", "beta_sech2",
           "example_rs", "example_rs_zero", "example_overlap",
           "archetype_overlap"]

_r = dict(real=True)
_nn = dict(nonnegative=True)
_pos = dict(positive=True)
#: The sympy symbols of the dense-learning free energies.
SYMBOLS: dict[str, sp.Symbol] = {
    "n": sp.Symbol("n", **_r),
    "q": sp.Symbol("q", **_nn),
    "q1": sp.Symbol("q1", **_nn),
    "q1f": sp.Symbol("q1f", **_nn),
    "C": sp.Symbol("C", **_pos),
    "alpha": sp.Symbol("alpha", **_nn),
    "v": sp.Symbol("v", **_pos),
    "rho": sp.Symbol("rho", **_nn),
    "c": sp.Symbol("c", **_r),
    "beta": sp.Symbol("beta", **_pos),
    "z": sp.Symbol("z", **_r),
    # the example state (unsupervised): overlaps with example 1 and with each other example
    "m1": sp.Symbol("m1", **_r),
    "m2": sp.Symbol("m2", **_r),
    "kappa": sp.Symbol("kappa", **_pos),
    "L": sp.Symbol("L", **_nn),
    "a1": sp.Symbol("a1", **_r),
    "a2": sp.Symbol("a2", **_r),
    # the pairwise cross-talk (P = 2): its field's standard deviation sqrt(alpha p) (p: AGS's
    # conjugate r) and the channel variances
    "sigma": sp.Symbol("sigma", **_nn),
    "lam": sp.Symbol("lam", **_pos),
    "lamx": sp.Symbol("lamx", **_nn),
}
_CONTROLS = tuple(SYMBOLS[k] for k in ("alpha", "v", "rho", "c", "beta"))
#: Pairwise (P = 2) controls: the channel variances replace v (module notes, "P = 2").
_PAIR_CONTROLS = tuple(SYMBOLS[k] for k in ("alpha", "lam", "lamx", "L", "rho", "c", "beta"))


def _xi(P: int, q: sp.Expr, k: int = 0) -> sp.Expr:
    """k-th derivative of the cross-talk covariance ``xi(q) = (alpha v/P!) q^P`` (P >= 3)."""
    s = SYMBOLS
    return s["alpha"] * s["v"] * sp.ff(P, k) * q ** (P - k) / sp.factorial(P)


def _channels() -> tuple[tuple[sp.Expr, sp.Expr], ...]:
    """The pairwise cross-talk's channels ``(multiplicity, variance)``: ``(1, lam)`` and
    ``(L, lamx)`` (module notes, "P = 2")."""
    s = SYMBOLS
    return (sp.S.One, s["lam"]), (s["L"], s["lamx"])


def _noise_variance(P: int, q: sp.Expr) -> sp.Expr:
    """Variance of the cross-talk field: ``xi'(q)`` (P >= 3), ``sigma^2 = alpha p`` with the
    order parameter sigma (P = 2)."""
    s = SYMBOLS
    return s["sigma"] ** 2 if P == 2 else _xi(P, q, 1)


def _noise_f(P: int, q: sp.Expr) -> sp.Expr:
    """The cross-talk's part of f: ``-(beta/2)[xi(1) - xi(q) - (1-q) xi'(q)]`` (P >= 3);
    ``sum_k L_k [alpha lam_k/2 + (alpha/(2 beta))(ln D_k - beta lam_k q/D_k)]
    + beta sigma^2 (1-q)/2``, ``D_k = 1 - beta lam_k (1-q)`` (P = 2)."""
    s = SYMBOLS
    a, b = s["alpha"], s["beta"]
    if P > 2:
        return -b / 2 * (_xi(P, 1) - _xi(P, q) - (1 - q) * _xi(P, q, 1))
    f = b * s["sigma"] ** 2 * (1 - q) / 2
    for mult, lam in _channels():
        D = 1 - b * lam * (1 - q)
        f += mult * (a * lam / 2 + a / (2 * b) * (sp.log(D) - b * lam * q / D))
    return f


def _replicon(P: int, q: sp.Expr, h: sp.Expr) -> sp.Expr:
    """``1 - beta^2 xi''(q) E sech^4(beta h)`` (P >= 3); at P = 2
    ``1 - alpha beta^2 sum_k L_k lam_k^2/D_k^2 E sech^4(beta h)`` (AGS 1987's AT line)."""
    s = SYMBOLS
    b, z = s["beta"], s["z"]
    sech4 = E((1 - sp.tanh(b * h) ** 2) ** 2, z)
    if P > 2:
        return 1 - b**2 * _xi(P, q, 2) * sech4
    k = sum(mult * lam**2 / (1 - b * lam * (1 - q)) ** 2 for mult, lam in _channels())
    return 1 - s["alpha"] * b**2 * k * sech4


def _signal(P: int) -> sp.Expr:
    return SYMBOLS["n"] ** (P - 1) / sp.factorial(P - 1)


def _field(P: int, q: sp.Expr, noise: bool = True) -> sp.Expr:
    """``h = c s(n) + sqrt(rho s(n)^2 + noise variance) z`` (``noise=False``: without the
    cross-talk)."""
    s = SYMBOLS
    sig = _signal(P)
    var = s["rho"] * sig**2 + (_noise_variance(P, q) if noise else 0)
    return s["c"] * sig + sp.sqrt(var) * s["z"]


def _q(P: int) -> sp.Expr:
    """q in the variables of the model: q (P >= 3); ``1 - C/beta`` (P = 2, the AGS
    susceptibility ``C = beta (1 - q)`` as the order parameter at every T)."""
    s = SYMBOLS
    return s["q"] if P > 2 else 1 - s["C"] / s["beta"]


def _f(P: int, q_field: sp.Expr | None = None) -> sp.Expr:
    s = SYMBOLS
    n, b, z = s["n"], s["beta"], s["z"]
    q = _q(P)
    h = _field(P, q if q_field is None else q_field)
    return ((P - 1) * n**P / sp.factorial(P) + _noise_f(P, q)
            - E(sp.log(2 * sp.cosh(b * h)), z) / b)


def _zero_limit(f: sp.Expr) -> sp.Expr:
    """The T = 0 limit of an RS ``f`` (P >= 3) whose field carries the copy ``q1f`` of q:
    ``q = 1 - C/beta``, ``q1f -> 1`` (as :func:`theory.dense.models.rs_zero`); C drops out."""
    s = SYMBOLS
    f = f.subs(s["q"], s["q1"])
    f0 = closed_forms(zero_temperature_limit(f, s["beta"], {s["q1"]: 1 - s["C"] / s["beta"],
                                                             s["q1f"]: sp.S.One}))
    left = {s["C"], s["q1"], s["q1f"]} & f0.free_symbols
    if left:  # pragma: no cover - the derivation guarantees it
        raise LimitError(f"zero-temperature limit: {sorted(map(str, left))} did not drop out")
    return f0


def _model(P: int, f: sp.Expr, overlaps: tuple[sp.Symbol, ...], controls: tuple,
           h: sp.Expr, name: str) -> ReplicaFreeEnergy:
    """The T > 0 model in ``(*overlaps, q)`` (P >= 3) or ``(*overlaps, C, sigma)`` (P = 2:
    C = beta (1 - q), finite at T = 0, where it is exponentially small at low T and large
    fields and is left unbounded, as Newton's way to it may cross 0)."""
    s = SYMBOLS
    b = s["beta"]
    q = _q(P)
    if P > 2:
        return ReplicaFreeEnergy(f, (*overlaps, q), controls, beta=b, bounds={q: (0.0, 1.0)},
                                 minimize=overlaps, stability={"replicon": _replicon(P, q, h)},
                                 name=name)
    C, sigma = s["C"], s["sigma"]
    return ReplicaFreeEnergy(f, (*overlaps, C, sigma), controls, beta=b,
                             bounds={sigma: (0.0, None)},
                             constraints=(1 - s["lam"] * C, b - C),
                             zero_temperature_scaling={}, minimize=overlaps,
                             stability={"replicon": _replicon(P, q, h)}, name=name)


@cache
def rs(P: int) -> ReplicaFreeEnergy:
    """RS free energy ``f_c`` at one atom in (n, q), controls (alpha, v, rho, c, beta), with
    the replicon ``1 - beta^2 xi''(q) E sech^4(beta h)`` as stability (affine in the
    average, so its mixture is the replicon of the mixture).  P = 2: in (n, C, sigma), controls
    (alpha, lam, lamx, L, rho, c, beta) (module notes, "P = 2")."""
    s = SYMBOLS
    return _model(P, _f(P), (s["n"],), _PAIR_CONTROLS if P == 2 else _CONTROLS,
                  _field(P, _q(P)), f"dense learning P={P} RS")


@cache
def rs_zero(P: int) -> ReplicaFreeEnergy:
    """T = 0 RS free energy in (n,), controls (alpha, v, rho, c): the engine's limit of
    :func:`rs` with ``q = 1 - C/beta`` (C drops out; the noise amplitude is written with a
    copy of q sent to 1, as in :func:`theory.dense.models.rs_zero`), i.e.
    ``(P-1) n^P/P! - E_z |h|`` at q = 1.  P = 2: the engine's limit of :func:`rs` in the
    same variables (n, C, sigma)."""
    if P == 2:
        return rs(2).zero_temperature()
    s = SYMBOLS
    f0 = _zero_limit(_f(P, q_field=s["q1f"]))
    return ReplicaFreeEnergy(f0, (s["n"],), _CONTROLS[:-1], minimize=(s["n"],),
                             name=f"dense learning P={P} RS (T = 0)")


@cache
def low_load(P: int, gaussian: bool) -> ReplicaFreeEnergy:
    """alpha = 0 (both protocols) in (n,): at one atom ``(P-1) n^P/P! - (1/beta) ln 2cosh(beta
    c s(n))``, controls (c, beta); Gaussian law (``gaussian``) ``(P-1) n^P/P! - (1/beta)
    E_z ln 2cosh(beta s(n) (1 + sqrt(rho) z))``, controls (rho, beta)."""
    s = SYMBOLS
    n, b, z = s["n"], s["beta"], s["z"]
    if gaussian:
        spin, ctrl = E(sp.log(2 * sp.cosh(b * _field(P, 0, noise=False).subs(s["c"], 1))), z), \
            (s["rho"], b)
    else:
        spin, ctrl = sp.log(2 * sp.cosh(b * s["c"] * _signal(P))), (s["c"], b)
    return ReplicaFreeEnergy((P - 1) * n**P / sp.factorial(P) - spin / b, (n,), ctrl, beta=b,
                             minimize=(n,), name=f"dense learning P={P} low load")


@cache
def low_load_zero(P: int, gaussian: bool) -> ReplicaFreeEnergy:
    """alpha = 0 at T = 0 on the retrieval branch n >= 0: ``(P-1) n^P/P! - E|c| s(n)``; at one
    atom ``|c| s(n)`` (control c), Gaussian law ``E|1 + sqrt(rho) lambda|`` in closed form
    (control rho)."""
    s = SYMBOLS
    n, rho, c = s["n"], s["rho"], s["c"]
    if gaussian:
        mean_abs = (sp.erf(1 / sp.sqrt(2 * rho)) + sp.sqrt(2 * rho / sp.pi)
                    * sp.exp(-1 / (2 * rho)))
    else:
        mean_abs = sp.Abs(c)
    f = (P - 1) * n**P / sp.factorial(P) - mean_abs * _signal(P)
    return ReplicaFreeEnergy(f, (n,), (rho,) if gaussian else (c,),
                             bounds={n: (0.0, None)}, minimize=(n,),
                             name=f"dense learning P={P} low load (T = 0)")


@cache
def low_load_moment(P: int, k: int) -> sp.Expr:
    """``E_z tanh^k(beta s(n) (1 + sqrt(rho) z))``, the Gaussian law's archetype overlap
    (k = 1) and q (k = 2) at alpha = 0, in (n, rho, beta)."""
    s = SYMBOLS
    h = _field(P, 0, noise=False).subs(s["c"], 1)
    return E(sp.tanh(s["beta"] * h) ** k, s["z"])


@cache
def beta_sech2(P: int) -> sp.Expr:
    """``E_z beta sech^2(beta h)`` at one atom, in the order parameters and controls of
    :func:`rs` (T > 0): the response of the site to its field, in the example-symmetry
    eigenvalue of :func:`theory.dense_learning.phases.example_symmetry`."""
    s = SYMBOLS
    b = s["beta"]
    return E(b * (1 - sp.tanh(b * _field(P, _q(P))) ** 2), s["z"])


_EX_CONTROLS = tuple(SYMBOLS[k] for k in ("alpha", "v", "kappa", "L", "a1", "a2", "beta"))
_PAIR_EX_CONTROLS = tuple(SYMBOLS[k] for k in ("alpha", "lam", "lamx", "kappa", "L", "a1", "a2",
                                               "beta"))


def _example_field(P: int, q: sp.Expr) -> sp.Expr:
    """``h = kappa (a1 m1^(P-1) + a2 m2^(P-1))/(P-1)! + sqrt(noise variance) z``."""
    s = SYMBOLS
    sig = s["kappa"] * (s["a1"] * s["m1"] ** (P - 1) + s["a2"] * s["m2"] ** (P - 1))
    return sig / sp.factorial(P - 1) + sp.sqrt(_noise_variance(P, q)) * s["z"]


def _example_f(P: int, q_field: sp.Expr | None = None) -> sp.Expr:
    s = SYMBOLS
    q, b, z = _q(P), s["beta"], s["z"]
    h = _example_field(P, q if q_field is None else q_field)
    return ((P - 1) * s["kappa"] * (s["m1"] ** P + s["L"] * s["m2"] ** P) / sp.factorial(P)
            + _noise_f(P, q) - E(sp.log(2 * sp.cosh(b * h)), z) / b)


@cache
def example_rs(P: int) -> ReplicaFreeEnergy:
    """Unsupervised example state, RS, at one atom: in (m1, m2, q), controls (alpha, v,
    kappa = 1/(M r^P), L = M - 1, a1, a2, beta) (module docstring, "Example state").  P = 2:
    in (m1, m2, C, sigma), controls (alpha, lam, lamx, kappa, L, a1, a2, beta)."""
    s = SYMBOLS
    return _model(P, _example_f(P), (s["m1"], s["m2"]),
                  _PAIR_EX_CONTROLS if P == 2 else _EX_CONTROLS, _example_field(P, _q(P)),
                  f"dense learning P={P} example state RS")


@cache
def example_rs_zero(P: int) -> ReplicaFreeEnergy:
    """T = 0 limit of :func:`example_rs` in (m1, m2) (as :func:`rs_zero`; P = 2: in
    (m1, m2, C, sigma))."""
    if P == 2:
        return example_rs(2).zero_temperature()
    s = SYMBOLS
    f0 = _zero_limit(_example_f(P, q_field=s["q1f"]))
    return ReplicaFreeEnergy(f0, (s["m1"], s["m2"]), _EX_CONTROLS[:-1],
                             minimize=(s["m1"], s["m2"]),
                             name=f"dense learning P={P} example state RS (T = 0)")


@cache
def example_overlap(P: int) -> sp.Expr:
    """``m = E_z tanh(beta h)`` of the example state at one atom (T > 0)."""
    s = SYMBOLS
    return E(sp.tanh(s["beta"] * _example_field(P, _q(P))), s["z"])


@cache
def archetype_overlap(P: int) -> sp.Expr:
    """``m = E_z tanh(beta h)`` at one atom, in the variables of :func:`rs` (T > 0)."""
    s = SYMBOLS
    return E(sp.tanh(s["beta"] * _field(P, _q(P))), s["z"])
