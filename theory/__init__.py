"""theory: replica and signal-to-noise analyses (never simulation). Depends on assoc only.

One subpackage per model family, each with one face (its ``__init__``):
:mod:`~theory.hopfield` (AGS, replica symmetric; RS and one-step RSB on the symbolic
engine in :mod:`theory.hopfield.rsb`), :mod:`~theory.dense` (dense P-spin Hebbian
networks), :mod:`~theory.multitasking` (diluted patterns, parallel learning) and
:mod:`~theory.dense_learning` (dense networks trained on examples); beside
them :mod:`~theory.symbolic` (the replica free-energy engine) and ``theory._numerics`` (the
shared solvers, quadrature and status codes).

``theory.hopfield_rsb`` is kept as another name of :mod:`theory.hopfield.rsb`.
"""

import sys

from . import dense, dense_learning, hopfield, multitasking, symbolic
from .hopfield import rsb as hopfield_rsb

sys.modules[__name__ + ".hopfield_rsb"] = hopfield_rsb  # `import theory.hopfield_rsb` too

__all__: list[str] = ["hopfield", "hopfield_rsb", "dense", "dense_learning", "multitasking",
                      "symbolic"]
