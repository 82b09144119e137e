"""Dense Hebbian networks that learn from examples (Agliari et al. 2023, arXiv:2212.00606
supervised, arXiv:2211.14067 unsupervised)."""

from .digits import main as _digits
from .overlaps import main as _overlaps
from .phase_diagram import main as _phase

COMMANDS = {
    "dense-learning-digits": (
        _digits,
        "sklearn digits: retrieval and classification from corrupted inputs vs P, M, protocol",
    ),
    "dense-learning-overlaps": (
        _overlaps,
        "archetype overlap vs M, supervised vs unsupervised (example state), theory + MC",
    ),
    "dense-learning-phase": (
        _phase,
        "phase diagrams in (alpha, rho), (alpha, T) and (alpha, M), theory + MC points",
    ),
}
