"""montecarlo: samplers, engines, observables and campaigns. Depends on assoc only."""

from .dynamics import Glauber, Metropolis
from .multitasking import simulate_multitasking
from .simulate import simulate
from .state import ChainState

__all__ = ["simulate", "simulate_multitasking", "Glauber", "Metropolis", "ChainState"]
