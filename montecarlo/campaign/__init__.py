"""Campaigns: a declarative grid of Monte Carlo points, run in tasks into a zarr store.

``Campaign(spec)`` or ``Campaign.from_toml(path)`` validates the spec; ``.run(store)`` runs
every unfinished task (in-process, or on dask.distributed with ``client=``, ``scheduler=``
or ``workers=``) and returns the Dataset; ``open_campaign(store)`` reads it back, finished
or not; ``campaign_status(store)`` reports progress and failures. The command line is
``assoc campaign run|status|export`` (:mod:`montecarlo.campaign.cli`).
"""

from .campaign import Campaign, CampaignStatus, campaign_status, open_campaign
from .execute import CampaignFailed
from .spec import SpecError
from .store import StoreError

__all__ = ["Campaign", "open_campaign", "campaign_status", "CampaignStatus", "CampaignFailed",
           "SpecError", "StoreError"]
