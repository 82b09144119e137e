"""Dense Hebbian networks that learn from examples (Agliari et al., arXiv:2212.00606,
supervised; arXiv:2211.14067, unsupervised).

Archetypes ``xi^mu = +-1``, mu = 1..K; examples ``eta^(mu,a) = xi^mu chi^(mu,a)``,
a = 1..M, with ``P(chi = +1) = (1 + r)/2``; dataset entropy ``rho = (1 - r^2)/(M r^2)``.
The couplings are P-body over distinct indices, normalised so that the archetype's signal
is O(1) (the library's dense convention, :class:`assoc.models.DenseHebbian`)::

    supervised:    H = -(1/(P! N^(P-1))) sum_mu sum_(distinct i1..iP) prod_k xihat^mu_ik s_ik,
                   xihat^mu = (1/(r M)) sum_a eta^(mu,a)          (E xihat = xi)
    unsupervised:  H = -(1/(P! M r^P N^(P-1))) sum_(mu,a) sum_(distinct) prod_k eta^(mu,a)_ik s_ik

with ``K = alpha N^(P-1)`` (ultra-storage) or ``K = alpha N``, P > 2 (ultra-detection).  At
``r = 1`` both are the dense storage model of :mod:`theory.dense`.  At T = 0 the results
below do not depend on positive prefactors (the papers' ``1/2``, ``R^(P/2)`` or all-index
sums with the self-terms dropped); the load definition and the exclusion of coinciding
indices do matter.

The verbs: :func:`solve` (RS retrieval, the unsupervised example state, spin glass and
paramagnet with ``phase``, on ``alpha x (r x M, or rho) x T``, T = 0 exact; so there is
no separate ``phase_diagram``), :func:`critical_capacity` (the fold of retrieval in
alpha), :func:`transition_lines` (T_M, T_c and the glass lines per load),
:func:`low_load_lines` (T_M and T_c at alpha = 0), :func:`signal_to_noise` (one-step
stability of an archetype, both protocols and loads), :func:`learning_threshold` (the
examples needed) and :func:`dataset_entropy`.  There is no separate ``critical_point``:
:func:`critical_capacity` returns the fold's load and overlap on its grid.  Every verb takes
P >= 2: at P = 2 the cross-talk is AGS's with the examples' channels instead of a P-spin
glass (:mod:`.models`, "P = 2"; at r = 1 the Hopfield model).  Not yet: 1RSB.  Inside:
:mod:`.models` (the free energies, derived there), :mod:`.laws` (the example average, exact
in M, through :class:`theory.symbolic.mixture.MixtureFreeEnergy`), :mod:`.phases`,
:mod:`.capacity`, :mod:`.lines`, :mod:`.pairwise` (P = 2 without signal), :mod:`.snr`,
:mod:`.common`.
"""

from __future__ import annotations

from .capacity import critical_capacity
from .common import BRANCHES, LOADS, PROTOCOLS, normalisation
from .lines import low_load_lines, transition_lines
from .phases import solve
from .snr import dataset_entropy, learning_threshold, signal_to_noise

__all__ = [
    "BRANCHES",
    "critical_capacity",
    "LOADS",
    "PROTOCOLS",
    "dataset_entropy",
    "learning_threshold",
    "low_load_lines",
    "normalisation",
    "signal_to_noise",
    "solve",
    "transition_lines",
]
