"""Amit, Gutfreund & Sompolinsky (1985, 1987): the Hopfield model near saturation."""

from .crosscheck import main as _crosscheck
from .phase_diagram import main as _phase_diagram
from .rsb_lines import main as _rsb_lines

COMMANDS = {
    "ags-phase-diagram": (
        _phase_diagram,
        "AGS (alpha, T) phase diagram: T_g, T_M, T_c, T_AT with Monte Carlo overlaps",
    ),
    "hopfield-rsb-lines": (
        _rsb_lines,
        "Hopfield retrieval near alpha_c: RS spinodal, AT line, 1RSB retrieval spinodal",
    ),
    "ags-mc-crosscheck": (
        _crosscheck,
        "Monte Carlo vs RS retrieval overlap at alpha = 0.05, extrapolated in N (z-scores)",
    ),
}
