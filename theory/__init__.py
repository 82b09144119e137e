"""theory: replica and signal-to-noise analyses (never simulation). Depends on assoc only.

Modules: :mod:`~theory.hopfield` (AGS, replica symmetric), :mod:`~theory.hopfield_rsb`
(RS and one-step RSB on the symbolic engine), :mod:`~theory.dense` (dense P-spin Hebbian
networks), :mod:`~theory.multitasking` (diluted patterns, parallel learning) and
:mod:`~theory.symbolic` (the replica free-energy engine).
"""

from . import dense, hopfield, hopfield_rsb, multitasking, symbolic

__all__: list[str] = ["hopfield", "hopfield_rsb", "dense", "multitasking", "symbolic"]
