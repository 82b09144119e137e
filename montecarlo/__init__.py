"""montecarlo: samplers, engines, observables and campaigns. Depends on assoc only."""

from .campaign import Campaign, campaign_status, open_campaign
from .dynamics import Glauber, Metropolis
from .simulate import simulate
from .state import ChainState

__all__ = ["simulate", "Campaign", "open_campaign", "campaign_status", "Glauber", "Metropolis",
           "ChainState"]
