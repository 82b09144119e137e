"""Albanese, Alemanno, Alessandrelli & Barra (arXiv:2111.12997): dense Hebbian networks, RS
and one-step RSB; capacities, phase diagram and Monte Carlo checks."""

from .capacity import main as _capacity

COMMANDS = {
    "dense-capacity": (
        _capacity,
        "dense P-spin networks: T = 0 capacity table P = 3..10 (RS, 1RSB, all conventions)",
    ),
}
