"""Fuerst et al. (2022), CLOOB: modern Hopfield networks with InfoLOOB outperform CLIP
(arXiv:2110.11316)."""

from .bounds import main as _bounds
from .views import main as _views

COMMANDS = {
    "cloob-bounds": (
        _bounds,
        "InfoNCE vs InfoLOOB MI bounds, InfoNCE gradient saturation, retrieval covariance",
    ),
    "cloob-views": (
        _views,
        "CLIP vs CLOOB on two corrupted views of sklearn digits (needs PyTorch)",
    ),
}
