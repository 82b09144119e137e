"""Dense (P-spin) Hebbian networks: replica-symmetric and one-step RSB theory.

Model and load (:class:`assoc.models.DenseHebbian`, the library convention)::

    H = -(1/(P! N^(P-1))) sum_mu sum_(distinct i1..iP) prod_k xi^mu_ik s_ik
      = -(1/N^(P-1)) sum_mu e_P(xi^mu s),          K = round(alpha N^(P-1)),

so ``H = -N m^P / P!`` for a condensed pattern.  For ``P > 2`` the cross-talk of the other
patterns is a Gaussian P-spin glass with covariance ``N xi(q)``, ``xi(q) = (alpha/P!) q^P``
(derived in :mod:`theory.dense.models`; Gardner 1987, Albanese et al. 2021).  The free
energies (per spin, ``s(m) = m^(P-1)/(P-1)!``, ``xi'(q) = alpha q^(P-1)/(P-1)!``)::

    RS:   f = (P-1) m^P/P! - (beta/2)[xi(1) - xi(q) - (1-q) xi'(q)]
              - (1/beta) E_z ln 2cosh(beta (s(m) + sqrt(xi'(q)) z))
    1RSB: f = (P-1) m^P/P! - (beta/2)[xi(1) - xi(q1) - (1-q1) xi'(q1)]
              + (beta theta/2)[q1 xi'(q1) - q0 xi'(q0) - xi(q1) + xi(q0)]
              - 1/(beta theta) E_z0 ln E_z1 (2cosh(beta h))^theta,
          h = s(m) + sqrt(xi'(q0)) z0 + sqrt(xi'(q1) - xi'(q0)) z1,

are written once as sympy expressions and everything else (stationarity conditions,
Hessians, the exact T = 0 limits with ``q1 = 1 - C/beta``, ``theta = mu/beta``) is derived by
the symbolic engine (:mod:`theory.symbolic`).  The RS equations are
``m = E tanh(beta(s(m) + sqrt(xi'(q)) z))``, ``q = E tanh^2(...)``; at T = 0
``m = erf(m^(P-1) / sqrt(2 alpha (P-1)!))``.

k-step RSB (:func:`theory.dense.models.krsb`, from :mod:`theory.symbolic.parisi`) adds
``sum_j (beta theta_j/2)[q_j xi'(q_j) - ...]`` and nests the spin term once more per step;
``critical_point(P, 0, "2RSB")`` locates the T = 0 2RSB fold (P = 3: 0.1547319512, +0.65 %
over 1RSB; ``benchmarks/dense_capacity_2rsb.py``).

Branches: ``retrieval`` (m > 0), ``spin_glass`` (m = 0, q > 0; 1RSB: q0 = 0 < q1) and
``paramagnet`` (m = q = 0, ``f = -beta alpha/(2 P!) - T ln 2``; it does not exist at T = 0,
where its entropy is negative and f diverges).  The spin-glass branches depend on alpha and T
only through ``g = alpha/T^2``, so their transition lines are ``T = sqrt(alpha/g_*)``.
Low load (K finite or ``o(N^(P-1))``) is ``alpha = 0``: the P-spin Curie-Weiss model with a
first-order retrieval transition ``T_c`` and spinodal ``T_M``.

Conventions (:data:`CONVENTIONS`, :func:`convert`):

* ``'library'``: as above.
* ``'mattis'``: ``H = -(N/P!) sum_mu m_mu^P = -(1/(P! N^(P-1))) sum_mu sum_(all tuples)``,
  ``K = alpha N^(P-1)``.  Signal and pure P-spin cross-talk are the same, so alpha and T map
  identically *at the level of the replica theory of the papers, which keeps only the
  P-spin part of the noise*.  Literally, the coinciding-index terms of the all-tuples sum add
  lower-order p-spin noise of the same order at high load: the covariance becomes
  ``(alpha N/P!^2) sum_(k = P, P-2, ... >= 1) C(P,k)^2 k! ((P-k-1)!!)^2 q^k`` (Wick pairings;
  P = 3: ``alpha N (q^3/6 + q/4)``, i.e. an extra random field), which
  :func:`all_tuples_covariance` returns; the library model has none of it.
* ``'albanese'``: the normalisation of Albanese et al. (arXiv:2111.12997) as described in
  ``THEORY.md``: ``H = -(1/N^(P-1)) sum_mu sum_(all tuples) = -N sum_mu m_mu^P`` with
  ``K = alpha N^(P-1)``: ``H_A = P! H`` at leading order, hence ``T_A = P! T`` and the
  same alpha (same caveat about coinciding indices).  (The paper body was not available
  offline; the map follows the stated normalisation.)

The family's verbs, as in :mod:`theory.hopfield`: :func:`solve` (``ansatz='RS'`` or
``'1RSB'``; its Dataset carries ``phase``, so there is no separate ``phase_diagram``),
:func:`critical_point`, :func:`critical_capacity`, :func:`transition_lines`,
:func:`signal_to_noise`; also :func:`low_load_lines`, :func:`spin_glass_constants` and
:func:`convert`. Inside, one concept per module: :mod:`.models` (the free energies),
:mod:`.branches` (their solution branches), :mod:`.phases` (:func:`solve`), :mod:`.glass`
(the m = 0 sector), :mod:`.capacity`, :mod:`.lines`, :mod:`.snr` and :mod:`.common`
(validation, Dataset attributes).

References: Gardner, J. Phys. A 20, 3453 (1987); Baldi & Venkatesh, PRL 58, 913 (1987);
Albanese, Alemanno, Alessandrelli & Barra, arXiv:2111.12997; Gross & Mezard, Nucl. Phys. B
240, 431 (1984) (1RSB of p-spin glasses); de Almeida & Thouless 1978 (replicon).
"""

from __future__ import annotations

from .capacity import critical_capacity, critical_point, global_minimum_load
from .common import ANSATZE, BRANCHES, CONVENTIONS
from .glass import spin_glass_constants
from .lines import first_order_line, low_load_lines, transition_lines
from .phases import solve
from .snr import all_tuples_covariance, convert, signal_to_noise

__all__ = [
    "ANSATZE",
    "BRANCHES",
    "CONVENTIONS",
    "solve",
    "critical_point",
    "critical_capacity",
    "global_minimum_load",
    "first_order_line",
    "transition_lines",
    "low_load_lines",
    "spin_glass_constants",
    "convert",
    "all_tuples_covariance",
    "signal_to_noise",
]

