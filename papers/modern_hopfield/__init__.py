"""Ramsauer et al. (2020), Krotov & Hopfield (2016), Demircigil et al. (2017): modern
Hopfield networks and dense associative memories."""

from .capacity import main as _capacity
from .landscape import main as _landscape
from .metastable import main as _metastable

COMMANDS = {
    "modern-hopfield-capacity": (
        _capacity,
        "measured capacities of dense memories and modern Hopfield nets vs the theorems",
    ),
    "modern-hopfield-landscape": (
        _landscape,
        "energy landscape and fixed-point types (single/metastable/global) for growing beta",
    ),
    "modern-hopfield-metastable": (
        _metastable,
        "metastable-state statistics (90%-mass subset sizes) of attention-like configurations",
    ),
}
