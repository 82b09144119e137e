"""Amit, Gutfreund & Sompolinsky (1985, 1987): the Hopfield model near saturation."""

from .crosscheck import main as _crosscheck
from .phase_diagram import main as _phase_diagram

COMMANDS = {
    "ags-phase-diagram": (
        _phase_diagram,
        "AGS (alpha, T) phase diagram: T_g, T_M, T_c, T_AT with Monte Carlo overlaps",
    ),
    "ags-mc-crosscheck": (
        _crosscheck,
        "Monte Carlo vs RS retrieval overlap at alpha = 0.05, extrapolated in N (z-scores)",
    ),
}
