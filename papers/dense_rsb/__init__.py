"""Albanese, Alemanno, Alessandrelli & Barra (arXiv:2111.12997): dense Hebbian networks, RS
and one-step RSB; capacities, phase diagram and Monte Carlo checks."""

from .capacity import main as _capacity
from .crosscheck import main as _crosscheck
from .phase_diagram import main as _phase_diagram

COMMANDS = {
    "dense-capacity": (
        _capacity,
        "dense P-spin networks: T = 0 capacity table P = 3..10 (RS, 1RSB, all conventions)",
    ),
    "dense-mc-crosscheck": (
        _crosscheck,
        "dense P = 3, 4: Monte Carlo vs RS retrieval overlap extrapolated in N (z-scores)",
    ),
    "dense-phase-diagram": (
        _phase_diagram,
        "dense P = 4 (alpha, T) phase diagram, RS and 1RSB lines, Monte Carlo overlaps",
    ),
}
