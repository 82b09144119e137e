"""Amit, Gutfreund & Sompolinsky (1985, 1987): the Hopfield model near saturation."""

from .phase_diagram import main as _phase_diagram

COMMANDS = {
    "ags-phase-diagram": (
        _phase_diagram,
        "AGS (alpha, T) phase diagram: T_g, T_M, T_c, T_AT with Monte Carlo overlaps",
    ),
}
