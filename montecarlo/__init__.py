"""montecarlo: samplers, engines, observables and campaigns. Depends on assoc only."""

from .dynamics import Glauber, Metropolis
from .simulate import simulate
from .state import ChainState

__all__ = ["simulate", "Glauber", "Metropolis", "ChainState"]
