"""Multitasking Hebbian networks and parallel learning (Agliari et al. 2012; arXiv:2308.04106)."""

from .learning import main as _learning
from .overlaps import main as _overlaps
from .regimes import main as _regimes

COMMANDS = {
    "multitasking-overlaps": (
        _overlaps,
        "overlaps vs dilution for several K: hierarchical-to-parallel crossover, theory + MC",
    ),
    "multitasking-regimes": (
        _regimes,
        "(d, T) regime diagram and the regime boundaries for K = 2..8 (two methods each)",
    ),
    "multitasking-learning": (
        _learning,
        "learning curves vs M, supervised vs unsupervised, theory + MC + SNR thresholds",
    ),
}
